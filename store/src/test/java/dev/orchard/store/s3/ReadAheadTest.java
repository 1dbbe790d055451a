package dev.orchard.store.s3;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orchard.store.LocalObjectStore;
import dev.orchard.store.Location;
import dev.orchard.store.ReadAhead;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReadAheadTest {

    @TempDir
    Path dir;

    @Test
    void localReadsComeInOrderAndFailuresDoNotStopTheSequence() throws Exception {
        List<Location> locations = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            locations.add(Location.local(Files.writeString(dir.resolve(i + ".txt"), "v" + i)));
        }
        locations.add(2, Location.local(dir.resolve("missing.txt")));
        List<String> seen = new ArrayList<>();
        try (ReadAhead reads = new ReadAhead(new LocalObjectStore(), locations.iterator(), 3)) {
            reads.forEachRemaining(f -> seen.add(f.ok() ? new String(f.bytes(), StandardCharsets.UTF_8)
                    : f.error().getClass().getSimpleName()));
        }
        assertThat(seen).containsExactly("v0", "v1", "NoSuchFileException", "v2", "v3", "v4");
    }

    @Test
    void s3ReadsRunAheadWithAtMostMaxConcurrentGetsInFlight() throws Exception {
        try (S3TestServer server = S3TestServer.start("bucket");
             FaultInjectingProxy proxy = FaultInjectingProxy.start(server.port(), 0, 1, 0);
             S3ObjectStore store = S3ObjectStore.create(S3TestServer.settingsFor(proxy.endpoint()).toBuilder()
                     .maxConcurrentGets(4).build())) {
            List<Location> locations = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                server.putDirect("bucket", "img/" + i, ("v" + i).getBytes(StandardCharsets.UTF_8));
                locations.add(Location.parse("s3://bucket/img/" + i));
            }
            locations.add(7, Location.parse("s3://bucket/img/missing"));
            proxy.setLatency(Duration.ofMillis(30)); // a distant server: reads overlap only if run concurrently

            List<String> seen = new ArrayList<>();
            try (ReadAhead reads = new ReadAhead(store, locations.iterator(), 16)) {
                while (reads.hasNext()) {
                    ReadAhead.Fetched f = reads.next();
                    seen.add(f.ok() ? new String(f.bytes(), StandardCharsets.UTF_8) : f.location().name());
                    if (!f.ok()) {
                        assertThat(f.error()).isInstanceOf(NoSuchFileException.class);
                    }
                }
            }
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                expected.add("v" + i);
            }
            expected.add(7, "missing");
            assertThat(seen).isEqualTo(expected);
            assertThat(proxy.maxInFlight()).as("GETs in flight at once").isBetween(2, 4);
        }
    }
}
