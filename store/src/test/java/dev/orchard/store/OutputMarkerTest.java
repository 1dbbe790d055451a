package dev.orchard.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OutputMarkerTest {

    @TempDir
    Path dir;

    @Test
    void writtenReadAndOpenToNewFields() throws Exception {
        LocalObjectStore store = new LocalObjectStore();
        OutputLayout layout = new OutputLayout(Location.local(dir.resolve("out")));
        assertThat(OutputMarker.read(store, layout)).isEmpty();
        OutputMarker marker = OutputMarker.now("1.2.3");
        marker.write(store, layout);
        assertThat(dir.resolve("out/_orchard/job.json")).exists();
        assertThat(OutputMarker.read(store, layout)).contains(marker);

        // A later version's marker carries more (the job's identity): an older reader still knows it.
        Files.writeString(layout.marker().path(), "{\"orchard\":\"9\",\"created\":\"t\",\"job\":{\"input\":\"x\"}}");
        assertThat(OutputMarker.read(store, layout)).contains(new OutputMarker("9", "t", null));

        Files.writeString(layout.marker().path(), "not json");
        assertThatThrownBy(() -> OutputMarker.read(store, layout)).hasMessageContaining("is not Orchard's marker");
    }
}
