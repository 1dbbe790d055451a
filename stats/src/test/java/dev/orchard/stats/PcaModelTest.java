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
}
