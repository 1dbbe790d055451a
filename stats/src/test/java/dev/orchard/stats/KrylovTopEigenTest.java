package dev.orchard.stats;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ludovic.netlib.lapack.JavaLAPACK;
import java.util.Random;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.QRDecomposition;
import org.apache.commons.math3.linear.RealMatrix;
import org.junit.jupiter.api.Test;

/**
 * The pure-Java block Krylov solve against Commons Math's full decomposition: eigenvalues to 1e-9 relative and the
 * same axes where they are well apart, on spectra like image features' (decaying), on a rank-deficient covariance,
 * and its refusal (null, so that dsyevr solves) where the top pairs do not separate within its budget.
 */
class KrylovTopEigenTest {

    /** U·diag(λ)·Uᵀ for a seeded random orthogonal U, as the upper triangle row-major (and the full matrix). */
    private static double[][] withSpectrum(double[] lambda, long seed) {
        int d = lambda.length;
        Random random = new Random(seed);
        RealMatrix g = new Array2DRowRealMatrix(d, d);
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) {
                g.setEntry(i, j, random.nextGaussian());
            }
        }
        double[][] u = new QRDecomposition(g).getQ().getData();
        double[][] a = new double[d][d];
        for (int i = 0; i < d; i++) {
            for (int j = i; j < d; j++) {
                double sum = 0;
                for (int c = 0; c < d; c++) {
                    sum += u[i][c] * lambda[c] * u[j][c];
                }
                a[i][j] = sum;
                a[j][i] = sum;
            }
        }
        return a;
    }

    private static double[] upperRowMajor(double[][] a) {
        int d = a.length;
        double[] flat = new double[d * d];
        for (int i = 0; i < d; i++) {
            for (int j = i; j < d; j++) {
                flat[i * d + j] = a[i][j];
            }
        }
        return flat;
    }

    private static void assertMatches(TopEigen.Pairs pairs, double[][] a, int k, int axesChecked) {
        TopEigen.Pairs reference = PrincipalComponents.commonsMath(a, k);
        for (int c = 0; c < k; c++) {
            double want = reference.values()[c];
            assertThat(Math.abs(pairs.values()[c] - want) / want).as("eigenvalue %d", c).isLessThanOrEqualTo(1e-9);
            if (c < axesChecked) {
                double dot = 0;
                double norm = 0;
                for (int i = 0; i < a.length; i++) {
                    dot += pairs.vectors()[c][i] * reference.vectors()[c][i];
                    norm += pairs.vectors()[c][i] * pairs.vectors()[c][i];
                }
                assertThat(norm).as("norm of axis %d", c).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-12));
                assertThat(Math.abs(dot)).as("axis %d", c).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-9));
            }
        }
    }

    /** Image features' covariances decay like a power law: λᵢ ∝ (i + 1)^−1.3. */
    @Test
    void aDecayingSpectrumMatchesCommonsMath() {
        int d = 640;
        double[] lambda = new double[d];
        for (int i = 0; i < d; i++) {
            lambda[i] = 50.0 * Math.pow(i + 1, -1.3);
        }
        double[][] a = withSpectrum(lambda, 31);
        int k = 40;
        assertThat(KrylovTopEigen.suits(d, k)).isTrue();
        TopEigen.Pairs pairs = KrylovTopEigen.solve(upperRowMajor(a), d, k);
        assertThat(pairs).as("converged within %d vectors", KrylovTopEigen.budget(d, k)).isNotNull();
        assertMatches(pairs, a, k, k);
    }

    /** Fewer rows than dimensions: the Krylov space becomes invariant early, the basis goes on from random vectors. */
    @Test
    void aRankDeficientCovarianceMatchesCommonsMath() {
        CovariancePartial stats = TopEigenTest.reluLike(150, 600, 32);
        int k = 20;
        TopEigen.Pairs pairs = KrylovTopEigen.solve(stats.covarianceUpperRowMajor(), 600, k);
        assertThat(pairs).isNotNull();
        assertMatches(pairs, stats.covariance(), k, 10);
    }

    /** As many pairs as images: the last eigenvalue is 0 (the centred rows span one dimension less), found as such. */
    @Test
    void asManyPairsAsImagesEndsWithAZeroEigenvalue() {
        CovariancePartial stats = TopEigenTest.reluLike(20, 600, 36);
        TopEigen.Pairs pairs = KrylovTopEigen.solve(stats.covarianceUpperRowMajor(), 600, 20);
        assertThat(pairs).isNotNull();
        TopEigen.Pairs reference = PrincipalComponents.commonsMath(stats.covariance(), 20);
        for (int c = 0; c < 19; c++) {
            double want = reference.values()[c];
            assertThat(Math.abs(pairs.values()[c] - want) / want).as("eigenvalue %d", c).isLessThanOrEqualTo(1e-9);
        }
        assertThat(Math.abs(pairs.values()[19])).isLessThanOrEqualTo(1e-12 * pairs.values()[0]);
    }

    /**
     * So close an eigenvalue cluster does not separate within the budget: null, and the job solves with dsyevr on the
     * same array, whose upper triangle (the one dsyevr reads) the attempt left as it was.
     */
    @Test
    void aClusterThatDoesNotSeparateIsLeftToDsyevr() {
        int d = 640;
        double[] lambda = new double[d];
        for (int i = 0; i < d; i++) {
            lambda[i] = 1.0 + 1e-4 * (d - i) / d;
        }
        double[][] a = withSpectrum(lambda, 33);
        double[] covariance = upperRowMajor(a);
        assertThat(KrylovTopEigen.solve(covariance, d, 40)).isNull();
        for (int i = 0; i < d; i++) {
            for (int j = i; j < d; j++) {
                assertThat(covariance[i * d + j]).as("(%d, %d)", i, j).isEqualTo(a[i][j]);
            }
        }
        TopEigen.Pairs pairs = TopEigen.solve(JavaLAPACK.getInstance(), covariance, d, 40);
        for (int c = 0; c < 40; c++) {
            assertThat(pairs.values()[c]).as("eigenvalue %d", c).isCloseTo(lambda[c],
                    org.assertj.core.data.Offset.offset(1e-12));
        }
    }

    @Test
    void theSameMatrixGetsTheSameAnswer() {
        CovariancePartial stats = TopEigenTest.reluLike(700, 576, 34);
        TopEigen.Pairs first = KrylovTopEigen.solve(stats.covarianceUpperRowMajor(), 576, 12);
        TopEigen.Pairs second = KrylovTopEigen.solve(stats.covarianceUpperRowMajor(), 576, 12);
        assertThat(first).isNotNull();
        assertThat(second.values()).containsExactly(first.values());
        for (int c = 0; c < 12; c++) {
            assertThat(second.vectors()[c]).containsExactly(first.vectors()[c]);
        }
    }

    /**
     * Where no native LAPACK loads, the job's PCA takes the Krylov answer (its eigenvalues bit for bit, which dsyevr's
     * are not), signs fixed as for dsyevr's.
     */
    @Test
    void principalComponentsWithThePureJavaLapackTakeTheKrylovAnswer() {
        CovariancePartial stats = TopEigenTest.reluLike(900, 600, 35);
        TopEigen.Pairs krylov = KrylovTopEigen.solve(stats.covarianceUpperRowMajor(), 600, 12);
        TopEigen.Pairs dsyevr = TopEigen.solve(JavaLAPACK.getInstance(), stats.covarianceUpperRowMajor(), 600, 12);
        assertThat(krylov).as("the Krylov answer").isNotNull();
        assertThat(krylov.values()).as("the two solvers' eigenvalues differ in their last bits").isNotEqualTo(dsyevr.values());
        PcaModel model = PrincipalComponents.fit(stats, 12, JavaLAPACK.getInstance());
        assertThat(model.eigenvalues()).containsExactly(krylov.values());
        TopEigenTest.assertMatchesCommonsMath(stats, 12, JavaLAPACK.getInstance());
    }
}
