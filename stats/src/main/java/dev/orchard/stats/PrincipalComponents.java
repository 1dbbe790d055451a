package dev.orchard.stats;

import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.EigenDecomposition;
import org.apache.commons.math3.exception.MaxCountExceededException;
import org.apache.commons.math3.linear.QRDecomposition;
import org.apache.commons.math3.linear.RRQRDecomposition;
import org.apache.commons.math3.linear.RealMatrix;

/**
 * Exact PCA from merged covariance statistics: the top k eigenpairs of the covariance by LAPACK's dsyevr
 * ({@link TopEigen}) with the system's LAPACK; without one, by a block Krylov subspace in Java ({@link KrylovTopEigen})
 * where it converges, else the pure-Java dsyevr; Commons Math's full symmetric decomposition as the last fallback
 * (and, in tests, the reference).
 */
public final class PrincipalComponents {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(PrincipalComponents.class);

    private PrincipalComponents() {
    }

    /**
     * The top {@code k} components of the data summarised by {@code stats}, sorted by eigenvalue (largest
     * first), each with its sign fixed so that its largest-magnitude coordinate is positive: reruns and other
     * tools then agree on signs, not only up to sign.
     */
    public static PcaModel fit(CovariancePartial stats, int k) {
        return fit(stats, k, TopEigen.lapack());
    }

    /**
     * As {@link #fit(CovariancePartial, int)} with the given LAPACK (tests pin the pure-Java one). The top k pairs
     * come from LAPACK's dsyevr; Commons Math's full decomposition is the fallback should dsyevr report a failure.
     */
    static PcaModel fit(CovariancePartial stats, int k, dev.ludovic.netlib.lapack.LAPACK lapack) {
        int d = stats.dim();
        if (k < 1) {
            throw new IllegalArgumentException("--pca-k must be at least 1, was " + k);
        }
        if (k > d) {
            throw new IllegalArgumentException("--pca-k " + k + " is larger than the feature dimension " + d);
        }
        if (k > stats.count()) {
            throw new IllegalArgumentException("--pca-k " + k + " is larger than the number of images " + stats.count());
        }
        long start = System.nanoTime();
        double[] covariance = stats.covarianceUpperRowMajor();
        double total = 0;
        for (int i = 0; i < d; i++) {
            total += covariance[i * d + i]; // trace = Σλ, without the rounding noise of tiny negative eigenvalues
        }
        TopEigen.Pairs pairs = null;
        String solver = null;
        if (!"native".equals(TopEigen.kind(lapack)) && KrylovTopEigen.suits(d, k)) {
            // Pure Java: much faster than dsyevr's there. It fills only the other triangle: dsyevr can still read this.
            pairs = KrylovTopEigen.solve(covariance, d, k);
            solver = "block Krylov (java)";
            if (pairs == null) {
                LOG.info("PCA: the top {} pairs did not converge in a Krylov subspace of {}; solving with dsyevr", k,
                        KrylovTopEigen.budget(d, k));
            }
        }
        if (pairs == null) {
            pairs = TopEigen.solve(lapack, covariance, d, k);
            solver = "LAPACK dsyevr (" + TopEigen.kind(lapack) + ")";
        }
        if (pairs == null) {
            pairs = commonsMath(stats.covariance(), k);
            solver = "Commons Math";
        }
        double[][] components = new double[k][];
        double[] eigenvalues = new double[k];
        double[] ratios = new double[k];
        for (int c = 0; c < k; c++) {
            components[c] = fixSign(unit(pairs.vectors()[c]));
            eigenvalues[c] = Math.max(pairs.values()[c], 0.0);
            ratios[c] = total > 0 ? eigenvalues[c] / total : 0.0;
        }
        LOG.info("PCA: top {} of {} eigenpairs by {} in {} ms", k, d, solver, (System.nanoTime() - start) / 1_000_000);
        return new PcaModel(stats.count(), stats.mean(), components, eigenvalues, ratios);
    }

    /** The top k pairs from Commons Math's full decomposition, in descending order. */
    static TopEigen.Pairs commonsMath(double[][] covariance, int k) {
        int d = covariance.length;
        Eigen eigen = symmetricEigen(covariance);
        double[] values = eigen.values();
        Integer[] order = IntStream.range(0, d).boxed().toArray(Integer[]::new);
        Arrays.sort(order, Comparator.comparingDouble((Integer i) -> values[i]).reversed());
        double[] top = new double[k];
        double[][] vectors = new double[k][];
        for (int c = 0; c < k; c++) {
            top[c] = values[order[c]];
            vectors[c] = eigen.vectors().getColumnVector(order[c]).toArray();
        }
        return new TopEigen.Pairs(top, vectors);
    }

    private static double[] unit(double[] v) {
        double norm = 0;
        for (double x : v) {
            norm += x * x;
        }
        norm = Math.sqrt(norm);
        for (int i = 0; i < v.length; i++) {
            v[i] /= norm;
        }
        return v;
    }

    /** Eigenvalues and eigenvectors (as columns) of a symmetric matrix. */
    record Eigen(double[] values, RealMatrix vectors) {
    }

    /**
     * Commons Math's symmetric eigen-decomposition (Householder tridiagonalisation + implicit QL, at most 30
     * sweeps per eigenvalue) fails to converge on some rank-deficient covariances, e.g. 120 images in 1280
     * dimensions. An orthogonal change of basis leaves eigenvalues unchanged and eigenvectors rotated back exactly,
     * but gives QL another tridiagonal form: first the Q of a QR with column pivoting of the matrix itself (which
     * orders the basis by the matrix's own column norms), then a seeded random orthogonal basis.
     */
    static Eigen symmetricEigen(double[][] matrix) {
        RealMatrix c = new Array2DRowRealMatrix(matrix, false);
        try {
            EigenDecomposition direct = new EigenDecomposition(c);
            return new Eigen(direct.getRealEigenvalues(), direct.getV());
        } catch (MaxCountExceededException firstFailure) {
            try {
                return inBasis(c, new RRQRDecomposition(c, 0).getQ());
            } catch (MaxCountExceededException secondFailure) {
                RealMatrix random = new Array2DRowRealMatrix(c.getRowDimension(), c.getRowDimension());
                java.util.Random gaussian = new java.util.Random(1280);
                for (int i = 0; i < random.getRowDimension(); i++) {
                    for (int j = 0; j < random.getColumnDimension(); j++) {
                        random.setEntry(i, j, gaussian.nextGaussian());
                    }
                }
                return inBasis(c, new QRDecomposition(random).getQ());
            }
        }
    }

    /** Eigen-decomposition of c in the orthonormal basis q (c = q b qᵀ), mapped back to the original coordinates. */
    static Eigen inBasis(RealMatrix c, RealMatrix q) {
        double[][] b = q.transpose().multiply(c).multiply(q).getData();
        for (int i = 0; i < b.length; i++) {
            for (int j = 0; j < i; j++) {
                double mean = (b[i][j] + b[j][i]) / 2; // exact symmetry, which the solver requires
                b[i][j] = mean;
                b[j][i] = mean;
            }
        }
        EigenDecomposition small = new EigenDecomposition(new Array2DRowRealMatrix(b, false));
        return new Eigen(small.getRealEigenvalues(), q.multiply(small.getV()));
    }

    private static double[] fixSign(double[] v) {
        int largest = 0;
        for (int i = 1; i < v.length; i++) {
            if (Math.abs(v[i]) > Math.abs(v[largest])) {
                largest = i;
            }
        }
        if (v[largest] < 0) {
            for (int i = 0; i < v.length; i++) {
                v[i] = -v[i];
            }
        }
        return v;
    }
}
