package dev.orchard.worker.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import ai.onnx.proto.OnnxMl.Version;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UnknownFieldSet;
import dev.orchard.predict.OnnxGraphParts;
import dev.orchard.worker.SharedFiles;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The one-pass reader and the spliced edits (an output appended; the graph cut down to some tensors), against protobuf's
 * own parse of the same bytes ({@code UnknownFieldSet}, which the reader replaced): on the real MobileNetV2 and on
 * made-up models whose fields sit around the graph.
 */
class GraphOutputsTest {
    private static final int MODEL_GRAPH = 7;
    private static final int GRAPH_NODE = 1;
    private static final int GRAPH_INITIALIZER = 5;
    private static final int GRAPH_INPUT = 11;
    private static final int GRAPH_OUTPUT = 12;
    private static final int GRAPH_VALUE_INFO = 13;

    @Test
    void readsMobileNetV2sOutputsAndTensors() throws Exception {
        GraphOutputs graph = GraphOutputs.read(Files.readAllBytes(SharedFiles.float32Model()));
        assertThat(graph.outputs()).containsExactly("output", "features");
        assertThat(graph.nodeOutputs()).contains("464", "627", "output", "features");
    }

    @Test
    void appendsAnOutputAndKeepsEverythingElse() throws Exception {
        byte[] model = Files.readAllBytes(SharedFiles.float32Model());
        byte[] edited = GraphOutputs.read(model).withOutputs(List.of("464"));
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
            // An initializer (a TensorProto: name, raw data) of shape[1] bytes.
            int raw = shape[1] - 3 - 1 - (shape[1] - 5 < 128 ? 1 : 2);
            ByteString initializer = UnknownFieldSet.newBuilder()
                    .mergeField(8, field(ByteString.copyFromUtf8("w")))
                    .mergeField(9, field(ByteString.copyFrom(new byte[raw]))).build().toByteString();
            assertThat(initializer.size()).isEqualTo(shape[1]);
            graph.mergeField(5, field(initializer));
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
            byte[] edited = read.withOutputs(List.of("t0 ü"));
            assertSameButTheNewOutput(model, edited, "t0 ü");
            if (shape[1] == 119) {
                assertThat(graph(UnknownFieldSet.parseFrom(model)).toByteArray()).hasSize(126);
                assertThat(edited).hasSize(model.length + 9 + 1); // the output's 9 bytes, and the length's second byte
            }
        }
    }

    @Test
    void cutsMobileNetV2DownToWhatThePooledFeaturesNeed() throws Exception {
        byte[] model = Files.readAllBytes(SharedFiles.float32Model());
        byte[] cut = GraphOutputs.read(model).computing(List.of("464"));
        UnknownFieldSet before = graph(UnknownFieldSet.parseFrom(model));
        UnknownFieldSet after = graph(UnknownFieldSet.parseFrom(cut));
        // The oracle: the nodes 464 depends on, found on protobuf's own parse of the file.
        List<ByteString> nodes = before.getField(GRAPH_NODE).getLengthDelimitedList();
        java.util.Set<ByteString> needed = ancestors(nodes, "464");
        assertThat(after.getField(GRAPH_NODE).getLengthDelimitedList())
                .containsExactlyElementsOf(nodes.stream().filter(needed::contains).toList());
        assertThat(nodes.size() - needed.size())
                .as("the classifier (Reshape, MatMul, Add), the Flatten to 'features', the 4 nodes of the Reshape's shape")
                .isEqualTo(8);
        assertThat(GraphOutputs.read(cut).nodeOutputs()).doesNotContain("output", "features").contains("464", "627");
        assertThat(GraphOutputs.read(cut).outputs()).containsExactly("464");
        // The classifier's weights go with it (5.1 MB of the 14), and the two constants of the shape; every other
        // initializer and field stays as it was.
        List<ByteString> initializers = before.getField(GRAPH_INITIALIZER).getLengthDelimitedList();
        java.util.Set<String> dropped = java.util.Set.of("classifier.1.weight", "classifier.1.bias", "466", "630");
        assertThat(after.getField(GRAPH_INITIALIZER).getLengthDelimitedList()).containsExactlyElementsOf(initializers.stream()
                .filter(t -> !dropped.contains(tensorName(t))).toList());
        assertThat(initializers.size() - after.getField(GRAPH_INITIALIZER).getLengthDelimitedList().size()).isEqualTo(4);
        assertThat(cut.length).isLessThan(model.length - 5_000_000);
        for (int number : List.of(2, GRAPH_INPUT)) { // the graph's name, its input
            assertThat(after.getField(number)).isEqualTo(before.getField(number));
        }
        UnknownFieldSet modelAfter = UnknownFieldSet.parseFrom(cut);
        UnknownFieldSet.parseFrom(model).asMap().forEach((number, field) -> {
            if (number != MODEL_GRAPH) {
                assertThat(modelAfter.getField(number)).isEqualTo(field);
            }
        });
    }

    /**
     * A made-up graph with what MobileNetV2 lacks: a node with two outputs, an initializer also declared as an input, value
     * infos, the wanted tensor already declared as an output (with its type, kept), and fields after the nodes.
     */
    @Test
    void keepsExactlyWhatTheWantedTensorsDependOn() throws Exception {
        ByteString a = node(List.of("x", "w"), List.of("a1", "a2"));   // needed (a2)
        ByteString b = node(List.of("a1", "v"), List.of("b"));         // only for y: dropped
        ByteString c = node(List.of("a2"), List.of("c"));              // the wanted c
        ByteString d = node(List.of("c", "b"), List.of("y"));          // the old output: dropped
        ByteString declaredC = message(Map.of(1, "c", 2, "its type"));
        UnknownFieldSet.Builder graph = UnknownFieldSet.newBuilder();
        graph.mergeField(GRAPH_NODE, field(a)).mergeField(GRAPH_NODE, field(b)).mergeField(GRAPH_NODE, field(c))
                .mergeField(GRAPH_NODE, field(d))
                .mergeField(2, field(ByteString.copyFromUtf8("g")))
                .mergeField(GRAPH_INITIALIZER, field(message(Map.of(8, "w", 9, "weights of a"))))
                .mergeField(GRAPH_INITIALIZER, field(message(Map.of(8, "v", 9, "weights of b"))))
                .mergeField(GRAPH_INPUT, field(message(Map.of(1, "x"))))
                .mergeField(GRAPH_INPUT, field(message(Map.of(1, "v"))))
                .mergeField(GRAPH_OUTPUT, field(message(Map.of(1, "y"))))
                .mergeField(GRAPH_OUTPUT, field(declaredC))
                .mergeField(GRAPH_VALUE_INFO, field(message(Map.of(1, "a2"))))
                .mergeField(GRAPH_VALUE_INFO, field(message(Map.of(1, "b"))));
        byte[] model = model(graph.build());
        GraphOutputs read = GraphOutputs.read(model);
        assertThat(read.outputs()).containsExactly("y", "c");

        UnknownFieldSet cut = graph(UnknownFieldSet.parseFrom(read.computing(List.of("c"))));
        assertThat(cut.getField(GRAPH_NODE).getLengthDelimitedList()).containsExactly(a, c);
        assertThat(cut.getField(GRAPH_INITIALIZER).getLengthDelimitedList())
                .containsExactly(message(Map.of(8, "w", 9, "weights of a")));
        assertThat(cut.getField(GRAPH_INPUT).getLengthDelimitedList()).containsExactly(message(Map.of(1, "x")));
        assertThat(cut.getField(GRAPH_OUTPUT).getLengthDelimitedList()).containsExactly(declaredC);
        assertThat(cut.getField(GRAPH_VALUE_INFO).getLengthDelimitedList()).containsExactly(message(Map.of(1, "a2")));
        assertThat(cut.getField(2).getLengthDelimitedList()).containsExactly(ByteString.copyFromUtf8("g"));

        // Two tensors: the declared one keeps its declaration, the other is appended; b is needed again.
        UnknownFieldSet both = graph(UnknownFieldSet.parseFrom(read.computing(List.of("c", "b"))));
        assertThat(both.getField(GRAPH_NODE).getLengthDelimitedList()).containsExactly(a, b, c);
        assertThat(both.getField(GRAPH_OUTPUT).getLengthDelimitedList()).containsExactly(declaredC, message(Map.of(1, "b")));
        assertThat(both.getField(GRAPH_INPUT).getLengthDelimitedList()).hasSize(2);

        assertThatThrownBy(() -> read.computing(List.of("x"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'x'");
    }

    /** "" names an optional input or output left out, not a tensor: it links no node to another. */
    @Test
    void anEmptyNameIsNoTensor() throws Exception {
        ByteString a = node(List.of("x"), List.of("a", ""));     // an optional second output left out
        ByteString b = node(List.of("x"), List.of("", "b"));     // likewise its first: not needed
        ByteString c = node(List.of("", "a"), List.of("c"));     // an optional input left out, walked first
        UnknownFieldSet.Builder graph = UnknownFieldSet.newBuilder()
                .mergeField(GRAPH_NODE, field(a)).mergeField(GRAPH_NODE, field(b)).mergeField(GRAPH_NODE, field(c))
                .mergeField(GRAPH_OUTPUT, field(message(Map.of(1, "b"))));
        UnknownFieldSet cut = graph(UnknownFieldSet.parseFrom(GraphOutputs.read(model(graph.build())).computing(List.of("c"))));
        assertThat(cut.getField(GRAPH_NODE).getLengthDelimitedList()).containsExactly(a, c);
    }

    /** A sparse initializer (15) or a quantization annotation (14) names tensors a cut could remove: not cut. */
    @Test
    void aGraphWithOtherNamesOfTensorsIsNotCut() throws Exception {
        for (int number : List.of(14, 15)) {
            UnknownFieldSet.Builder named = UnknownFieldSet.newBuilder()
                    .mergeField(GRAPH_NODE, field(node(List.of("x"), List.of("t"))))
                    .mergeField(GRAPH_NODE, field(node(List.of("t"), List.of("y"))))
                    .mergeField(GRAPH_OUTPUT, field(message(Map.of(1, "y"))))
                    .mergeField(number, field(message(Map.of(1, "y"))));
            byte[] model = model(named.build());
            assertSameButTheNewOutput(model, GraphOutputs.read(model).computing(List.of("t")), "t");
        }
    }

    /**
     * A node holding subgraphs (If, Loop, Scan) needs what its subgraphs read from around them, at any depth: here an
     * outer node's output read only inside its subgraph, another read only inside a subgraph of that subgraph, a third
     * only passed through as a nested subgraph's output, and an outer initializer; not what the subgraphs define
     * themselves (their input, initializer and nodes' outputs).
     */
    @Test
    void aNodeWithSubgraphsNeedsWhatTheyReadFromAroundThem() throws Exception {
        ByteString nested = graphProto(List.of(node(List.of("r", "t1", ""), List.of("v"))), List.of(), List.of(), "v");
        ByteString passing = graphProto(List.of(), List.of(), List.of(), "o"); // outputs an outer tensor as it is
        ByteString body = graphProto(List.of(node(List.of("q", "s", "k"), List.of("t1")),
                node(List.of("t1", "w"), List.of("t2"), nested), node(List.of("t2"), List.of("t3"), passing)),
                List.of("s"), List.of("k"), "t2");
        ByteString p = node(List.of("x"), List.of("p"));
        ByteString q = node(List.of("x"), List.of("q"));         // read only in the subgraph
        ByteString r = node(List.of("x"), List.of("r"));         // read only in the nested subgraph
        ByteString o = node(List.of("x"), List.of("o"));         // only passed through by the other nested one
        ByteString u = node(List.of("x"), List.of("u"));         // read by nothing: dropped
        ByteString t1 = node(List.of("x"), List.of("t1outer"));  // no subgraph reads it: dropped
        ByteString loop = node(List.of("p"), List.of("z"), body);
        ByteString y = node(List.of("z", "u", "t1outer"), List.of("y"));
        UnknownFieldSet.Builder graph = UnknownFieldSet.newBuilder();
        for (ByteString n : List.of(p, q, r, o, u, t1, loop, y)) {
            graph.mergeField(GRAPH_NODE, field(n));
        }
        graph.mergeField(GRAPH_INITIALIZER, field(message(Map.of(8, "w", 9, "read in the subgraph"))))
                .mergeField(GRAPH_INITIALIZER, field(message(Map.of(8, "k2", 9, "read by nothing"))))
                .mergeField(GRAPH_INPUT, field(message(Map.of(1, "x"))))
                .mergeField(GRAPH_OUTPUT, field(message(Map.of(1, "y"))));
        UnknownFieldSet cut = graph(UnknownFieldSet.parseFrom(GraphOutputs.read(model(graph.build())).computing(List.of("z"))));
        assertThat(cut.getField(GRAPH_NODE).getLengthDelimitedList()).containsExactly(p, q, r, o, loop);
        assertThat(cut.getField(GRAPH_INITIALIZER).getLengthDelimitedList())
                .containsExactly(message(Map.of(8, "w", 9, "read in the subgraph")));
        assertThat(cut.getField(GRAPH_OUTPUT).getLengthDelimitedList()).containsExactly(message(Map.of(1, "z")));
    }

    /**
     * A name a subgraph defines hides the outer tensor of that name, at every depth: ONNX's checker (1.12) accepts a
     * subgraph input or initializer named like an outer tensor (a node output so named it refuses: SSA). Here the outer
     * {@code s} and {@code k} are hidden by the body's input and initializer, and the outer {@code m} by the body's input
     * {@code m}, which the nested subgraph reads: none of the three outer nodes is needed. The outer {@code n}, which the
     * nested subgraph reads and nothing between defines, is.
     */
    @Test
    void aNameASubgraphDefinesHidesTheOuterTensorOfThatName() throws Exception {
        ByteString nested = graphProto(List.of(node(List.of("m", "n"), List.of("v"))), List.of(), List.of(), "v");
        ByteString body = graphProto(List.of(node(List.of("s", "k"), List.of("t1")),
                node(List.of("t1"), List.of("t2"), nested)), List.of("s", "m"), List.of("k"), "t2");
        ByteString s = node(List.of("x"), List.of("s"));
        ByteString k = node(List.of("x"), List.of("k"));
        ByteString m = node(List.of("x"), List.of("m"));
        ByteString n = node(List.of("x"), List.of("n"));
        ByteString loop = node(List.of("x"), List.of("z"), body);
        UnknownFieldSet.Builder graph = UnknownFieldSet.newBuilder();
        for (ByteString node : List.of(s, k, m, n, loop)) {
            graph.mergeField(GRAPH_NODE, field(node));
        }
        graph.mergeField(GRAPH_INPUT, field(message(Map.of(1, "x"))))
                .mergeField(GRAPH_OUTPUT, field(message(Map.of(1, "z"))));
        UnknownFieldSet cut = graph(UnknownFieldSet.parseFrom(GraphOutputs.read(model(graph.build())).computing(List.of("z"))));
        assertThat(cut.getField(GRAPH_NODE).getLengthDelimitedList()).containsExactly(n, loop);
    }

    /**
     * A real model with an If whose branches read tensors of the graph around them that no other node reads, and an
     * outer initializer, cut to the If's output ahead of a classifier-like MatMul: ONNX Runtime loads the cut graph and
     * computes what the whole graph does, in both branches. (Walked through the nodes' inputs alone, the cut would drop
     * {@code Neg} and {@code Abs}, leaving the branches to read tensors nothing computes.)
     */
    @Test
    void aGraphCutAroundAnIfComputesWhatTheWholeGraphDoes() throws Exception {
        ModelProto model = ifModel();
        GraphOutputs read = GraphOutputs.read(model.toByteArray());
        ModelProto cut = ModelProto.parseFrom(read.computing(List.of("f")));
        assertThat(cut.getGraph().getNodeList()).extracting(NodeProto::getOpType)
                .containsExactly("Relu", "Neg", "Abs", "ReduceSum", "Greater", "If");
        assertThat(cut.getGraph().getInitializerList()).extracting(TensorProto::getName).containsExactly("one", "zero");
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions();
             OrtSession cutSession = env.createSession(read.computing(List.of("f")), options);
             OrtSession whole = env.createSession(read.withOutputs(List.of("f")), options)) {
            // Relu(x) sums to 4 > 0: the then branch, -x + 1; all negative: the else branch, |x|.
            for (float[] x : List.of(new float[] {1, -2, 3, -4}, new float[] {-1, -2, -3, -4})) {
                float[] expected = new float[4];
                boolean then = x[0] > 0;
                for (int i = 0; i < 4; i++) {
                    expected[i] = then ? -x[i] + 1 : Math.abs(x[i]);
                }
                assertThat(f(env, cutSession, x)).containsExactly(expected);
                assertThat(f(env, whole, x)).containsExactly(expected);
            }
        }
    }

    private static float[] f(OrtEnvironment env, OrtSession session, float[] x) throws Exception {
        try (OnnxTensor input = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[] {1, 4});
             OrtSession.Result result = session.run(Map.of("x", input), java.util.Set.of("f"))) {
            return ((float[][]) result.get("f").orElseThrow().getValue())[0];
        }
    }

    /**
     * x[1,4] → a = Relu(x), b = Neg(x), m = Abs(x); cond = ReduceSum(a) > zero; f = If(cond: b + one, else
     * Identity(m)), the branches reading b, the initializer {@code one} and m from around them (ONNX Runtime refuses a
     * branch that outputs an outer tensor with no node between: the made-up graph above covers that); output =
     * MatMul(f, head[4,3]).
     */
    private static ModelProto ifModel() {
        GraphProto thenBranch = GraphProto.newBuilder().setName("then")
                .addNode(OnnxGraphParts.node("Add", List.of("b", "one"), "f_then", Map.of()))
                .addOutput(OnnxGraphParts.tensor("f_then", DataType.FLOAT, 1, 4)).build();
        GraphProto elseBranch = GraphProto.newBuilder().setName("else")
                .addNode(OnnxGraphParts.node("Identity", List.of("m"), "f_else", Map.of()))
                .addOutput(OnnxGraphParts.tensor("f_else", DataType.FLOAT, 1, 4)).build();
        NodeProto ifNode = NodeProto.newBuilder().setOpType("If").setName("f_if").addInput("cond").addOutput("f")
                .addAttribute(AttributeProto.newBuilder().setName("then_branch")
                        .setType(AttributeProto.AttributeType.GRAPH).setG(thenBranch))
                .addAttribute(AttributeProto.newBuilder().setName("else_branch")
                        .setType(AttributeProto.AttributeType.GRAPH).setG(elseBranch))
                .build();
        TensorProto.Builder head = TensorProto.newBuilder().setName("head").setDataType(DataType.FLOAT_VALUE).addDims(4).addDims(3);
        for (int i = 0; i < 12; i++) {
            head.addFloatData(i);
        }
        GraphProto graph = GraphProto.newBuilder().setName("if-model")
                .addInput(OnnxGraphParts.tensor("x", DataType.FLOAT, 1, 4))
                .addInitializer(TensorProto.newBuilder().setName("one").setDataType(DataType.FLOAT_VALUE).addFloatData(1))
                .addInitializer(TensorProto.newBuilder().setName("zero").setDataType(DataType.FLOAT_VALUE).addFloatData(0))
                .addInitializer(head)
                .addNode(OnnxGraphParts.node("Relu", List.of("x"), "a", Map.of()))
                .addNode(OnnxGraphParts.node("Neg", List.of("x"), "b", Map.of()))
                .addNode(OnnxGraphParts.node("Abs", List.of("x"), "m", Map.of()))
                .addNode(OnnxGraphParts.node("ReduceSum", List.of("a"), "s", Map.of("keepdims", 0)))
                .addNode(OnnxGraphParts.node("Greater", List.of("s", "zero"), "cond", Map.of()))
                .addNode(ifNode)
                .addNode(OnnxGraphParts.node("MatMul", List.of("f", "head"), "output", Map.of()))
                .addOutput(OnnxGraphParts.tensor("output", DataType.FLOAT, 1, 3))
                .build();
        return ModelProto.newBuilder().setIrVersion(Version.IR_VERSION_2021_7_30_VALUE)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(13))
                .setProducerName("orchard test").setGraph(graph).build();
    }

    /** A NodeProto: inputs (field 1), outputs (2), and an attribute (5) holding an int (3). */
    private static ByteString node(List<String> inputs, List<String> outputs) {
        return node(inputs, outputs, null);
    }

    /** A NodeProto: inputs (field 1), outputs (2), and an attribute (5) holding {@code subgraph} (6), or an int (3). */
    private static ByteString node(List<String> inputs, List<String> outputs, ByteString subgraph) {
        UnknownFieldSet.Builder node = UnknownFieldSet.newBuilder();
        inputs.forEach(i -> node.mergeField(1, field(ByteString.copyFromUtf8(i))));
        outputs.forEach(o -> node.mergeField(2, field(ByteString.copyFromUtf8(o))));
        node.mergeField(4, field(ByteString.copyFromUtf8("Op")));
        UnknownFieldSet.Builder attribute = UnknownFieldSet.newBuilder().mergeField(1, field(ByteString.copyFromUtf8("a")));
        if (subgraph != null) {
            attribute.mergeField(6, field(subgraph));
        } else {
            attribute.mergeField(3, UnknownFieldSet.Field.newBuilder().addVarint(1).build());
        }
        node.mergeField(5, field(attribute.build().toByteString()));
        return node.build().toByteString();
    }

    /** A GraphProto of {@code nodes}, with inputs and initializers of those names, and one output. */
    private static ByteString graphProto(List<ByteString> nodes, List<String> inputs, List<String> initializers, String output) {
        UnknownFieldSet.Builder graph = UnknownFieldSet.newBuilder();
        nodes.forEach(n -> graph.mergeField(GRAPH_NODE, field(n)));
        initializers.forEach(i -> graph.mergeField(GRAPH_INITIALIZER, field(message(Map.of(8, i)))));
        inputs.forEach(i -> graph.mergeField(GRAPH_INPUT, field(message(Map.of(1, i)))));
        graph.mergeField(GRAPH_OUTPUT, field(message(Map.of(1, output))));
        return graph.build().toByteString();
    }

    private static byte[] model(UnknownFieldSet graph) {
        return UnknownFieldSet.newBuilder()
                .mergeField(1, UnknownFieldSet.Field.newBuilder().addVarint(7).build())
                .mergeField(MODEL_GRAPH, field(graph.toByteString()))
                .build().toByteArray();
    }

    /** The nodes {@code tensor} depends on, by a plain recursion over protobuf's parse of them. */
    private static java.util.Set<ByteString> ancestors(List<ByteString> nodes, String tensor) throws Exception {
        Map<String, ByteString> producers = new java.util.HashMap<>();
        for (ByteString n : nodes) {
            for (ByteString out : UnknownFieldSet.parseFrom(n).getField(2).getLengthDelimitedList()) {
                producers.put(out.toStringUtf8(), n);
            }
        }
        java.util.Set<ByteString> found = new java.util.HashSet<>();
        addAncestors(producers, tensor, found);
        return found;
    }

    private static void addAncestors(Map<String, ByteString> producers, String tensor, java.util.Set<ByteString> found)
            throws Exception {
        ByteString n = producers.get(tensor);
        if (n != null && found.add(n)) {
            for (ByteString in : UnknownFieldSet.parseFrom(n).getField(1).getLengthDelimitedList()) {
                addAncestors(producers, in.toStringUtf8(), found);
            }
        }
    }

    private static String tensorName(ByteString tensor) {
        try {
            return UnknownFieldSet.parseFrom(tensor).getField(8).getLengthDelimitedList().get(0).toStringUtf8();
        } catch (InvalidProtocolBufferException e) {
            throw new AssertionError(e);
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
