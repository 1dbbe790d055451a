package dev.orchard.bench;

import dev.orchard.store.LocalObjectStore;
import dev.orchard.store.Location;
import dev.orchard.store.parquet.VectorRow;
import dev.orchard.store.parquet.VectorRowsReader;
import java.io.IOException;
import java.io.Reader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;

/**
 * Kill -9 soak of a real cluster on loopback: each trial runs a coordinator and two worker JVMs over images whose
 * paths are ~1,000 bytes long, kills a worker (and starts a replacement) and the coordinator at moments drawn from
 * the trial's seed, restarts the coordinator with the same command and {@code --resume}, and compares the output
 * with the input image by image. Prints one line per trial and, last, {@code trials N, lost L, duplicated D, hung H}.
 * <pre>java -cp bench/target/orchard-bench.jar dev.orchard.bench.Soak [--trials 20] [--seed 1] [--per-class 4]
 *     [--always-kill false] [--launcher orchard] [--jar cli/target/orchard.jar] [--shared ../shared] [--work DIR]</pre>
 * Each node starts through the launcher with the jar as the installed one, as deploy-ec2 starts them on a host.
 * Exit code 0 only if nothing was lost, duplicated or hung.
 */
public final class Soak {
    private static final long TRIAL_LIMIT_MS = 6 * 60_000;

    private final Path launcher;
    private final Path jar;
    private final Path shared;
    private final Path work;
    private final Path fastConf;

    private Soak(Path launcher, Path jar, Path shared, Path work) throws IOException {
        this.launcher = launcher;
        this.jar = jar;
        this.shared = shared;
        this.work = Files.createDirectories(work);
        this.fastConf = work.resolve("fast-failure.conf");
        Files.writeString(fastConf, """
                pekko.cluster.split-brain-resolver.stable-after = 3s
                pekko.cluster.failure-detector.heartbeat-interval = 500ms
                pekko.cluster.failure-detector.acceptable-heartbeat-pause = 2s
                pekko.cluster.down-removal-margin = 1s
                pekko.cluster.singleton.hand-over-retry-interval = 500ms
                """);
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> o = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            o.put(args[i], args[i + 1]);
        }
        Soak soak = new Soak(Path.of(o.getOrDefault("--launcher", "orchard")).toAbsolutePath(),
                Path.of(o.getOrDefault("--jar", "cli/target/orchard.jar")).toAbsolutePath(),
                Path.of(o.getOrDefault("--shared", "../shared")).toAbsolutePath(),
                Path.of(o.getOrDefault("--work", Files.createTempDirectory("orchard-soak").toString())));
        Totals totals = soak.run(Integer.parseInt(o.getOrDefault("--trials", "20")),
                Long.parseLong(o.getOrDefault("--seed", "1")), Integer.parseInt(o.getOrDefault("--per-class", "4")),
                Boolean.parseBoolean(o.getOrDefault("--always-kill", "false")));
        System.exit(totals.clean() ? 0 : 1);
    }

    /** What the trials found; {@link #clean()} if nothing was lost, duplicated or hung. */
    public record Totals(int trials, long lost, long duplicated, int hung) {
        public boolean clean() {
            return lost == 0 && duplicated == 0 && hung == 0;
        }
    }

    /** A soak over the shared sample, in {@code work}, with the job jar {@code jar} started by {@code launcher}. */
    public static Soak in(Path launcher, Path jar, Path shared, Path work) throws IOException {
        return new Soak(launcher.toAbsolutePath(), jar.toAbsolutePath(), shared.toAbsolutePath(), work);
    }

    /**
     * Runs {@code trials} trials with seeds {@code seed}, {@code seed + 1}, ... over {@code perClass} images of each
     * class; with {@code alwaysKill} every trial kills a worker and then the coordinator (at seeded moments), else
     * the seed also decides whether each is killed. Prints a line per trial, then the totals.
     */
    public Totals run(int trials, long seed, int perClass, boolean alwaysKill) throws Exception {
        Path input = longKeyInput(perClass);
        Set<String> images = new HashSet<>();
        try (Stream<Path> files = Files.walk(input)) {
            files.filter(Files::isRegularFile).forEach(p -> images.add(p.toAbsolutePath().normalize().toString()));
        }
        long lost = 0;
        long duplicated = 0;
        int hung = 0;
        for (int t = 0; t < trials; t++) {
            Result r = trial(t, seed + t, input, images, alwaysKill);
            lost += r.lost();
            duplicated += r.duplicated();
            hung += r.hung() ? 1 : 0;
            System.out.printf("trial %d (seed %d): %s; lost %d, duplicated %d%s%n", t, seed + t, r.story(), r.lost(),
                    r.duplicated(), r.hung() ? ", HUNG" : "");
        }
        System.out.printf("trials %d, lost %d, duplicated %d, hung %d%n", trials, lost, duplicated, hung);
        return new Totals(trials, lost, duplicated, hung);
    }

    private record Result(String story, long lost, long duplicated, boolean hung) {
    }

    private Path longKeyInput(int perClass) throws IOException {
        Path deep = work.resolve("input");
        for (char c : new char[] {'a', 'b', 'c', 'd'}) {
            deep = deep.resolve(String.valueOf(c).repeat(240));
        }
        try (Stream<Path> classes = Files.list(shared.resolve("data/fruits360-sample"))) {
            for (Path dir : classes.sorted().toList()) {
                Path target = Files.createDirectories(deep.resolve(dir.getFileName().toString()));
                try (Stream<Path> files = Files.list(dir)) {
                    for (Path f : files.sorted().limit(perClass).toList()) {
                        if (!Files.exists(target.resolve(f.getFileName()))) {
                            Files.copy(f, target.resolve(f.getFileName()));
                        }
                    }
                }
            }
        }
        return work.resolve("input");
    }

    private Result trial(int t, long seed, Path input, Set<String> images, boolean alwaysKill) throws Exception {
        Random rng = new Random(seed);
        Path out = work.resolve("trial-" + t);
        Path logs = Files.createDirectories(work.resolve("logs-" + t));
        int port = freePort();
        List<Process> processes = new ArrayList<>();
        List<String> coordinator = List.of("coordinator", "--input", input.toString(), "--output", out.toString(),
                "--model", shared.resolve("models/mobilenetv2-12-float32-dequantized.onnx").toString(), "--pca-k", "8",
                "--unit-size", String.valueOf(2 + rng.nextInt(6)), "--batch-size", "4", "--onnx-threads", "1",
                "--bind", "127.0.0.1:" + port, "--config", fastConf.toString(), "--http", "127.0.0.1:0");
        StringBuilder story = new StringBuilder();
        long deadline = System.currentTimeMillis() + TRIAL_LIMIT_MS;
        try {
            Process first = start(processes, logs.resolve("coordinator-1.log"), coordinator);
            Process c = first;
            List<Process> workers = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                workers.add(start(processes, logs.resolve("worker-" + i + ".log"), worker(port)));
            }
            int units = images.size() / 4;
            if (rng.nextBoolean() || alwaysKill) {
                int at = rng.nextInt(Math.max(1, units / 2));
                if (await(() -> attempts(out) >= at || !first.isAlive(), deadline) && first.isAlive()) {
                    workers.get(0).destroyForcibly();
                    start(processes, logs.resolve("worker-9.log"), worker(port));
                    story.append("worker killed after ").append(at).append(" attempts; ");
                }
            }
            if (rng.nextInt(3) != 0 || alwaysKill) {
                int at = rng.nextInt(Math.max(1, units));
                if (await(() -> attempts(out) >= at || !first.isAlive(), deadline) && first.isAlive()) {
                    c.destroyForcibly();
                    c.waitFor();
                    story.append("coordinator killed after ").append(at).append(" attempts, resumed; ");
                    Thread.sleep(1000 + rng.nextInt(4000));
                    List<String> resume = new ArrayList<>(coordinator);
                    resume.add("--resume");
                    c = start(processes, logs.resolve("coordinator-2.log"), resume);
                }
            }
            Process last = c;
            boolean ended = last.waitFor(Math.max(1, deadline - System.currentTimeMillis()), TimeUnit.MILLISECONDS);
            if (!ended || last.exitValue() != 0) {
                return new Result(story + (ended ? "exit " + last.exitValue() : "did not end"), 0, 0, true);
            }
        } finally {
            for (Process p : processes) {
                p.destroyForcibly();
            }
        }
        List<String> rows = new ArrayList<>();
        try (Stream<Path> parts = Files.list(out.resolve("features"))) {
            for (Path part : parts.filter(p -> p.toString().endsWith(".parquet")).toList()) {
                for (VectorRow row : VectorRowsReader.readAll(new LocalObjectStore(), Location.local(part), "features")) {
                    rows.add(row.path());
                }
            }
        }
        Set<String> seen = new HashSet<>(rows);
        try (Reader in = Files.newBufferedReader(out.resolve("errors.csv"), StandardCharsets.UTF_8)) {
            for (CSVRecord r : CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).get().parse(in)) {
                seen.add(r.get("path"));
            }
        }
        long lost = images.stream().filter(i -> !seen.contains(i)).count();
        return new Result(story.length() == 0 ? "no kills" : story.toString().trim().replaceAll(";$", ""), lost, rows.size() - new HashSet<>(rows).size(), false);
    }

    private List<String> worker(int coordinatorPort) throws IOException {
        return List.of("worker", "--join", "127.0.0.1:" + coordinatorPort, "--bind", "127.0.0.1:" + freePort(),
                "--onnx-threads", "1", "--decode-threads", "1", "--config", fastConf.toString(), "--commit-every", "2",
                "--rejoin-after", "PT5S", "--http", "127.0.0.1:0");
    }

    private Process start(List<Process> processes, Path log, List<String> args) throws IOException {
        List<String> command = new ArrayList<>(List.of(launcher.toString()));
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().keySet().removeIf(variable -> variable.startsWith("ORCHARD_"));
        builder.environment().putAll(Map.of("ORCHARD_JAR", jar.toString(),
                "ORCHARD_JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "ORCHARD_JAVA_OPTS", "-Xmx1g -XX:+UseSerialGC"));
        Process p = builder.start();
        processes.add(p);
        return p;
    }

    private static long attempts(Path out) {
        Path dir = out.resolve("_orchard/attempts/units");
        try (Stream<Path> files = Files.list(dir)) {
            return files.count();
        } catch (IOException e) {
            return 0;
        }
    }

    private static boolean await(java.util.function.BooleanSupplier condition, long deadline) throws InterruptedException {
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) {
                return false;
            }
            Thread.sleep(100);
        }
        return true;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
