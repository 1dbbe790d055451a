package dev.orchard.bench.jmh;

import dev.ludovic.netlib.blas.BLAS;
import dev.ludovic.netlib.blas.JavaBLAS;
import dev.ludovic.netlib.blas.NativeBLAS;
import dev.orchard.stats.CovariancePartial;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Folding one inference batch (32 rows × 1280 floats) into a worker's running covariance partial: centre the
 * batch, add its Gram matrix to the packed upper triangle (≈ 26 M multiply-adds), Chan-merge the mean. The
 * partial keeps growing across invocations; the cost per batch does not depend on how many rows it already holds.
 * <ul>
 * <li>{@code addBatch}: {@link CovariancePartial#addBatch} as the job runs it (the merge's δδᵀ term as a 33rd row
 *     of the same Gram pass: one pass over the 6.6 MB triangle);</li>
 * <li>{@code before}: the code before that (Gram pass, then a second pass for δδᵀ), kept here for comparison;</li>
 * <li>{@code blasNative} / {@code blasJava}: the same 33 rows as a BLAS-3 update, 128 triangle rows at a time
 *     ({@code dgemm} of the centred rows into a 1280×128 block, then added to the packed triangle), with the
 *     system's BLAS (OpenBLAS, run it with {@code OPENBLAS_NUM_THREADS=1}: a worker's cores belong to ONNX) and
 *     with netlib-java's Java BLAS.</li>
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CovarianceAccumulateBench {
    static final int DIM = 1280;
    static final int ROWS = 32;
    private static final int BLOCK = 128;

    private float[] batch;
    private CovariancePartial partial;
    private final Before before = new Before(DIM);
    private double[] packed;
    private double[] columns;
    private double[] block;
    private BLAS nativeBlas;

    @Setup
    public void setup() {
        batch = BenchData.reluLikeRows(ROWS, DIM, 32);
        partial = CovariancePartial.empty(DIM);
        partial.addBatch(BenchData.reluLikeRows(ROWS, DIM, 31), ROWS); // non-empty: every batch takes the full merge path
        before.addBatch(BenchData.reluLikeRows(ROWS, DIM, 31), ROWS);
        packed = new double[DIM * (DIM + 1) / 2];
        columns = new double[(ROWS + 1) * DIM];
        block = new double[DIM * BLOCK];
        try {
            nativeBlas = NativeBLAS.getInstance();
        } catch (Throwable e) {
            nativeBlas = null;
        }
    }

    @Benchmark
    public CovariancePartial addBatch() {
        partial.addBatch(batch, ROWS);
        return partial;
    }

    /**
     * {@link CovariancePartial#addBatch} of {@code foldRows} rows at once (a unit's rows gathered over several
     * inference batches): the triangle is read and written once per call, so the cost per row falls with the
     * rows per call. Divide by {@code foldRows} for the cost per image.
     */
    @Benchmark
    public CovariancePartial addRowsAtOnce(FoldState fold) {
        fold.partial.addBatch(fold.rows, fold.foldRows);
        return fold.partial;
    }

    @State(Scope.Benchmark)
    public static class FoldState {
        @Param({"32", "128", "256"})
        int foldRows;
        float[] rows;
        CovariancePartial partial;

        @Setup
        public void setup() {
            rows = BenchData.reluLikeRows(foldRows, DIM, 32);
            partial = CovariancePartial.empty(DIM);
            partial.addBatch(BenchData.reluLikeRows(ROWS, DIM, 31), ROWS);
        }
    }

    @Benchmark
    public Before before() {
        before.addBatch(batch, ROWS);
        return before;
    }

    @Benchmark
    public double[] blasNative() {
        if (nativeBlas == null) {
            throw new IllegalStateException("no system BLAS (apt-get install libopenblas0-pthread)");
        }
        return blasUpdate(nativeBlas);
    }

    @Benchmark
    public double[] blasJava() {
        return blasUpdate(JavaBLAS.getInstance());
    }

    /** The Gram part only (centring and the mean update cost the same in every variant): 33 rows into the triangle. */
    private double[] blasUpdate(BLAS blas) {
        for (int r = 0; r < ROWS; r++) {
            for (int i = 0; i < DIM; i++) {
                columns[r * DIM + i] = batch[r * DIM + i];
            }
        }
        int rows = ROWS + 1; // the merge's δ row
        int rowStart = 0;
        for (int b = 0; b < DIM; b += BLOCK) {
            int w = Math.min(BLOCK, DIM - b);
            int m = DIM - b;
            // block (m × w, column-major) = Xᵀ[b.., :] · X[:, b..b+w): the triangle rows b..b+w from column b on.
            blas.dgemm("N", "T", m, w, rows, 1.0, columns, b, DIM, columns, b, DIM, 0.0, block, 0, m);
            for (int ii = 0; ii < w; ii++) {
                int i = b + ii;
                int base = rowStart - i;
                int col = ii * m - b;
                for (int j = i; j < DIM; j++) {
                    packed[base + j] += block[col + j];
                }
                rowStart += DIM - i;
            }
        }
        return packed;
    }

    /** CovariancePartial.addBatch as it was: Gram of the centred batch, then Chan's δδᵀ in a second pass. */
    public static final class Before {
        private final int dim;
        private long count;
        private final double[] mean;
        private final double[] comoment;

        Before(int dim) {
            this.dim = dim;
            this.mean = new double[dim];
            this.comoment = new double[dim * (dim + 1) / 2];
        }

        void addBatch(float[] batch, int rows) {
            double[] batchMean = new double[dim];
            for (int r = 0; r < rows; r++) {
                for (int i = 0; i < dim; i++) {
                    batchMean[i] += batch[r * dim + i];
                }
            }
            for (int i = 0; i < dim; i++) {
                batchMean[i] /= rows;
            }
            double[][] centred = new double[rows][dim];
            for (int r = 0; r < rows; r++) {
                for (int i = 0; i < dim; i++) {
                    centred[r][i] = batch[r * dim + i] - batchMean[i];
                }
            }
            double[] acc = new double[dim];
            int rowStart = 0;
            for (int i = 0; i < dim; i++) {
                java.util.Arrays.fill(acc, i, dim, 0.0);
                for (double[] x : centred) {
                    double xi = x[i];
                    if (xi != 0.0) {
                        for (int j = i; j < dim; j++) {
                            acc[j] += xi * x[j];
                        }
                    }
                }
                int base = rowStart - i;
                for (int j = i; j < dim; j++) {
                    comoment[base + j] += acc[j];
                }
                rowStart += dim - i;
            }
            long n = count + rows;
            double[] delta = new double[dim];
            for (int i = 0; i < dim; i++) {
                delta[i] = batchMean[i] - mean[i];
            }
            if (count > 0) {
                double root = Math.sqrt((double) count * rows / n);
                rowStart = 0;
                for (int i = 0; i < dim; i++) {
                    double vi = delta[i] * root;
                    if (vi != 0.0) {
                        int base = rowStart - i;
                        for (int j = i; j < dim; j++) {
                            comoment[base + j] += vi * delta[j] * root;
                        }
                    }
                    rowStart += dim - i;
                }
            }
            for (int i = 0; i < dim; i++) {
                mean[i] += delta[i] * rows / n;
            }
            count = n;
        }
    }
}
