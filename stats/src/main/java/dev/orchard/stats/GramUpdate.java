package dev.orchard.stats;

import dev.ludovic.netlib.blas.BLAS;

/**
 * packed += Σ_r x_r x_rᵀ over the upper triangle (packed row by row), for the few dozen rows of one batch: the
 * step that folds a batch into a covariance partial. Two ways, same sums up to rounding order:
 * <ul>
 * <li>{@link #JAVA}: one triangle row at a time, its sums built in a buffer that stays in L1 (a contiguous
 *     multiply-add the JIT vectorises); the packed matrix is read and written once per batch;</li>
 * <li>{@link #blas}: a BLAS-3 update with the system's BLAS, {@value #BLOCK} triangle rows at a time ({@code dgemm}
 *     of the rows into a d × {@value #BLOCK} block, then added to the packed rows): 1.5–4.6× faster than the Java
 *     loop in bench/README.md's CovarianceAccumulateBench.</li>
 * </ul>
 * {@link #DEFAULT} is the BLAS one where {@link SystemBlas} allows it.
 */
abstract class GramUpdate {
    static final int BLOCK = 128;
    static final GramUpdate JAVA = new JavaLoop();
    /** The Java loop where there is no system BLAS: faster here than netlib-java's Java BLAS. */
    static final GramUpdate DEFAULT = SystemBlas.NATIVE == null ? JAVA : new Blocked(SystemBlas.NATIVE);

    /** Adds the outer products of {@code rows} (each of length dim) to {@code packed}. */
    abstract void add(double[] packed, double[][] rows, int dim);

    static GramUpdate blas(BLAS blas) {
        return new Blocked(blas);
    }

    private static final class JavaLoop extends GramUpdate {
        @Override
        void add(double[] packed, double[][] rows, int dim) {
            double[] acc = new double[dim];
            int rowStart = 0;
            for (int i = 0; i < dim; i++) {
                java.util.Arrays.fill(acc, i, dim, 0.0);
                for (double[] x : rows) {
                    double xi = x[i];
                    if (xi != 0.0) {
                        for (int j = i; j < dim; j++) {
                            acc[j] += xi * x[j];
                        }
                    }
                }
                int base = rowStart - i;
                for (int j = i; j < dim; j++) {
                    packed[base + j] += acc[j];
                }
                rowStart += dim - i;
            }
        }
    }

    private static final class Blocked extends GramUpdate {
        /** Per thread: the rows side by side (column-major d × rows) and one d × BLOCK result block. */
        private static final ThreadLocal<double[][]> SCRATCH = ThreadLocal.withInitial(() -> new double[2][0]);
        private final BLAS blas;

        Blocked(BLAS blas) {
            this.blas = blas;
        }

        @Override
        void add(double[] packed, double[][] rows, int dim) {
            int n = rows.length;
            double[][] scratch = SCRATCH.get();
            if (scratch[0].length < n * dim) {
                scratch[0] = new double[n * dim];
            }
            if (scratch[1].length < dim * BLOCK) {
                scratch[1] = new double[dim * BLOCK];
            }
            double[] columns = scratch[0];
            double[] block = scratch[1];
            for (int r = 0; r < n; r++) {
                System.arraycopy(rows[r], 0, columns, r * dim, dim);
            }
            int rowStart = 0;
            for (int b = 0; b < dim; b += BLOCK) {
                int w = Math.min(BLOCK, dim - b);
                int m = dim - b;
                // block (m × w, column-major) = X[b.., :] · X[b..b+w, :]ᵀ, X being d × n column-major: for triangle
                // row i = b + ii, block[ii·m + (j − b)] = Σ_r x_r[i] x_r[j], j ≥ b (only j ≥ i is kept).
                blas.dgemm("N", "T", m, w, n, 1.0, columns, b, dim, columns, b, dim, 0.0, block, 0, m);
                for (int ii = 0; ii < w; ii++) {
                    int i = b + ii;
                    int base = rowStart - i;
                    int col = ii * m - b;
                    for (int j = i; j < dim; j++) {
                        packed[base + j] += block[col + j];
                    }
                    rowStart += dim - i;
                }
            }
        }
    }
}
