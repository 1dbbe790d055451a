package dev.orchard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
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

    /**
     * The job's second and third units each name a FIFO: the one worker's two units in flight wait on them for good once
     * its first unit is done, the fourth stays queued (so the coordinator asks for no commit, as it does once the
     * queue is empty), and the first unit's statistics are only in the worker's memory when the signal comes.
     */
    @Test
    void aJobStoppedBySigtermSaysSoAndHowToContinueKeepingWhatItDid(@TempDir Path temp) throws Exception {
        List<Path> images;
        try (Stream<Path> kiwis = Files.list(JobRun.shared().resolve("data/fruits360-sample/Kiwi"))) {
            images = kiwis.sorted().limit(14).toList();
        }
        List<Path> fifos = List.of(temp.resolve("never-written-1.jpg"), temp.resolve("never-written-2.jpg"));
        for (Path fifo : fifos) {
            assertThat(new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start().waitFor()).isZero();
        }
        List<String> entries = new ArrayList<>();
        images.forEach(image -> entries.add(image.toString()));
        entries.add(7, fifos.get(0).toString());
        entries.add(11, fifos.get(1).toString());
        Path manifest = Files.write(temp.resolve("manifest.txt"), entries);
        Path out = temp.resolve("out");
        try (Nodes nodes = new Nodes(temp.resolve("logs"))) {
            String[] command = {"run", "--input-manifest", manifest.toString(), "--output", out.toString(), "--model",
                    JobRun.model(), "--pca-k", "2", "--unit-size", "4", "--batch-size", "4", "--units-in-flight", "2",
                    "--workers", "1", "--no-http"};
            // The job's own temporary folder, to see its worker runtime's scratch folder go as it stops.
            Path jobsTmp = Files.createDirectories(temp.resolve("tmp-job"));
            Process job = nodes.start("job", java.util.Map.of("ORCHARD_JAVA_OPTS",
                    "-Xmx1g -XX:+UseSerialGC -Djava.io.tmpdir=" + jobsTmp), command);
            nodes.await("the job's first unit", Duration.ofMinutes(2), () -> nodes.logContains("job", "FEATURES unit"));
            assertThat(scratchFolders(jobsTmp)).as("the running job's scratch folder").hasSize(1);
            Nodes.signal(job, "TERM");
            assertStoppedWithTheNotice(nodes, "job", job);
            // Deleted as it stopped: the JVM halted before the command closed its runtime (a cluster walk).
            assertThat(scratchFolders(jobsTmp)).as(nodes.log("job")).isEmpty();
            assertThat(out.resolve("_SUCCESS")).doesNotExist();
            assertThat(Files.exists(out.resolve("_orchard"))).isTrue();
            assertThat(nodes.log("job").split("FEATURES unit", -1).length - 1).as(nodes.log("job")).isEqualTo(1);

            // The stop committed the unit done (one of --commit-every 32, in less than a minute): the resume keeps it,
            // and does the other three, whose FIFOs are now files that are no images.
            for (Path fifo : fifos) {
                Files.delete(fifo);
                Files.writeString(fifo, "not an image");
            }
            String[] resume = Arrays.copyOf(command, command.length + 1);
            resume[command.length] = "--resume";
            Process resumed = nodes.start("resumed", resume);
            assertThat(resumed.waitFor(2, TimeUnit.MINUTES)).isTrue();
            String log = nodes.log("resumed");
            assertThat(resumed.exitValue()).as(log).isZero();
            assertThat(log).contains("Resuming: 4 units planned (1 done)").contains("(4 done before this run)");
            assertThat(log.split("FEATURES unit", -1).length - 1).as(log).isEqualTo(3);
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

    /**
     * A signal while the model loads: the exit's line (for orchard run, that the job was starting), and no stack trace. ONNX Runtime's first use registers a shutdown
     * hook, which the JVM refuses once its exit began: the ExceptionInInitializerError went up the main thread as
     * "Exception in thread main" under the stop's line. The model is a FIFO, written only after the signal, so the load
     * cannot end before it; the signal comes once the main thread waits for the model (its thread dump says so), so the
     * command's stop notice is in place.
     */
    @Test
    void aSignalWhileTheModelLoadsSaysOnlyThatTheJobStopped(@TempDir Path temp) throws Exception {
        signalWhileTheModelLoads(temp, "RunCommand.await", "run", "--input",
                JobRun.shared().resolve("data/fruits360-sample/Kiwi").toString(), "--output", temp.resolve("out").toString(),
                "--model", temp.resolve("model.onnx").toString(), "--pca-k", "2", "--no-http");
    }

    /** A coordinator node loads its model on its main thread, its stop notice in place: the same. */
    @Test
    void aSignalWhileACoordinatorNodesModelLoadsSaysOnlyThatTheJobStopped(@TempDir Path temp) throws Exception {
        signalWhileTheModelLoads(temp, "JobSetup.<init>", "coordinator", "--input",
                JobRun.shared().resolve("data/fruits360-sample/Kiwi").toString(), "--output", temp.resolve("out").toString(),
                "--model", temp.resolve("model.onnx").toString(), "--pca-k", "2", "--no-http",
                "--bind", "127.0.0.1:" + dev.orchard.store.LoopbackPorts.pick());
        assertThat(temp.resolve("out")).as("nothing written: no node started").doesNotExist();
    }

    private static void signalWhileTheModelLoads(Path temp, String waitingIn, String... command) throws Exception {
        Path model = temp.resolve("model.onnx");
        assertThat(new ProcessBuilder("mkfifo", model.toString()).inheritIO().start().waitFor()).isZero();
        try (Nodes nodes = new Nodes(temp.resolve("logs"))) {
            Process job = nodes.start("job", command);
            nodes.await("the main thread in " + waitingIn, Duration.ofMinutes(2), () -> mainThreadIn(job, waitingIn));
            Nodes.signal(job, "TERM");
            // Opening the FIFO to write waits for the load's read (the hook holds the exit until the command has closed,
            // 10 s at most). A thread of its own: one of the common pool, blocked for good, would stall other tests.
            Thread writer = new Thread(() -> {
                try (var fifo = Files.newOutputStream(model, java.nio.file.StandardOpenOption.WRITE)) {
                    Files.copy(Path.of(JobRun.model()), fifo);
                } catch (java.io.IOException reader) {
                    // the JVM halted before it read it all: what it printed is checked below
                }
            }, "fifo-writer");
            writer.setDaemon(true);
            writer.start();
            if (command[0].equals("run")) { // before its coordinator started: the same command starts the job
                assertThat(job.waitFor(2, TimeUnit.MINUTES)).isTrue();
                assertThat(job.exitValue()).as(nodes.log("job")).isEqualTo(128 + 15);
                assertThat(nodes.log("job")).containsOnlyOnce("orchard: stopped as the job was starting")
                        .contains("the same command starts the job").doesNotContain("stopped before the job ended");
            } else {
                assertStoppedWithTheNotice(nodes, "job", job);
            }
            if (writer.isAlive()) { // the JVM halted before it opened the FIFO: an open for reading and writing lets it go
                try (var release = new java.io.RandomAccessFile(model.toFile(), "rw")) {
                    writer.join(5_000);
                }
            }
            assertThat(nodes.log("job")).doesNotContain("Exception").doesNotContain("\tat ");
        }
    }

    /**
     * Whether the JVM's main thread is in {@code frame}, by its thread dump; asked only once the process is the JVM (the
     * launcher execs it): an attach to a shell would signal it.
     */
    private static boolean mainThreadIn(Process process, String frame) {
        try {
            if (!Files.readSymbolicLink(Path.of("/proc", String.valueOf(process.pid()), "exe")).toString().endsWith("/java")) {
                return false;
            }
            Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                    String.valueOf(process.pid()), "Thread.print").redirectErrorStream(true).start();
            String dump = new String(jcmd.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            jcmd.waitFor();
            int main = dump.indexOf("\"main\"");
            int next = main < 0 ? -1 : dump.indexOf("\n\n", main);
            return main >= 0 && dump.substring(main, next < 0 ? dump.length() : next).contains(frame);
        } catch (java.io.IOException e) {
            return false; // not started yet, or not attachable yet
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static List<Path> scratchFolders(Path tmp) throws java.io.IOException {
        try (Stream<Path> entries = Files.list(tmp)) {
            return entries.filter(p -> p.getFileName().toString().startsWith("orchard-worker-")).toList();
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
