package dev.orchard.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.orchard.protocol.serialization.KryoSerializer;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class KryoSerializerTest {
    private static ActorTestKit testKit;
    private static Serialization serialization;

    @BeforeAll
    static void start() {
        testKit = ActorTestKit.create();
        serialization = SerializationExtension.get(org.apache.pekko.actor.typed.javadsl.Adapter.toClassic(testKit.system()));
    }

    @AfterAll
    static void stop() {
        testKit.shutdownTestKit();
    }

    private Object roundTrip(Object message) throws Exception {
        Serializer serializer = serialization.findSerializerFor(message);
        assertThat(serializer.identifier()).as("serializer for " + message.getClass()).isEqualTo(KryoSerializer.IDENTIFIER);
        byte[] bytes = serializer.toBinary(message);
        assertThat(new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1)).doesNotContain("dev.orchard");
        return serializer.fromBinary(bytes, scala.Option.empty());
    }

    @Test
    void everyMessageRoundTripsWithoutClassNamesOnTheWire() throws Exception {
        TestProbe<WorkerCommand> worker = testKit.createTestProbe();
        JobDescription job = new JobDescription("job-1", "s3://b/out", "/m.onnx", "abc", ModelSpec.mobileNetV2(), 32)
                .withPcaModel("s3://b/out/pca-model.json", "def");
        WorkUnit unit = WorkUnit.features(42L, 7, 2, List.of(new ImageRef("/a b/é.jpg", "a b"), new ImageRef("/x.jpg", null),
                new ImageRef("s3://b/y.jpg", "y", 1234, "\"9b2cf535f27731c974343645a3985328\"")));
        WorkUnit part = WorkUnit.publish(42L, 0, 3, List.of(PartSource.rows(new AttemptRef(41L, 7, 2)),
                PartSource.regrouped(new AttemptRef(42L, 3, 1)), PartSource.base(5)));
        WorkUnit regroup = WorkUnit.regroup(42L, 5, 4);
        UnitReport report = new UnitReport(1, List.of(new ImageError("/x.jpg", "truncated")), 1234, 567,
                new UnitReport.StageNanos(1, 2, 3, 4, 5, 6));
        List<AttemptRef> attempts = new ArrayList<>(List.of(new AttemptRef(42L, 1, 1), new AttemptRef(42L, 7, 2)));
        List<Object> messages = List.of(
                new WorkerCommand.Assign(42L, 1, job, unit),
                new WorkerCommand.Assign(42L, 2, job.withClassifier("s3://b/models/classifier.onnx", "c1a55"), part),
                new WorkerCommand.Assign(42L, 3, job.withGeneration(2), regroup),
                new WorkerCommand.Verdict(42L, 7, 2, true),
                new WorkerCommand.CommitStatistics(42L),
                new WorkerCommand.CommitAck(42L, "w1-00001", false),
                new WorkerCommand.JobFinished(42L),
                new CoordinatorCommand.WorkerStatus("w1", worker.ref(), 42L, 9, 2, 1, attempts, List.of(),
                        new WorkerInfo("10.0.0.6", 4, 1000), true),
                new CoordinatorCommand.UnitFinished("w1", worker.ref(), 42L, 7, 2, report),
                new CoordinatorCommand.UnitFailed("w1", worker.ref(), 42L, 7, 2, "disk full"),
                new CoordinatorCommand.UnitFailed("w1", worker.ref(), 42L, 7, 3, "/o/_orchard/parts/part-000000.stats is"
                        + " damaged (it counts 5 rows, but base part 0 holds 4)", true),
                new CoordinatorCommand.StatisticsCommitted("w1", worker.ref(), 42L, "w1-00001", attempts),
                new CoordinatorCommand.StatisticsLost("w1", worker.ref(), 42L, attempts, "disk full"));
        for (Object m : messages) {
            Object back = roundTrip(m);
            assertThat(back.getClass()).isEqualTo(m.getClass());
            assertThat(back).isEqualTo(m);
        }
        WorkerCommand.Assign encoded = (WorkerCommand.Assign) roundTrip(new WorkerCommand.Assign(42L, 3,
                job.withParquetByteStreamSplit(true), unit));
        assertThat(encoded.job().parquetByteStreamSplit()).as("--parquet-byte-stream-split reaches the workers").isTrue();
        WorkerCommand.Assign limited = (WorkerCommand.Assign) roundTrip(new WorkerCommand.Assign(42L, 4,
                job.withDecode(new DecodeLimits(5000, 64L << 20, false, 1000)), unit));
        assertThat(limited.job().decode()).as("the job's decode limits reach the workers")
                .isEqualTo(new DecodeLimits(5000, 64L << 20, false, 1000));
        var status = (CoordinatorCommand.WorkerStatus) roundTrip(messages.get(7));
        status.worker().tell(new WorkerCommand.JobFinished(1L));
        worker.expectMessageClass(WorkerCommand.JobFinished.class);
    }

    @Test
    void anAssignmentOfTheLargestUnitFitsInOneFrameWhateverTheKeyLength() throws Exception {
        // Keys of 1,024 bytes (S3's maximum) with long labels: the unit is cut by bytes, so it still fits.
        int frame = (int) testKit.system().settings().config().getBytes("pekko.remote.artery.advanced.maximum-frame-size").longValue();
        int budget = MessageLimits.unitImageBytes(frame);
        List<ImageRef> images = new ArrayList<>();
        int bytes = 0;
        for (int i = 0; ; i++) {
            ImageRef image = new ImageRef("s3://bucket/" + "k".repeat(1000) + String.format("%012d", i) + ".jpg", "ü".repeat(100));
            if (bytes + MessageLimits.imageBytes(image) > budget) {
                break;
            }
            bytes += MessageLimits.imageBytes(image);
            images.add(image);
        }
        JobDescription job = new JobDescription("job-1", "s3://b/" + "o".repeat(1000), "/m.onnx", "abc", ModelSpec.mobileNetV2(), 32);
        WorkerCommand.Assign assign = new WorkerCommand.Assign(1L, 1, job, WorkUnit.features(1L, 1, 1, images));
        assertThat(((WorkerCommand.Assign) roundTrip(assign)).unit().images()).hasSize(images.size());
        // The worker's report names every image with a reason of the maximum length: it fits too.
        List<ImageError> errors = images.stream().map(i -> new ImageError(i.path(), "x".repeat(10_000))).toList();
        var finished = new CoordinatorCommand.UnitFinished("w1", null, 1L, 1, 1, new UnitReport(0, errors, 0, 0,
                UnitReport.StageNanos.ZERO));
        assertThat(serialization.findSerializerFor(finished).toBinary(finished).length).isLessThan(frame);
    }

    /**
     * Short paths and a raised --unit-size: the largest unit the cutter makes holds thousands of images, and its report,
     * every image failed with a 200-character reason (non-ASCII: up to 600 bytes), outgrew the frame. Refused by the
     * serializer, it was dropped at every resend and the unit never finished (a review of the wiring against the
     * simulator). It is sent with the reasons cut shorter: every path whole, each reason a start of the original.
     */
    @Test
    void theReportOfAUnitWhoseManyImagesAllFailedFitsInOneFrameItsReasonsCut() throws Exception {
        int frame = (int) testKit.system().settings().config().getBytes("pekko.remote.artery.advanced.maximum-frame-size").longValue();
        int budget = MessageLimits.unitImageBytes(frame);
        for (int unitSize : new int[] {512, 1200, 100_000}) {
            List<ImageRef> images = new ArrayList<>();
            int bytes = 0;
            for (int i = 0; images.size() < unitSize; i++) {
                ImageRef image = new ImageRef(String.format("/data/in/%06d.jpg", i), null);
                if (bytes + MessageLimits.imageBytes(image) > budget) {
                    break;
                }
                bytes += MessageLimits.imageBytes(image);
                images.add(image);
            }
            String reason = "画像を読めません: ".repeat(30);
            List<ImageError> errors = images.stream().map(i -> new ImageError(i.path(), reason)).toList();
            var finished = new CoordinatorCommand.UnitFinished("w1", null, 1L, 1, 1, new UnitReport(0, errors, 0, 0,
                    UnitReport.StageNanos.ZERO));
            assertThat(serialization.findSerializerFor(finished).toBinary(finished).length).as("room for the envelope")
                    .isLessThanOrEqualTo(frame - KryoSerializer.ENVELOPE_ROOM);
            var back = (CoordinatorCommand.UnitFinished) roundTrip(finished);
            assertThat(back.report().errors()).as("unit of " + images.size()).hasSize(images.size());
            for (int i = 0; i < images.size(); i++) {
                ImageError error = back.report().errors().get(i);
                assertThat(error.path()).isEqualTo(images.get(i).path());
                assertThat(reason).startsWith(error.reason().substring(0, error.reason().length() - 1));
            }
        }
        // One that fits keeps its reasons as they were.
        var few = new CoordinatorCommand.UnitFinished("w1", null, 1L, 1, 1, new UnitReport(0,
                List.of(new ImageError("/x.jpg", "é".repeat(190))), 0, 0, UnitReport.StageNanos.ZERO));
        assertThat(roundTrip(few)).isEqualTo(few);
    }

    @Test
    void lengthsOffTheWireAreBoundedBeforeAnythingIsAllocated() throws Exception {
        Serializer kryo = serialization.serializerByIdentity().apply(KryoSerializer.IDENTIFIER);
        byte[] good = kryo.toBinary(new WorkerCommand.CommitAck(42L, "w1-00001", true));
        // The same message with the string's length set to two billion: refused, not allocated.
        int at = indexOf(good, "w1-00001".getBytes(java.nio.charset.StandardCharsets.UTF_8)) - 1;
        byte[] hostile = new byte[at + 5];
        System.arraycopy(good, 0, hostile, 0, at);
        hostile[at] = (byte) 0xff;
        hostile[at + 1] = (byte) 0xff;
        hostile[at + 2] = (byte) 0xff;
        hostile[at + 3] = (byte) 0xff;
        hostile[at + 4] = (byte) 0x07;
        assertThatThrownBy(() -> kryo.fromBinary(hostile, scala.Option.empty())).hasMessageContaining("exceeds");
        // Random bytes never make it allocate more than the message holds (they fail, quickly).
        java.util.Random random = new java.util.Random(7);
        long before = Runtime.getRuntime().totalMemory();
        for (int i = 0; i < 2000; i++) {
            byte[] noise = new byte[1 + random.nextInt(200)];
            random.nextBytes(noise);
            try {
                kryo.fromBinary(noise, scala.Option.empty());
            } catch (RuntimeException expected) {
                // refused
            }
        }
        assertThat(Runtime.getRuntime().totalMemory() - before).isLessThan(256L << 20);
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("not found");
    }

    @Test
    void unregisteredClassesAreRefused() {
        Serializer kryo = serialization.serializerByIdentity().apply(KryoSerializer.IDENTIFIER);
        record Stranger(String name) implements CoordinatorCommand {
        }
        assertThatThrownBy(() -> kryo.toBinary(new Stranger("x"))).hasMessageContaining("Class is not registered");
        assertThatThrownBy(() -> serialization.findSerializerFor(new java.util.HashMap<>()).toBinary(new java.util.HashMap<>()))
                .hasMessageContaining("ava serialization"); // Java serialization is disabled
    }
}
