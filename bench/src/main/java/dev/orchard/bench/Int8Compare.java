package dev.orchard.bench;

import dev.orchard.bench.jmh.BenchData;
import dev.orchard.protocol.ModelSpec;
import dev.orchard.worker.image.Preprocessor;
import dev.orchard.worker.model.InferenceSettings;
import dev.orchard.worker.model.OnnxModel;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * INT8 against FP32 MobileNetV2 on the same preprocessed tensors (issue 5, part 4): throughput of each with the
 * same batch and threads in the same JVM, how close the INT8 logits and pooled features are to the FP32 ones,
 * and top-1 on the three shared test photos.
 * <pre>java -cp bench/target/orchard-bench.jar dev.orchard.bench.Int8Compare SHARED_DIR [BATCH] [THREADS] [ROUNDS]</pre>
 * Every image is decoded and preprocessed once, before any timing; a timed pass is only ONNX Runtime runs
 * (through {@link OnnxModel#run}, as the job calls it) over all sample images. Timed passes alternate FP32,
 * INT8, FP32, … so that load from other processes on a shared machine hits both models alike.
 * <p>The FP32 file was derived from the INT8 one (its weights are the dequantized INT8 weights), so the gap
 * measured here is the cost of INT8 activations and integer arithmetic alone, not of weight rounding.
 */
public final class Int8Compare {
    static final String FP32_FILE = "mobilenetv2-12-float32-dequantized.onnx";
    static final String INT8_FILE = "mobilenetv2-12-int8.onnx";
    static final String LOGITS = "output";
    /** FP32 pooled features, [N,1280,1,1]: GlobalAveragePool of {@link #MAP}. */
    static final String POOLED = "464";
    /**
     * The last feature map, [N,1280,7,7]. The INT8 file has no float 1280-d tensor (its pooled {@code 464_quantized}
     * is uint8) but it dequantizes this map to float for a Shape node, so INT8 features = its spatial mean.
     */
    static final String MAP = "627";
    static final int CHANNELS = 1280;

    private Int8Compare() {
    }

    public static void main(String[] args) throws Exception {
        Path shared = Path.of(args.length > 0 ? args[0] : "../shared").toAbsolutePath().normalize();
        int batch = args.length > 1 ? Integer.parseInt(args[1]) : 32;
        int threads = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 3;

        // Both files end in the 1000 logits 'output': fetch the same tensor from each, and nothing else.
        ModelSpec spec = ModelSpec.mobileNetV2().withFeatureTensor(LOGITS, false);
        Preprocessor pre = new Preprocessor(spec);
        int size = pre.imageSize();
        List<Path> images = BenchData.fruitImages(shared);
        int n = images.size();
        FloatBuffer tensors = BenchData.tensorBuffer(n, pre);
        BenchData.preprocess(images, tensors, spec);
        List<String> classes = Files.readAllLines(shared.resolve("models/imagenet_classes.txt"));
        InferenceSettings settings = new InferenceSettings(threads, false);

        System.out.printf("# INT8 vs FP32 MobileNetV2%n%n%d images of %s, batch %d, %d intra-op threads, spinning off, "
                + "%d timed passes per model after 1 warm-up pass, %d cores visible.%n%n", n,
                shared.resolve("data/fruits360-sample"), batch, threads, rounds, Runtime.getRuntime().availableProcessors());
        try (OnnxModel fp32 = load(shared, FP32_FILE, spec, settings);
             OnnxModel int8 = load(shared, INT8_FILE, spec, settings)) {
            // The first pass of each model is the warm-up (ORT plans memory per input shape) and gives the logits.
            float[][] fpLogits = pass(fp32, LOGITS, tensors, n, batch, size, UnaryOperator.identity());
            float[][] i8Logits = pass(int8, LOGITS, tensors, n, batch, size, UnaryOperator.identity());
            long fpNanos = 0;
            long i8Nanos = 0;
            for (int r = 0; r < rounds; r++) {
                long t0 = System.nanoTime();
                pass(fp32, LOGITS, tensors, n, batch, size, UnaryOperator.identity());
                long t1 = System.nanoTime();
                pass(int8, LOGITS, tensors, n, batch, size, UnaryOperator.identity());
                fpNanos += t1 - t0;
                i8Nanos += System.nanoTime() - t1;
            }
            double fpRate = (double) n * rounds / (fpNanos / 1e9);
            double i8Rate = (double) n * rounds / (i8Nanos / 1e9);
            System.out.printf("| model (output '%s') | images/s |%n|---|---:|%n", LOGITS);
            System.out.printf("| FP32 %s | %.1f |%n", FP32_FILE, fpRate);
            System.out.printf("| INT8 %s | %.1f |%n", INT8_FILE, i8Rate);
            System.out.printf("| speed-up INT8 / FP32 | %.2f× |%n%n", i8Rate / fpRate);

            LogitAgreement a = LogitAgreement.of(fpLogits, i8Logits);
            System.out.printf("| INT8 vs FP32 on the sample | value |%n|---|---:|%n");
            System.out.printf("| logits cosine, mean / min / 5th percentile | %.4f / %.4f / %.4f |%n",
                    a.cosine().mean(), a.cosine().min(), a.cosine().p5());
            System.out.printf("| top-1 agreement, all images | %d / %d = %.1f%% |%n", a.top1Same(), n, percent(a.top1Same(), n));
            System.out.printf("| top-1 agreement where FP32 top-1 p ≥ 0.5 | %d / %d = %.1f%% |%n", a.confidentSame(),
                    a.confident(), percent(a.confidentSame(), a.confident()));
            System.out.printf("| INT8 top-1 within FP32 top-5 | %d / %d = %.1f%% |%n", a.top1InTop5(), n, percent(a.top1InTop5(), n));

            testPhotos(shared, spec, pre, fp32, int8, classes);
        }
        // Features need other fetches (and INT8 an extra graph output): separate sessions, so the timed ones above
        // run the files exactly as they are.
        try (OnnxModel fp32 = load(shared, FP32_FILE, ModelSpec.mobileNetV2(), settings);
             OnnxModel int8 = load(shared, INT8_FILE, ModelSpec.mobileNetV2().withFeatureTensor(MAP, true), settings)) {
            float[][] fpFeatures = pass(fp32, POOLED, tensors, n, batch, size, UnaryOperator.identity());
            float[][] i8Features = pass(int8, MAP, tensors, n, batch, size, Int8Compare::spatialMean);
            CosineStats c = CosineStats.of(fpFeatures, i8Features);
            System.out.printf("%n| 1280-d pooled features (FP32 '%s', INT8 mean of '%s') | value |%n|---|---:|%n", POOLED, MAP);
            System.out.printf("| cosine, mean / min / 5th percentile | %.4f / %.4f / %.4f |%n", c.mean(), c.min(), c.p5());
        }
    }

    static double percent(int part, int whole) {
        return whole == 0 ? Double.NaN : 100.0 * part / whole;
    }

    static OnnxModel load(Path shared, String file, ModelSpec spec, InferenceSettings settings) throws Exception {
        Path path = BenchData.model(shared, file);
        return OnnxModel.load(Files.readAllBytes(path), path.toString(), spec, settings);
    }

    /**
     * Runs every image once in batches of {@code batch} (the last one shorter), fetching {@code output}, and returns
     * {@code perImage} of each image's slice of it.
     */
    static float[][] pass(OnnxModel model, String output, FloatBuffer tensors, int n, int batch, int imageSize,
                          UnaryOperator<float[]> perImage) throws Exception {
        float[][] rows = new float[n][];
        for (int start = 0; start < n; start += batch) {
            int m = Math.min(batch, n - start);
            float[] out = model.run(tensors.slice(start * imageSize, m * imageSize), m, output);
            int width = out.length / m;
            for (int i = 0; i < m; i++) {
                rows[start + i] = perImage.apply(Arrays.copyOfRange(out, i * width, (i + 1) * width));
            }
        }
        return rows;
    }

    /** [C,H,W] flattened → the mean over H×W per channel: what GlobalAveragePool computes. */
    static float[] spatialMean(float[] map) {
        int cells = map.length / CHANNELS;
        float[] pooled = new float[CHANNELS];
        for (int c = 0; c < CHANNELS; c++) {
            double sum = 0;
            for (int i = c * cells, end = i + cells; i < end; i++) {
                sum += map[i];
            }
            pooled[c] = (float) (sum / cells);
        }
        return pooled;
    }

    /** Top-1 of both models on each test photo; the file names say what each photo shows. */
    static void testPhotos(Path shared, ModelSpec spec, Preprocessor pre, OnnxModel fp32, OnnxModel int8,
                           List<String> classes) throws Exception {
        List<Path> photos;
        try (Stream<Path> list = Files.list(shared.resolve("models/testimages"))) {
            photos = list.sorted().toList();
        }
        int k = photos.size();
        FloatBuffer tensors = BenchData.tensorBuffer(k, pre);
        BenchData.preprocess(photos, tensors, spec);
        float[][] fp = pass(fp32, LOGITS, tensors, k, k, pre.imageSize(), UnaryOperator.identity());
        float[][] i8 = pass(int8, LOGITS, tensors, k, k, pre.imageSize(), UnaryOperator.identity());
        System.out.printf("%n| test photo | FP32 top-1 (p) | INT8 top-1 (p) |%n|---|---|---|%n");
        for (int i = 0; i < k; i++) {
            System.out.printf("| %s | %s | %s |%n", photos.get(i).getFileName(), top1(fp[i], classes), top1(i8[i], classes));
        }
    }

    static String top1(float[] logits, List<String> classes) {
        int best = LogitAgreement.argmax(logits);
        return String.format("%d %s (%.3f)", best, best < classes.size() ? classes.get(best) : "?",
                LogitAgreement.topProbability(logits));
    }
}
