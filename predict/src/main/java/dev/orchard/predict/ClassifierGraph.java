package dev.orchard.predict;

import static dev.orchard.predict.OnnxGraphParts.node;
import static dev.orchard.predict.OnnxGraphParts.tensor;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import ai.onnx.proto.OnnxMl.Version;
import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a {@link LinearClassifier} as {@code classifier.onnx}, one graph from the vector to the label:
 * <pre>
 *   vector  float[N, d]
 *     → Cast(double) → Sub(mean) → Mul(inverse_std)             standardisation, as in training
 *     → Gemm(weights[C, d]ᵀ, bias[C])                            → linear  double[N, C], one linear score per class
 *     → Identity | Sigmoid | Softmax(axis 1)                     → scores  double[N, C]
 *   linear → ArgMax(axis 1) → Gather(classes)                    → label   string[N]
 *   scores → ReduceMax(axis 1)                                   → score   double[N]
 * </pre>
 * The label is the class of the first highest linear score, not of the first highest score: σ rounds every logit
 * above ~37 to 1.0, and one-vs-all classes whose logits differed tied there and went to the first in name order
 * (σ being monotone, the two rules agree everywhere else).
 * Computed in double after the input: the Java model computes in double from the same float vectors, so the two
 * agree to rounding (~1e-15), not to float32's ~1e-7, and the predicted label is the same except on exact ties.
 * The cost is nothing next to the CNN that made the features (C·d multiply-adds per image).
 *
 * <p>Metadata ({@code metadata_props}): {@link #FORMAT} = {@value #FORMAT_VERSION}; the expected input
 * ({@link VectorProvenance#toMetadata()}); {@link #CLASS_COUNT} and {@link #CLASS_PREFIX}{@code i} for each class;
 * {@link #SCORE} (probability or margin); then the caller's description (mode, learner, C…).
 *
 * <p>Written with the ONNX protobuf classes that Tribuo ships ({@code tribuo-util-onnx}, generated from
 * onnx.proto). Not with Tribuo's own exporters: its {@code ONNXContext} declares float inputs and outputs only and
 * has neither ArgMax, ReduceMax nor string tensors, and its LIBLINEAR exporter gives a binary logistic model
 * softmax([s, −s]) = σ(2s) where LIBLINEAR (and Tribuo's Java predictions) give σ(s).
 */
public final class ClassifierGraph {
    /** Graph input: the vectors, one row each. */
    public static final String INPUT = "vector";
    /** Graph output: every class's score, in class order. */
    public static final String SCORES = "scores";
    /**
     * Graph output: every class's linear score (w·z + b) before the link, in class order, which the label is the first
     * highest of. Files written before 2026-12-07 lack it: their label is of the first highest {@link #SCORES}.
     */
    public static final String LINEAR = "linear";
    /** Graph output: the predicted class's name. */
    public static final String LABEL = "label";
    /** Graph output: the predicted class's score (the row's maximum of {@link #SCORES}). */
    public static final String SCORE = "score";

    public static final String FORMAT = "orchard.format";
    public static final String FORMAT_VERSION = "orchard-classifier/1";
    public static final String CLASS_COUNT = "orchard.classes";
    public static final String CLASS_PREFIX = "orchard.class.";
    public static final String SCORE_MEANING = "orchard.score";

    static final int OPSET = 17;
    private static final String BATCH = "N";

    /** The graph's class names, in score order: what {@link #LABEL} gathers from. */
    static final String CLASSES = "classes";

    private ClassifierGraph() {
    }

    /** The ONNX model's bytes. */
    public static byte[] write(LinearClassifier model) {
        return proto(model).toByteArray();
    }

    static ModelProto proto(LinearClassifier model) {
        int d = model.dimension();
        int c = model.classes().size();
        GraphProto.Builder g = GraphProto.newBuilder().setName("orchard_linear_classifier")
                .setDocString("standardise, one linear score per class, " + model.link().name().toLowerCase(java.util.Locale.ROOT)
                        + "; label = argmax of the linear scores");
        g.addInput(tensor(INPUT, DataType.FLOAT, BATCH, d));
        g.addInitializer(doubles("mean", model.mean(), d));
        g.addInitializer(doubles("inverse_std", model.inverseStd(), d));
        double[] weights = new double[c * d];
        for (int k = 0; k < c; k++) {
            System.arraycopy(model.weights()[k], 0, weights, k * d, d);
        }
        g.addInitializer(doubles("weights", weights, c, d));
        g.addInitializer(doubles("bias", model.bias(), c));
        TensorProto.Builder classes = TensorProto.newBuilder().setName(CLASSES).setDataType(DataType.STRING_VALUE).addDims(c);
        model.classes().forEach(name -> classes.addStringData(ByteString.copyFromUtf8(name)));
        g.addInitializer(classes);

        g.addNode(node("Cast", List.of(INPUT), "vector_double", Map.of("to", DataType.DOUBLE_VALUE)));
        g.addNode(node("Sub", List.of("vector_double", "mean"), "centred", Map.of()));
        g.addNode(node("Mul", List.of("centred", "inverse_std"), "standardised", Map.of()));
        g.addNode(node("Gemm", List.of("standardised", "weights", "bias"), LINEAR, Map.of("transB", 1)));
        switch (model.link()) {
            case MARGIN -> g.addNode(node("Identity", List.of(LINEAR), SCORES, Map.of()));
            case SIGMOID -> g.addNode(node("Sigmoid", List.of(LINEAR), SCORES, Map.of()));
            case SOFTMAX -> g.addNode(node("Softmax", List.of(LINEAR), SCORES, Map.of("axis", 1)));
        }
        g.addNode(node("ArgMax", List.of(LINEAR), "predicted_index", Map.of("axis", 1, "keepdims", 0)));
        g.addNode(node("Gather", List.of(CLASSES, "predicted_index"), LABEL, Map.of("axis", 0)));
        g.addNode(node("ReduceMax", List.of(SCORES), SCORE, Map.of("axes", List.of(1L), "keepdims", 0)));

        g.addOutput(tensor(SCORES, DataType.DOUBLE, BATCH, c));
        g.addOutput(tensor(LABEL, DataType.STRING, BATCH));
        g.addOutput(tensor(SCORE, DataType.DOUBLE, BATCH));
        g.addOutput(tensor(LINEAR, DataType.DOUBLE, BATCH, c));

        ModelProto.Builder m = ModelProto.newBuilder()
                .setIrVersion(Version.IR_VERSION_2021_7_30_VALUE) // IR 8; with opset 17, read by ONNX Runtime 1.12 and later
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
                .setProducerName("orchard classify")
                .setDomain("dev.orchard")
                .setModelVersion(1)
                .setDocString("A linear classifier trained by orchard classify on a job's " + model.input().kind().column()
                        + ". Input '" + INPUT + "' float[N, " + d + "]; outputs '" + SCORES + "' double[N, " + c + "], '"
                        + LABEL + "' string[N], '" + SCORE + "' double[N], '" + LINEAR + "' double[N, " + c + "].")
                .setGraph(g);
        metadata(model).forEach((k, v) -> m.addMetadataProps(StringStringEntryProto.newBuilder().setKey(k).setValue(v)));
        return m.build();
    }

    /** Every metadata entry, in the order written. */
    static Map<String, String> metadata(LinearClassifier model) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(FORMAT, FORMAT_VERSION);
        m.putAll(model.input().toMetadata());
        m.put(SCORE_MEANING, model.link().scoreMeaning());
        m.put(CLASS_COUNT, String.valueOf(model.classes().size()));
        for (int k = 0; k < model.classes().size(); k++) {
            m.put(CLASS_PREFIX + k, model.classes().get(k));
        }
        model.description().entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(e -> m.putIfAbsent(e.getKey(), e.getValue()));
        return m;
    }

    private static TensorProto doubles(String name, double[] values, int... dims) {
        ByteBuffer raw = ByteBuffer.allocate(values.length * Double.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (double v : values) {
            raw.putDouble(v);
        }
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(DataType.DOUBLE_VALUE)
                .setRawData(ByteString.copyFrom(raw.array()));
        for (int dim : dims) {
            t.addDims(dim);
        }
        return t.build();
    }
}
