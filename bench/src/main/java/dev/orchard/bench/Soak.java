package dev.orchard.bench;

import dev.orchard.coordinator.OutputLease;
import dev.orchard.store.LocalObjectStore;
import dev.orchard.store.Location;
import dev.orchard.store.LoopbackPorts;
import dev.orchard.store.ObjectStore;
import dev.orchard.store.ObjectStores;
import dev.orchard.store.StoredObject;
import dev.orchard.store.parquet.VectorRow;
import dev.orchard.store.parquet.VectorRowsReader;
import dev.orchard.store.s3.FaultInjectingProxy;
import dev.orchard.store.s3.S3TestServer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
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
 * with the input image by image. Prints one line per trial and, last,
 * {@code trials N, lost L, duplicated D, hung H, in errors.csv E}.
 * <ul>
 * <li>{@code --graceful true}: the seed also decides whether the first worker and the coordinator are stopped
 * (SIGTERM, as systemd or a scale-in does) rather than killed, and after the coordinator's end it stops one or both
 * workers 0-6 s later (before or after the cluster finds the coordinator unreachable), then starts fresh ones. A stop
 * that does not end within a minute counts as a hang.
 * <li>{@code --standby true}: a second coordinator ({@code --resume --join} the first) runs beside the first; the
 * first is always killed (or stopped), once every live node sees four members Up, and the standby must finish the
 * job alone.
 * <li>{@code --freeze true} (with {@code --standby true}): the first coordinator is frozen (SIGSTOP, as a long GC
 * pause or a suspended VM freezes it) instead, until the standby holds the output's lease and then 0-3 s more while
 * the standby works; woken (SIGCONT), it must write nothing (its lease fences its writes) and exit non-zero by
 * itself (or with 0 once it finds that the standby finished the job), and the standby must finish the job. The story
 * says how it ended and what its log says.
 * <li>{@code --s3 true}: the input and every trial's output live in buckets of a real S3-compatible server (S3Proxy,
 * in this JVM, which no kill reaches), with the same ~1,000-byte keys; the nodes reach it through a fault-injecting
 * proxy that fails {@code --s3-fault-rate} of their requests (throttling, 500s, connections reset before and during
 * a response; at most twice for one request, which the nodes' ten attempts ride out), seeded by the trial's seed,
 * and which cuts the responses to each trial's first seven PUT requests after storing them (a retry of a cut one
 * counts among them).
 * </ul>
 * With these options off a seed replays the schedule it had before they existed; {@code --s3} draws nothing from it.
 * <pre>java -cp bench/target/orchard-bench.jar dev.orchard.bench.Soak [--trials 20] [--seed 1] [--per-class 4]
 *     [--always-kill false] [--graceful false] [--standby false] [--freeze false] [--s3 false] [--s3-fault-rate 0.02]
 *     [--launcher orchard] [--jar cli/target/orchard.jar] [--shared ../shared] [--work DIR]</pre>
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
        int trials = Integer.parseInt(o.getOrDefault("--trials", "20"));
        long seed = Long.parseLong(o.getOrDefault("--seed", "1"));
        int perClass = Integer.parseInt(o.getOrDefault("--per-class", "4"));
        Schedule schedule = new Schedule(Boolean.parseBoolean(o.getOrDefault("--always-kill", "false")),
                Boolean.parseBoolean(o.getOrDefault("--graceful", "false")),
                Boolean.parseBoolean(o.getOrDefault("--standby", "false")),
                Boolean.parseBoolean(o.getOrDefault("--freeze", "false")));
        Totals totals = Boolean.parseBoolean(o.getOrDefault("--s3", "false"))
                ? soak.runOnS3(trials, seed, perClass, schedule, Double.parseDouble(o.getOrDefault("--s3-fault-rate", "0.02")))
                : soak.run(trials, seed, perClass, schedule);
        System.exit(totals.clean() ? 0 : 1);
    }

    /**
     * What a trial may do: kill both a worker and the coordinator in every trial ({@code alwaysKill}), stop workers
     * gracefully too ({@code graceful}), run a standby coordinator that must take over ({@code standby}), freeze the
     * first coordinator rather than end it ({@code freeze}, with a standby).
     */
    public record Schedule(boolean alwaysKill, boolean graceful, boolean standby, boolean freeze) {
        public Schedule {
            if (freeze && !standby) {
                throw new IllegalArgumentException("--freeze needs --standby true: a standby takes over from the frozen coordinator");
            }
        }

        public Schedule(boolean alwaysKill, boolean graceful, boolean standby) {
            this(alwaysKill, graceful, standby, false);
        }
    }

    /**
     * What the trials found; {@link #clean()} if nothing was lost, duplicated or hung. {@code errors}: images the outputs
     * list in {@code errors.csv} (not lost: a unit that keeps losing its workers may end there by design);
     * {@code failedOnPurpose}: the nodes' requests to S3 the proxy failed (0 on local folders).
     */
    public record Totals(int trials, long lost, long duplicated, int hung, long errors, long failedOnPurpose) {
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
        try (Storage storage = new LocalStorage(longKeyInput(perClass))) {
            return run(trials, seed, schedule, storage);
        }
    }

    /**
     * As {@link #run}, with the input and the outputs in buckets of an S3-compatible server that the nodes reach
     * through a proxy failing {@code faultRate} of their requests.
     */
    public Totals runOnS3(int trials, long seed, int perClass, Schedule schedule, double faultRate) throws Exception {
        try (Storage storage = new S3Storage(longKeyInput(perClass), faultRate)) {
            return run(trials, seed, schedule, storage);
        }
    }

    private Totals run(int trials, long seed, Schedule schedule, Storage storage) throws Exception {
        long lost = 0;
        long duplicated = 0;
        int hung = 0;
        long errors = 0;
        long failedOnPurpose = 0;
        for (int t = 0; t < trials; t++) {
            Result r = trial(t, seed + t, storage, schedule);
            lost += r.lost();
            duplicated += r.duplicated();
            hung += r.hung() ? 1 : 0;
            errors += r.errors();
            failedOnPurpose += r.traffic().failedOnPurpose();
            System.out.printf("trial %d (seed %d): %s%s; lost %d, duplicated %d, in errors.csv %d%s%n", t, seed + t,
                    r.story(), r.traffic().note(), r.lost(), r.duplicated(), r.errors(), r.hung() ? ", HUNG" : "");
        }
        System.out.printf("trials %d, lost %d, duplicated %d, hung %d, in errors.csv %d%n", trials, lost, duplicated,
                hung, errors);
        return new Totals(trials, lost, duplicated, hung, errors, failedOnPurpose);
    }

    private record Result(String story, long lost, long duplicated, long errors, boolean hung, Traffic traffic) {
    }

    /** What a trial's nodes asked of S3 through the fault-injecting proxy; {@link #NONE} on local folders. */
    private record Traffic(int requests, int failedOnPurpose) {
        static final Traffic NONE = new Traffic(0, 0);

        String note() {
            return requests == 0 ? "" : String.format("; S3: %d requests, %d failed on purpose", requests, failedOnPurpose);
        }
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

    private Result trial(int t, long seed, Storage storage, Schedule schedule) throws Exception {
        Trial trial = new Trial(t, seed, storage, storage.beginTrial(seed), schedule);
        String failure;
        Traffic traffic = Traffic.NONE;
        try {
            failure = trial.play(storage.images().size() / 4);
        } finally {
            trial.processes.forEach(Process::destroyForcibly);
            traffic = storage.endTrial();
        }
        if (failure == null && !trial.stopsEnded) {
            failure = "a stopped node did not end (or a woken coordinator did not end as it should)";
        }
        if (failure != null) {
            return new Result(trial.story + failure, 0, 0, 0, true, traffic);
        }
        String story = trial.story.length() == 0 ? "no kills" : trial.story.toString().trim().replaceAll(";$", "");
        Outcome o = outcome(storage.store(), trial.out, storage.images());
        return new Result(story, o.lost(), o.duplicated(), o.errors(), false, traffic);
    }

    /**
     * One trial: its nodes, the draws from its seed (in the order that keeps old seeds' schedules), and the story of
     * what it did to the nodes.
     */
    private final class Trial {
        private final Random rng;
        private final Schedule schedule;
        private final Storage storage;
        private final List<String> storeOptions; // the nodes' way to the storage
        private final Location out;
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

        Trial(int t, long seed, Storage storage, List<String> storeOptions, Schedule schedule) throws IOException {
            this.rng = new Random(seed);
            this.schedule = schedule;
            this.storage = storage;
            this.storeOptions = storeOptions;
            this.out = storage.output(t);
            this.logs = Files.createDirectories(work.resolve("logs-" + t));
            this.port = LoopbackPorts.pick();
            this.standbyPort = schedule.standby() ? LoopbackPorts.pick() : port;
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
                await(() -> count(storage.store(), out.resolve("_orchard/plan")) > 0 || !first.process().isAlive(), deadline);
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
                if (!story.isEmpty() && !story.toString().endsWith("; ")) {
                    story.append("; "); // after a freeze the first coordinator woke from and finished the job itself
                }
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
            if (schedule.freeze()) {
                return freezeUntilTakenOver(at);
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

        /**
         * Freezes the first coordinator until the standby holds the lease and 0-3 s more, then wakes it: it must exit
         * by itself within a minute, non-zero (or 0 saying that the job finished on another coordinator node), and
         * leave the standby's lease alone; otherwise the trial counts as a hang.
         * (The standby must then finish the job, and the output hold every image once.)
         */
        private boolean freezeUntilTakenOver(int at) throws Exception {
            OutputLease.Holder held = OutputLease.read(storage.store(), out);
            if (held == null) {
                return false; // the job ended first
            }
            String holder = held.owner();
            long frozenAt = System.nanoTime();
            signal(first.process(), "STOP");
            boolean takenOver = await(() -> {
                String owner = leaseOwner();
                return owner != null && !owner.equals(holder) || !standby.process().isAlive();
            }, deadline) && standby.process().isAlive();
            Thread.sleep(rng.nextInt(3000));
            long wokenAt = System.currentTimeMillis();
            signal(first.process(), "CONT");
            boolean ended = first.process().waitFor(STOP_LIMIT_MS, TimeUnit.MILLISECONDS);
            List<String> late = ended ? journalledSince(wokenAt, Long.parseUnsignedLong(holder, 16)) : List.of();
            String log = Files.readString(first.log());
            story.append(String.format("coordinator frozen after %d attempts for %.1f s (%s), woken: %s", at,
                    (System.nanoTime() - frozenAt) / 1e9, takenOver ? "the standby took its lease" : "the standby ended",
                    ended ? "exit " + first.process().exitValue() : "still running after " + STOP_LIMIT_MS / 1000 + " s"));
            Matcher lost = Pattern.compile("Lost the lease on \\S+: ([^\\n]*)").matcher(log);
            if (lost.find()) {
                story.append(", \"Lost the lease: ").append(lost.group(1)).append('"');
            }
            if (log.contains("left the cluster")) {
                story.append(", left the cluster");
            }
            if (!late.isEmpty()) {
                // A journal entry naming the frozen coordinator's attempts, written after it woke: its own (the standby
                // hands those units out again under its own epoch, and accepts none of the old attempts).
                story.append(" [journalled by the woken coordinator: ").append(late).append(']');
                stopsEnded = false;
            }
            if (holder.equals(leaseOwner())) {
                story.append(" [the woken coordinator wrote its lease again]");
                stopsEnded = false;
            }
            boolean finishedByStandby = log.contains("the job finished on another coordinator node");
            if (finishedByStandby) {
                story.append(", \"the job finished on another coordinator node\"");
            }
            if (!ended || takenOver && first.process().exitValue() == 0 && !finishedByStandby) {
                stopsEnded = false; // a hang; or it went on as if it still held the output
            }
            return takenOver; // if not, the first finished the job as it was frozen, and the standby found _SUCCESS
        }

        /**
         * The journal entries (below the output's {@code _orchard/}, on a local folder) last modified at or after
         * {@code since} that name an attempt of coordinator {@code epoch}; none on S3, where this is not looked at.
         */
        private List<String> journalledSince(long since, long epoch) throws IOException {
            Path bookkeeping = out.isLocal() ? out.path().resolve("_orchard") : null;
            if (bookkeeping == null || !Files.isDirectory(bookkeeping)) {
                return List.of();
            }
            String named = "\"epoch\":" + epoch + ",";
            List<String> late = new ArrayList<>();
            try (Stream<Path> files = Files.walk(bookkeeping)) {
                for (Path f : files.filter(Files::isRegularFile).filter(f -> f.toString().endsWith(".json")).toList()) {
                    try {
                        if (Files.getLastModifiedTime(f).toMillis() >= since && Files.readString(f).contains(named)) {
                            late.add(bookkeeping.relativize(f).toString());
                        }
                    } catch (java.nio.file.NoSuchFileException gone) {
                        // deleted meanwhile (the standby cleans up as it ends)
                    }
                }
            } catch (java.io.UncheckedIOException e) {
                // a folder removed as the walk went
            }
            return late;
        }

        /** Who holds the trial's output now (null: nobody, or the lease cannot be read now). */
        private String leaseOwner() {
            try {
                OutputLease.Holder h = OutputLease.read(storage.store(), out);
                return h == null ? null : h.owner();
            } catch (IOException e) {
                return null;
            }
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
            return await(() -> count(storage.store(), out.resolve("_orchard/attempts/units")) >= at
                    || !first.process().isAlive(), deadline) && first.process().isAlive();
        }

        /** The logs of the nodes that must see every member Up before the first coordinator ends. */
        private List<Path> views() {
            List<Path> viewers = new ArrayList<>(List.of(standby.log()));
            workers.forEach(w -> viewers.add(w.log()));
            return viewers;
        }

        private Node startCoordinator(String name, int bindPort, String... more) throws IOException {
            Path log = logs.resolve(name + ".log");
            List<String> args = new ArrayList<>(List.of("coordinator", "--input", storage.input(), "--output",
                    out.isLocal() ? out.path().toString() : out.toString(),
                    "--model", shared.resolve("models/mobilenetv2-12-float32-dequantized.onnx").toString(),
                    "--pca-k", "8", "--unit-size", String.valueOf(unitSize), "--batch-size", "4",
                    "--bind", "127.0.0.1:" + bindPort, "--config", fastConf.toString(), "--http", "127.0.0.1:0"));
            args.addAll(List.of(more));
            args.addAll(storeOptions);
            return new Node(name, log, start(processes, log, args, storage.nodeEnvironment()));
        }

        /** A worker on a port the OS picks as it binds (one found free beforehand may be taken meanwhile). */
        private Node startWorker(String name) throws IOException {
            Path log = logs.resolve(name + ".log");
            List<String> args = new ArrayList<>(List.of("worker", "--join", seeds, "--bind",
                    "127.0.0.1:0", "--onnx-threads", "1", "--decode-threads", "1", "--config",
                    fastConf.toString(), "--commit-every", "2", "--rejoin-after", "PT5S", "--http", "127.0.0.1:0"));
            args.addAll(storeOptions);
            return new Node(name, log, start(processes, log, args, storage.nodeEnvironment()));
        }
    }

    /** What a finished job's output holds against its input. */
    record Outcome(long lost, long duplicated, long errors) {
    }

    /**
     * Compares a finished job's output with its input: an image neither among the features' rows nor in errors.csv is
     * lost, and so is a row of {@code features/} without its row in {@code pca/}; a path twice in either is duplicated.
     * {@code errors}: the images errors.csv names.
     */
    static Outcome outcome(ObjectStore store, Location out, Set<String> images) throws IOException {
        List<String> rows = paths(store, out, "features");
        List<String> projected = paths(store, out, "pca");
        Set<String> inFeatures = new HashSet<>(rows);
        Set<String> inPca = new HashSet<>(projected);
        Set<String> inErrors = new HashSet<>();
        try (Reader in = new StringReader(new String(store.read(out.resolve("errors.csv")), StandardCharsets.UTF_8))) {
            for (CSVRecord r : CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).get().parse(in)) {
                inErrors.add(r.get("path"));
            }
        }
        long lost = images.stream().filter(i -> !inFeatures.contains(i) && !inErrors.contains(i)).count()
                + inFeatures.stream().filter(r -> !inPca.contains(r)).count();
        long duplicated = rows.size() - inFeatures.size() + projected.size() - inPca.size();
        return new Outcome(lost, duplicated, inErrors.size());
    }

    /** The image paths of every row of an output's {@code column} folder ({@code features} or {@code pca}). */
    private static List<String> paths(ObjectStore store, Location out, String column) throws IOException {
        List<Location> parts;
        try (Stream<StoredObject> listed = store.list(out.resolve(column))) {
            parts = listed.map(StoredObject::location).filter(l -> l.name().endsWith(".parquet")).toList();
        }
        List<String> paths = new ArrayList<>();
        for (Location part : parts) {
            for (VectorRow row : VectorRowsReader.readAll(store, part, column)) {
                paths.add(row.path());
            }
        }
        return paths;
    }

    /** Sends a signal (STOP, CONT) to a node's process (the launcher execs its JVM), as the kernel or an operator would. */
    private static void signal(Process p, String signal) throws IOException, InterruptedException {
        int exit = new ProcessBuilder("kill", "-" + signal, String.valueOf(p.pid())).inheritIO().start().waitFor();
        if (exit != 0) {
            throw new IllegalStateException("kill -" + signal + " " + p.pid() + " failed with " + exit);
        }
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

    private Process start(List<Process> processes, Path log, List<String> args, Map<String, String> environment)
            throws IOException {
        List<String> command = new ArrayList<>(List.of(launcher.toString()));
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().keySet().removeIf(variable -> variable.startsWith("ORCHARD_") || variable.startsWith("AWS_"));
        builder.environment().putAll(Map.of("ORCHARD_JAR", jar.toString(),
                "ORCHARD_JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "ORCHARD_JAVA_OPTS", "-Xmx1g -XX:+UseSerialGC"));
        builder.environment().putAll(environment);
        Process p = builder.start();
        processes.add(p);
        return p;
    }

    /** The objects below {@code prefix}; 0 where there is none yet (or it cannot be listed now). */
    private static long count(ObjectStore store, Location prefix) {
        try (Stream<StoredObject> objects = store.list(prefix)) {
            return objects.count();
        } catch (IOException | RuntimeException e) {
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

    /** Where the input and the trials' outputs live: as the nodes are told, and as the soak reads them back. */
    private interface Storage extends AutoCloseable {
        /** The nodes' {@code --input}. */
        String input();

        /** Every image, as the output's rows and {@code errors.csv} name it. */
        Set<String> images();

        /** Trial {@code t}'s {@code --output}. */
        Location output(int t);

        /** Reads the outputs back. */
        ObjectStore store();

        /** Readies a trial with seed {@code seed}; the options that take every node of it to the storage. */
        List<String> beginTrial(long seed) throws IOException;

        /** Ends the trial begun last; what its nodes asked of the storage. */
        Traffic endTrial() throws IOException;

        /** The nodes' environment, beyond the launcher's. */
        Map<String, String> nodeEnvironment();

        @Override
        void close() throws IOException;
    }

    /** The input folder and the outputs as folders of this machine. */
    private final class LocalStorage implements Storage {
        private final Path input;
        private final Set<String> images = new HashSet<>();
        private final ObjectStore store = new LocalObjectStore();

        LocalStorage(Path input) throws IOException {
            this.input = input;
            try (Stream<Path> files = Files.walk(input)) {
                files.filter(Files::isRegularFile).forEach(p -> images.add(p.toAbsolutePath().normalize().toString()));
            }
        }

        @Override
        public String input() {
            return input.toString();
        }

        @Override
        public Set<String> images() {
            return images;
        }

        @Override
        public Location output(int t) {
            return Location.local(work.resolve("trial-" + t));
        }

        @Override
        public ObjectStore store() {
            return store;
        }

        @Override
        public List<String> beginTrial(long seed) {
            return List.of();
        }

        @Override
        public Traffic endTrial() {
            return Traffic.NONE;
        }

        @Override
        public Map<String, String> nodeEnvironment() {
            return Map.of();
        }

        @Override
        public void close() throws IOException {
            store.close();
        }
    }

    /**
     * The input folder's images as objects of bucket {@code images} (prefix {@code soak/}) of an S3Proxy server in this
     * JVM, the outputs in bucket {@code results}; each trial's nodes reach it through a fault-injecting proxy of their
     * own, seeded by the trial's seed.
     */
    private static final class S3Storage implements Storage {
        private static final String INPUT = "s3://images/soak/";
        private final S3TestServer server;
        private final ObjectStore store;
        private final Set<String> images = new HashSet<>();
        private final double faultRate;
        private FaultInjectingProxy proxy;

        S3Storage(Path input, double faultRate) throws Exception {
            this.faultRate = faultRate;
            this.server = S3TestServer.start("images", "results");
            try {
                upload(input);
            } catch (Exception e) {
                server.close();
                throw e;
            }
            this.store = ObjectStores.forLocation(Location.parse(INPUT), server.settings());
        }

        private void upload(Path input) throws IOException {
            try (Stream<Path> files = Files.walk(input)) {
                for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
                    String key = "soak/" + input.relativize(file).toString().replace(java.io.File.separatorChar, '/');
                    if (key.getBytes(StandardCharsets.UTF_8).length > 1024) {
                        throw new IllegalStateException("an S3 key is at most 1,024 bytes: " + key);
                    }
                    server.putDirect("images", key, Files.readAllBytes(file));
                    images.add("s3://images/" + key);
                }
            }
        }

        @Override
        public String input() {
            return INPUT;
        }

        @Override
        public Set<String> images() {
            return images;
        }

        @Override
        public Location output(int t) {
            return Location.parse("s3://results/trial-" + t);
        }

        @Override
        public ObjectStore store() {
            return store;
        }

        @Override
        public List<String> beginTrial(long seed) throws IOException {
            proxy = FaultInjectingProxy.start(server.port(), faultRate, seed, 2);
            // Whatever the rate, the trial's first seven PUT requests (the coordinator's first writes, by the code's
            // order: the output's marker, the five writes of its probe of the server's conditions, the lease it takes;
            // a retry of a cut one is a request of its own, so the cuts reach fewer writes than seven) are
            // stored and then have their responses cut, so the client sends them again: writes must be idempotent,
            // conditional ones too, and the nodes provably go through the proxy.
            proxy.injectNext(line -> line.startsWith("PUT "), FaultInjectingProxy.Fault.RESET_MID_RESPONSE, 7);
            return List.of("--endpoint-url", proxy.endpoint().toString(), "--path-style", "--region", S3TestServer.REGION);
        }

        @Override
        public Traffic endTrial() throws IOException {
            proxy.close();
            return new Traffic(proxy.forwarded(), proxy.injectedTotal());
        }

        @Override
        public Map<String, String> nodeEnvironment() {
            return Map.of("AWS_ACCESS_KEY_ID", S3TestServer.ACCESS_KEY, "AWS_SECRET_ACCESS_KEY", S3TestServer.SECRET_KEY,
                    "AWS_EC2_METADATA_DISABLED", "true");
        }

        @Override
        public void close() throws IOException {
            try {
                store.close();
            } finally {
                try {
                    server.close();
                } catch (Exception e) {
                    throw new IOException("could not stop the S3 server", e);
                }
            }
        }
    }
}
