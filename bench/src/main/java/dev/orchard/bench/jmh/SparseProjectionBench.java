package dev.orchard.bench.jmh;

import dev.orchard.protocol.ModelSpec;
import dev.orchard.stats.SparseRandomProjection;
import dev.orchard.worker.model.InferenceSettings;
import dev.orchard.worker.model.OnnxModel;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The sparse random projection of the unpooled map ({@code --feature-tensor 627 --reduce srp --srp-dim 2048}): one
 * batch of 32 real fruit images' 62,720-d activations (from the FP32 model, 62 % of them zero) to 2,048 dimensions.
 * <ul>
 * <li>{@code batch32}: {@link SparseRandomProjection#project(float[], int, float[])} as the job calls it;</li>
 * <li>{@code rowByRow}: the code before the twenty-third session (each row on its own: every nonzero of R scattered
 *     into one row's sums, zero inputs skipped), kept here for comparison. Both give the same bits.</li>
 * </ul>
 * Time per image (row).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class SparseProjectionBench {
    static final int ROWS = 32;
    static final int K = 2048;

    private SparseRandomProjection projection;
    private float[] batch;
    private float[] out;
    private int inputDim;
    /** The previous layout: nonzeros of input coordinate i at entries[start[i] .. start[i + 1] − 1], ~j for −. */
    private int[] start;
    private int[] entries;

    @Setup
    public void setup() throws Exception {
        Path shared = BenchData.sharedDir();
        ModelSpec spec = ModelSpec.mobileNetV2().withFeatureTensor("627", true);
        FloatBuffer input = BenchData.fruitBatch(shared, ROWS, spec);
        Path path = BenchData.model(shared, "mobilenetv2-12-float32-dequantized.onnx");
        InferenceSettings twoThreads = new InferenceSettings(2, false);
        try (OnnxModel model = OnnxModel.load(Files.readAllBytes(path), path.toString(), spec, twoThreads)) {
            batch = model.run(input, ROWS, spec.featureTensor());
        }
        inputDim = batch.length / ROWS;
        projection = new SparseRandomProjection(inputDim, K, 42);
        out = new float[ROWS * K];
        start = new int[inputDim + 1];
        int[] all = new int[(int) projection.nonZeros()];
        int n = 0;
        for (int i = 0; i < inputDim; i++) {
            start[i] = n;
            for (int j = 0; j < K; j++) {
                double e = projection.entry(j, i);
                if (e != 0) {
                    all[n++] = e > 0 ? j : ~j;
                }
            }
        }
        start[inputDim] = n;
        entries = Arrays.copyOf(all, n);
        float[] check = new float[ROWS * K];
        rowByRow(check);
        projection.project(batch, ROWS, out);
        if (!Arrays.equals(check, out)) {
            throw new IllegalStateException("the two ways differ");
        }
    }

    @Benchmark
    @OperationsPerInvocation(ROWS)
    public float[] batch32() {
        projection.project(batch, ROWS, out);
        return out;
    }

    @Benchmark
    @OperationsPerInvocation(ROWS)
    public float[] rowByRow() {
        rowByRow(out);
        return out;
    }

    private void rowByRow(float[] result) {
        double[] sums = new double[K];
        double scale = projection.scale();
        for (int r = 0; r < ROWS; r++) {
            Arrays.fill(sums, 0);
            int from = r * inputDim;
            for (int i = 0; i < inputDim; i++) {
                float xi = batch[from + i];
                if (xi == 0) {
                    continue;
                }
                for (int p = start[i], end = start[i + 1]; p < end; p++) {
                    int e = entries[p];
                    int negative = e >> 31;
                    sums[e ^ negative] += (1 | negative) * xi;
                }
            }
            for (int j = 0; j < K; j++) {
                result[r * K + j] = (float) (sums[j] * scale);
            }
        }
    }
}
