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
        JobDescription job = new JobDescription("job-1", "s3://b/out", "/m.onnx", "abc", ModelSpec.mobileNetV2(), 32, null);
        WorkUnit unit = new WorkUnit(7, 2, Phase.FEATURES, List.of(new ImageRef("/a b/é.jpg", "a b"), new ImageRef("/x.jpg", null)));
        UnitReport report = new UnitReport(1, List.of(new ImageError("/x.jpg", "truncated")), 1234,
                new UnitReport.StageNanos(1, 2, 3, 4, 5, 6));
        List<Object> messages = List.of(
                new WorkerCommand.Assign(job, unit),
                new WorkerCommand.Verdict(7, 2, true),
                new WorkerCommand.CommitStatistics(),
                new WorkerCommand.JobFinished(),
                new CoordinatorCommand.RequestWork("w1", worker.ref()),
                new CoordinatorCommand.UnitFinished("w1", worker.ref(), 7, 2, report),
                new CoordinatorCommand.UnitFailed("w1", 7, 2, "disk full"),
                new CoordinatorCommand.StatisticsCommitted("w1", "s3://b/out/_orchard/partials/w1-00001.stats", new ArrayList<>(List.of(1, 7))));
        for (Object m : messages) {
            Object back = roundTrip(m);
            assertThat(back.getClass()).isEqualTo(m.getClass());
            if (!(m instanceof WorkerCommand.Assign)) { // ModelSpec holds arrays: compared field by field below
                assertThat(back).isEqualTo(m);
            }
        }
        WorkerCommand.Assign assign = (WorkerCommand.Assign) roundTrip(new WorkerCommand.Assign(job, unit));
        assertThat(assign.unit()).isEqualTo(unit);
        assertThat(assign.job().spec().mean()).containsExactly(ModelSpec.mobileNetV2().mean());
        assertThat(assign.job().output()).isEqualTo("s3://b/out");
        assertThat(assign.job().parquetByteStreamSplit()).isFalse();
        WorkerCommand.Assign encoded = (WorkerCommand.Assign) roundTrip(new WorkerCommand.Assign(job.withParquetByteStreamSplit(true), unit));
        assertThat(encoded.job().parquetByteStreamSplit()).as("--parquet-byte-stream-split reaches the workers").isTrue();
        CoordinatorCommand.RequestWork request = (CoordinatorCommand.RequestWork) roundTrip(new CoordinatorCommand.RequestWork("w1", worker.ref()));
        request.worker().tell(new WorkerCommand.JobFinished());
        worker.expectMessageClass(WorkerCommand.JobFinished.class);
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
