package dev.orchard.coordinator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.orchard.coordinator.work.JournalEntry;
import dev.orchard.coordinator.work.JournalEntry.Commit;
import dev.orchard.coordinator.work.JournalEntry.PlanGroup;
import dev.orchard.coordinator.work.JournalEntry.PlannedUnit;
import dev.orchard.coordinator.work.JournalEntry.UnitRecord;
import dev.orchard.coordinator.work.WorkState;
import dev.orchard.protocol.ImageRef;
import dev.orchard.protocol.UnitReport;
import dev.orchard.store.InterceptedStore;
import dev.orchard.store.LocalObjectStore;
import dev.orchard.store.Location;
import dev.orchard.store.ObjectStore;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The write the lease cannot stop: one already past the fence's check when its coordinator's process stood still,
 * landing after a coordinator that took the output over read the journal. Played step by step through the real
 * {@link OutputLease}, {@link LeasedStore}, {@link JobJournal} and {@link WorkState}, on a local folder: the late
 * write is held back by the store (the request "in flight") and let through when the test says.
 */
class StaleJournalWriteTest {
    private static final Instant NOW = Instant.parse("2026-12-04T12:00:00Z");
    private static final Duration TTL = Duration.ofSeconds(30);
    private static final Duration DOWN_AFTER = Duration.ofSeconds(20);
    private static final WorkState.Settings SETTINGS = new WorkState.Settings(1, 1 << 20, 3, 3, 60_000, 5_000, 30_000,
            2_000, 10_000, 0, 60_000, 1, 1 << 20, 100);

    private final LocalObjectStore store = new LocalObjectStore();
    /** Writes of coordinator A held on their way to the store: each lands when run. */
    private final List<Runnable> inFlight = new ArrayList<>();

    /**
     * A journals unit 0; its commit of unit 1 passes the fence and its process stands still with the request on its
     * way; B takes the stale lease over, reads the journal, commits unit 1 itself; A's commit lands. A later
     * {@code --resume} used to refuse the output ("the journal commits unit 1 twice"); now it reads the journal as B
     * sealed it: A's late commit is not part of it, and B's is.
     */
    @Test
    void aCommitLandingAfterTheTakeoverIsNotPartOfTheJournal(@TempDir Path out) throws Exception {
        Location output = Location.local(out);
        AtomicLong aClock = new AtomicLong();
        OutputLease aLease = new OutputLease(store, output, "a", "10.0.0.1:1", TTL, DOWN_AFTER, aClock::get,
                () -> NOW, new JvmPauses(aClock::get));
        aLease.acquire(free(output, NOW), NOW);
        LeasedStore aStore = new LeasedStore(holdingBack(store, "unit1-a"));
        aStore.writeUnder(aLease);
        JobJournal a = new JobJournal(aStore, output);
        a.seal(aLease.term());
        a.write(new PlanGroup(0, List.of(unit(0), unit(1)), List.of()));
        a.write(commit("unit0-a", 0, 0xa));
        a.write(commit("unit1-a", 1, 0xa)); // past the check, then A stands still: the write is on its way

        Instant later = NOW.plus(TTL).plusSeconds(5); // A's lease is stale
        OutputLease bLease = new OutputLease(store, output, "b", "10.0.0.2:1", TTL);
        bLease.acquire(free(output, later), later);
        LeasedStore bStore = new LeasedStore(store);
        bStore.writeUnder(bLease);
        JobJournal b = new JobJournal(bStore, output);
        JournalEntry.State found = b.read();
        b.sealUnder(bLease);
        assertThat(bLease.term()).isEqualTo(2);
        WorkState bState = WorkState.resume(0xb, SETTINGS, found, 0);
        assertThat(bState.unitCount()).isEqualTo(2);
        b.write(commit("unit1-b", 1, 0xb)); // unit 1 was pending for B: it committed it itself

        inFlight.forEach(Runnable::run); // A's commit of unit 1 lands
        assertThat(out.resolve("_orchard/commits/unit1-a-t1.json")).exists();
        aClock.set(TTL.toNanos()); // A runs again: its next write renews first, and finds B's lease
        assertThatThrownBy(() -> a.write(commit("unit2-a", 0, 0xa))).isInstanceOf(OutputLease.Lost.class);

        JournalEntry.State resumed = new JobJournal(store, output).read();
        WorkState.resume(0xc, SETTINGS, resumed, 0); // refused before: "the journal commits unit 1 twice"
        assertThat(resumed.commits()).extracting(Commit::statistics).containsExactlyInAnyOrder("unit0-a", "unit1-b");
    }

    /** The lease file as it is now, free to take at {@code at}. */
    private OutputLease.Claim.Free free(Location output, Instant at) throws Exception {
        return (OutputLease.Claim.Free) OutputLease.claim(store, output, "10.0.0.9:1", ClusterMembership.NONE, at);
    }

    private static PlannedUnit unit(int id) {
        return new PlannedUnit(id, List.of(new ImageRef(String.format("/in/%03d.jpg", id), "l")));
    }

    private static Commit commit(String statistics, int unit, long epoch) {
        return new Commit(statistics, List.of(new UnitRecord(unit, epoch, 1, 1, 100, 10, List.of(),
                UnitReport.StageNanos.ZERO)));
    }

    /** {@code store}, but a put whose target's name starts with {@code held} waits in {@link #inFlight}. */
    private ObjectStore holdingBack(ObjectStore store, String held) {
        return InterceptedStore.around(store, (method, args, call) -> {
            if (!method.equals("put") || !((Location) args[0]).name().startsWith(held)) {
                return call.proceed();
            }
            inFlight.add(() -> {
                try {
                    call.proceed();
                } catch (Throwable e) {
                    throw new AssertionError("the held write failed as it landed", e);
                }
            });
            return null;
        });
    }
}
