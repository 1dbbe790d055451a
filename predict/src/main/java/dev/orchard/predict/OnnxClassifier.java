package dev.orchard.predict;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import java.nio.FloatBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A {@code classifier.onnx} loaded into ONNX Runtime: says which vectors it expects ({@link #input()}, to check
 * against a job with {@link VectorProvenance#requireReadable}) and labels batches of them. Thread-safe: one
 * instance serves every thread of a JVM (a session's {@code run} is), and runs single-threaded inside, since its
 * work per batch (a C×d matrix product) is far too small to split.
 */
public final class OnnxClassifier implements AutoCloseable {
    static {
        OnnxRuntimeNatives.useCache();
    }

    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final OrtSession session;
    private final String source;
    private final String sha256;
    private final VectorProvenance input;
    private final List<String> classes;
    private final String scoreMeaning;
    private final Map<String, String> metadata;
    /** The output whose first highest value is the label: the linear scores, or the scores in an older file. */
    private final String labelledBy;

    private OnnxClassifier(OrtSession session, String source, String sha256, VectorProvenance input,
                           List<String> classes, String scoreMeaning, Map<String, String> metadata) {
        this.session = session;
        this.source = source;
        this.sha256 = sha256;
        this.input = input;
        this.classes = classes;
        this.scoreMeaning = scoreMeaning;
        this.metadata = metadata;
        this.labelledBy = session.getOutputNames().contains(ClassifierGraph.LINEAR) ? ClassifierGraph.LINEAR
                : ClassifierGraph.SCORES;
    }

    /**
     * Loads and checks a classifier file.
     *
     * @param bytes  the file's contents
     * @param source where it came from, for messages
     * @throws ClassifierException when the bytes are not an ONNX model written by {@code orchard classify}
     */
    public static OnnxClassifier load(byte[] bytes, String source) {
        OrtSession session = null;
        try (OnnxRuntimeCalls.Call call = OnnxRuntimeCalls.enter()) {
            OrtSession.SessionOptions options = new OrtSession.SessionOptions();
            options.setIntraOpNumThreads(1);
            options.setInterOpNumThreads(1);
            options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            options.addConfigEntry("session.intra_op.allow_spinning", "0");
            try {
                session = OrtEnvironment.getEnvironment().createSession(bytes, options);
            } catch (OrtException e) {
                throw new ClassifierException("Classifier " + source + " is not a readable ONNX model (" + e.getMessage()
                        + "). Give the classifier.onnx that orchard classify wrote.", e);
            }
            // The file's own strings, not ONNX Runtime's: its Java API hands strings out through JNI's NewStringUTF,
            // which reads modified UTF-8 and garbles a character beyond the Basic Multilingual Plane (a class
            // named "Kiwi 🥝" came back as "Kiwi ð", and orchard classify failed its own check of the export).
            ModelProto proto = ModelProto.parseFrom(bytes);
            Map<String, String> metadata = metadata(proto);
            if (!ClassifierGraph.FORMAT_VERSION.equals(metadata.get(ClassifierGraph.FORMAT))) {
                throw new ClassifierException("Classifier " + source + " is an ONNX model but not one orchard classify"
                        + " wrote (metadata " + ClassifierGraph.FORMAT + " is "
                        + (metadata.containsKey(ClassifierGraph.FORMAT) ? "'" + metadata.get(ClassifierGraph.FORMAT) + "'"
                        : "missing") + ", expected '" + ClassifierGraph.FORMAT_VERSION + "'). Give the classifier.onnx"
                        + " that orchard classify wrote.");
            }
            VectorProvenance input = VectorProvenance.fromMetadata(metadata, "Classifier " + source);
            checkSignature(session, source, input.dimension());
            List<String> classes = classes(metadata, source);
            checkClassesInGraph(proto, classes, source);
            OnnxClassifier classifier = new OnnxClassifier(session, source, sha256(bytes), input,
                    classes, metadata.getOrDefault(ClassifierGraph.SCORE_MEANING, "score"), metadata);
            session = null; // owned by the classifier now
            return classifier;
        } catch (OrtException e) {
            throw new ClassifierException("Classifier " + source + ": ONNX Runtime cannot describe it (" + e.getMessage() + ")", e);
        } catch (InvalidProtocolBufferException e) {
            throw new ClassifierException("Classifier " + source + " is not a readable ONNX model (" + e.getMessage()
                    + "). Give the classifier.onnx that orchard classify wrote.", e);
        } finally {
            if (session != null) {
                try {
                    session.close();
                } catch (OrtException e) {
                    // already failing with the reason above
                }
            }
        }
    }

    /** The vectors it was trained on: kind, dimension, feature source, PCA model. */
    public VectorProvenance input() {
        return input;
    }

    /** The classes it predicts, in score order. */
    public List<String> classes() {
        return classes;
    }

    /** {@code probability} or {@code margin}: what {@link Predictions#scores()} are. */
    public String scoreMeaning() {
        return scoreMeaning;
    }

    /** Every {@code metadata_props} entry of the file (mode, learner, C…, besides the input). */
    public Map<String, String> metadata() {
        return metadata;
    }

    /** SHA-256 of the file, hex: names exactly which classifier labelled an output. */
    public String sha256() {
        return sha256;
    }

    public String source() {
        return source;
    }

    /**
     * Labels {@code count} vectors stored row after row in {@code rows} ({@code count × dimension} floats from
     * index 0; the array may be longer).
     * <p>The label is the graph's own rule, the class of the first highest linear score (ONNX's {@code ArgMax}; of the
     * first highest score in a file written before the graph gave its linear scores), taken here from the
     * {@link ClassifierGraph#LINEAR} (or {@link ClassifierGraph#SCORES}) output and the class names the file records ({@link #classes()}, checked
     * against the graph's at load): the graph's {@link ClassifierGraph#LABEL} output comes through ONNX Runtime's
     * JNI strings, which garble characters beyond the Basic Multilingual Plane (emoji in a folder name). The score is
     * the graph's {@link ClassifierGraph#SCORE} output.
     */
    public Predictions predict(float[] rows, int count) throws OrtException {
        return run(rows, count, Set.of(labelledBy, ClassifierGraph.SCORE), r -> new Predictions(
                labels((double[][]) r.get(labelledBy).orElseThrow().getValue()),
                (double[]) r.get(ClassifierGraph.SCORE).orElseThrow().getValue()), new Predictions(new String[0], new double[0]));
    }

    /** Each row's class of the first highest value ({@link #labelledBy}). */
    private String[] labels(double[][] scores) {
        String[] labels = new String[scores.length];
        for (int r = 0; r < scores.length; r++) {
            int top = 0;
            for (int c = 1; c < scores[r].length; c++) {
                if (scores[r][c] > scores[r][top]) {
                    top = c;
                }
            }
            labels[r] = classes.get(top);
        }
        return labels;
    }

    /** Labels each row of {@code rows}; every row must have the classifier's dimension. */
    public Predictions predict(float[][] rows) throws OrtException {
        return predict(flatten(rows), rows.length);
    }

    /** Every class's score for each row, [row][class] in {@link #classes()} order. */
    public double[][] classScores(float[][] rows) throws OrtException {
        return run(flatten(rows), rows.length, Set.of(ClassifierGraph.SCORES),
                r -> (double[][]) r.get(ClassifierGraph.SCORES).orElseThrow().getValue(), new double[0][]);
    }

    @Override
    public void close() throws OrtException {
        try (OnnxRuntimeCalls.Call call = OnnxRuntimeCalls.enterUnlessExiting()) {
            if (call != null) { // an exiting JVM frees it
                session.close();
            }
        }
    }

    private interface Outputs<T> {
        T read(OrtSession.Result result) throws OrtException;
    }

    private <T> T run(float[] rows, int count, Set<String> outputs, Outputs<T> read, T empty) throws OrtException {
        int d = input.dimension();
        if (count < 0 || rows.length < (long) count * d) {
            throw new IllegalArgumentException(count + " rows of " + d + " values need " + (long) count * d
                    + " floats, got " + rows.length);
        }
        if (count == 0) {
            return empty;
        }
        try (OnnxRuntimeCalls.Call call = OnnxRuntimeCalls.enter();
             OnnxTensor tensor = OnnxTensor.createTensor(env, FloatBuffer.wrap(rows, 0, count * d), new long[] {count, d});
             OrtSession.Result result = session.run(Map.of(ClassifierGraph.INPUT, tensor), outputs)) {
            return read.read(result);
        }
    }

    private float[] flatten(float[][] rows) {
        int d = input.dimension();
        float[] flat = new float[rows.length * d];
        for (int r = 0; r < rows.length; r++) {
            if (rows[r].length != d) {
                throw new IllegalArgumentException("row " + r + " has " + rows[r].length + " values; " + source
                        + " reads " + d);
            }
            System.arraycopy(rows[r], 0, flat, r * d, d);
        }
        return flat;
    }

    /** The graph must take float[N, d] as {@code vector} and give the label and score: what the worker relies on. */
    private static void checkSignature(OrtSession session, String source, int dimension) throws OrtException {
        NodeInfo in = session.getInputInfo().get(ClassifierGraph.INPUT);
        boolean inputOk = in != null && in.getInfo() instanceof TensorInfo t && t.type == OnnxJavaType.FLOAT
                && t.getShape().length == 2 && t.getShape()[1] == dimension;
        Map<String, NodeInfo> outs = session.getOutputInfo();
        boolean outputsOk = outs.get(ClassifierGraph.LABEL) != null
                && outs.get(ClassifierGraph.LABEL).getInfo() instanceof TensorInfo l && l.type == OnnxJavaType.STRING
                && outs.get(ClassifierGraph.SCORE) != null
                && outs.get(ClassifierGraph.SCORE).getInfo() instanceof TensorInfo s && s.type == OnnxJavaType.DOUBLE;
        if (!inputOk || !outputsOk) {
            throw new ClassifierException("Classifier " + source + " does not have the graph orchard classify writes"
                    + " (input '" + ClassifierGraph.INPUT + "' float[N, " + dimension + "], outputs '" + ClassifierGraph.LABEL
                    + "' string[N] and '" + ClassifierGraph.SCORE + "' double[N]); it has inputs " + session.getInputInfo().values()
                    + " and outputs " + outs.values() + ".");
        }
    }

    /**
     * Whether {@code bytes} are an ONNX model {@code orchard classify} wrote (its format in the metadata), read without
     * ONNX Runtime: for deciding whether a file of that name is Orchard's to replace.
     */
    public static boolean isOrchards(byte[] bytes) {
        try {
            return ClassifierGraph.FORMAT_VERSION.equals(metadata(ModelProto.parseFrom(bytes)).get(ClassifierGraph.FORMAT));
        } catch (InvalidProtocolBufferException e) {
            return false;
        }
    }

    /** The file's {@code metadata_props}, in order, as its own UTF-8 says. */
    private static Map<String, String> metadata(ModelProto proto) {
        Map<String, String> metadata = new LinkedHashMap<>();
        for (StringStringEntryProto entry : proto.getMetadataPropsList()) {
            metadata.put(entry.getKey(), entry.getValue());
        }
        return java.util.Collections.unmodifiableMap(metadata);
    }

    /** The graph's own class names ({@code classes}, what its label output gathers from) must be the metadata's. */
    private static void checkClassesInGraph(ModelProto proto, List<String> classes, String source) {
        List<String> inGraph = proto.getGraph().getInitializerList().stream()
                .filter(t -> t.getName().equals(ClassifierGraph.CLASSES)).findFirst()
                .map(t -> t.getStringDataList().stream().map(ByteString::toStringUtf8).toList()).orElse(null);
        if (inGraph == null) {
            throw new ClassifierException("Classifier " + source + " has no class names in its graph (initializer '"
                    + ClassifierGraph.CLASSES + "'): it was edited. Export it again with orchard classify.");
        }
        if (!classes.equals(inGraph)) {
            throw new ClassifierException("Classifier " + source + ": the class names its graph labels with " + inGraph
                    + " are not those of its metadata " + classes + ": it was edited. Export it again with orchard classify.");
        }
    }

    private static List<String> classes(Map<String, String> metadata, String source) {
        String count = metadata.get(ClassifierGraph.CLASS_COUNT);
        List<String> classes = new ArrayList<>();
        try {
            for (int k = 0, n = Integer.parseInt(count); k < n; k++) {
                String name = metadata.get(ClassifierGraph.CLASS_PREFIX + k);
                if (name == null) {
                    throw new NumberFormatException("no " + ClassifierGraph.CLASS_PREFIX + k);
                }
                classes.add(name);
            }
        } catch (NumberFormatException e) {
            throw new ClassifierException("Classifier " + source + ": its class names are missing from the metadata ("
                    + e.getMessage() + "). Export it again with orchard classify.");
        }
        return List.copyOf(classes);
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
