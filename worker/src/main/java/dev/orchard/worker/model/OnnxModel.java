package dev.orchard.worker.model;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.orchard.predict.OnnxRuntimeCalls;
import dev.orchard.protocol.ModelSpec;
import java.nio.FloatBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One ONNX Runtime session for a CNN and its spec, made once per JVM and shared by every unit (a session's
 * {@code run} is thread-safe). The session computes the feature tensor alone: the graph is cut down to the nodes it
 * depends on, with it as the graph's output ({@link GraphOutputs#computing}). Checks at load time what would otherwise
 * fail on the first image: the input name, the feature tensor and its size.
 */
public final class OnnxModel implements AutoCloseable {
    static {
        dev.orchard.predict.OnnxRuntimeNatives.useCache();
    }

    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final OrtSession session;
    private final ModelSpec spec;
    private final String sha256;
    private final String source;
    private final int featureDim;

    private OnnxModel(OrtSession session, ModelSpec spec, String sha256, String source, int featureDim) {
        this.session = session;
        this.spec = spec;
        this.sha256 = sha256;
        this.source = source;
        this.featureDim = featureDim;
    }

    /**
     * @param bytes  the ONNX file
     * @param source where it came from, for messages
     */
    public static OnnxModel load(byte[] bytes, String source, ModelSpec spec, InferenceSettings settings)
            throws ModelException {
        return load(bytes, source, spec, settings, List.of());
    }

    /**
     * As {@link #load(byte[], String, ModelSpec, InferenceSettings)}, the session also computing the tensors
     * {@code alsoComputed} (for {@link #run}: a tool that compares a model's logits, say).
     */
    public static OnnxModel load(byte[] bytes, String source, ModelSpec spec, InferenceSettings settings,
                                 List<String> alsoComputed) throws ModelException {
        // The SHA-256 of a 14 MB model takes ~0.4 s in a fresh JVM (SHA-256 runs as plain Java code until the JIT's
        // last tier compiles it): on its own thread, it overlaps ONNX Runtime's session set-up instead of preceding it.
        java.util.concurrent.FutureTask<String> hashing = new java.util.concurrent.FutureTask<>(() -> sha256(bytes));
        Thread hasher = new Thread(hashing, "orchard-model-sha256");
        hasher.setDaemon(true);
        hasher.start();
        byte[] graph = bytes;
        try {
            GraphOutputs read = GraphOutputs.read(bytes);
            List<String> outputs = read.outputs();
            Set<String> tensors = read.nodeOutputs();
            for (String other : alsoComputed) {
                if (!tensors.contains(other)) {
                    throw new ModelException("Model " + source + " has no tensor '" + other + "' (graph outputs: "
                            + outputs + ")");
                }
            }
            if (tensors.contains(spec.featureTensor())) {
                // Only what the features need: MobileNetV2's classifier (a 1280×1000 MatMul, 37 % of the file's
                // weights) ran on every image for nothing, ~1 % of ONNX Runtime's time (bench/RESULTS.md).
                List<String> computed = new ArrayList<>(List.of(spec.featureTensor()));
                computed.addAll(alsoComputed);
                graph = read.computing(computed);
            } else if (!outputs.contains(spec.featureTensor())) {
                throw new ModelException("Model " + source + " has no tensor '" + spec.featureTensor()
                        + "' to take features from. Graph outputs: " + outputs + "; the last tensors before them: "
                        + tail(tensors, 12) + " (" + tensors.size() + " in all). Name one with --feature-tensor "
                        + "or in the --model-spec file.");
            }
        } catch (InvalidProtocolBufferException e) {
            throw new ModelException("Model " + source + " is not a readable ONNX file (" + e.getMessage()
                    + "). Download the ONNX Model Zoo file mobilenetv2-12.onnx or point --model at an .onnx file.", e);
        }
        OrtSession session = null;
        try (OnnxRuntimeCalls.Call call = OnnxRuntimeCalls.enter()) {
            OrtEnvironment env = OrtEnvironment.getEnvironment();
            OrtSession.SessionOptions options = new OrtSession.SessionOptions();
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            options.setIntraOpNumThreads(settings.intraOpThreads());
            options.setInterOpNumThreads(1);
            options.addConfigEntry("session.intra_op.allow_spinning", settings.spinning() ? "1" : "0");
            session = env.createSession(graph, options);
            if (!session.getInputNames().contains(spec.inputName())) {
                throw new ModelException("Model " + source + " has no input '" + spec.inputName() + "'; its inputs are "
                        + session.getInputNames() + ". Set the input name in the --model-spec file.");
            }
            NodeInfo input = session.getInputInfo().get(spec.inputName());
            if (input.getInfo() instanceof TensorInfo t && t.getShape().length != 4) {
                throw new ModelException("Model " + source + " input '" + spec.inputName() + "' has shape "
                        + java.util.Arrays.toString(t.getShape()) + "; Orchard feeds image batches [N,3,H,W]");
            }
            OnnxModel model = new OnnxModel(session, spec, null, source, 0);
            int dim = model.probeFeatureDim();
            return new OnnxModel(session, spec, digest(hashing), source, dim);
        } catch (OrtException e) {
            closeQuietly(session);
            throw new ModelException("ONNX Runtime cannot load model " + source + ": " + e.getMessage(), e);
        } catch (ModelException | RuntimeException e) {
            closeQuietly(session);
            throw e;
        }
    }

    public ModelSpec spec() {
        return spec;
    }

    public String sha256() {
        return sha256;
    }

    public int featureDim() {
        return featureDim;
    }

    public OrtSession session() {
        return session;
    }

    /**
     * Runs {@code n} preprocessed images held at the start of {@code batch} (n × 3 × H × W floats) and returns
     * their features, row-major n × {@link #featureDim()}.
     */
    public float[] features(FloatBuffer batch, int n) throws OrtException {
        return run(batch, n, spec.featureTensor());
    }

    /**
     * As {@link #features(FloatBuffer, int)}, in runs of at most {@code imagesPerRun} images: ONNX Runtime holds a
     * run's activations (for MobileNetV2 at 224×224 about 8 MiB per image) until it ends, so the images in concurrent
     * runs, not the batch, set a worker's memory. The rows are the same as from one run.
     */
    public float[] features(FloatBuffer batch, int n, int imagesPerRun) throws OrtException {
        if (imagesPerRun >= n) {
            return features(batch, n);
        }
        int size = 3 * spec.inputHeight() * spec.inputWidth();
        float[] rows = new float[n * featureDim];
        for (int first = 0; first < n; first += imagesPerRun) {
            int count = Math.min(imagesPerRun, n - first);
            float[] part = features(batch.slice(first * size, count * size), count);
            System.arraycopy(part, 0, rows, first * featureDim, part.length);
        }
        return rows;
    }

    /**
     * Runs the batch and returns output {@code name} flattened per image (n × rest): the feature tensor, or one the
     * model was loaded to compute as well.
     */
    public float[] run(FloatBuffer batch, int n, String name) throws OrtException {
        long[] shape = {n, 3, spec.inputHeight(), spec.inputWidth()};
        int size = 3 * spec.inputHeight() * spec.inputWidth();
        // A direct buffer is handed to ONNX Runtime without a copy.
        try (OnnxRuntimeCalls.Call call = OnnxRuntimeCalls.enter();
             OnnxTensor input = OnnxTensor.createTensor(env, batch.slice(0, n * size), shape);
             OrtSession.Result result = session.run(Map.of(spec.inputName(), input), Set.of(name))) {
            OnnxValue value = result.get(name).orElseThrow();
            FloatBuffer out = ((OnnxTensor) value).getFloatBuffer();
            float[] values = new float[out.remaining()];
            out.get(values);
            if (values.length % n != 0) {
                throw new IllegalStateException("output " + name + " has " + values.length + " values for " + n + " images");
            }
            return values;
        }
    }

    /**
     * Runs {@code images} blank images at once, so ONNX Runtime plans its memory for the shape of the runs to come
     * before the first real one (the first run of a shape is several times slower than the next).
     */
    public void warmUp(int images) throws OrtException {
        FloatBuffer blank = java.nio.ByteBuffer.allocateDirect(images * 3 * spec.inputHeight() * spec.inputWidth() * 4)
                .order(java.nio.ByteOrder.nativeOrder()).asFloatBuffer();
        features(blank, images);
    }

    /** Runs one blank image to learn the feature size (the exposed tensor's shape may be unknown until run). */
    private int probeFeatureDim() throws OrtException, ModelException {
        FloatBuffer blank = FloatBuffer.allocate(3 * spec.inputHeight() * spec.inputWidth());
        long[] shape;
        try (OnnxTensor input = OnnxTensor.createTensor(env, blank,
                new long[] {1, 3, spec.inputHeight(), spec.inputWidth()});
             OrtSession.Result result = session.run(Map.of(spec.inputName(), input), Set.of(spec.featureTensor()))) {
            TensorInfo info = (TensorInfo) result.get(0).getInfo();
            if (info.type != ai.onnxruntime.OnnxJavaType.FLOAT) {
                // INT8/UINT8 are a quantized model's activations; a wider integer tensor is a shape or an index.
                String what = switch (info.type) {
                    case INT8, UINT8 -> " (a quantized tensor)";
                    case INT16, INT32, INT64 -> " (a shape, an index or a count, not features)";
                    default -> "";
                };
                throw new ModelException("Feature tensor '" + spec.featureTensor() + "' of " + source + " holds "
                        + info.type + " values, not 32-bit floats" + what + ": choose a float tensor, e.g. the model's"
                        + " dequantized output or 'output'");
            }
            shape = info.getShape();
        }
        long dim = 1;
        for (int i = 1; i < shape.length; i++) {
            dim *= shape[i];
        }
        if (!spec.flatten() && shape.length != 2) {
            throw new ModelException("Feature tensor '" + spec.featureTensor() + "' of " + source + " has shape "
                    + java.util.Arrays.toString(shape) + ": set flatten to true in the model spec to use it as a vector");
        }
        if (dim > Integer.MAX_VALUE / 4) {
            throw new ModelException("Feature tensor '" + spec.featureTensor() + "' has " + dim + " values per image");
        }
        return (int) dim;
    }

    private static String digest(java.util.concurrent.FutureTask<String> hashing) throws ModelException {
        try {
            return hashing.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ModelException("interrupted while hashing the model", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException("cannot hash the model: " + e.getCause(), e.getCause());
        }
    }

    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<String> tail(Set<String> names, int n) {
        List<String> all = new ArrayList<>(names);
        return all.subList(Math.max(0, all.size() - n), all.size());
    }

    private static void closeQuietly(OrtSession session) {
        if (session != null) {
            try {
                session.close();
            } catch (OrtException ignored) {
                // already failing; the original error is the one to report
            }
        }
    }

    @Override
    public void close() throws OrtException {
        try (OnnxRuntimeCalls.Call call = OnnxRuntimeCalls.enterUnlessExiting()) {
            if (call != null) { // an exiting JVM frees it
                session.close();
            }
        }
    }

    @Override
    public String toString() {
        return source + " (sha256 " + sha256.substring(0, 12) + "…, " + featureDim + "-d features from '"
                + spec.featureTensor() + "')";
    }
}
