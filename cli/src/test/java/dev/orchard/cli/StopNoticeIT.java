package dev.orchard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code orchard run} stopped by SIGTERM while its job runs says so, and how to go on (README: "stopped before the job
 * ended ... --resume continues the job"). It printed nothing at all before: the JVM halted before the job's failure
 * reached the thread that reports it. Each job here cannot end before the signal, by construction rather than by a
 * timing margin: the run's manifest names a FIFO that nothing ever writes (reading it waits for a writer), and the
 * coordinator node waits for a worker that never comes.
 */
class StopNoticeIT {

    @Test
    void aJobStoppedBySigtermSaysSoAndHowToContinue(@TempDir Path temp) throws Exception {
        Path fifo = temp.resolve("never-written.jpg");
        assertThat(new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start().waitFor()).isZero();
        List<String> entries = new ArrayList<>();
        try (Stream<Path> images = Files.list(JobRun.shared().resolve("data/fruits360-sample/Kiwi"))) {
            images.sorted().limit(16).forEach(image -> entries.add(image.toString()));
        }
        entries.add(fifo.toString());
        Path manifest = Files.write(temp.resolve("manifest.txt"), entries);
        Path out = temp.resolve("out");
        try (Nodes nodes = new Nodes(temp.resolve("logs"))) {
            Process job = nodes.start("job", "run", "--input-manifest", manifest.toString(), "--output", out.toString(),
                    "--model", JobRun.model(), "--pca-k", "2", "--unit-size", "4", "--batch-size", "4", "--no-http");
            nodes.await("a unit of the job's images", Duration.ofMinutes(2),
                    () -> nodes.logContains("job", "FEATURES unit"));
            assertThat(out.resolve("_SUCCESS")).as("the FIFO's unit cannot end").doesNotExist();
            Nodes.signal(job, "TERM");
            assertStoppedWithTheNotice(nodes, "job", job);
            assertThat(out.resolve("_SUCCESS")).doesNotExist();
            assertThat(Files.exists(out.resolve("_orchard"))).isTrue();
        }
    }

    /** A coordinator node, too: its job waits for a worker that never comes, so it cannot end before the signal. */
    @Test
    void aCoordinatorNodeStoppedBySigtermSaysSoAndHowToContinue(@TempDir Path temp) throws Exception {
        Path out = temp.resolve("out");
        try (Nodes nodes = new Nodes(temp.resolve("logs"))) {
            Process coordinator = nodes.start("coordinator", "coordinator", "--input",
                    JobRun.shared().resolve("data/fruits360-sample/Kiwi").toString(), "--output", out.toString(),
                    "--model", JobRun.model(), "--pca-k", "2", "--min-workers", "1", "--no-http",
                    "--bind", "127.0.0.1:" + dev.orchard.store.LoopbackPorts.pick());
            nodes.await("the coordinator's job", Duration.ofMinutes(2),
                    () -> nodes.logContains("coordinator", "phase: listing"));
            Nodes.signal(coordinator, "TERM");
            assertStoppedWithTheNotice(nodes, "coordinator", coordinator);
        }
    }

    /** The process exits as SIGTERM ends a JVM, having said once that the job stopped and how to continue it. */
    private static void assertStoppedWithTheNotice(Nodes nodes, String name, Process process) throws Exception {
        assertThat(process.waitFor(2, TimeUnit.MINUTES)).isTrue();
        String log = nodes.log(name);
        assertThat(process.exitValue()).as(log).isEqualTo(128 + 15);
        assertThat(log).containsOnlyOnce("orchard: stopped before the job ended")
                .contains("the same command with --resume continues the job");
    }
}
