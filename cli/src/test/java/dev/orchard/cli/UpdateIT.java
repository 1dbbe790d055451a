package dev.orchard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orchard.store.LoopbackPorts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code orchard coordinator --update} on a real cluster: the coordinator JVM killed (SIGKILL) in the middle of an
 * update, and the same command started again, finishes it; the output then equals a clean run over the new input
 * (same rows and labels, the same features, PCA eigenvalues within 1e-9), and the workers outlived the coordinator.
 */
class UpdateIT {
    private static final Duration JOB = Duration.ofMinutes(5);

    @TempDir
    Path temp;

    private static String[] job(Path input, Path output, String command, String... extra) {
        List<String> args = new ArrayList<>(List.of(command, "--input", input.toString(), "--output", output.toString(),
                "--model", JobRun.model(), "--pca-k", "8", "--unit-size", "6", "--batch-size", "6"));
        if (command.equals("run")) {
            args.addAll(List.of("--onnx-threads", "1")); // a worker's option: a coordinator node without workers refuses it
        }
        args.addAll(List.of(extra));
        return args.toArray(String[]::new);
    }

    private static long filesIn(Path dir) {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".json")).count();
        } catch (Exception e) {
            return 0;
        }
    }

    @Test
    void aCoordinatorKilledDuringAnUpdateIsResumedByTheSameCommand() throws Exception {
        // Generation 0: 4 images of each of the 15 classes.
        Path in = ClusterIT.longKeyCopy(JobRun.shared().resolve("data/fruits360-sample"), temp.resolve("in"), 4);
        Path out = temp.resolve("out");
        JobRun first = JobRun.of(out, job(in, out, "run"));
        assertThat(first.exitCode()).as(first.messages()).isZero();

        // The input changes: 3 more images of each class, one of each class removed, one of each rewritten.
        Path more = ClusterIT.longKeyCopy(JobRun.shared().resolve("data/fruits360-sample"), temp.resolve("more"), 7);
        try (Stream<Path> files = Files.walk(more)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                Path target = in.resolve(more.relativize(f).toString());
                if (!Files.exists(target)) {
                    Files.copy(f, target);
                }
            }
        }
        List<Path> classes;
        try (Stream<Path> dirs = Files.walk(in)) {
            classes = dirs.filter(Files::isDirectory).filter(d -> {
                try (Stream<Path> f = Files.list(d)) {
                    return f.anyMatch(Files::isRegularFile);
                } catch (Exception e) {
                    return false;
                }
            }).sorted().toList();
        }
        byte[] other = Files.readAllBytes(Outputs.images(in).stream().map(Path::of).sorted().findFirst().orElseThrow());
        for (Path dir : classes) {
            List<Path> images;
            try (Stream<Path> f = Files.list(dir)) {
                images = f.sorted().toList();
            }
            Files.delete(images.get(0));
            Files.write(images.get(1), other);
        }
        Path clean = temp.resolve("clean");
        JobRun reference = JobRun.of(clean, job(in, clean, "run"));
        assertThat(reference.exitCode()).as(reference.messages()).isZero();

        Path commits = out.resolve("_orchard/gen-000001/commits");
        Path conf = Nodes.fastFailureDetection(temp);
        int port = LoopbackPorts.pick();
        String[] coordinator = job(in, out, "coordinator", "--update", "--bind", "127.0.0.1:" + port,
                "--config", conf.toString());
        try (Nodes nodes = new Nodes(temp.resolve("logs"))) {
            Process firstCoordinator = nodes.start("coordinator-1", coordinator);
            List<Process> workers = new ArrayList<>();
            for (int i = 1; i <= 2; i++) {
                workers.add(nodes.start("worker-" + i, "worker", "--join", "127.0.0.1:" + port, "--bind",
                        Nodes.ANY_PORT, "--onnx-threads", "1", "--decode-threads", "1", "--config",
                        conf.toString(), "--commit-every", "2", "--rejoin-after", "PT5S"));
            }
            // The workers are frozen when the commit is seen (they run 50 ms between looks), so the update cannot
            // have ended before the kill.
            nodes.awaitFrozen("a committed statistics file of the update", JOB, () -> filesIn(commits) >= 1,
                    "worker-1", "worker-2");
            firstCoordinator.destroyForcibly();
            firstCoordinator.waitFor();
            nodes.signal("CONT", "worker-1", "worker-2");
            assertThat(Outputs.success(out).at("/generation").asInt()).as("generation 0 still in place").isZero();
            Thread.sleep(3000);
            Process second = nodes.start("coordinator-2", coordinator);
            assertThat(nodes.exitCode(second, JOB)).as(nodes.log("coordinator-2")).isZero();
            assertThat(nodes.log("coordinator-2")).containsPattern("Resuming: \\d+ units planned \\([1-9]\\d* done\\)");
            assertThat(workers).allMatch(Process::isAlive);
        }
        Set<String> images = Outputs.images(in);
        Outputs.assertSameJob(out, clean, images);
        assertThat(UpdateTest.errors(out)).isEqualTo(UpdateTest.errors(clean));
        assertThat(UpdateTest.pcaCsvPaths(out)).isEqualTo(new java.util.TreeSet<>(images));
        var success = Outputs.success(out);
        assertThat(success.at("/generation").asInt()).isEqualTo(1);
        assertThat(success.at("/update/added").asLong()).isEqualTo(15 * 3);
        assertThat(success.at("/update/removed").asLong()).isEqualTo(15);
        assertThat(success.at("/update/changed").asLong()).isEqualTo(15);
    }
}
