package dev.orchard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orchard.stats.PcaModel;
import dev.orchard.stats.PcaModelJson;
import dev.orchard.store.Location;
import dev.orchard.store.LoopbackPorts;
import dev.orchard.store.ObjectStore;
import dev.orchard.store.ObjectStores;
import dev.orchard.store.StoredObject;
import dev.orchard.store.parquet.VectorRow;
import dev.orchard.store.parquet.VectorRowsReader;
import dev.orchard.store.s3.FaultInjectingProxy;
import dev.orchard.store.s3.S3TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job against a real S3-compatible server (S3Proxy on a random loopback port): images, model and every output
 * on s3://, compared with the same job on a local folder; then with faults injected between client and server.
 */
class S3JobTest {
    private static final String PREFIX = "Test/";
    private static S3TestServer server;
    private static Path localInput;
    private static Path localOutput;

    @TempDir
    static Path temp;

    @BeforeAll
    static void setUp() throws Exception {
        // S3Proxy as a user starts it: headers it does not know (the SDK's x-amz-checksum-crc32 on DeleteObjects)
        // answered 501, which failed every job with an S3 output at its end (a user's report).
        server = S3TestServer.start(false, "images", "results");
        localInput = temp.resolve("input");
        try (Stream<Path> classes = Files.list(JobRun.shared().resolve("data/fruits360-sample"))) {
            for (Path dir : classes.sorted().toList()) {
                try (Stream<Path> files = Files.list(dir)) {
                    for (Path f : files.sorted().limit(8).toList()) {
                        String relative = dir.getFileName() + "/" + f.getFileName();
                        Files.createDirectories(localInput.resolve(dir.getFileName().toString()));
                        Files.copy(f, localInput.resolve(relative));
                        server.putDirect("images", PREFIX + relative, Files.readAllBytes(f));
                    }
                }
            }
        }
        server.putDirect("images", "models/mobilenetv2.onnx", Files.readAllBytes(Path.of(JobRun.model())));
        localOutput = temp.resolve("local-out");
        JobRun local = JobRun.of(localOutput, args(localInput.toString(), localOutput.toString(), JobRun.model()));
        assertThat(local.exitCode()).as(local.messages()).isZero();
    }

    @AfterAll
    static void tearDown() throws Exception {
        server.close();
    }

    private static String[] args(String input, String output, String model, String... extra) {
        List<String> a = new ArrayList<>(List.of("run", "--input", input, "--output", output, "--model", model,
                "--pca-k", "8", "--unit-size", "16", "--batch-size", "8"));
        a.addAll(List.of(extra));
        return a.toArray(String[]::new);
    }

    private static String[] s3Args(String endpoint, String output, String... extra) {
        List<String> a = new ArrayList<>(List.of(args("s3://images/" + PREFIX, output, "s3://images/models/mobilenetv2.onnx")));
        a.addAll(List.of("--endpoint-url", endpoint, "--path-style", "--region", S3TestServer.REGION));
        a.addAll(List.of(extra));
        return a.toArray(String[]::new);
    }

    /** Rows keyed by the image's path below the input root, so s3:// and local runs compare. */
    private static Map<String, VectorRow> rows(ObjectStore store, Location output, String column, String root) throws Exception {
        Map<String, VectorRow> rows = new TreeMap<>();
        List<StoredObject> parts;
        try (Stream<StoredObject> listed = store.list(output.resolve(column))) {
            parts = listed.filter(o -> o.location().name().endsWith(".parquet")).toList();
        }
        for (StoredObject part : parts) {
            for (VectorRow row : VectorRowsReader.readAll(store, part.location(), column)) {
                assertThat(row.path()).startsWith(root);
                assertThat(rows.put(row.path().substring(root.length()), row)).as("duplicate " + row.path()).isNull();
            }
        }
        return rows;
    }

    private void assertSameAsLocal(Location output) throws Exception {
        try (ObjectStore s3 = ObjectStores.forLocation(output, server.settings())) {
            Map<String, VectorRow> remote = rows(s3, output, "features", "s3://images/" + PREFIX);
            Map<String, VectorRow> local = rows(new dev.orchard.store.LocalObjectStore(), Location.local(localOutput),
                    "features", localInput.toAbsolutePath() + "/");
            assertThat(remote.keySet()).isEqualTo(local.keySet()).hasSize(120);
            remote.forEach((path, row) -> {
                assertThat(row.label()).isEqualTo(local.get(path).label());
                assertThat(row.values()).containsExactly(local.get(path).values());
            });
            assertThat(rows(s3, output, "pca", "s3://images/" + PREFIX).keySet()).isEqualTo(local.keySet());
            PcaModel a = PcaModelJson.read(s3.read(output.resolve("pca-model.json")));
            PcaModel b = PcaModelJson.read(Files.readAllBytes(localOutput.resolve("pca-model.json")));
            for (int c = 0; c < a.k(); c++) {
                assertThat(Math.abs(a.eigenvalues()[c] - b.eigenvalues()[c]) / b.eigenvalues()[c]).isLessThanOrEqualTo(1e-9);
            }
            assertThat(s3.exists(output.resolve("_SUCCESS"))).isTrue();
            assertThat(new String(s3.read(output.resolve("errors.csv")))).isEqualTo("path,reason\r\n");
            assertThat(new String(s3.read(output.resolve("pca.csv"))).lines().count()).isEqualTo(121);
        }
    }

    @Test
    void jobFromS3ToS3EqualsTheLocalFolderRun() throws Exception {
        JobRun run = JobRun.of(null, s3Args(server.endpoint().toString(), "s3://results/run1"));
        assertThat(run.exitCode()).as(run.messages()).isZero();
        assertThat(run.messages()).doesNotContain(S3TestServer.SECRET_KEY).doesNotContain(S3TestServer.ACCESS_KEY);
        assertSameAsLocal(Location.parse("s3://results/run1"));
        try (ObjectStore s3 = ObjectStores.forLocation(Location.parse("s3://results/run1"), server.settings())) {
            assertThat(s3.exists(Location.parse("s3://results/run1/_orchard/job.json"))).isTrue(); // Orchard's mark
        }
    }

    /**
     * classify on an output on S3, with its classifier and predictions on S3, through an S3-compatible endpoint: it
     * took no --endpoint-url, and a user's walk could neither train nor apply there. Trained again into the same
     * folder, or applied again to the same file, without --overwrite: refused, the first kept.
     */
    @Test
    void classifyTrainsAndAppliesOnS3ThroughTheEndpoint() throws Exception {
        String endpoint = server.endpoint().toString();
        JobRun job = JobRun.of(null, s3Args(endpoint, "s3://results/classified"));
        assertThat(job.exitCode()).as(job.messages()).isZero();
        String[] store = {"--endpoint-url", endpoint, "--path-style", "--region", S3TestServer.REGION};
        String[] train = concat(new String[] {"classify", "--input", "s3://results/classified", "--pair", "Banana", "Kiwi",
                "--train-per-class", "4", "--output", "s3://results/classified-pair"}, store);
        JobRun trained = JobRun.of(null, train);
        assertThat(trained.exitCode()).as(trained.messages()).isZero();
        String[] apply = concat(new String[] {"classify", "--apply", "s3://results/classified-pair/classifier.onnx",
                "--input", "s3://results/classified"}, store);
        JobRun applied = JobRun.of(null, apply);
        assertThat(applied.exitCode()).as(applied.messages()).isZero();
        try (ObjectStore s3 = ObjectStores.forLocation(Location.parse("s3://results/classified"), server.settings())) {
            for (String file : List.of("predictions.parquet", "classifier.onnx", "classifier.json", "report.html")) {
                assertThat(s3.exists(Location.parse("s3://results/classified-pair/" + file))).as(file).isTrue();
            }
            assertThat(s3.exists(Location.parse("s3://results/classified/predictions-classified-pair.parquet"))).isTrue();
        }
        JobRun again = JobRun.of(null, train);
        assertThat(again.exitCode()).as(again.messages()).isEqualTo(2);
        assertThat(again.messages()).contains("holds a classifier trained earlier");
        JobRun appliedAgain = JobRun.of(null, apply);
        assertThat(appliedAgain.exitCode()).as(appliedAgain.messages()).isEqualTo(2);
        assertThat(appliedAgain.messages()).contains("already exists");
    }

    private static String[] concat(String[] a, String[] b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    /**
     * Two updates of an output on S3 (S3Proxy as a user starts it): images added and removed; each generation's parts
     * name it and the old ones go by name (a user's file beside them stays), CURRENT is written on condition, the
     * second update reads its base parts under generation 1's names, and a _SUCCESS removed after the swap is
     * written again by the same command. The swap's S3 path had no test of its own.
     */
    @Test
    void updatesOnS3SwapEachGenerationInUnderItsOwnNames() throws Exception {
        List<Path> images;
        try (Stream<Path> files = Files.walk(localInput)) {
            images = files.filter(Files::isRegularFile).sorted().limit(24).toList();
        }
        for (Path f : images.subList(0, 16)) {
            server.putDirect("images", "upd/" + localInput.relativize(f).toString().replace('\\', '/'), Files.readAllBytes(f));
        }
        Location out = Location.parse("s3://results/updated");
        String[] job = {"run", "--input", "s3://images/upd/", "--output", out.toString(), "--model",
                "s3://images/models/mobilenetv2.onnx", "--pca-k", "3", "--unit-size", "4", "--batch-size", "4",
                "--endpoint-url", server.endpoint().toString(), "--path-style", "--region", S3TestServer.REGION};
        JobRun first = JobRun.of(null, job);
        assertThat(first.exitCode()).as(first.messages()).isZero();
        try (ObjectStore s3 = ObjectStores.forLocation(out, server.settings())) {
            s3.put(out.resolve("features/NOTES.txt"), "mine".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            List<String> expected = new ArrayList<>();
            for (int generation = 1; generation <= 2; generation++) {
                // Generation 1 adds four images; generation 2 removes two and adds four more.
                if (generation == 2) {
                    s3.delete(Location.parse("s3://images/upd/" + localInput.relativize(images.get(0)).toString()
                            .replace('\\', '/')));
                    s3.delete(Location.parse("s3://images/upd/" + localInput.relativize(images.get(1)).toString()
                            .replace('\\', '/')));
                }
                for (Path f : images.subList(12 + 4 * generation, 16 + 4 * generation)) {
                    server.putDirect("images", "upd/" + localInput.relativize(f).toString().replace('\\', '/'),
                            Files.readAllBytes(f));
                }
                JobRun update = JobRun.of(null, withUpdate(job));
                assertThat(update.exitCode()).as(update.messages()).isZero();
                expected.clear();
                for (Path f : images.subList(generation == 2 ? 2 : 0, 16 + 4 * generation)) {
                    expected.add(localInput.relativize(f).toString().replace('\\', '/'));
                }
                assertThat(rows(s3, out, "features", "s3://images/upd/").keySet())
                        .containsExactlyInAnyOrderElementsOf(expected);
                assertThat(rows(s3, out, "pca", "s3://images/upd/").keySet()).containsExactlyInAnyOrderElementsOf(expected);
                for (String kind : List.of("features", "pca")) {
                    int g = generation;
                    try (Stream<StoredObject> parts = s3.list(out.resolve(kind))) {
                        assertThat(parts.map(o -> o.location().name()).filter(n -> !n.equals("NOTES.txt")).toList())
                                .isNotEmpty().allMatch(n -> dev.orchard.store.OutputLayout.isPartOf(n, g), "generation " + g);
                    }
                }
                assertThat(new String(s3.read(out.resolve("_orchard/CURRENT")))).isEqualTo(Integer.toString(generation));
                assertThat(s3.exists(out.resolve("features/NOTES.txt"))).as("a user's file").isTrue();
            }
            byte[] success = s3.read(out.resolve("_SUCCESS"));
            s3.delete(out.resolve("_SUCCESS"));
            JobRun again = JobRun.of(null, withUpdate(job));
            assertThat(again.exitCode()).as(again.messages()).isZero();
            assertThat(s3.read(out.resolve("_SUCCESS"))).isEqualTo(success);
            assertThat(rows(s3, out, "features", "s3://images/upd/").keySet()).containsExactlyInAnyOrderElementsOf(expected);
        }
    }

    private static String[] withUpdate(String[] job) {
        List<String> a = new ArrayList<>(List.of(job));
        a.add("--update");
        return a.toArray(String[]::new);
    }

    @Test
    void anImageAboveTheObjectSizeLimitGoesToErrorsCsvUnreadAndTheJobGoesOn() throws Exception {
        long limit = 5_000;
        List<String> tooLarge;
        try (Stream<Path> files = Files.walk(localInput)) {
            tooLarge = files.filter(Files::isRegularFile).filter(f -> f.toFile().length() > limit)
                    .map(f -> localInput.relativize(f).toString().replace('\\', '/')).sorted().toList();
        }
        assertThat(tooLarge).as("the sample has images on both sides of the limit").isNotEmpty().hasSizeLessThan(120);
        JobRun run = JobRun.of(null, s3Args(server.endpoint().toString(), "s3://results/limit",
                "--max-object-bytes", String.valueOf(limit)));
        assertThat(run.exitCode()).as(run.messages()).isZero();
        try (ObjectStore s3 = ObjectStores.forLocation(Location.parse("s3://results/limit"), server.settings())) {
            List<String> errors = new String(s3.read(Location.parse("s3://results/limit/errors.csv"))).lines().skip(1).toList();
            assertThat(errors).hasSize(tooLarge.size());
            for (String key : tooLarge) {
                assertThat(errors).anySatisfy(line -> assertThat(line).contains("s3://images/" + PREFIX + key)
                        .contains("more than --max-object-bytes (" + limit + ")"));
            }
        }
    }

    /**
     * An S3 key may hold '.' and '..' segments, which no path can: the listing skipped them as hidden, without a
     * word (a user's report). They go to errors.csv with the reason and what to do.
     */
    @Test
    void keysWithDotSegmentsAreReportedNotSkippedSilently() throws Exception {
        List<Path> images;
        try (Stream<Path> files = Files.walk(localInput)) {
            images = files.filter(Files::isRegularFile).sorted().limit(4).toList();
        }
        List<String> keys = List.of("dots/Kiwi/a.jpg", "dots/Kiwi/b.jpg", "dots/Kiwi/../c.jpg", "dots/./d.jpg");
        for (int i = 0; i < keys.size(); i++) {
            server.putDirect("images", keys.get(i), Files.readAllBytes(images.get(i)));
        }
        JobRun run = JobRun.of(null, "run", "--input", "s3://images/dots/", "--output", "s3://results/dots",
                "--model", "s3://images/models/mobilenetv2.onnx", "--pca-k", "1", "--endpoint-url",
                server.endpoint().toString(), "--path-style", "--region", S3TestServer.REGION);
        assertThat(run.exitCode()).as(run.messages()).isZero();
        try (ObjectStore s3 = ObjectStores.forLocation(Location.parse("s3://results/dots"), server.settings())) {
            List<String> errors = new String(s3.read(Location.parse("s3://results/dots/errors.csv"))).lines().skip(1).toList();
            assertThat(errors).hasSize(2);
            assertThat(errors).anySatisfy(line -> assertThat(line).startsWith("s3://images/dots/Kiwi/../c.jpg,")
                    .contains("its key has a '.' or '..' segment"));
            assertThat(errors).anySatisfy(line -> assertThat(line).startsWith("s3://images/dots/./d.jpg,")
                    .contains("name it in an --input-manifest"));
            assertThat(rows(s3, Location.parse("s3://results/dots"), "features", "s3://images/dots/").keySet())
                    .containsExactly("Kiwi/a.jpg", "Kiwi/b.jpg");
        }
    }

    @Test
    void aManifestOfKeysReplacesTheListing() throws Exception {
        Path manifest = temp.resolve("manifest.txt");
        StringBuilder lines = new StringBuilder("# S3 keys, as an inventory export lists them\n");
        try (Stream<Path> files = Files.walk(localInput)) {
            for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                lines.append("s3://images/").append(PREFIX).append(localInput.relativize(f).toString().replace('\\', '/')).append('\n');
            }
        }
        Files.writeString(manifest, lines);
        List<String> a = new ArrayList<>(List.of(s3Args(server.endpoint().toString(), "s3://results/manifest")));
        int i = a.indexOf("--input");
        a.set(i, "--input-manifest");
        a.set(i + 1, manifest.toString());
        JobRun run = JobRun.of(null, a.toArray(String[]::new));
        assertThat(run.exitCode()).as(run.messages()).isZero();
        assertSameAsLocal(Location.parse("s3://results/manifest"));
    }

    @Test
    void throttlingAndResetsOnTheWayLoseAndDuplicateNothing() throws Exception {
        try (FaultInjectingProxy proxy = FaultInjectingProxy.start(server.port(), 0.1, 42, 2)) {
            // Random faults on any request (how many depends on the threads' interleaving), and, whatever the
            // interleaving, at least three connections cut in the middle of an image's body.
            proxy.injectNext(line -> line.startsWith("GET") && line.contains(".jpg"),
                    FaultInjectingProxy.Fault.RESET_MID_RESPONSE, 3);
            JobRun run = JobRun.of(null, s3Args(proxy.endpoint().toString(), "s3://results/faulty"));
            assertThat(run.exitCode()).as(run.messages()).isZero();
            assertThat(proxy.injectedTotal()).isGreaterThan(3);
            assertThat(proxy.injected(FaultInjectingProxy.Fault.RESET_MID_RESPONSE)).isGreaterThanOrEqualTo(3);
        }
        assertSameAsLocal(Location.parse("s3://results/faulty"));
    }

    /**
     * A distant server: each image GET waits 250 ms, so 4 reads at once (a worker's start) bring a batch of 8 images in
     * no sooner than every 500 ms, while each of the 2 lanes runs one in ~0.1 s here (it would have to take over 1 s
     * for the lanes not to wait): the worker must add fetch threads, and then more than 4 GETs of images are in
     * flight at once. Only the image GETs are counted, not the model's, the listing or the job's writes.
     */
    @Test
    void aSlowServerGetsMoreReadsInFlight() throws Exception {
        try (FaultInjectingProxy proxy = FaultInjectingProxy.start(server.port(), 0, 7, 2)) {
            java.util.function.Predicate<String> imageGets = line -> line.startsWith("GET ") && line.contains(".jpg");
            proxy.setLatency(java.time.Duration.ofMillis(250), imageGets);
            proxy.countInFlight(imageGets);
            JobRun run = JobRun.of(null, s3Args(proxy.endpoint().toString(), "s3://results/slow", "--fetch-threads", "16"));
            assertThat(run.exitCode()).as(run.messages()).isZero();
            assertThat(proxy.maxInFlight()).as("image GETs in flight at once").isGreaterThanOrEqualTo(8);
        }
        assertSameAsLocal(Location.parse("s3://results/slow"));
    }

    /** Every object of a bucket: key → SHA-256 of its bytes. */
    private static Map<String, String> objects(String bucket) throws Exception {
        Map<String, String> all = new TreeMap<>();
        java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
        try (ObjectStore s3 = ObjectStores.forLocation(Location.parse("s3://" + bucket + "/"), server.settings());
             Stream<StoredObject> listed = s3.list(Location.parse("s3://" + bucket + "/"))) {
            for (StoredObject o : listed.toList()) {
                all.put(o.location().key(), java.util.HexFormat.of().formatHex(sha.digest(s3.read(o.location()))));
            }
        }
        return all;
    }

    @Test
    void anOutputOverlappingTheInputPrefixIsRefusedAndEveryObjectKept() throws Exception {
        Map<String, String> before = objects("images");
        String endpoint = server.endpoint().toString();
        for (String output : List.of("s3://images/Test", "s3://images/Test/", "s3a://images/Test/run1", "s3://images/",
                "s3://images")) {
            JobRun run = JobRun.of(null, s3Args(endpoint, output, "--overwrite"));
            assertThat(run.exitCode()).as(output + ": " + run.messages()).isEqualTo(2);
            assertThat(run.messages()).contains("must not overlap");
        }
        // A manifest naming keys below the output.
        Path manifest = Files.writeString(temp.resolve("inside.txt"), "s3://images/" + PREFIX + "Kiwi/x.jpg\n");
        List<String> a = new ArrayList<>(List.of(s3Args(endpoint, "s3://images/" + PREFIX + "Kiwi", "--overwrite")));
        a.set(a.indexOf("--input"), "--input-manifest");
        a.set(a.indexOf("s3://images/" + PREFIX), manifest.toString());
        JobRun run = JobRun.of(null, a.toArray(String[]::new));
        assertThat(run.exitCode()).as(run.messages()).isEqualTo(2);
        assertThat(run.messages()).contains("lies inside --output");
        assertThat(objects("images")).isEqualTo(before);
    }

    /**
     * Without s3:ListBucket, S3 answers a missing key with 403: a manifest whose first image was deleted since it was
     * made must not be refused as "access denied" when the next images of the bucket read; their bucket refusing
     * every one is.
     */
    @Test
    void aManifestIsRefusedOnlyWhenItsBucketRefusesEveryImageTried() throws Exception {
        List<String> keys = new ArrayList<>();
        try (Stream<Path> files = Files.walk(localInput.resolve("Kiwi"))) {
            files.filter(Files::isRegularFile).sorted().limit(4)
                    .forEach(f -> keys.add("s3://images/" + PREFIX + "Kiwi/" + f.getFileName()));
        }
        Path manifest = Files.writeString(temp.resolve("first-gone.txt"), "s3://images/" + PREFIX + "Kiwi/gone.jpg\n"
                + String.join("\n", keys) + "\n");
        try (FaultInjectingProxy proxy = FaultInjectingProxy.start(server.port(), 0, 1, 0)) {
            proxy.failAlways(line -> line.contains("/gone.jpg"), 403, "AccessDenied");
            Path out = temp.resolve("first-gone-out");
            JobRun run = JobRun.of(null, "run", "--input-manifest", manifest.toString(), "--output", out.toString(),
                    "--endpoint", proxy.endpoint().toString(), "--path-style", "--model", JobRun.model(), "--pca-k", "2");
            assertThat(run.exitCode()).as(run.messages()).isZero();
            assertThat(Files.readString(out.resolve("errors.csv"))).contains("gone.jpg");

            proxy.failAlways(line -> line.contains("/Kiwi/"), 403, "AccessDenied");
            Path refusedOut = temp.resolve("refused-out");
            JobRun refused = JobRun.of(null, "run", "--input-manifest", manifest.toString(), "--output",
                    refusedOut.toString(), "--endpoint", proxy.endpoint().toString(), "--path-style", "--model",
                    JobRun.model(), "--pca-k", "2");
            assertThat(refused.exitCode()).as(refused.messages()).isEqualTo(2);
            assertThat(refused.messages()).contains("(and the 2 next images of its bucket), which cannot be read:"
                    + " Access denied");
            assertThat(refusedOut).doesNotExist();
        }
    }

    @Test
    void badConfigurationIsNamedBeforeAnyWork() throws Exception {
        String endpoint = server.endpoint().toString();
        JobRun noBucket = JobRun.of(null, "run", "--input", "s3://no-such-bucket/x/", "--output", "s3://results/e1",
                "--endpoint", endpoint, "--path-style", "--model", JobRun.model());
        // What only the user can change exits 2, as a missing local folder does; an endpoint that did not answer, 1.
        assertThat(noBucket.exitCode()).as(noBucket.messages()).isEqualTo(2);
        assertThat(noBucket.messages()).contains("Bucket 'no-such-bucket' does not exist");

        JobRun emptyPrefix = JobRun.of(null, "run", "--input", "s3://images/Tset/", "--output", "s3://results/e2",
                "--endpoint", endpoint, "--path-style", "--model", JobRun.model());
        assertThat(emptyPrefix.exitCode()).as(emptyPrefix.messages()).isEqualTo(2);
        assertThat(emptyPrefix.messages()).contains("Nothing to read at s3://images/Tset/");

        JobRun noOutputBucket = JobRun.of(null, s3Args(endpoint, "s3://missing-results/run"));
        assertThat(noOutputBucket.exitCode()).as(noOutputBucket.messages()).isEqualTo(2);
        assertThat(noOutputBucket.messages()).contains("missing-results");

        int closed = LoopbackPorts.pick();
        JobRun unreachable = JobRun.of(null, "run", "--input", "s3://images/" + PREFIX, "--output", temp.resolve("o").toString(),
                "--endpoint", "http://127.0.0.1:" + closed, "--path-style", "--model", JobRun.model(),
                "--s3-max-attempts", "2"); // the default 10 back off for ~20 s to say the same
        assertThat(unreachable.exitCode()).as(unreachable.messages()).isEqualTo(1);
        assertThat(unreachable.messages()).contains("127.0.0.1:" + closed);

        String key = System.getProperty("aws.secretAccessKey");
        System.setProperty("aws.secretAccessKey", "wrong-secret");
        try {
            JobRun denied = JobRun.of(null, s3Args(endpoint, "s3://results/denied"));
            assertThat(denied.exitCode()).as(denied.messages()).isEqualTo(2);
            assertThat(denied.messages()).contains("S3 rejected the credentials").contains("images")
                    .doesNotContain("wrong-secret");
            // A manifest of S3 keys is checked as a listed input is, before any work: it ran a whole pass of errors.
            Path manifest = Files.writeString(temp.resolve("keys.txt"), "s3://images/" + PREFIX + "Kiwi/a.jpg\n");
            Path out = temp.resolve("manifest-denied");
            JobRun manifestDenied = JobRun.of(null, "run", "--input-manifest", manifest.toString(), "--output",
                    out.toString(), "--endpoint", endpoint, "--path-style", "--model", JobRun.model());
            assertThat(manifestDenied.exitCode()).as(manifestDenied.messages()).isEqualTo(2);
            assertThat(manifestDenied.messages()).contains("--input-manifest " + manifest + " names s3://images/"
                    + PREFIX + "Kiwi/a.jpg, which cannot be read: S3 rejected the credentials")
                    .doesNotContain("wrong-secret");
            assertThat(out).doesNotExist();
            assertThat(denied.messages()).doesNotContain("wrong-secret");
        } finally {
            System.setProperty("aws.secretAccessKey", key);
        }
    }
}
