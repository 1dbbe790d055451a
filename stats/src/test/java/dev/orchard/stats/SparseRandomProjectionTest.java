package dev.orchard.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class SparseRandomProjectionTest {

    @Test
    void pairwiseDistancesStayWithinTheJohnsonLindenstraussEpsilon() {
        int n = 80;
        int d = 2000;
        double eps = 0.3;
        int k = SparseRandomProjection.johnsonLindenstraussDim(n, eps);
        assertThat(k).isEqualTo(486);
        float[][] x = gaussian(n, d, new Random(1));
        var projection = new SparseRandomProjection(d, k, 42);
        float[][] y = projection.project(x);

        double worst = 0;
        for (int a = 0; a < n; a++) {
            for (int b = a + 1; b < n; b++) {
                double ratio = squaredDistance(y[a], y[b]) / squaredDistance(x[a], x[b]);
                worst = Math.max(worst, Math.abs(ratio - 1));
            }
        }
        assertThat(worst).as("largest relative distortion of a squared distance").isLessThan(eps);
    }

    @Test
    void squaredNormsArePreservedOnAverage() {
        // E‖Rx‖² = ‖x‖² fixes the scale; ‖R eᵢ‖² is (nonzeros in column i) · scale², 1 on average over i.
        int d = 4096;
        var projection = new SparseRandomProjection(d, 1000, 3);
        double sum = 0;
        float[] e = new float[d];
        for (int i = 0; i < d; i++) {
            e[i] = 1;
            sum += squaredDistance(projection.project(e), new float[1000]);
            e[i] = 0;
        }
        assertThat(sum / d).isCloseTo(1.0, within(0.02));
        assertThat(projection.scale()).isCloseTo(Math.sqrt(Math.sqrt(d) / 1000), within(1e-12));
    }

    @Test
    void entriesAreSparseSignedAndScaled() {
        int d = 10_000;
        int k = 500;
        var projection = new SparseRandomProjection(d, k, 5);
        double density = 1 / Math.sqrt(d);
        double expected = d * (double) k * density;
        assertThat((double) projection.nonZeros()).isCloseTo(expected, within(5 * Math.sqrt(expected)));

        long positive = 0;
        long nonZero = 0;
        for (int i = 0; i < d; i += 7) {
            for (int j = 0; j < k; j++) {
                double v = projection.entry(j, i);
                if (v != 0) {
                    assertThat(Math.abs(v)).isEqualTo(projection.scale());
                    nonZero++;
                    positive += v > 0 ? 1 : 0;
                }
            }
        }
        assertThat((double) positive / nonZero).isCloseTo(0.5, within(0.05));
    }

    @Test
    void theSameSeedGivesTheSameMatrixAnywhereAndAnotherSeedAnother() throws Exception {
        int d = 62_720;
        int k = 256;
        float[] x = gaussian(1, d, new Random(9))[0];
        // Two "workers": separate instances built concurrently on other threads.
        var first = CompletableFuture.supplyAsync(() -> new SparseRandomProjection(d, k, 42));
        var second = CompletableFuture.supplyAsync(() -> new SparseRandomProjection(d, k, 42));
        var other = new SparseRandomProjection(d, k, 43);

        assertThat(first.get().fingerprint()).isEqualTo(second.get().fingerprint());
        assertThat(first.get().project(x)).containsExactly(second.get().project(x));
        assertThat(other.fingerprint()).isNotEqualTo(first.get().fingerprint());
        assertThat(other.project(x)).isNotEqualTo(first.get().project(x));
        assertThat(new SparseRandomProjection(d, k + 1, 42).fingerprint()).isNotEqualTo(first.get().fingerprint());
    }

    @Test
    void aFlatBatchProjectsLikeSingleRows() {
        int d = 300;
        int k = 40;
        var projection = new SparseRandomProjection(d, k, 11);
        float[][] rows = gaussian(5, d, new Random(2));
        rows[2] = new float[d];
        float[] batch = new float[5 * d];
        for (int r = 0; r < 5; r++) {
            System.arraycopy(rows[r], 0, batch, r * d, d);
        }
        float[] out = new float[5 * k];
        projection.project(batch, 5, out);
        for (int r = 0; r < 5; r++) {
            float[] single = projection.project(rows[r]);
            for (int j = 0; j < k; j++) {
                assertThat(out[r * k + j]).isEqualTo(single[j]);
            }
        }
        assertThat(projection.project(rows[2])).containsOnly(0f);
    }

    /**
     * The batched kernel gives exactly the bits of the definition: each output the double sum of ±x over its nonzero
     * entries in the order of i, scaled, rounded to float. Terms of ±2⁶⁰ among terms near 1, so that a sum in another
     * order differs even after the rounding to float (2⁶⁰ + 1 − 2⁶⁰ is 0, 2⁶⁰ − 2⁶⁰ + 1 is 1); batches longer than
     * the rows kept at once and inputs longer than a tile, with zeros of both signs, NaN, infinities and subnormals;
     * and a K so large that fewer rows are kept at once.
     */
    @Test
    void batchesGiveTheBitsOfTheDefinition() {
        long seed = 20261202L;
        System.out.println("SparseRandomProjectionTest seed " + seed);
        Random random = new Random(seed);
        int tile = SparseRandomProjection.TILE;
        int atOnce = SparseRandomProjection.ROWS_AT_ONCE;
        for (int[] shape : new int[][] {{2 * tile + 88, 40, 2 * atOnce + 6}, {40, 5000, 30}}) {
            int d = shape[0];
            int k = shape[1];
            int n = shape[2];
            var projection = new SparseRandomProjection(d, k, random.nextLong());
            float[] batch = new float[n * d];
            float[] specials = {0f, -0f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.MIN_VALUE};
            for (int i = 0; i < batch.length; i++) {
                double u = random.nextDouble();
                batch[i] = u < 0.5 ? 0f : u < 0.5005 ? specials[random.nextInt(specials.length)]
                        : u < 0.65 ? (random.nextBoolean() ? 0x1p60f : -0x1p60f) : (float) random.nextGaussian();
            }
            float[] out = new float[n * k];
            projection.project(batch, n, out);
            int[][] signs = new int[k][d];
            for (int j = 0; j < k; j++) {
                for (int i = 0; i < d; i++) {
                    signs[j][i] = (int) Math.signum(projection.entry(j, i));
                }
            }
            for (int r = 0; r < n; r++) {
                for (int j = 0; j < k; j++) {
                    double sum = 0;
                    for (int i = 0; i < d; i++) {
                        if (signs[j][i] != 0) {
                            double x = batch[r * d + i];
                            sum += signs[j][i] > 0 ? x : -x;
                        }
                    }
                    float expected = (float) (sum * projection.scale());
                    assertThat(Float.floatToRawIntBits(out[r * k + j])).as("d=%d K=%d row %d output %d", d, k, r, j)
                            .isEqualTo(Float.floatToRawIntBits(expected));
                }
            }
        }
    }

    @Test
    void memoryStaysBoundedForTheUnpooledMap() {
        int d = 62_720; // 7 × 7 × 1280
        int k = 5000;
        long before = usedHeap();
        var projection = new SparseRandomProjection(d, k, 42);
        long retained = usedHeap() - before;

        double expected = d * (double) k / Math.sqrt(d); // K·√d ≈ 1.25 M
        assertThat((double) projection.nonZeros()).isCloseTo(expected, within(5 * Math.sqrt(expected)));
        assertThat(projection.memoryBytes()).isLessThan(6L << 20); // a dense float matrix would be 1.25 GB
        assertThat(retained).as("heap retained, roughly").isLessThan(64L << 20);
        assertThat(projection).isNotNull(); // keeps the matrix reachable until measured
    }

    @Test
    void johnsonLindenstraussDimMatchesScikitLearn() {
        // johnson_lindenstrauss_min_dim's documented examples.
        assertThat(SparseRandomProjection.johnsonLindenstraussDim(1_000_000, 0.5)).isEqualTo(663);
        assertThat(SparseRandomProjection.johnsonLindenstraussDim(1_000_000, 0.1)).isEqualTo(11841);
        assertThat(SparseRandomProjection.johnsonLindenstraussDim(1_000_000, 0.01)).isEqualTo(1112658);
        assertThat(SparseRandomProjection.johnsonLindenstraussDim(10_000, 0.1)).isEqualTo(7894);
        assertThat(SparseRandomProjection.johnsonLindenstraussDim(100_000, 0.1)).isEqualTo(9868);
    }

    @Test
    void aBoundAboveTheInputDimensionIsFlagged() {
        int k = SparseRandomProjection.johnsonLindenstraussDim(10_000, 0.1);
        assertThat(SparseRandomProjection.dimensionWarning(k, 1280)).hasValueSatisfying(
                message -> assertThat(message).contains("K = 7894", "d = 1280"));
        assertThat(SparseRandomProjection.dimensionWarning(k, 62_720)).isEmpty();
    }

    @Test
    void badArgumentsAreRefusedWithTheirValues() {
        assertThatThrownBy(() -> new SparseRandomProjection(0, 10, 1)).hasMessageContaining("d = 0");
        assertThatThrownBy(() -> new SparseRandomProjection(10, 5, 1.5, 1)).hasMessageContaining("1.5");
        assertThatThrownBy(() -> SparseRandomProjection.johnsonLindenstraussDim(100, 1.0)).hasMessageContaining("eps");
        assertThatThrownBy(() -> new SparseRandomProjection(10, 5, 1).project(new float[9]))
                .hasMessageContaining("dimension 10");
    }

    private static float[][] gaussian(int n, int d, Random random) {
        float[][] x = new float[n][d];
        for (float[] row : x) {
            for (int i = 0; i < d; i++) {
                row[i] = (float) random.nextGaussian();
            }
        }
        return x;
    }

    private static double squaredDistance(float[] a, float[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            double t = a[i] - b[i];
            sum += t * t;
        }
        return sum;
    }

    private static long usedHeap() {
        Runtime runtime = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return runtime.totalMemory() - runtime.freeMemory();
    }
}
