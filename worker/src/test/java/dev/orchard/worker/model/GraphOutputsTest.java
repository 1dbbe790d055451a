package dev.orchard.worker.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UnknownFieldSet;
import dev.orchard.worker.SharedFiles;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The one-pass reader and the spliced edit, against protobuf's own parse of the same bytes ({@code UnknownFieldSet},
 * which the reader replaced): on the real MobileNetV2 and on made-up models whose fields sit around the graph.
 */
class GraphOutputsTest {
    private static final int MODEL_GRAPH = 7;
    private static final int GRAPH_OUTPUT = 12;

    @Test
    void readsMobileNetV2sOutputsAndTensors() throws Exception {
        GraphOutputs graph = GraphOutputs.read(Files.readAllBytes(SharedFiles.float32Model()));
        assertThat(graph.outputs()).containsExactly("output", "features");
        assertThat(graph.nodeOutputs()).contains("464", "627", "output", "features");
    }

    @Test
    void appendsAnOutputAndKeepsEverythingElse() throws Exception {
        byte[] model = Files.readAllBytes(SharedFiles.float32Model());
        byte[] edited = GraphOutputs.read(model).withOutput("464");
        assertSameButTheNewOutput(model, edited, "464");
        assertThat(GraphOutputs.read(edited).outputs()).containsExactly("output", "features", "464");
    }

    @Test
    void splicesAroundFieldsBeforeAndAfterTheGraph() throws Exception {
        // 200 nodes: a graph whose length takes a longer varint. No node and a 119-byte "initializer": a graph of
        // 126 bytes (a 1-byte length) that the new output takes to 135 (a 2-byte length).
        int[][] cases = {{0, 300}, {1, 300}, {3, 300}, {200, 300}, {0, 119}};
        for (int[] shape : cases) {
            int nodes = shape[0];
            UnknownFieldSet.Builder graph = UnknownFieldSet.newBuilder();
            for (int i = 0; i < nodes; i++) {
                graph.mergeField(1, field(message(Map.of(1, "in" + i, 2, "t" + i, 3, "node" + i))));
            }
            graph.mergeField(5, field(ByteString.copyFrom(new byte[shape[1]]))); // an "initializer"
            graph.mergeField(GRAPH_OUTPUT, field(message(Map.of(1, "y"))));
            byte[] model = UnknownFieldSet.newBuilder()
                    .mergeField(1, UnknownFieldSet.Field.newBuilder().addVarint(8).build()) // ir_version
                    .mergeField(2, field(ByteString.copyFromUtf8("producer")))
                    .mergeField(MODEL_GRAPH, field(graph.build().toByteString()))
                    .mergeField(8, field(message(Map.of(2, "opset"))))
                    .mergeField(14, field(message(Map.of(1, "key", 2, "value"))))
                    .build().toByteArray();
            GraphOutputs read = GraphOutputs.read(model);
            assertThat(read.outputs()).containsExactly("y");
            List<String> tensors = new ArrayList<>();
            for (int i = 0; i < nodes; i++) {
                tensors.add("t" + i);
            }
            assertThat(read.nodeOutputs()).containsExactlyElementsOf(tensors);
            byte[] edited = read.withOutput("t0 ü");
            assertSameButTheNewOutput(model, edited, "t0 ü");
            if (shape[1] == 119) {
                assertThat(graph(UnknownFieldSet.parseFrom(model)).toByteArray()).hasSize(126);
                assertThat(edited).hasSize(model.length + 9 + 1); // the output's 9 bytes, and the length's second byte
            }
        }
    }

    @Test
    void refusesWhatIsNoModel() {
        assertThatThrownBy(() -> GraphOutputs.read(new byte[] {(byte) 0xff, (byte) 0xd8, (byte) 0xff, (byte) 0xe0, 0, 16}))
                .isInstanceOf(InvalidProtocolBufferException.class);
        assertThatThrownBy(() -> GraphOutputs.read(UnknownFieldSet.newBuilder()
                .mergeField(2, field(ByteString.copyFromUtf8("no graph"))).build().toByteArray()))
                .isInstanceOf(InvalidProtocolBufferException.class).hasMessageContaining("no graph");
    }

    @Test
    void refusesATruncatedModel() throws Exception {
        byte[] model = Files.readAllBytes(SharedFiles.float32Model());
        byte[] cut = Arrays.copyOf(model, model.length / 2);
        assertThatThrownBy(() -> GraphOutputs.read(cut)).isInstanceOf(InvalidProtocolBufferException.class);
    }

    /** Protobuf's parse of both: the same fields, the graph's outputs gaining {@code tensor} last. */
    private static void assertSameButTheNewOutput(byte[] model, byte[] edited, String tensor) throws Exception {
        UnknownFieldSet before = UnknownFieldSet.parseFrom(model);
        UnknownFieldSet after = UnknownFieldSet.parseFrom(edited);
        assertThat(after.asMap().keySet()).isEqualTo(before.asMap().keySet());
        before.asMap().forEach((number, field) -> {
            if (number != MODEL_GRAPH) {
                assertThat(after.getField(number)).isEqualTo(field);
            }
        });
        UnknownFieldSet graphBefore = graph(before);
        UnknownFieldSet graphAfter = graph(after);
        assertThat(graphAfter.asMap().keySet()).isEqualTo(graphBefore.asMap().keySet());
        graphBefore.asMap().forEach((number, field) -> {
            if (number != GRAPH_OUTPUT) {
                assertThat(graphAfter.getField(number)).isEqualTo(field);
            }
        });
        List<ByteString> outputs = new ArrayList<>(graphBefore.getField(GRAPH_OUTPUT).getLengthDelimitedList());
        outputs.add(message(Map.of(1, tensor)));
        assertThat(graphAfter.getField(GRAPH_OUTPUT).getLengthDelimitedList()).isEqualTo(outputs);
    }

    private static UnknownFieldSet graph(UnknownFieldSet model) throws InvalidProtocolBufferException {
        assertThat(model.getField(MODEL_GRAPH).getLengthDelimitedList()).hasSize(1);
        return UnknownFieldSet.parseFrom(model.getField(MODEL_GRAPH).getLengthDelimitedList().get(0));
    }

    private static UnknownFieldSet.Field field(ByteString bytes) {
        return UnknownFieldSet.Field.newBuilder().addLengthDelimited(bytes).build();
    }

    /** A message of string fields, in field order. */
    private static ByteString message(Map<Integer, String> strings) {
        UnknownFieldSet.Builder message = UnknownFieldSet.newBuilder();
        strings.forEach((number, value) -> message.mergeField(number, field(ByteString.copyFromUtf8(value))));
        return message.build().toByteString();
    }
}
