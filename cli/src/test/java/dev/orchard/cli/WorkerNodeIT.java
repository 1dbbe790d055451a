package dev.orchard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orchard.store.LoopbackPorts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A worker node on its own: what it says while no coordinator is to be found (a helper's cluster walk). */
class WorkerNodeIT {

    /**
     * A wrong --join (nothing listens there) gave only Pekko's connection warnings, a stream of them in its own words;
     * the node now says what it looks for and what to check, less and less often. The note's first delay is a
     * setting (30 s by default); 1 s here.
     */
    @Test
    void aWorkerThatFindsNoCoordinatorSaysWhatToCheck(@TempDir Path temp) throws Exception {
        Path config = Files.writeString(temp.resolve("note.conf"), "orchard.worker.no-coordinator-note = 1s\n");
        String nowhere = "127.0.0.1:" + LoopbackPorts.pick();
        try (Nodes nodes = new Nodes(temp.resolve("logs"))) {
            nodes.start("worker", "worker", "--join", nowhere, "--bind", Nodes.ANY_PORT, "--onnx-threads", "1",
                    "--config", config.toString());
            nodes.await("the worker's note", Duration.ofMinutes(1),
                    () -> nodes.logContains("worker", "No coordinator found in"));
            assertThat(nodes.log("worker")).contains("check that a coordinator node runs there, that --join names its"
                    + " --bind address").contains(nowhere).doesNotContain("TLS mismatch"); // no TLS here
        }
    }
}
