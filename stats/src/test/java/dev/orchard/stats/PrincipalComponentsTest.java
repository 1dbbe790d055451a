package dev.orchard.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.EigenDecomposition;
import org.apache.commons.math3.stat.correlation.Covariance;
import org.junit.jupiter.api.Test;

class PrincipalComponentsTest {

    @Test
    void matchesADirectCommonsMathPcaOfTheSameMatrix() {
        int n = 400;
        int d = 12;
        Random random = new Random(11);
        double[][] m = new double[n][d];
        float[] flat = new float[n * d];
        for (int r = 0; r < n; r++) {
            double latent = random.nextGaussian() * 5;
            for (int i = 0; i < d; i++) {
                float v = (float) (latent * (i % 3 + 1) + random.nextGaussian() * (0.5 + i * 0.1) + 40);
                flat[r * d + i] = v;
                m[r][i] = v;
            }
        }
        CovariancePartial stats = CovariancePartial.empty(d);
        stats.addBatch(flat, n);
        PcaModel model = PrincipalComponents.fit(stats, 5);

        EigenDecomposition direct = new EigenDecomposition(new Array2DRowRealMatrix(new Covariance(m).getCovarianceMatrix().getData()));
        double[] expected = direct.getRealEigenvalues().clone();
        java.util.Arrays.sort(expected);
        double total = java.util.Arrays.stream(expected).sum();
        for (int c = 0; c < 5; c++) {
            double want = expected[d - 1 - c];
            assertThat(Math.abs(model.eigenvalues()[c] - want) / want).isLessThanOrEqualTo(1e-9);
            assertThat(model.explainedVarianceRatio()[c]).isCloseTo(want / total, org.assertj.core.data.Offset.offset(1e-9));
            // Same axis up to sign: |cos| = 1.
            double[] axis = model.components()[c];
            double[] other = null;
            for (int j = 0; j < d; j++) {
                if (direct.getRealEigenvalue(j) == want) {
                    other = direct.getEigenvector(j).toArray();
                }
            }
            double dot = 0;
            for (int i = 0; i < d; i++) {
                dot += axis[i] * other[i];
            }
            assertThat(Math.abs(dot)).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-9));
            // Deterministic sign: the largest-magnitude coordinate is positive.
            int largest = 0;
            for (int i = 1; i < d; i++) {
                if (Math.abs(axis[i]) > Math.abs(axis[largest])) {
                    largest = i;
                }
            }
            assertThat(axis[largest]).isPositive();
        }
        for (int c = 1; c < 5; c++) {
            assertThat(model.eigenvalues()[c]).isLessThanOrEqualTo(model.eigenvalues()[c - 1]);
        }
        // Projection of the mean is the origin.
        float[] meanAsFloat = new float[d];
        for (int i = 0; i < d; i++) {
            meanAsFloat[i] = (float) model.mean()[i];
        }
        for (float v : model.project(meanAsFloat)) {
            assertThat(Math.abs(v)).isLessThan(1e-4f);
        }
    }

    @Test
    void rejectsKBeyondDimensionOrCount() {
        CovariancePartial stats = CovariancePartial.empty(4);
        stats.addBatch(new float[] {1, 2, 3, 4, 2, 3, 4, 5, 0, 1, 0, 1}, 3);
        assertThatThrownBy(() -> PrincipalComponents.fit(stats, 5)).hasMessageContaining("larger than the feature dimension 4");
        CovariancePartial few = CovariancePartial.empty(8);
        few.addBatch(new float[16], 2);
        assertThatThrownBy(() -> PrincipalComponents.fit(few, 3)).hasMessageContaining("larger than the number of images 2");
    }

    /** Fewer images than dimensions (rank-deficient covariance), where Commons Math's QL alone can fail to converge. */
    @Test
    void rankDeficientCovarianceMatchesAnSvd() {
        int n = 60;
        int d = 400;
        Random random = new Random(5);
        float[] flat = new float[n * d];
        for (int r = 0; r < n; r++) {
            double a = random.nextGaussian() * 3;
            double b = random.nextGaussian();
            for (int i = 0; i < d; i++) {
                double relu = Math.max(0, a * Math.sin(i) + b * Math.cos(3 * i) + random.nextGaussian() * 0.1);
                flat[r * d + i] = (float) Math.min(6, relu);
            }
        }
        CovariancePartial stats = CovariancePartial.empty(d);
        stats.addBatch(flat, n);
        double[] singular = new org.apache.commons.math3.linear.SingularValueDecomposition(
                new Array2DRowRealMatrix(stats.covariance(), false)).getSingularValues();
        PcaModel model = PrincipalComponents.fit(stats, 10);
        for (int c = 0; c < 10; c++) {
            assertThat(Math.abs(model.eigenvalues()[c] - singular[c]) / singular[c]).isLessThanOrEqualTo(1e-9);
        }
        // The fallback path on its own: the same spectrum in the basis of a pivoted QR.
        var c = new Array2DRowRealMatrix(stats.covariance(), false);
        PrincipalComponents.Eigen viaBasis = PrincipalComponents.inBasis(c, new org.apache.commons.math3.linear.RRQRDecomposition(c, 0).getQ());
        double[] values = viaBasis.values().clone();
        java.util.Arrays.sort(values);
        for (int i = 0; i < 10; i++) {
            assertThat(Math.abs(values[d - 1 - i] - singular[i]) / singular[i]).isLessThanOrEqualTo(1e-9);
        }
    }
}
