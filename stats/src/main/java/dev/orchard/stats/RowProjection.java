package dev.orchard.stats;

import dev.ludovic.netlib.blas.BLAS;
import java.util.stream.IntStream;

/**
 * Many rows through one {@link PcaModel}: (X − 1μᵀ)·Vᵀ as matrix products of {@value #BLOCK_ROWS} rows at a time
 * ({@code dgemm}), the blocks spread over the cores. An update re-projects its whole base generation (10,000 rows of
 * 1,280 floats on k = 50 is 0.65 G multiply-adds): the per-row loop was the largest Java cost of a 100-image update.
 * Without a BLAS, each row goes through {@link PcaModel#project}. Both give the same floats up to the rounding of
 * the double sums' order.
 */
final class RowProjection {
    static final int BLOCK_ROWS = 256;

    private RowProjection() {
    }

    static float[][] project(PcaModel model, float[][] rows, BLAS blas) {
        float[][] out = new float[rows.length][];
        if (blas == null) {
            IntStream.range(0, rows.length).parallel().forEach(i -> out[i] = model.project(rows[i]));
            return out;
        }
        int d = model.dim();
        int k = model.k();
        double[] mean = model.mean();
        double[] axes = new double[d * k]; // column-major d × k: axis c is column c
        for (int c = 0; c < k; c++) {
            System.arraycopy(model.components()[c], 0, axes, c * d, d);
        }
        int blocks = (rows.length + BLOCK_ROWS - 1) / BLOCK_ROWS;
        IntStream.range(0, blocks).parallel().forEach(b -> {
            int from = b * BLOCK_ROWS;
            int n = Math.min(BLOCK_ROWS, rows.length - from);
            double[] centred = new double[n * d]; // column-major d × n: row r, centred, is column r
            for (int r = 0; r < n; r++) {
                float[] x = rows[from + r];
                if (x.length != d) {
                    throw new IllegalArgumentException("vector has " + x.length + " values, the PCA model expects " + d);
                }
                for (int i = 0, at = r * d; i < d; i++) {
                    centred[at + i] = x[i] - mean[i];
                }
            }
            double[] projected = new double[k * n]; // column-major k × n: row r's projection is column r
            blas.dgemm("T", "N", k, n, d, 1.0, axes, d, centred, d, 0.0, projected, k);
            for (int r = 0; r < n; r++) {
                float[] y = new float[k];
                for (int c = 0; c < k; c++) {
                    y[c] = (float) projected[r * k + c];
                }
                out[from + r] = y;
            }
        });
        return out;
    }
}
