package dev.orchard.bench;

import dev.orchard.store.LocalObjectStore;
import dev.orchard.store.Location;
import dev.orchard.store.parquet.VectorRow;
import dev.orchard.store.parquet.VectorRowsReader;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.Reader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;

/**
 * Kill -9 soak of a real cluster on loopback: each trial runs a coordinator and two worker JVMs over images whose
 * paths are ~1,000 bytes long, kills a worker (and starts a replacement) and the coordinator at moments drawn from
 * the trial's seed, restarts the coordinator with the same command and {@code --resume}, and compares the output
 * with the input image by image. Prints one line per trial and, last, {@code trials N, lost L, duplicated D, hung H}.
 * <ul>
 * <li>{@code --graceful true}: the seed also decides whether the first worker and the coordinator are stopped
 * (SIGTERM, as systemd or a scale-in does) rather than killed, and after the coordinator's end it stops one or both
 * workers 0-6 s later (before or after the cluster finds the coordinator unreachable), then starts fresh ones. A stop
 * that does not end within a minute counts as a hang.
 * <li>{@code --standby true}: a second coordinator ({@code --resume --join} the first) runs beside the first; the
 * first is always killed (or stopped), once every live node sees four members Up, and the standby must finish the
 * job alone.
 * </ul>
 * With both options off a seed replays the schedule it had before they existed.
 * <pre>java -cp bench/target/orchard-bench.jar dev.orchard.bench.Soak [--trials 20] [--seed 1] [--per-class 4]
 *     [--always-kill false] [--graceful false] [--standby false] [--launcher orchard] [--jar cli/target/orchard.jar]
 *     [--shared ../shared] [--work DIR]</pre>
 * Each node starts through the launcher with the jar as the installed one, as deploy-ec2 starts them on a host.
 * Exit code 0 only if nothing was lost, duplicated or hung.
 */
public final class Soak {
    private static final long TRIAL_LIMIT_MS = 6 * 60_000;
    private static final long STOP_LIMIT_MS = 60_000;
    private static final Pattern STATUS_PAGE = Pattern.compile("status page (http://\\S+/)");
    private static final ObjectMapper JSON = new ObjectMapper();

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
                new Schedule(Boolean.parseBoolean(o.getOrDefault("--always-kill", "false")),
                        Boolean.parseBoolean(o.getOrDefault("--graceful", "false")),
                        Boolean.parseBoolean(o.getOrDefault("--standby", "false"))));
        System.exit(totals.clean() ? 0 : 1);
    }

    /**
     * What a trial may do: kill both a worker and the coordinator in every trial ({@code alwaysKill}), stop workers
     * gracefully too ({@code graceful}), run a standby coordinator that must take over ({@code standby}).
     */
    public record Schedule(boolean alwaysKill, boolean graceful, boolean standby) {
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
     * class; with {@code schedule.alwaysKill()} every trial kills a worker and then the coordinator (at seeded
     * moments), else the seed also decides whether each is killed. Prints a line per trial, then the totals.
     */
    public Totals run(int trials, long seed, int perClass, Schedule schedule) throws Exception {
        Path input = longKeyInput(perClass);
        Set<String> images = new HashSet<>();
        try (Stream<Path> files = Files.walk(input)) {
            files.filter(Files::isRegularFile).forEach(p -> images.add(p.toAbsolutePath().normalize().toString()));
        }
        long lost = 0;
        long duplicated = 0;
        int hung = 0;
        for (int t = 0; t < trials; t++) {
            Result r = trial(t, seed + t, input, images, schedule);
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

    private Result trial(int t, long seed, Path input, Set<String> images, Schedule schedule) throws Exception {
        Trial trial = new Trial(t, seed, input, schedule);
        String failure;
        try {
            failure = trial.play(images.size() / 4);
        } finally {
            trial.processes.forEach(Process::destroyForcibly);
        }
        if (failure == null && !trial.stopsEnded) {
            failure = "a stopped node did not end";
        }
        if (failure != null) {
            return new Result(trial.story + failure, 0, 0, true);
        }
        String story = trial.story.length() == 0 ? "no kills" : trial.story.toString().trim().replaceAll(";$", "");
        return outcome(trial.out, images, story);
    }

    /**
     * One trial: its nodes, the draws from its seed (in the order that keeps old seeds' schedules), and the story of
     * what it did to the nodes.
     */
    private final class Trial {
        private final Random rng;
        private final Schedule schedule;
        private final Path input;
        private final Path out;
        private final Path logs;
        private final int port;
        private final int standbyPort;
        private final String seeds;
        private final int unitSize;
        private final long deadline = System.currentTimeMillis() + TRIAL_LIMIT_MS;
        private final List<Process> processes = new ArrayList<>();
        private final List<Node> workers = new ArrayList<>();
        private final StringBuilder story = new StringBuilder();
        private boolean stopsEnded = true;
        private Node first;
        private Node standby; // with schedule.standby()

        Trial(int t, long seed, Path input, Schedule schedule) throws IOException {
            this.rng = new Random(seed);
            this.schedule = schedule;
            this.input = input;
            this.out = work.resolve("trial-" + t);
            this.logs = Files.createDirectories(work.resolve("logs-" + t));
            this.port = freePort();
            this.standbyPort = schedule.standby() ? freePort() : port;
            this.seeds = schedule.standby() ? "127.0.0.1:" + port + ",127.0.0.1:" + standbyPort : "127.0.0.1:" + port;
            this.unitSize = 2 + rng.nextInt(6);
        }

        /**
         * Starts the nodes, ends a worker and the coordinator as the seed says, and waits for the job's end; why the
         * job failed, or null if it ended with 0.
         */
        String play(int units) throws Exception {
            first = startCoordinator("coordinator-1", port);
            if (schedule.standby()) {
                await(() -> Files.isDirectory(out.resolve("_orchard/plan")) || !first.process().isAlive(), deadline);
                standby = startCoordinator("coordinator-b", standbyPort, "--resume", "--join", "127.0.0.1:" + port);
            }
            for (int i = 0; i < 2; i++) {
                workers.add(startWorker("worker-" + i));
            }
            if (rng.nextBoolean() || schedule.alwaysKill()) {
                replaceFirstWorker(rng.nextInt(Math.max(1, units / 2)));
            }
            Node last = schedule.standby() ? standby : first;
            boolean coordinatorEnded = false;
            if (rng.nextInt(3) != 0 || schedule.alwaysKill() || schedule.standby()) {
                coordinatorEnded = endCoordinator(rng.nextInt(Math.max(1, units)));
                if (coordinatorEnded && schedule.graceful()) {
                    replaceWorkersAfter(rng.nextInt(6000));
                }
                if (coordinatorEnded && schedule.standby()) {
                    story.append("; the standby took over; ");
                } else if (coordinatorEnded) {
                    story.append(", resumed; ");
                    Thread.sleep(1000 + rng.nextInt(4000));
                    last = startCoordinator("coordinator-2", port, "--resume");
                }
            }
            if (schedule.standby() && !coordinatorEnded) {
                story.append("the job ended before the coordinator's kill; ");
            }
            Process job = last.process();
            if (!job.waitFor(Math.max(1, deadline - System.currentTimeMillis()), TimeUnit.MILLISECONDS)) {
                return "did not end";
            }
            if (job.exitValue() != 0) {
                return "exit " + job.exitValue();
            }
            if (schedule.standby() && !coordinatorEnded
                    && (!first.process().waitFor(1, TimeUnit.MINUTES) || first.process().exitValue() != 0)) {
                return "the active coordinator did not end with 0";
            }
            return null;
        }

        /** Kills or stops the first worker once {@code at} attempts are on record, and starts another. */
        private void replaceFirstWorker(int at) throws Exception {
            if (!awaitAttempts(at)) {
                return;
            }
            if (schedule.graceful() && rng.nextBoolean()) {
                stopsEnded &= stop(List.of(workers.get(0)), story);
                story.append(" after ").append(at).append(" attempts; ");
            } else {
                workers.get(0).process().destroyForcibly();
                story.append("worker killed after ").append(at).append(" attempts; ");
            }
            workers.set(0, startWorker("worker-9"));
        }

        /**
         * Kills or stops the first coordinator once {@code at} attempts are on record (with a standby, once every node
         * sees four members Up); false if the job ended first.
         */
        private boolean endCoordinator(int at) throws Exception {
            if (!awaitAttempts(at) || schedule.standby() && !awaitAllUp(views(), 4, first.process(), deadline)) {
                return false;
            }
            if (schedule.graceful() && rng.nextBoolean()) {
                stopsEnded &= stop(List.of(first), story);
            } else {
                first.process().destroyForcibly();
                first.process().waitFor();
                story.append("coordinator killed");
            }
            story.append(" after ").append(at).append(" attempts");
            return true;
        }

        /** Stops one or both workers {@code after} ms after the coordinator's end, and starts fresh ones. */
        private void replaceWorkersAfter(int after) throws Exception {
            List<Node> stopped = rng.nextBoolean() ? List.copyOf(workers) : List.of(workers.get(1));
            Thread.sleep(after);
            story.append("; ");
            stopsEnded &= stop(stopped, story);
            story.append(' ').append(after).append(" ms after");
            for (int i = 0; i < stopped.size(); i++) {
                workers.set(workers.indexOf(stopped.get(i)), startWorker("worker-late-" + i));
            }
        }

        /** True once {@code at} attempts are on record while the first coordinator lives. */
        private boolean awaitAttempts(int at) throws InterruptedException {
            return await(() -> attempts(out) >= at || !first.process().isAlive(), deadline) && first.process().isAlive();
        }

        /** The logs of the nodes that must see every member Up before the first coordinator ends. */
        private List<Path> views() {
            List<Path> viewers = new ArrayList<>(List.of(standby.log()));
            workers.forEach(w -> viewers.add(w.log()));
            return viewers;
        }

        private Node startCoordinator(String name, int bindPort, String... more) throws IOException {
            Path log = logs.resolve(name + ".log");
            List<String> args = new ArrayList<>(List.of("coordinator", "--input", input.toString(), "--output",
                    out.toString(), "--model", shared.resolve("models/mobilenetv2-12-float32-dequantized.onnx").toString(),
                    "--pca-k", "8", "--unit-size", String.valueOf(unitSize), "--batch-size", "4", "--onnx-threads", "1",
                    "--bind", "127.0.0.1:" + bindPort, "--config", fastConf.toString(), "--http", "127.0.0.1:0"));
            args.addAll(List.of(more));
            return new Node(name, log, start(processes, log, args));
        }

        private Node startWorker(String name) throws IOException {
            Path log = logs.resolve(name + ".log");
            return new Node(name, log, start(processes, log, List.of("worker", "--join", seeds, "--bind",
                    "127.0.0.1:" + freePort(), "--onnx-threads", "1", "--decode-threads", "1", "--config",
                    fastConf.toString(), "--commit-every", "2", "--rejoin-after", "PT5S", "--http", "127.0.0.1:0")));
        }
    }

    /**
     * Compares a finished job's output with its input: an image neither among the features' rows nor in errors.csv is
     * lost, a path in the rows twice is duplicated.
     */
    private static Result outcome(Path out, Set<String> images, String story) throws IOException {
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
        return new Result(story, lost, rows.size() - new HashSet<>(rows).size(), false);
    }

    /** A started node: its name, its log and its process. */
    private record Node(String name, Path log, Process process) {
    }


    /**
     * Stops {@code nodes} at once as an operator does (SIGTERM) and waits up to {@link #STOP_LIMIT_MS} for each to
     * exit; tells the story (exit codes and seconds); false if one did not end.
     */
    private static boolean stop(List<Node> nodes, StringBuilder story) throws InterruptedException {
        long from = System.nanoTime();
        nodes.forEach(w -> w.process().destroy());
        List<String> ends = new ArrayList<>();
        boolean ended = true;
        for (Node w : nodes) {
            if (w.process().waitFor(STOP_LIMIT_MS, TimeUnit.MILLISECONDS)) {
                ends.add(String.format("%s exit %d in %.1f s", w.name(), w.process().exitValue(),
                        (System.nanoTime() - from) / 1e9));
            } else {
                ends.add(w.name() + " still running after " + STOP_LIMIT_MS / 1000 + " s");
                ended = false;
            }
        }
        story.append("stopped (").append(String.join(", ", ends)).append(')');
        return ended;
    }

    /**
     * Waits until each node whose log is in {@code viewers} lists {@code members} members on its status page, all Up
     * and none unreachable; false if {@code active} (the coordinator) ends first. The split-brain resolver counts a
     * standby only once Up, and a node killed earlier must be downed first: two failures within one of the resolver's
     * decisions are beyond what keep-oldest promises (it then downs the side without the oldest node).
     */
    private static boolean awaitAllUp(List<Path> viewers, int members, Process active, long deadline) throws Exception {
        List<String> pages = new ArrayList<>();
        for (Path log : viewers) {
            String[] page = new String[1];
            if (!await(() -> {
                try {
                    Matcher m = STATUS_PAGE.matcher(Files.readString(log));
                    return !active.isAlive() || m.find() && (page[0] = m.group(1)) != null;
                } catch (IOException e) {
                    return false;
                }
            }, deadline) || !active.isAlive()) {
                return false;
            }
            pages.add(page[0]);
        }
        HttpClient http = HttpClient.newHttpClient();
        for (String page : pages) {
            boolean seen = await(() -> {
                if (!active.isAlive()) {
                    return true;
                }
                try {
                    JsonNode view = JSON.readTree(http.send(HttpRequest.newBuilder(URI.create(page + "cluster/members"))
                            .build(), HttpResponse.BodyHandlers.ofString()).body());
                    int up = 0;
                    for (JsonNode m : view.path("members")) {
                        up += "Up".equals(m.path("status").asText()) ? 1 : 0;
                    }
                    return up == members && view.path("members").size() == members && view.path("unreachable").isEmpty();
                } catch (IOException | InterruptedException e) {
                    return false;
                }
            }, deadline);
            if (!seen || !active.isAlive()) {
                return false;
            }
        }
        return true;
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
