package dev.orchard.stats;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

class PcaModelTest {

    /** The four-way sums give the plain dot product (to float output precision), whatever d mod 4. */
    @Test
    void projectionIsTheDotProductWithTheCentredVector() {
        Random random = new Random(3);
        for (int d : new int[] {1, 3, 4, 7, 1283}) {
            double[] mean = new double[d];
            double[][] components = new double[5][d];
            float[] x = new float[d];
            for (int i = 0; i < d; i++) {
                mean[i] = random.nextGaussian();
                x[i] = (float) (random.nextGaussian() * 3);
                for (double[] c : components) {
                    c[i] = random.nextGaussian();
                }
            }
            PcaModel model = new PcaModel(10, mean, components, new double[5], new double[5]);
            float[] projected = model.project(x);
            for (int c = 0; c < 5; c++) {
                double want = 0;
                double scale = 0;
                for (int i = 0; i < d; i++) {
                    want += (x[i] - mean[i]) * components[c][i];
                    scale += Math.abs((x[i] - mean[i]) * components[c][i]);
                }
                assertThat(Math.abs(projected[c] - want)).as("d=%d c=%d", d, c).isLessThanOrEqualTo(1e-6 * scale + 1e-12);
            }
        }
    }

    /**
     * The matrix-product path gives each row's {@link PcaModel#project} up to float rounding, in blocks cut anywhere
     * (the last one partial), with netlib-java's Java BLAS (the same calls as OpenBLAS), and without a BLAS.
     */
    @Test
    void projectingManyRowsAtOnceGivesEachRowsProjection() {
        Random random = new Random(11);
        int d = 37;
        int k = 6;
        double[] mean = new double[d];
        double[][] components = new double[k][d];
        for (int i = 0; i < d; i++) {
            mean[i] = random.nextGaussian();
            for (double[] c : components) {
                c[i] = random.nextGaussian();
            }
        }
        PcaModel model = new PcaModel(10, mean, components, new double[k], new double[k]);
        float[][] rows = new float[RowProjection.BLOCK_ROWS * 2 + 3][d];
        for (float[] row : rows) {
            for (int i = 0; i < d; i++) {
                row[i] = (float) (random.nextGaussian() * 4);
            }
        }
        for (var blas : new dev.ludovic.netlib.blas.BLAS[] {dev.ludovic.netlib.blas.JavaBLAS.getInstance(), null}) {
            float[][] all = RowProjection.project(model, rows, blas);
            assertThat(all.length).isEqualTo(rows.length);
            for (int r = 0; r < rows.length; r++) {
                float[] one = model.project(rows[r]);
                for (int c = 0; c < k; c++) {
                    assertThat(all[r][c]).as("row %d axis %d, %s", r, c, blas).isCloseTo(one[c],
                            org.assertj.core.data.Offset.offset(1e-5f * (1 + Math.abs(one[c]))));
                }
            }
        }
        assertThat(model.projectAll(new float[0][])).isEmpty();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> RowProjection.project(model, new float[][] {new float[d - 1]},
                dev.ludovic.netlib.blas.JavaBLAS.getInstance())).hasMessageContaining("PCA model expects " + d);
    }

    /**
     * Identical rows vary along no direction, n distinct rows along n − 1: the components past those explain no
     * variance (the job warns of them), whatever the solver gives as their directions.
     */
    @Test
    void componentsPastTheRowsRankExplainNoVariance() {
        Random random = new Random(5);
        int d = 40;
        float[] one = new float[d];
        for (int i = 0; i < d; i++) {
            one[i] = (float) random.nextGaussian();
        }
        CovariancePartial same = CovariancePartial.empty(d);
        CovariancePartial four = CovariancePartial.empty(d);
        for (int r = 0; r < 4; r++) {
            same.add(one);
            float[] row = new float[d];
            for (int i = 0; i < d; i++) {
                row[i] = (float) random.nextGaussian();
            }
            four.add(row);
        }
        assertThat(PrincipalComponents.fit(same, 3).varyingComponents()).isZero();
        // Copies that differ in their last bits (batches of other sizes) are copies still.
        CovariancePartial nearly = CovariancePartial.empty(d);
        for (int r = 0; r < 4; r++) {
            float[] copy = one.clone();
            copy[r] = Math.nextUp(copy[r]);
            nearly.add(copy);
        }
        assertThat(PrincipalComponents.fit(nearly, 3).varyingComponents()).isZero();
        assertThat(PrincipalComponents.fit(four, 4).varyingComponents()).isEqualTo(3);
        assertThat(PrincipalComponents.fit(four, 2).varyingComponents()).isEqualTo(2);
    }
}
