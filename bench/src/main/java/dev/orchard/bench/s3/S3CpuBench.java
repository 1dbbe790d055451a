package dev.orchard.bench.s3;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.orchard.bench.JobThreads;
import dev.orchard.store.Location;
import dev.orchard.store.LoopbackPorts;
import dev.orchard.store.ObjectStore;
import dev.orchard.store.StoredObject;
import dev.orchard.store.s3.S3ObjectStore;
import dev.orchard.store.s3.S3Settings;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What reading the input from S3 costs Orchard's process, against the same images in a local folder (issue 18):
 * S3Proxy over jclouds' filesystem backend in its own JVM ({@link FilesystemS3Server}) serves the very files the
 * local run reads, over HTTP and over HTTPS (a self-signed certificate made with keytool, trusted through
 * {@code -Djavax.net.ssl.trustStore} in the job JVMs only; an RSA 2048 key, the kind S3's endpoints present, or with
 * {@code -Dbench.tls.key=EC} a P-256 one: see {@link TlsKey}). Each job is its own JVM, run as a user runs it
 * (through the checkout's {@code orchard} launcher, so with its JVM settings and the build's class-data-sharing
 * archive, {@code ORCHARD_JAVA_OPTS} carrying the heap and the trust store; output to a local folder in every case so
 * that only the input differs);
 * rounds alternate local, s3 over HTTP, s3 over HTTPS.
 *
 * <p>Orchard's CPU is the job JVM's user + system time when it exits: the {@code utime + stime} of its
 * {@code /proc/PID/stat}, which the kernel hands to the parent at wait() (read here as the children's times of the
 * bash that runs the job, {@code times}). S3Proxy's CPU is the change of its own {@code /proc/PID/stat} over each job,
 * reported apart: on this machine it shares the cores with the job, on AWS it is not ours.
 * <pre>java -cp bench/target/orchard-bench.jar dev.orchard.bench.s3.S3CpuBench MODEL [IMAGES] [ROUNDS] [WORK_DIR] [JOB OPTIONS...]</pre>
 * IMAGES (default 10,200) small JPEGs are made once from {@code ../shared/data/fruits360-sample} (or
 * {@code -Dorchard.shared}) by {@link SmallJpegCorpus} into WORK_DIR (default {@code bench/target/s3-cpu}). MODEL
 * {@value #NEGLIGIBLE} runs the jobs with {@link NegligibleModel}'s graph (written to WORK_DIR) and at most 4 reads at
 * once: the reading's cost without the CNN's CPU time, whose noise on a shared host is larger than it. Prints a
 * Markdown table and writes it to WORK_DIR/s3-cpu-TIMESTAMP.md. Set {@code -Dorchard.jar} to use another checkout's
 * {@code cli/target/orchard.jar} (default: this one's; its launcher is the checkout's {@code orchard});
 * {@code -Dbench.jfr=DIR} records every job with JFR; {@code -Dbench.java.options="..."} adds JVM options to every job
 * (after the launcher's, so they win: an A/B of JVM settings). {@code -Dbench.control=true} adds a fourth arm to each
 * round, the control: the local-folder job again, while S3Proxy serves this JVM as many GETs a second over HTTPS as
 * the round's HTTPS job made ({@link PacedReader}), so that what sharing the cores with the reading costs the job,
 * apart from Orchard's own reading, shows against the local folder.
 */
public final class S3CpuBench {

    private static final String ACCESS_KEY = "orchard-bench-access-key";
    private static final String SECRET_KEY = "orchard-bench-secret-key"; // a benchmark-only value, not a secret
    private static final String STORE_PASSWORD = "orchard-bench";
    /**
     * The key of the HTTPS endpoint's certificate, {@code -Dbench.tls.key}: RSA 2048 (the default, the kind of key S3's
     * endpoints present, Amazon's RSA 2048 intermediates as far as we know) or EC P-256 (the only kind before the
     * seventeenth session). A cost per JVM, not per object: a job makes one handshake per connection, and its first
     * ones run the JDK's signature check interpreted. Over 8 alternated pairs of 200-image jobs an EC certificate cost
     * ~0.13 s more of the job's CPU than an RSA one (medians; bench/RESULTS.md, seventeenth session).
     */
    enum TlsKey {
        RSA("RSA 2048", "-keyalg", "RSA", "-keysize", "2048"),
        EC("EC P-256", "-keyalg", "EC", "-groupname", "secp256r1");

        final String description;
        final List<String> keytoolOptions;

        TlsKey(String description, String... keytoolOptions) {
            this.description = description;
            this.keytoolOptions = List.of(keytoolOptions);
        }

        /** How this kind's files are named in the work folder: {@code s3proxy-rsa.p12} and the like. */
        String file(String stem, String extension) {
            return stem + "-" + name().toLowerCase(Locale.ROOT) + "." + extension;
        }

        static TlsKey chosen() {
            String given = System.getProperty("bench.tls.key", "RSA").toUpperCase(Locale.ROOT);
            try {
                return valueOf(given);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("-Dbench.tls.key=" + given + ": RSA or EC", e);
            }
        }
    }

    static final TlsKey TLS_KEY = TlsKey.chosen();
    private static final Pattern TIMES = Pattern.compile("(\\d+)m([\\d.]+)s\\s+(\\d+)m([\\d.]+)s");

    private S3CpuBench() {
    }

    /** @param threads the job's CPU by kind of thread, seconds (sampled from /proc every 100 ms, last sample kept) */
    record Run(String input, long images, long errors, double wallSeconds, double cpuSeconds, double serverCpuSeconds,
               Map<String, Double> threads) {
    }

    /** Follows a job JVM (the child of the bash that runs it) until the bash exits: its CPU by kind of thread. */
    private static final class ThreadSampler implements Runnable {
        private final Process wrapper;
        private final JobThreads threads = new JobThreads();

        ThreadSampler(Process wrapper) {
            this.wrapper = wrapper;
        }

        @Override
        public void run() {
            while (wrapper.isAlive()) {
                wrapper.toHandle().children().forEach(java -> threads.sample(java.pid()));
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        Map<String, Double> byKind() {
            return threads.cpuSeconds();
        }
    }

    /** The model argument that stands for {@link NegligibleModel}'s graph. */
    static final String NEGLIGIBLE = "negligible";

    public static void main(String[] args) throws Exception {
        int count = args.length > 1 ? Integer.parseInt(args[1]) : 10_200;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 1;
        Path work = (args.length > 3 ? Path.of(args[3]) : Path.of("bench/target/s3-cpu")).toAbsolutePath();
        List<String> jobOptions = new ArrayList<>(args.length > 4 ? List.of(args).subList(4, args.length) : List.of());
        Path model;
        if (args[0].equals(NEGLIGIBLE)) {
            // The reading without the CNN's CPU time and its noise (bench/README.md): every arm reads at most 4
            // images at once, as a worker whose lanes keep up with its reads does, unless the caller says otherwise.
            Files.createDirectories(work);
            model = work.resolve("negligible.onnx");
            Files.write(model, NegligibleModel.model().toByteArray());
            if (jobOptions.stream().noneMatch(o -> o.startsWith("--feature-tensor"))) {
                jobOptions.addAll(List.of("--feature-tensor", NegligibleModel.FEATURES));
            }
            if (jobOptions.stream().noneMatch(o -> o.startsWith("--fetch-threads"))) {
                jobOptions.addAll(List.of("--fetch-threads", "4"));
            }
        } else {
            model = Path.of(args[0]).toAbsolutePath();
        }
        Path jar = Path.of(System.getProperty("orchard.jar", "cli/target/orchard.jar")).toAbsolutePath();
        Path launcher = jar.getParent().getParent().getParent().resolve("orchard");
        if (!Files.isExecutable(launcher)) {
            throw new IllegalArgumentException("No launcher at " + launcher + ": -Dorchard.jar must be a checkout's "
                    + "cli/target/orchard.jar");
        }
        // The launcher rebuilds the jar when a source is newer: let it do so now, not inside a timed job.
        if (new ProcessBuilder(launcher.toString(), "--version").inheritIO().start().waitFor() != 0) {
            throw new IllegalStateException(launcher + " --version failed");
        }
        Path shared = Path.of(System.getProperty("orchard.shared", "../shared")).toAbsolutePath();

        Path data = work.resolve("data");
        Path images = data.resolve("bench").resolve("img"); // bucket "bench", prefix "img/"
        makeCorpus(shared.resolve("data/fruits360-sample"), count, images, work.resolve("corpus.txt"));
        Path keyStore = work.resolve(TLS_KEY.file("s3proxy", "p12"));
        Path trustStore = work.resolve(TLS_KEY.file("truststore", "p12"));
        makeCertificate(keyStore, trustStore, work);
        warmPageCache(images);

        int httpPort = LoopbackPorts.pick();
        int httpsPort = LoopbackPorts.pick();
        Process server = startServer(data, httpPort, httpsPort, keyStore, work.resolve("s3proxy.log"));
        List<Run> runs = new ArrayList<>();
        ObjectStore controlStore = null; // the control's reader: one store and one listing for every round
        try {
            // S3Proxy's JIT warm-up would otherwise land in round 1 and compete with that round's S3 jobs.
            warmServer(trustStore, "http://127.0.0.1:" + httpPort, "https://127.0.0.1:" + httpsPort);
            Map<String, List<String>> inputs = new LinkedHashMap<>();
            inputs.put("local folder", List.of("--input", images.toString()));
            inputs.put("s3:// over HTTP", List.of("--input", "s3://bench/img/", "--endpoint",
                    "http://127.0.0.1:" + httpPort, "--path-style", "--region", "us-east-1"));
            inputs.put("s3:// over HTTPS", List.of("--input", "s3://bench/img/", "--endpoint",
                    "https://127.0.0.1:" + httpsPort, "--path-style", "--region", "us-east-1"));
            List<Location> controlObjects = List.of();
            if (Boolean.getBoolean("bench.control")) {
                inputs.put(CONTROL, List.of("--input", images.toString()));
                controlStore = S3ObjectStore.create(S3Settings.builder()
                        .endpoint(URI.create("https://127.0.0.1:" + httpsPort)).region("us-east-1").build());
                controlObjects = objects(controlStore);
            }
            for (int round = 1; round <= rounds; round++) {
                double httpsRate = 0;
                for (Map.Entry<String, List<String>> input : inputs.entrySet()) {
                    Run run;
                    if (input.getKey().equals(CONTROL)) {
                        // As many GETs a second over HTTPS as this round's HTTPS job made, from this JVM.
                        try (PacedReader reader = new PacedReader(controlStore, controlObjects, httpsRate)) {
                            run = job(launcher, model, work, trustStore, input.getKey(), input.getValue(), jobOptions,
                                    server.pid(), round);
                            System.out.printf(Locale.ROOT, "  (beside it: %d GETs at %.0f/s, %d failed)%n", reader.reads(),
                                    httpsRate, reader.failures());
                        }
                    } else {
                        run = job(launcher, model, work, trustStore, input.getKey(), input.getValue(), jobOptions,
                                server.pid(), round);
                    }
                    if (input.getKey().equals("s3:// over HTTPS")) {
                        httpsRate = run.images() / run.wallSeconds();
                    }
                    runs.add(run);
                    System.out.printf(Locale.ROOT, "round %d, %s: %d images, %.1f s wall, %.1f s CPU %s, S3Proxy %.1f s CPU%n",
                            round, run.input(), run.images(), run.wallSeconds(), run.cpuSeconds(), run.threads(),
                            run.serverCpuSeconds());
                }
            }
        } finally {
            if (controlStore != null) {
                controlStore.close();
            }
            server.destroy();
            server.waitFor();
        }
        String report = report(runs, count, rounds, jobOptions);
        System.out.println();
        System.out.println(report);
        Path file = work.resolve("s3-cpu-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmm")) + ".md");
        Files.writeString(file, report);
        System.out.println("(written to " + file + ")");
    }

    /** The control arm: a local-folder job while S3Proxy serves a {@link PacedReader} in this JVM over HTTPS. */
    static final String CONTROL = "local folder, S3Proxy serving HTTPS beside it";

    private static List<Location> objects(ObjectStore store) throws IOException {
        try (Stream<StoredObject> listed = store.list(Location.parse("s3://bench/img/"))) {
            return listed.map(StoredObject::location).toList();
        }
    }

    /** Lists and reads every object once over each endpoint, from this JVM (its CPU is not counted). */
    private static void warmServer(Path trustStore, String... endpoints) throws Exception {
        System.setProperty("javax.net.ssl.trustStore", trustStore.toString());
        System.setProperty("javax.net.ssl.trustStorePassword", STORE_PASSWORD);
        System.setProperty("javax.net.ssl.trustStoreType", "PKCS12");
        System.setProperty("aws.accessKeyId", ACCESS_KEY);
        System.setProperty("aws.secretAccessKey", SECRET_KEY);
        System.setProperty("aws.disableEc2Metadata", "true");
        Location prefix = Location.parse("s3://bench/img/");
        for (String endpoint : endpoints) {
            S3Settings settings = S3Settings.builder().endpoint(URI.create(endpoint)).region("us-east-1").build();
            try (ObjectStore store = S3ObjectStore.create(settings); Stream<StoredObject> listed = store.list(prefix)) {
                ExecutorService pool = Executors.newFixedThreadPool(32);
                try {
                    List<Future<?>> reads = new ArrayList<>();
                    listed.forEach(o -> reads.add(pool.submit(() -> store.read(o.location()))));
                    for (Future<?> read : reads) {
                        read.get();
                    }
                } finally {
                    pool.shutdown();
                }
            }
        }
    }

    private static void makeCorpus(Path source, int count, Path images, Path marker) throws IOException {
        String expected = count + " from " + source;
        if (Files.exists(marker) && Files.readString(marker).equals(expected)) {
            return;
        }
        deleteTree(images);
        SmallJpegCorpus.write(source, count, images);
        Files.writeString(marker, expected);
    }

    /** A self-signed certificate for 127.0.0.1 in a key store for S3Proxy, and a trust store holding just it. */
    private static void makeCertificate(Path keyStore, Path trustStore, Path work) throws IOException, InterruptedException {
        if (Files.exists(keyStore) && Files.exists(trustStore)) {
            return;
        }
        Files.deleteIfExists(keyStore);
        Files.deleteIfExists(trustStore);
        Path cert = work.resolve(TLS_KEY.file("s3proxy", "crt"));
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        List<String> command = new ArrayList<>(List.of(keytool, "-genkeypair", "-alias", "s3proxy"));
        command.addAll(TLS_KEY.keytoolOptions);
        command.addAll(List.of("-dname", "CN=127.0.0.1", "-ext", "san=ip:127.0.0.1", "-validity", "3650",
                "-keystore", keyStore.toString(), "-storetype", "PKCS12", "-storepass", STORE_PASSWORD,
                "-keypass", STORE_PASSWORD));
        exec(command);
        exec(List.of(keytool, "-exportcert", "-rfc", "-alias", "s3proxy", "-keystore", keyStore.toString(),
                "-storepass", STORE_PASSWORD, "-file", cert.toString()));
        exec(List.of(keytool, "-importcert", "-noprompt", "-alias", "s3proxy", "-file", cert.toString(),
                "-keystore", trustStore.toString(), "-storetype", "PKCS12", "-storepass", STORE_PASSWORD));
    }

    /** Reads every image once, so that neither input pays for the disk: both read the same cached files. */
    private static void warmPageCache(Path images) throws IOException {
        try (Stream<Path> walk = Files.walk(images)) {
            walk.filter(Files::isRegularFile).forEach(p -> {
                try {
                    Files.readAllBytes(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }

    private static Process startServer(Path data, int httpPort, int httpsPort, Path keyStore, Path log) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder builder = new ProcessBuilder(java, "-Xmx1g", "-cp", System.getProperty("java.class.path"),
                FilesystemS3Server.class.getName(), data.toString(), String.valueOf(httpPort), String.valueOf(httpsPort),
                keyStore.toString(), STORE_PASSWORD).redirectError(log.toFile());
        credentials(builder.environment());
        Process server = builder.start();
        BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
        String line = out.readLine();
        if (!"ready".equals(line)) {
            server.destroy();
            throw new IllegalStateException("S3Proxy did not start: see " + log);
        }
        return server;
    }

    private static Run job(Path launcher, Path model, Path work, Path trustStore, String name, List<String> input,
                           List<String> jobOptions, long serverPid, int round) throws IOException, InterruptedException {
        Path out = work.resolve("out");
        deleteTree(out);
        Path times = work.resolve("times.txt");
        Files.deleteIfExists(times);
        List<String> javaOptions = new ArrayList<>(List.of("-Xmx2g", "-Djavax.net.ssl.trustStore=" + trustStore,
                "-Djavax.net.ssl.trustStorePassword=" + STORE_PASSWORD, "-Djavax.net.ssl.trustStoreType=PKCS12"));
        String jfr = System.getProperty("bench.jfr");
        if (jfr != null) {
            javaOptions.add("-XX:StartFlightRecording=settings=profile,filename=" + Path.of(jfr).toAbsolutePath()
                    .resolve("job-" + round + "-" + name.replaceAll("[^A-Za-z]+", "-") + ".jfr"));
        }
        javaOptions.addAll(List.of(System.getProperty("bench.java.options", "").split(" +")));
        // The launcher execs the JVM: the job's CPU is the wrapping bash's children's.
        List<String> command = new ArrayList<>(List.of("bash", "-c", "\"$@\"; rc=$?; times > '" + times + "'; exit $rc", "bash",
                launcher.toString()));
        command.addAll(List.of("run", "--output", out.toString(), "--model", model.toString(),
                "--pca-k", "20"));
        command.addAll(input);
        command.addAll(jobOptions);
        // One log per job, kept: e.g. whether a worker added fetch threads ("Reading up to ...").
        Path log = work.resolve("job-" + round + "-" + name.replaceAll("[^A-Za-z]+", "-") + ".log");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        credentials(builder.environment());
        builder.environment().put("ORCHARD_JAVA_OPTS", String.join(" ", javaOptions).trim());
        double server0 = JobThreads.processCpuSeconds(serverPid);
        long t0 = System.nanoTime();
        Process wrapper = builder.start();
        ThreadSampler sampler = new ThreadSampler(wrapper);
        Thread sampling = new Thread(sampler, "thread-sampler");
        sampling.start();
        int code = wrapper.waitFor();
        sampling.join();
        double wall = (System.nanoTime() - t0) / 1e9;
        double server1 = JobThreads.processCpuSeconds(serverPid);
        if (code != 0) {
            throw new IllegalStateException(name + ": the job failed (" + code + "): see " + log);
        }
        Matcher m = TIMES.matcher(Files.readAllLines(times).get(1)); // line 2: the children's user and system time
        if (!m.find()) {
            throw new IllegalStateException("Unexpected output of times: " + Files.readString(times));
        }
        double cpu = Integer.parseInt(m.group(1)) * 60 + Double.parseDouble(m.group(2))
                + Integer.parseInt(m.group(3)) * 60 + Double.parseDouble(m.group(4));
        JsonNode success = new ObjectMapper().readTree(out.resolve("_SUCCESS").toFile());
        return new Run(name, success.at("/counts/images").asLong(), success.at("/counts/errors").asLong(), wall, cpu,
                server1 - server0, sampler.byKind());
    }

    static String report(List<Run> runs, int count, int rounds, List<String> jobOptions) {
        StringBuilder s = new StringBuilder();
        String javaOptions = System.getProperty("bench.java.options", "").trim();
        s.append(String.format(Locale.ROOT, "%d small JPEGs (%s), %d round(s), job options: %s; JVM: the launcher's%s; "
                        + "HTTPS certificate: %s%n%n",
                count, "SmallJpegCorpus", rounds, jobOptions.isEmpty() ? "(defaults)" : String.join(" ", jobOptions),
                javaOptions.isEmpty() ? "" : " and " + javaOptions, TLS_KEY.description));
        s.append("| round | input | images | wall s | Orchard CPU s (user+sys) | CPU ms/image | S3Proxy CPU s |\n");
        s.append("|---:|---|---:|---:|---:|---:|---:|\n");
        Map<String, List<Run>> byInput = new LinkedHashMap<>();
        long arms = runs.stream().map(Run::input).distinct().count();
        int i = 0;
        for (Run r : runs) {
            long round = i++ / arms + 1;
            byInput.computeIfAbsent(r.input(), k -> new ArrayList<>()).add(r);
            s.append(String.format(Locale.ROOT, "| %d | %s | %d | %.1f | %.1f | %.2f | %.1f |%n", round, r.input(),
                    r.images(), r.wallSeconds(), r.cpuSeconds(), r.cpuSeconds() * 1000 / r.images(), r.serverCpuSeconds()));
        }
        s.append("\nMedians over the rounds; the difference is per object, against the local folder: the difference of the"
                + " medians, and the median of each round's difference (paired, robust to drift between rounds):\n\n");
        s.append("| input | wall s | Orchard CPU s | CPU ms/image | extra Orchard CPU ms/object | paired | wall ratio | S3Proxy CPU ms/object |\n");
        s.append("|---|---:|---:|---:|---:|---:|---:|---:|\n");
        List<Run> local = byInput.values().iterator().next();
        double localCpu = median(local.stream().map(Run::cpuSeconds).toList());
        double localWall = median(local.stream().map(Run::wallSeconds).toList());
        for (Map.Entry<String, List<Run>> e : byInput.entrySet()) {
            List<Run> rs = e.getValue();
            double cpu = median(rs.stream().map(Run::cpuSeconds).toList());
            double wall = median(rs.stream().map(Run::wallSeconds).toList());
            long images = rs.get(0).images();
            double server = median(rs.stream().map(Run::serverCpuSeconds).toList());
            boolean isLocal = rs == local;
            List<Double> paired = new ArrayList<>();
            for (int r = 0; r < rs.size(); r++) {
                paired.add((rs.get(r).cpuSeconds() - local.get(r).cpuSeconds()) * 1000 / images);
            }
            s.append(String.format(Locale.ROOT, "| %s | %.1f | %.1f | %.2f | %s | %s | %s | %s |%n", e.getKey(), wall, cpu,
                    cpu * 1000 / images, isLocal ? "—" : String.format(Locale.ROOT, "%.3f", (cpu - localCpu) * 1000 / images),
                    isLocal ? "—" : String.format(Locale.ROOT, "%.3f", median(paired)),
                    isLocal ? "1" : String.format(Locale.ROOT, "%.2f", wall / localWall),
                    isLocal ? "—" : String.format(Locale.ROOT, "%.2f", server * 1000 / images)));
        }
        s.append("\nOrchard's CPU by kind of thread (medians, s; sampled from /proc/PID/task every 100 ms, so a little below"
                + " the totals above), and the difference per object against the local folder (ms):\n\n| input |");
        JobThreads.KINDS.forEach(k -> s.append(' ').append(k).append(" |"));
        s.append(" reading: fetch + units + JIT + other, ms/object |\n|---|");
        JobThreads.KINDS.forEach(k -> s.append("---:|"));
        s.append("---:|\n");
        for (Map.Entry<String, List<Run>> e : byInput.entrySet()) {
            List<Run> rs = e.getValue();
            long images = rs.get(0).images();
            s.append("| ").append(e.getKey()).append(" |");
            double reading = 0;
            for (String k : JobThreads.KINDS) {
                double mine = median(rs.stream().map(r -> r.threads().get(k)).toList());
                double theirs = median(local.stream().map(r -> r.threads().get(k)).toList());
                if (rs == local) {
                    s.append(String.format(Locale.ROOT, " %.1f |", mine));
                } else {
                    s.append(String.format(Locale.ROOT, " %.1f (%+.3f) |", mine, (mine - theirs) * 1000 / images));
                }
                if (READING.contains(k)) {
                    reading += (mine - theirs) * 1000 / images;
                }
            }
            s.append(rs == local ? " — |\n" : String.format(Locale.ROOT, " %.3f |%n", reading));
        }
        return s.toString();
    }

    /** The kinds of thread whose extra CPU is the reading's: all but the lanes' (inference, decoding) and the GC's. */
    private static final java.util.Set<String> READING = java.util.Set.of("fetch", "units", "JIT", "other");

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private static void credentials(Map<String, String> env) {
        env.put("AWS_ACCESS_KEY_ID", ACCESS_KEY);
        env.put("AWS_SECRET_ACCESS_KEY", SECRET_KEY);
        env.remove("AWS_SESSION_TOKEN");
        env.remove("AWS_PROFILE");
        env.put("AWS_EC2_METADATA_DISABLED", "true");
    }

    private static void exec(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
