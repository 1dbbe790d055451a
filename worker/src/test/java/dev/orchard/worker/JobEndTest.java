package dev.orchard.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orchard.store.LocalObjectStore;
import dev.orchard.store.Location;
import dev.orchard.store.OutputLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A worker frozen for 45 s woke after its job's _SUCCESS and wrote a 6.5 MB statistics file into the finished
 * output (a user's SIGSTOP): before a statistics write it asks whether the output says its job has ended.
 */
class JobEndTest {
    @TempDir
    Path dir;

    @Test
    void aFirstRunEndsWithItsSuccessAnUpdateOnceCurrentNamesItsGeneration() throws Exception {
        LocalObjectStore store = new LocalObjectStore();
        OutputLayout layout = new OutputLayout(Location.local(dir.resolve("out")));
        assertThat(JobEnd.reached(store, layout, 0)).isFalse();
        store.put(layout.success(), "{}".getBytes(StandardCharsets.UTF_8));
        assertThat(JobEnd.reached(store, layout, 0)).isTrue();
        // An update to generation 1 runs beside the first run's _SUCCESS (no CURRENT: generation 0 is the output's).
        assertThat(JobEnd.reached(store, layout, 1)).isFalse();
        store.put(layout.current(), "1".getBytes(StandardCharsets.UTF_8));
        assertThat(JobEnd.reached(store, layout, 1)).isTrue();
        assertThat(JobEnd.reached(store, layout, 2)).isFalse();
        store.put(layout.current(), "not a number".getBytes(StandardCharsets.UTF_8));
        assertThat(JobEnd.reached(store, layout, 2)).as("unknown: the write goes ahead").isFalse();
    }
}
