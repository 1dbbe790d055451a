package dev.orchard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real cluster: coordinator and worker JVMs on loopback, and what clusters do to them — workers killed with
 * SIGKILL or stopped with SIGTERM mid-job, the coordinator killed and resumed, a standby coordinator taking
 * over. After each, DESIGN.md's invariant must hold and the PCA must equal a clean embedded run's.
 */
class ClusterIT {
    private static final Duration JOB = Duration.ofMinutes(4);
    private static Path subset;
    private static Set<String> subsetImages;
    private static Path reference;
    private static Path fastConf;

    @TempDir
    static Path temp;

    /** 8 images of each of the 15 classes, and the embedded run on them with the settings every cluster test uses. */
    @BeforeAll
    static void reference() throws Exception {
        subset = temp.resolve("subset");
        try (Stream<Path> classes = Files.list(JobRun.shared().resolve("data/fruits360-sample"))) {
            for (Path dir : classes.sorted().toList()) {
                Files.createDirectories(subset.resolve(dir.getFileName().toString()));
                try (Stream<Path> files = Files.list(dir)) {
                    for (Path f : files.sorted().limit(8).toList()) {
                        Files.copy(f, subset.resolve(dir.getFileName().toString()).resolve(f.getFileName()));
                    }
                }
            }
        }
        subsetImages = Outputs.images(subset);
        reference = temp.resolve("reference");
        JobRun run = JobRun.of(reference, job(subset, reference, "run"));
        assertThat(run.exitCode()).as(run.messages()).isZero();
        fastConf = Nodes.fastFailureDetection(temp);
    }

    private static String[] job(Path input, Path output, String command, String... extra) {
        return job(input, output, command, 6, 6, 8, extra);
    }

    private static String[] job(Path input, Path output, String command, int unitSize, int batchSize, int k, String... extra) {
        List<String> args = new ArrayList<>(List.of(command, "--input", input.toString(), "--output", output.toString(),
                "--model", JobRun.model(), "--pca-k", String.valueOf(k), "--unit-size", String.valueOf(unitSize),
                "--batch-size", String.valueOf(batchSize), "--onnx-threads", "1"));
        args.addAll(List.of(extra));
        return args.toArray(String[]::new);
    }

    private static String[] worker(int coordinatorPort, int port, String... extra) {
        return worker("127.0.0.1:" + coordinatorPort, port, extra);
    }

    private static String[] worker(String join, int port, String... extra) {
        List<String> args = new ArrayList<>(List.of("worker", "--join", join,
                "--bind", "127.0.0.1:" + port, "--onnx-threads", "1", "--decode-threads", "1", "--config", fastConf.toString(),
                "--commit-every", "3"));
        args.addAll(List.of(extra));
        return args.toArray(String[]::new);
    }

    private static String[] coordinator(Path output, int port, String... extra) {
        List<String> args = new ArrayList<>(List.of(job(subset, output, "coordinator", "--bind", "127.0.0.1:" + port,
                "--config", fastConf.toString())));
        args.addAll(List.of(extra));
        return args.toArray(String[]::new);
    }

    private static long count(Path dir) throws Exception {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> !p.getFileName().toString().startsWith(".")).count();
        }
    }

    @Test
    void oneCoordinatorAndThreeWorkerJvmsEqualTheEmbeddedRunOnTheFullSample() throws Exception {
        Path full = JobRun.shared().resolve("data/fruits360-sample");
        Path embedded = temp.resolve("full-embedded");
        JobRun run = JobRun.of(embedded, job(full, embedded, "run", 50, 16, 20));
        assertThat(run.exitCode()).as(run.messages()).isZero();

        Path out = temp.resolve("full-cluster");
        int port = Nodes.freePort();
        try (Nodes nodes = new Nodes(temp.resolve("logs-full"))) {
            Process coordinator = nodes.start("coordinator", job(full, out, "coordinator", 50, 16, 20,
                    "--bind", "127.0.0.1:" + port));
            for (int i = 1; i <= 3; i++) {
                nodes.start("worker-" + i, worker(port, Nodes.freePort()));
            }
            assertThat(Nodes.exitCode(coordinator, JOB)).as(nodes.log("coordinator")).isZero();
            for (int i = 1; i <= 3; i++) {
                assertThat(nodes.log("worker-" + i)).as("worker %d took part", i).contains("Coordinator");
            }
        }
        Outputs.assertSameJob(out, embedded, Outputs.images(full));
    }

    @Test
    void workersKilledOrStoppedAtDifferentPointsLoseAndDuplicateNothing() throws Exception {
        // Kill points: right after the first unit was written, half-way, near the end; and a graceful SIGTERM.
        record Trial(String name, double progress, boolean graceful) {
        }
        for (Trial trial : List.of(new Trial("early", 0.05, false), new Trial("middle", 0.5, false),
                new Trial("late", 0.85, false), new Trial("sigterm", 0.3, true))) {
            Path out = temp.resolve("kill-" + trial.name());
            int port = Nodes.freePort();
            try (Nodes nodes = new Nodes(temp.resolve("logs-kill-" + trial.name()))) {
                Process coordinator = nodes.start("coordinator", coordinator(out, port));
                List<Process> workers = new ArrayList<>();
                for (int i = 1; i <= 3; i++) {
                    workers.add(nodes.start("worker-" + i, worker(port, Nodes.freePort())));
                }
                long units = (subsetImages.size() + 5) / 6;
                Nodes.await("progress " + trial.progress(), JOB, () -> {
                    try {
                        return count(out.resolve("features")) >= Math.max(1, (long) (units * trial.progress()));
                    } catch (Exception e) {
                        return false;
                    }
                });
                if (trial.graceful()) {
                    workers.get(0).destroy();
                } else {
                    workers.get(0).destroyForcibly();
                }
                assertThat(Nodes.exitCode(coordinator, JOB)).as(nodes.log("coordinator")).isZero();
            }
            Outputs.assertSameJob(out, reference, subsetImages);
        }
    }

    @Test
    void coordinatorKilledMidJobThenResumedFinishesWithoutDoubleCounting() throws Exception {
        Path out = temp.resolve("resume");
        int port = Nodes.freePort();
        int[] workerPorts = {Nodes.freePort(), Nodes.freePort()};
        try (Nodes nodes = new Nodes(temp.resolve("logs-resume"))) {
            Process first = nodes.start("coordinator-1", coordinator(out, port));
            for (int i = 0; i < 2; i++) {
                nodes.start("worker-" + i, worker(port, workerPorts[i]));
            }
            Nodes.await("a committed statistics file", JOB, () -> {
                try {
                    return count(out.resolve("_orchard/commits")) >= 2;
                } catch (Exception e) {
                    return false;
                }
            });
            first.destroyForcibly();
            first.waitFor();
            assertThat(out.resolve("_SUCCESS")).doesNotExist();
            // The same command with --resume, joining the workers' cluster that lives on.
            Process second = nodes.start("coordinator-2", coordinator(out, port, "--resume", "--join",
                    "127.0.0.1:" + port + ",127.0.0.1:" + workerPorts[0] + ",127.0.0.1:" + workerPorts[1]));
            assertThat(Nodes.exitCode(second, JOB)).as(nodes.log("coordinator-2")).isZero();
            assertThat(nodes.log("coordinator-2")).containsPattern("Resuming: \\d+ units planned \\([1-9]\\d* done\\)");
        }
        Outputs.assertSameJob(out, reference, subsetImages);
    }

    @Test
    void aStandbyCoordinatorNodeTakesOverAndResumesByItself() throws Exception {
        Path out = temp.resolve("standby");
        int active = Nodes.freePort();
        int standby = Nodes.freePort();
        try (Nodes nodes = new Nodes(temp.resolve("logs-standby"))) {
            Process first = nodes.start("coordinator-a", coordinator(out, active, "--resume"));
            Nodes.await("the plan", JOB, () -> Files.isDirectory(out.resolve("_orchard/plan")));
            Process second = nodes.start("coordinator-b", coordinator(out, standby, "--resume", "--join", "127.0.0.1:" + active));
            for (int i = 0; i < 2; i++) {
                nodes.start("worker-" + i, worker("127.0.0.1:" + active + ",127.0.0.1:" + standby, Nodes.freePort()));
            }
            Nodes.await("a committed statistics file", JOB, () -> {
                try {
                    return count(out.resolve("_orchard/commits")) >= 1;
                } catch (Exception e) {
                    return false;
                }
            });
            first.destroyForcibly();
            assertThat(Nodes.exitCode(second, JOB)).as(nodes.log("coordinator-b")).isZero();
            assertThat(nodes.log("coordinator-b")).contains("Resuming");
        }
        Outputs.assertSameJob(out, reference, subsetImages);
    }
}
