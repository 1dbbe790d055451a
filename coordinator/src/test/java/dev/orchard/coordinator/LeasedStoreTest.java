package dev.orchard.coordinator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.orchard.store.InterceptedStore;
import dev.orchard.store.LocalObjectStore;
import dev.orchard.store.Location;
import dev.orchard.store.ObjectStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A coordinator taken over part-way through a bulk operation (clearing its attempts, moving an update's rows in)
 * makes none of its remaining requests: the real {@link OutputLease} and {@link LeasedStore} on a local folder, the
 * takeover made by the test between two of the operation's requests, and coordinator A's clock moved past its trust
 * there, as when its process stood still.
 */
class LeasedStoreTest {
    private static final Instant NOW = Instant.parse("2026-12-04T12:00:00Z");
    private static final Duration TTL = Duration.ofSeconds(30);
    private static final int FILES = 6;

    private final LocalObjectStore store = new LocalObjectStore();
    private final AtomicLong aClock = new AtomicLong();
    @TempDir
    Path out;
    private Location output;
    private OutputLease aLease;

    @BeforeEach
    void aHoldsTheLease() throws Exception {
        output = Location.local(out);
        aLease = new OutputLease(store, output, "a", "10.0.0.1:1", TTL, TTL, aClock::get, () -> NOW,
                new JvmPauses(aClock::get));
        aLease.acquire(free(NOW), NOW);
        for (int i = 0; i < FILES; i++) {
            Files.createDirectories(out.resolve("from"));
            Files.writeString(out.resolve("from/f" + i), "row " + i);
        }
    }

    @Test
    void aDeletionStopsAtTheRequestAfterTheTakeover() throws Exception {
        LeasedStore aStore = new LeasedStore(takenOverAtCheck(3));
        aStore.writeUnder(aLease);
        assertThatThrownBy(() -> aStore.deleteAll(Location.local(out.resolve("from"))))
                .isInstanceOf(OutputLease.Lost.class);
        assertThat(names(out.resolve("from"))).as("two files deleted before the takeover, none after").hasSize(FILES - 2);
    }

    @Test
    void aFolderEmptiedBeforeTheTakeoverIsNotRemovedAfterIt() throws Exception {
        Path folder = out.resolve("attempts/epoch-b");
        Files.createDirectories(folder);
        Files.writeString(folder.resolve("unit-0"), "row");
        // Checks: 1 before unit-0's deletion, 2 before its folder's removal (the walk's only other request).
        LeasedStore aStore = new LeasedStore(takenOverAtCheck(2));
        aStore.writeUnder(aLease);
        assertThatThrownBy(() -> aStore.deleteAll(Location.local(out.resolve("attempts"))))
                .isInstanceOf(OutputLease.Lost.class);
        assertThat(folder).as("the file deleted before the takeover, its folder kept after").isEmptyDirectory();
    }

    @Test
    void aMoveObjectByObjectStopsAtTheObjectAfterTheTakeover() throws Exception {
        Files.createDirectories(out.resolve("to")); // a folder already there: moved object by object, not renamed
        LeasedStore aStore = new LeasedStore(takenOverAtCheck(3));
        aStore.writeUnder(aLease);
        assertThatThrownBy(() -> aStore.moveAll(Location.local(out.resolve("from")), Location.local(out.resolve("to"))))
                .isInstanceOf(OutputLease.Lost.class);
        assertThat(names(out.resolve("to"))).as("two files moved before the takeover, none after").hasSize(2);
        assertThat(names(out.resolve("from"))).hasSize(FILES - 2);
    }

    /**
     * {@link #store}, but at the {@code n}-th check of a bulk operation's fence, A has stood still past its lease's
     * time-to-live and B has taken the output over.
     */
    private ObjectStore takenOverAtCheck(int n) {
        return InterceptedStore.around(store, (method, args, call) -> {
            if ((method.equals("deleteAll") || method.equals("moveAll"))
                    && args[args.length - 1] instanceof ObjectStore.Fence fence) {
                AtomicInteger checks = new AtomicInteger();
                args[args.length - 1] = (ObjectStore.Fence) () -> {
                    if (checks.incrementAndGet() == n) {
                        takeOver();
                    }
                    fence.check();
                };
            }
            return call.proceed();
        });
    }

    private void takeOver() throws java.io.IOException {
        Instant later = NOW.plus(TTL).plusSeconds(5);
        new OutputLease(store, output, "b", "10.0.0.2:1", TTL).acquire(free(later), later);
        aClock.set(TTL.toNanos());
    }

    private OutputLease.Claim.Free free(Instant at) throws java.io.IOException {
        return (OutputLease.Claim.Free) OutputLease.claim(store, output, "10.0.0.9:1", ClusterMembership.NONE, at);
    }

    private static java.util.List<String> names(Path dir) throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
