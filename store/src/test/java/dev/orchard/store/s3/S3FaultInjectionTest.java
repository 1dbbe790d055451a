package dev.orchard.store.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.orchard.store.Location;
import dev.orchard.store.StoredObject;
import dev.orchard.store.s3.FaultInjectingProxy.Fault;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Reads and writes through a proxy that fails 30% of requests (503 SlowDown, 500, connection resets before and
 * during the answer): the SDK's retries get everything through, and the server ends up holding exactly what was
 * written, once.
 */
class S3FaultInjectionTest {

    private static S3TestServer server;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() throws Exception {
        server = S3TestServer.start("faulty", "cut", "parts");
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
    }

    private static Location s3(String key) {
        return new Location(Location.Scheme.S3, "faulty", key);
    }

    @Test
    void everyReadAndWriteSucceedsThroughRetriesAndNothingIsDuplicated() throws Exception {
        Map<String, byte[]> written = new LinkedHashMap<>();
        Random random = new Random(11);
        for (int i = 0; i < 60; i++) {
            byte[] bytes = new byte[1 + random.nextInt(4_000)];
            random.nextBytes(bytes);
            written.put("in/class " + (i % 4) + "/img-" + i + ".jpg", bytes);
        }
        byte[] big = new byte[(11 << 20) + 5];
        random.nextBytes(big);
        Path bigFile = Files.write(dir.resolve("big.parquet"), big);

        try (FaultInjectingProxy proxy = FaultInjectingProxy.start(server.port(), 0.3, 42L, 2);
             S3ObjectStore store = S3ObjectStore.create(S3TestServer.settingsFor(proxy.endpoint()).toBuilder()
                     .maxAttempts(4).multipartThreshold(6L << 20).partSize(5L << 20).build());
             S3ObjectStore direct = S3ObjectStore.create(server.settings());
             S3Client raw = server.newClient()) {

            store.checkWritable(s3("out"));
            for (Map.Entry<String, byte[]> e : written.entrySet()) {
                store.put(s3(e.getKey()), e.getValue());
            }
            store.putFile(s3("out/features/part-00000.parquet"), bigFile);
            for (int i = 0; i < 5; i++) {
                store.putFile(s3("out/pca/part-0000" + i + ".parquet"), Files.write(dir.resolve("p" + i), new byte[] {(byte) i}));
            }

            List<StoredObject> listed;
            try (Stream<StoredObject> objects = store.list(s3("in"))) {
                listed = objects.toList();
            }
            assertThat(listed).extracting(o -> o.location().key())
                    .containsExactlyElementsOf(written.keySet().stream().sorted(KeyOrder::compare).toList());

            List<byte[]> reads = ConcurrentReads.all(store, listed.stream().map(StoredObject::location).toList());
            for (int i = 0; i < listed.size(); i++) {
                assertThat(reads.get(i)).as(listed.get(i).location().toString())
                        .isEqualTo(written.get(listed.get(i).location().key()));
            }
            for (StoredObject o : listed) { // once more, one at a time: GETs meet the mid-answer resets
                assertThat(store.read(o.location())).isEqualTo(written.get(o.location().key()));
            }
            assertThat(store.read(s3("out/features/part-00000.parquet"))).isEqualTo(big);
            store.deleteAll(s3("out/pca"));

            // What the server holds, asked directly: every object once, nothing half-written, no upload left over.
            try (Stream<StoredObject> all = direct.list(s3(""))) {
                assertThat(all.map(o -> o.location().key()).toList()).containsExactlyElementsOf(
                        Stream.concat(written.keySet().stream(), Stream.of("out/features/part-00000.parquet"))
                                .sorted(KeyOrder::compare).toList());
            }
            for (Map.Entry<String, byte[]> e : written.entrySet()) {
                assertThat(direct.read(s3(e.getKey()))).isEqualTo(e.getValue());
            }
            assertThat(raw.listMultipartUploads(b -> b.bucket("faulty")).uploads()).isEmpty();

            for (Fault fault : List.of(Fault.SLOW_DOWN, Fault.INTERNAL_ERROR, Fault.RESET, Fault.RESET_MID_RESPONSE)) {
                assertThat(proxy.injected(fault)).as(fault + " injected").isPositive();
            }
        }
    }

    /** The SDK does not retry a reset in the middle of an XML answer by itself: XmlBufferingHttpClient makes it. */
    @Test
    void aListingPageCutOffMidAnswerIsRetried() throws Exception {
        server.putDirect("cut", "images/a.jpg", new byte[] {1});
        server.putDirect("cut", "images/b.jpg", new byte[] {2});
        try (FaultInjectingProxy proxy = FaultInjectingProxy.start(server.port(), 0, 1, 0);
             S3ObjectStore store = S3ObjectStore.create(S3TestServer.settingsFor(proxy.endpoint()))) {
            proxy.injectNext(line -> line.contains("list-type=2"), Fault.RESET_MID_RESPONSE, 2);
            try (Stream<StoredObject> objects = store.list(new Location(Location.Scheme.S3, "cut", "images"))) {
                assertThat(objects.map(o -> o.location().key()).toList()).containsExactly("images/a.jpg", "images/b.jpg");
            }
            assertThat(proxy.injected(Fault.RESET_MID_RESPONSE)).isEqualTo(2);
        }
    }

    /**
     * A conditional write that S3 applied but whose answer was lost is retried by the SDK and then fails its condition
     * against itself: the object's bytes show it landed, so it counts as done. One that lost to another writer, its
     * answer lost too, still counts as refused.
     */
    @Test
    void aConditionalWriteWhoseAnswerWasLostCountsAsDoneOnlyWhenItLanded() throws Exception {
        Location lease = new Location(Location.Scheme.S3, "cut", "lost/lease.json");
        try (FaultInjectingProxy proxy = FaultInjectingProxy.start(server.port(), 0, 1, 0);
             S3ObjectStore store = S3ObjectStore.create(S3TestServer.settingsFor(proxy.endpoint()))) {
            String first = store.putIf(lease, bytes("owner a, 1"), null);
            assertThat(first).isNotNull();
            proxy.injectNext(line -> line.startsWith("PUT ") && line.contains("lost/lease.json"), Fault.LOST_ANSWER, 1);
            String second = store.putIf(lease, bytes("owner a, 2"), first);
            assertThat(proxy.injected(Fault.LOST_ANSWER)).isEqualTo(1);
            assertThat(second).isNotNull().isNotEqualTo(first).isEqualTo(store.readTagged(lease).tag());
            assertThat(store.read(lease)).isEqualTo(bytes("owner a, 2"));

            proxy.injectNext(line -> line.startsWith("PUT ") && line.contains("lost/lease.json"), Fault.LOST_ANSWER, 1);
            assertThat(store.putIf(lease, bytes("owner b, 1"), first)).as("a stale tag, its 412 lost").isNull();
            assertThat(proxy.injected(Fault.LOST_ANSWER)).isEqualTo(2);
            assertThat(store.read(lease)).isEqualTo(bytes("owner a, 2"));
        }
    }

    /**
     * A file written only where nothing is, whose answer was lost: the SDK's retry fails If-None-Match against the file
     * itself, which then counts as written (a training told "another orchard classify wrote its classifier" of its own
     * predictions, and left its folder half written: the diff's review). A file of other bytes there still refuses.
     */
    @Test
    void aFileWrittenOnlyWhereNothingIsWhoseAnswerWasLostCountsAsWritten() throws Exception {
        Location target = new Location(Location.Scheme.S3, "cut", "lost/predictions.parquet");
        Path ours = Files.write(dir.resolve("ours.parquet"), bytes("this training's predictions"));
        Path theirs = Files.write(dir.resolve("theirs.parquet"), bytes("another training's predictions"));
        try (FaultInjectingProxy proxy = FaultInjectingProxy.start(server.port(), 0, 1, 0);
             S3ObjectStore store = S3ObjectStore.create(S3TestServer.settingsFor(proxy.endpoint()))) {
            proxy.injectNext(line -> line.startsWith("PUT ") && line.contains("lost/predictions"), Fault.LOST_ANSWER, 1);
            assertThat(store.putFileIfAbsent(target, ours)).isTrue();
            assertThat(proxy.injected(Fault.LOST_ANSWER)).isEqualTo(1);
            assertThat(store.read(target)).isEqualTo(bytes("this training's predictions"));
            assertThat(store.putFileIfAbsent(target, theirs)).isFalse();
            assertThat(store.read(target)).isEqualTo(bytes("this training's predictions"));
        }
    }

    /** A server without conditional requests (it answers 501 to them) is named as such, with what to do. */
    @Test
    void aServerThatDoesNotImplementConditionalWritesIsNamed() throws Exception {
        Location lease = new Location(Location.Scheme.S3, "cut", "unimplemented/lease.json");
        try (FaultInjectingProxy proxy = FaultInjectingProxy.start(server.port(), 0, 1, 0);
             S3ObjectStore store = S3ObjectStore.create(S3TestServer.settingsFor(proxy.endpoint()))) {
            proxy.failAlways(line -> line.contains("unimplemented/lease.json") && !line.startsWith("GET "), 501,
                    "NotImplemented");
            assertThatThrownBy(() -> store.putIf(lease, bytes("owner d, 1"), null))
                    .hasMessageContaining("does not implement conditional requests")
                    .hasMessageContaining("write " + lease).hasMessageContaining("AWS S3 does");
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    @Test
    void aMultipartUploadThatCannotFinishIsAbortedAndLeavesNoObject() throws Exception {
        byte[] big = new byte[(11 << 20)];
        Path bigFile = Files.write(dir.resolve("big.bin"), big);
        Location target = new Location(Location.Scheme.S3, "parts", "out/features/part-00007.parquet");
        try (FaultInjectingProxy proxy = FaultInjectingProxy.start(server.port(), 0, 1, 0);
             S3ObjectStore store = S3ObjectStore.create(S3TestServer.settingsFor(proxy.endpoint()).toBuilder()
                     .multipartThreshold(6L << 20).partSize(5L << 20).build());
             S3Client raw = server.newClient()) {
            proxy.failAlways(line -> line.startsWith("PUT ") && line.contains("partNumber=2"), 403, "AccessDenied");
            assertThatThrownBy(() -> store.putFile(target, bigFile))
                    .hasMessageContaining("Access denied trying to write " + target);
            assertThat(store.exists(target)).isFalse();
            assertThat(raw.listMultipartUploads(b -> b.bucket("parts")).uploads()).as("aborted").isEmpty();
        }
    }

    @Test
    void theAdaptiveRetryModeGetsThroughToo() throws Exception {
        for (int i = 0; i < 30; i++) {
            server.putDirect("cut", "adaptive/" + i, new byte[] {(byte) i});
        }
        try (FaultInjectingProxy proxy = FaultInjectingProxy.start(server.port(), 0.1, 7L, 2);
             S3ObjectStore store = S3ObjectStore.create(S3TestServer.settingsFor(proxy.endpoint()).toBuilder()
                     .retryMode(S3Settings.RetryMode.ADAPTIVE).maxAttempts(4).build())) {
            List<Location> keys = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                keys.add(new Location(Location.Scheme.S3, "cut", "adaptive/" + i));
            }
            List<byte[]> reads = ConcurrentReads.all(store, keys);
            for (int i = 0; i < 30; i++) {
                assertThat(reads.get(i)).containsExactly((byte) i);
            }
            assertThat(proxy.injectedTotal()).isPositive();
        }
    }
}
