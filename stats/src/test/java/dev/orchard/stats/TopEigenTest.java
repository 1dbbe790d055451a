package dev.orchard.stats;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ludovic.netlib.lapack.JavaLAPACK;
import dev.ludovic.netlib.lapack.LAPACK;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The dsyevr solve, with the system LAPACK and with the pure-Java one, against Commons Math's full decomposition
 * (the reference): eigenvalues to 1e-9 relative, components the same axes (|cos| ≈ 1) with the sign rule applied.
 */
class TopEigenTest {

    /** ReLU-like rows driven by a few latent factors with decreasing variances, plus noise: a CNN-like spectrum. */
    static CovariancePartial reluLike(int n, int d, long seed) {
        Random random = new Random(seed);
        int factors = 12;
        double[][] loadings = new double[factors][d];
        for (double[] l : loadings) {
            for (int i = 0; i < d; i++) {
                l[i] = random.nextGaussian();
            }
        }
        float[] flat = new float[n * d];
        for (int r = 0; r < n; r++) {
            double[] z = new double[factors];
            for (int f = 0; f < factors; f++) {
                z[f] = random.nextGaussian() * (factors - f);
            }
            for (int i = 0; i < d; i++) {
                double v = random.nextGaussian() * 0.5;
                for (int f = 0; f < factors; f++) {
                    v += z[f] * loadings[f][i];
                }
                flat[r * d + i] = (float) Math.max(0, v);
            }
        }
        CovariancePartial stats = CovariancePartial.empty(d);
        stats.addBatch(flat, n);
        return stats;
    }

    static void assertMatchesCommonsMath(CovariancePartial stats, int k, LAPACK lapack) {
        PcaModel model = PrincipalComponents.fit(stats, k, lapack);
        TopEigen.Pairs reference = PrincipalComponents.commonsMath(stats.covariance(), k);
        int d = stats.dim();
        for (int c = 0; c < k; c++) {
            double want = reference.values()[c];
            assertThat(Math.abs(model.eigenvalues()[c] - want) / want).as("eigenvalue %d", c).isLessThanOrEqualTo(1e-9);
            double[] axis = model.components()[c];
            double[] other = reference.vectors()[c];
            double dot = 0;
            double norm = 0;
            int largest = 0;
            for (int i = 0; i < d; i++) {
                dot += axis[i] * other[i];
                norm += axis[i] * axis[i];
                if (Math.abs(axis[i]) > Math.abs(axis[largest])) {
                    largest = i;
                }
            }
            assertThat(norm).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-12));
            // The factors' eigenvalues are well apart from each other and from the noise: the axes are well defined.
            if (c < 10) {
                assertThat(Math.abs(dot)).as("axis %d", c).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-9));
            }
            assertThat(axis[largest]).as("sign of axis %d", c).isPositive();
        }
    }

    /** The LAPACK the job uses: the system's where it loads (CI), else the pure-Java one. */
    @Test
    void chosenLapackMatchesCommonsMath() {
        assertMatchesCommonsMath(reluLike(500, 160, 21), 20, TopEigen.lapack());
    }

    @Test
    void pureJavaLapackMatchesCommonsMath() {
        assertMatchesCommonsMath(reluLike(500, 160, 22), 20, JavaLAPACK.getInstance());
    }

    /** Fewer images than dimensions: a rank-deficient covariance, where Commons Math's QL alone may not converge. */
    @Test
    void rankDeficientCovarianceWithEitherLapack() {
        CovariancePartial stats = reluLike(60, 300, 23);
        assertMatchesCommonsMath(stats, 10, JavaLAPACK.getInstance());
        assertMatchesCommonsMath(stats, 10, TopEigen.lapack());
    }

    @Test
    void kEqualToTheDimensionGivesTheWholeSpectrum() {
        CovariancePartial stats = reluLike(80, 24, 24);
        PcaModel model = PrincipalComponents.fit(stats, 24, JavaLAPACK.getInstance());
        double sum = 0;
        for (double ratio : model.explainedVarianceRatio()) {
            sum += ratio;
        }
        assertThat(sum).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-9));
    }

    /** CI installs OpenBLAS and sets ORCHARD_REQUIRE_LAPACK=1: there the fast path must be the one taken. */
    @Test
    void nativeLapackLoadsWhereRequired() {
        String kind = TopEigen.kind(TopEigen.lapack());
        System.out.println("LAPACK for the PCA solve: " + kind);
        if (requireNative()) {
            assertThat(kind).as("system LAPACK (apt-get install libopenblas0-pthread)").isEqualTo("native");
        }
    }

    private static boolean requireNative() {
        return "1".equals(System.getenv("ORCHARD_REQUIRE_LAPACK"));
    }
}
