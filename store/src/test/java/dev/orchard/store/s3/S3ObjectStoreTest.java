package dev.orchard.store.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.orchard.store.ConditionalWrites;
import dev.orchard.store.Location;
import dev.orchard.store.ObjectStore;
import dev.orchard.store.ObjectStores;
import dev.orchard.store.StoredObject;
import dev.orchard.store.parquet.VectorRow;
import dev.orchard.store.parquet.VectorRowsReader;
import dev.orchard.store.parquet.VectorRowsWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

class S3ObjectStoreTest {

    private static S3TestServer server;
    private static S3ObjectStore store;
    private static S3Client raw;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() throws Exception {
        server = S3TestServer.start("bucket", "many");
        store = S3ObjectStore.create(server.settings());
        raw = server.newClient();
    }

    @AfterAll
    static void stop() throws Exception {
        raw.close();
        store.close();
        server.close();
    }

    private static Location s3(String key) {
        return new Location(Location.Scheme.S3, "bucket", key);
    }

    private static List<String> keys(Stream<StoredObject> objects) {
        try (objects) {
            return objects.map(o -> o.location().key()).collect(Collectors.toList());
        }
    }

    @Test
    void putReadExistsAndListKeysWithSpacesAndNonAscii() throws Exception {
        List<String> names = List.of("odd/Apple Red 1/r 1.jpg", "odd/Cherry 2/ü é ß.jpg", "odd/日本/猫.jpg",
                "odd/plus+equals=amp&.jpg", "odd/percent%20sign.jpg", "odd/emoji 🍎.jpg");
        for (String name : names) {
            store.put(s3(name), name.getBytes(StandardCharsets.UTF_8));
        }
        for (String name : names) {
            assertThat(store.exists(s3(name))).as(name).isTrue();
            assertThat(new String(store.read(s3(name)), StandardCharsets.UTF_8)).isEqualTo(name);
            assertThat(Location.parse(s3(name).toString())).isEqualTo(s3(name));
        }
        List<StoredObject> listed;
        try (Stream<StoredObject> objects = store.list(s3("odd"))) {
            listed = objects.toList();
        }
        assertThat(listed).extracting(o -> o.location().key())
                .containsExactlyElementsOf(names.stream().sorted(KeyOrder::compare).toList());
        assertThat(listed).allSatisfy(o -> assertThat(o.size()).isEqualTo(o.location().key().getBytes(StandardCharsets.UTF_8).length));
        assertThat(store.exists(s3("odd/missing.jpg"))).isFalse();
        assertThatThrownBy(() -> store.read(s3("odd/missing.jpg"))).isInstanceOf(NoSuchFileException.class)
                .hasMessageContaining("s3://bucket/odd/missing.jpg");
    }

    /** A file's tail by one ranged GET (bytes=-n), for a Parquet footer; all of a shorter object. */
    @Test
    void theTailIsTheLastBytes() throws Exception {
        store.put(s3("tail/file"), "0123456789".getBytes(StandardCharsets.UTF_8));
        assertThat(new String(store.readTail(s3("tail/file"), 4), StandardCharsets.UTF_8)).isEqualTo("6789");
        assertThat(new String(store.readTail(s3("tail/file"), 64), StandardCharsets.UTF_8)).isEqualTo("0123456789");
        assertThatThrownBy(() -> store.readTail(s3("tail/missing"), 4)).isInstanceOf(NoSuchFileException.class);
    }

    /** If-None-Match: * and If-Match, as the output's lease uses them, against a real S3-compatible server. */
    @Test
    void aConditionalWriteReplacesOnlyTheObjectItExpects() throws Exception {
        ConditionalWrites.checkOn(store, s3("conditional/lease.json"));
    }

    /** S3Proxy 3.1.0 evaluates the conditions of a PutObject. */
    @Test
    void theProbeFindsThatTheServerEvaluatesConditionalWrites() throws Exception {
        Location at = new dev.orchard.store.OutputLayout(s3("probed")).conditionsProbe("cafe");
        assertThat(store.evaluatesConditions()).as("an S3-compatible server: it cannot say").isFalse();
        assertThat(dev.orchard.store.ConditionProbe.probe(store, at)).isTrue();
        assertThat(store.exists(at)).isFalse();
    }

    @Test
    void aPrefixIsAFolderNotAStringPrefix() throws Exception {
        store.put(s3("folder/images/a.jpg"), new byte[] {1});
        store.put(s3("folder/images/sub/b.jpg"), new byte[] {2});
        store.put(s3("folder/images2/c.jpg"), new byte[] {3});
        store.put(s3("folder/images/"), new byte[0]); // a console's "folder" marker
        store.put(s3("folder/model.onnx"), new byte[] {4, 5});

        assertThat(keys(store.list(s3("folder/images")))).containsExactly("folder/images/a.jpg", "folder/images/sub/b.jpg");
        assertThat(keys(store.list(s3("folder/images/")))).containsExactly("folder/images/a.jpg", "folder/images/sub/b.jpg");
        try (Stream<StoredObject> one = store.list(s3("folder/model.onnx"))) {
            // Its version is its ETag (the MD5 of a single-part object, quoted): what an update compares.
            assertThat(one.toList()).containsExactly(new StoredObject(s3("folder/model.onnx"), 2,
                    "\"" + java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("MD5")
                            .digest(new byte[] {4, 5})) + "\""));
        }
        assertThat(keys(store.list(s3("folder/nothing")))).isEmpty();
        assertThat(s3("folder/images").relativize(s3("folder/images/sub/b.jpg"))).isEqualTo("sub/b.jpg");
    }

    /**
     * XML 1.0 cannot carry most control characters and a parser turns CR into LF: only a listing with
     * encoding-type=url keeps such keys exact (issue 12).
     */
    @Test
    void keysWithControlCharactersAndCarriageReturnsRoundTrip() throws Exception {
        List<String> names = List.of("ctl/cr\rin.jpg", "ctl/crlf\r\nin.jpg", "ctl/tab\there.jpg", "ctl/\u0001soh.jpg",
                "ctl/bell\u0007 and \u001f.jpg", "ctl/dir\r/x.jpg", "ctl/del\u007f+%2B&.jpg");
        for (String name : names) {
            server.putDirect("bucket", name, name.getBytes(StandardCharsets.UTF_8));
        }
        List<String> sorted = names.stream().sorted(KeyOrder::compare).toList();
        assertThat(keys(store.list(s3("ctl")))).containsExactlyElementsOf(sorted);
        try (S3ObjectStore parallel = S3ObjectStore.create(server.settings().toBuilder().listParallelism(2).build())) {
            assertThat(keys(parallel.list(s3("ctl")))).containsExactlyElementsOf(sorted);
        }
        for (String name : names) {
            assertThat(new String(store.read(s3(name)), StandardCharsets.UTF_8)).isEqualTo(name);
            assertThat(store.exists(s3(name))).isTrue();
        }
        store.deleteAll(s3("ctl"));
        assertThat(keys(store.list(s3("ctl")))).isEmpty();
    }

    @Test
    void aGetAboveTheObjectSizeLimitFailsAtOnceUnreadAndTheStoreGoesOn() throws Exception {
        byte[] big = new byte[4 << 20];
        new Random(2).nextBytes(big);
        server.putDirect("bucket", "limit/big.jpg", big);
        server.putDirect("bucket", "limit/small.jpg", new byte[] {1, 2, 3});
        try (FaultInjectingProxy proxy = FaultInjectingProxy.start(server.port(), 0, 1, 0);
             S3ObjectStore limited = S3ObjectStore.create(S3TestServer.settingsFor(proxy.endpoint()).toBuilder()
                     .maxConcurrentGets(1).build())) {
            assertThatThrownBy(() -> limited.read(s3("limit/big.jpg"), 1 << 20))
                    .isInstanceOf(dev.orchard.store.ObjectTooLargeException.class)
                    .hasMessageContaining("s3://bucket/limit/big.jpg is 4194304 bytes, more than --max-object-bytes (1048576)");
            assertThat(proxy.forwarded()).as("asked once, never retried").isEqualTo(1);
            assertThat(limited.read(s3("limit/small.jpg"), 1 << 20)).containsExactly(1, 2, 3);
            assertThat(limited.read(s3("limit/big.jpg"))).as("no limit: read whole").isEqualTo(big);
        }
    }

    @Test
    void listsMoreThanOnePageInKeyOrderSequentiallyAndInParallel() throws Exception {
        List<String> expected = IntStream.range(0, 2_345)
                .mapToObj(i -> (i % 7 == 0 ? "top-" + i : "dir " + (i % 5) + "/" + (i % 3) + "/k" + i) + ".bin")
                .sorted(KeyOrder::compare).toList();
        expected.forEach(k -> server.putDirect("many", "all/" + k, k.getBytes(StandardCharsets.UTF_8)));
        Location prefix = new Location(Location.Scheme.S3, "many", "all");

        List<String> sequential = keys(store.list(prefix));
        assertThat(sequential).hasSize(expected.size()).isEqualTo(expected.stream().map(k -> "all/" + k).toList());

        try (S3ObjectStore parallel = S3ObjectStore.create(server.settings().toBuilder().listParallelism(3).build())) {
            assertThat(keys(parallel.list(prefix))).isEqualTo(sequential);
            // Closing early stops the background listings and leaves the store usable.
            try (Stream<StoredObject> objects = parallel.list(prefix)) {
                assertThat(objects.limit(10).count()).isEqualTo(10);
            }
            assertThat(keys(parallel.list(prefix))).hasSize(expected.size());
        }
    }

    @Test
    void putFileUsesMultipartAboveTheThresholdAndLeavesNoUploadBehind() throws Exception {
        S3Settings small = server.settings().toBuilder()
                .multipartThreshold(6L << 20).partSize(S3Settings.MIN_PART_SIZE).build();
        byte[] big = new byte[(11 << 20) + 123]; // parts of 5, 5 and 1 MiB
        new Random(1).nextBytes(big);
        Path bigFile = Files.write(dir.resolve("big.bin"), big);
        Path smallFile = Files.write(dir.resolve("small.bin"), new byte[] {9, 8, 7});
        try (S3ObjectStore multipart = S3ObjectStore.create(small)) {
            multipart.putFile(s3("files/big.bin"), bigFile);
            multipart.putFile(s3("files/small.bin"), smallFile);
        }
        assertThat(store.read(s3("files/big.bin"))).isEqualTo(big);
        assertThat(raw.headObject(b -> b.bucket("bucket").key("files/big.bin")).eTag()).as("a multipart ETag").endsWith("-3\"");
        assertThat(store.read(s3("files/small.bin"))).containsExactly(9, 8, 7);
        assertThat(raw.listMultipartUploads(b -> b.bucket("bucket")).uploads()).isEmpty();
    }

    /** A file written only where no object is, by a PutObject and by a multipart upload, on an S3-compatible server. */
    @Test
    void putFileIfAbsentWritesOnlyWhereNoObjectIs() throws Exception {
        S3Settings small = server.settings().toBuilder()
                .multipartThreshold(6L << 20).partSize(S3Settings.MIN_PART_SIZE).build();
        byte[] big = new byte[(11 << 20) + 5];
        new Random(2).nextBytes(big);
        Path bigFile = Files.write(dir.resolve("big-once.bin"), big);
        Path smallFile = Files.write(dir.resolve("small-once.bin"), new byte[] {1, 2, 3});
        Path other = Files.write(dir.resolve("other.bin"), new byte[] {4});
        try (S3ObjectStore multipart = S3ObjectStore.create(small)) {
            assertThat(multipart.putFileIfAbsent(s3("once/small.bin"), smallFile)).isTrue();
            assertThat(multipart.putFileIfAbsent(s3("once/small.bin"), other)).isFalse();
            assertThat(multipart.putFileIfAbsent(s3("once/big.bin"), bigFile)).isTrue();
            assertThat(multipart.putFileIfAbsent(s3("once/big.bin"), other)).isFalse();
            // Found there already: the same bytes count as written (a retried write), the same size otherwise not
            // (compared chunk by chunk, to the last byte).
            assertThat(multipart.putFileIfAbsent(s3("once/big.bin"), bigFile)).as("the same bytes").isTrue();
            byte[] lastByteOther = big.clone();
            lastByteOther[big.length - 1]++;
            Path sameSize = Files.write(dir.resolve("same-size.bin"), lastByteOther);
            assertThat(multipart.putFileIfAbsent(s3("once/big.bin"), sameSize)).as("the last byte differs").isFalse();
            store.put(s3("once/there.bin"), new byte[] {7});
            // Found by the look before the upload: S3Proxy ignores If-None-Match on CompleteMultipartUpload.
            assertThat(multipart.putFileIfAbsent(s3("once/there.bin"), bigFile)).as("over an object").isFalse();
        }
        assertThat(store.read(s3("once/small.bin"))).containsExactly(1, 2, 3);
        assertThat(store.read(s3("once/big.bin"))).isEqualTo(big);
        assertThat(store.read(s3("once/there.bin"))).containsExactly(7);
        assertThat(raw.listMultipartUploads(b -> b.bucket("bucket")).uploads()).isEmpty();
    }

    @Test
    void readsConcurrentlyAndReportsMissingKeys() throws Exception {
        for (int i = 0; i < 50; i++) {
            store.put(s3("async/" + i), ("value " + i).getBytes(StandardCharsets.UTF_8));
        }
        var values = ConcurrentReads.all(store, IntStream.range(0, 50).mapToObj(i -> s3("async/" + i)).toList());
        for (int i = 0; i < 50; i++) {
            assertThat(new String(values.get(i), StandardCharsets.UTF_8)).isEqualTo("value " + i);
        }
        assertThatThrownBy(() -> store.read(s3("async/missing"))).isInstanceOf(NoSuchFileException.class);
    }

    @Test
    void deleteAllRemovesThePrefixOnly() throws Exception {
        for (String k : List.of("out/run1", "out/run1/a", "out/run1/b/c", "out/run1/", "out/run10/a", "out/run1x")) {
            store.put(s3(k), new byte[] {1});
        }
        store.deleteAll(s3("out/run1"));
        assertThat(keys(store.list(s3("out")))).containsExactly("out/run10/a", "out/run1x");
        store.deleteAll(s3("out/never-there"));
        assertThatThrownBy(() -> store.deleteAll(s3(""))).hasMessageContaining("Refusing to delete every object in bucket 'bucket'");
    }

    /**
     * deleteObjects deletes exactly the keys given (a missing one is no error), nothing below them, 1,000 a request
     * with the fence checked before each: what an update's swap deletes the old generation's parts with.
     */
    @Test
    void deleteObjectsRemovesTheKeysGivenOnly() throws Exception {
        for (int i = 0; i < 1_200; i++) {
            server.putDirect("bucket", String.format("gen/features/part-%06d.parquet", i), new byte[] {1});
        }
        server.putDirect("bucket", "gen/features/part-000001.parquet/below", new byte[] {1});
        server.putDirect("bucket", "gen/features/part-000000-g000001.parquet", new byte[] {1});
        List<Location> old = new java.util.ArrayList<>();
        for (int i = 0; i < 1_200; i++) {
            old.add(s3(String.format("gen/features/part-%06d.parquet", i)));
        }
        old.add(s3("gen/features/never-there.parquet"));
        AtomicInteger checks = new AtomicInteger();
        store.deleteObjects(old, checks::incrementAndGet);
        assertThat(checks).hasValue(2);
        assertThat(keys(store.list(s3("gen")))).containsExactly("gen/features/part-000000-g000001.parquet",
                "gen/features/part-000001.parquet/below");
        store.delete(s3("gen/features/part-000000-g000001.parquet/below")); // none there: no error
        store.put(s3("gen/features/part-000001.parquet"), new byte[] {1});
        store.delete(s3("gen/features/part-000001.parquet")); // one object, not what lies below its name
        assertThat(keys(store.list(s3("gen")))).containsExactly("gen/features/part-000000-g000001.parquet",
                "gen/features/part-000001.parquet/below");
    }

    /**
     * S3Proxy as a user starts it answers the SDK's DeleteObjects (with its x-amz-checksum-crc32 header) 501
     * NotImplemented: every job with an S3 output failed at its end, and --overwrite at once (a user's report). The
     * store deletes one object at a time there.
     */
    @Test
    void deleteAllOnAServerThatRefusesDeleteObjectsDeletesOneAtATime() throws Exception {
        try (S3TestServer strict = S3TestServer.start(false, "strict");
             S3ObjectStore strictStore = S3ObjectStore.create(strict.settings())) {
            for (String k : List.of("out/run1/a", "out/run1/b/c", "out/run10/a")) {
                strictStore.put(new Location(Location.Scheme.S3, "strict", k), new byte[] {1});
            }
            strictStore.deleteAll(new Location(Location.Scheme.S3, "strict", "out/run1"));
            assertThat(keys(strictStore.list(new Location(Location.Scheme.S3, "strict", "out"))))
                    .containsExactly("out/run10/a");
            strictStore.delete(new Location(Location.Scheme.S3, "strict", "out/run10/a"));
            assertThat(keys(strictStore.list(new Location(Location.Scheme.S3, "strict", "out")))).isEmpty();
        }
    }

    /**
     * The fence of a bulk deletion is checked before each DeleteObjects request (1,000 keys each): one that fails stops
     * the deletion there, leaving the rest, as a coordinator taken over part-way through must.
     */
    @Test
    void deleteAllChecksItsFenceBeforeEachBatch() throws Exception {
        for (int i = 0; i < 2_345; i++) {
            server.putDirect("bucket", String.format("fenced/k%05d", i), new byte[] {1});
        }
        AtomicInteger checks = new AtomicInteger();
        assertThatThrownBy(() -> store.deleteAll(s3("fenced"), () -> {
            if (checks.incrementAndGet() == 2) {
                throw new IOException("the lease is lost");
            }
        })).hasMessage("the lease is lost");
        // The first request carried the first 1,000 keys below it (the key "fenced" itself, an object by that name,
        // goes last, after the folders' keys).
        assertThat(keys(store.list(s3("fenced")))).hasSize(1_345).first().isEqualTo("fenced/k01000");

        checks.set(0);
        store.deleteAll(s3("fenced"), checks::incrementAndGet);
        assertThat(checks).as("two requests: 1,000 keys and 346").hasValue(2);
        assertThat(keys(store.list(s3("fenced")))).isEmpty();
    }

    /**
     * A prefix's keys are deleted files first, then its folders' keys deepest first, then the prefix's own key: S3Proxy's
     * filesystem store takes a folder's key for the folder, and deleting it while it held files stalled (~30 s a job).
     */
    @Test
    void foldersAndThePrefixItselfAreDeletedAfterTheFilesBelowThem() {
        List<String> order = new java.util.ArrayList<>();
        S3ObjectStore.inDeletionOrder(java.util.stream.Stream.of("out/a/", "out/a/1", "out/a/b/", "out/a/b/2", "out/c"),
                "out").forEachRemaining(order::add);
        assertThat(order).containsExactly("out/a/1", "out/a/b/2", "out/c", "out/a/b/", "out/a/", "out");
        List<String> slashed = new java.util.ArrayList<>();
        S3ObjectStore.inDeletionOrder(java.util.stream.Stream.of("out/x"), "out/").forEachRemaining(slashed::add);
        assertThat(slashed).containsExactly("out/x");
    }

    @Test
    void vectorRowsRoundTripThroughS3() throws Exception {
        Location target = s3("results/features/part-00001.parquet");
        float[] a = new float[1280];
        Random random = new Random(3);
        for (int i = 0; i < a.length; i++) {
            a[i] = random.nextFloat();
        }
        try (var writer = new VectorRowsWriter(store, target, "features", dir.resolve("tmp"))) {
            writer.write(new VectorRow("s3://bucket/images/Apple Red 1/1.jpg", "Apple Red 1", a));
            writer.write(new VectorRow("s3://bucket/images/é/ü.jpg", null, new float[] {1f, -2f}));
            assertThat(store.exists(target)).as("invisible before commit").isFalse();
            writer.commit();
        }
        List<VectorRow> rows = VectorRowsReader.readAll(store, target, "features");
        assertThat(rows).hasSize(2);
        assertThat(rows.get(0).path()).isEqualTo("s3://bucket/images/Apple Red 1/1.jpg");
        assertThat(rows.get(0).values()).containsExactly(a);
        assertThat(rows.get(1).label()).isNull();
    }

    @Test
    void checksPassWhereTheStoreMayReadAndWrite() throws Exception {
        store.put(s3("readable/x.jpg"), new byte[] {1});
        store.checkReadable(s3("readable"));
        store.checkReadable(s3("readable/x.jpg"));
        store.checkWritable(s3("writable/run"));
        assertThat(keys(store.list(s3("writable")))).as("the probe is gone").isEmpty();
        assertThatThrownBy(() -> store.checkReadable(s3("readable/nothing")))
                .hasMessageContaining("Nothing to read at s3://bucket/readable/nothing");
    }

    @Test
    void objectStoresPicksTheStoreByScheme() throws Exception {
        try (ObjectStore s = ObjectStores.forLocation(s3("x"), server.settings())) {
            assertThat(s).isInstanceOf(S3ObjectStore.class);
        }
    }

}
