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
import org.apache.commons.math3.linear.RealVector;

/** Exact PCA from merged covariance statistics, with Commons Math's symmetric eigen-decomposition. */
public final class PrincipalComponents {

    private PrincipalComponents() {
    }

    /**
     * The top {@code k} components of the data summarised by {@code stats}, sorted by eigenvalue (largest
     * first), each with its sign fixed so that its largest-magnitude coordinate is positive: reruns and other
     * tools then agree on signs, not only up to sign.
     */
    public static PcaModel fit(CovariancePartial stats, int k) {
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
        double[][] covariance = stats.covariance();
        Eigen eigen = symmetricEigen(covariance);
        double[] values = eigen.values();
        Integer[] order = IntStream.range(0, d).boxed().toArray(Integer[]::new);
        Arrays.sort(order, Comparator.comparingDouble((Integer i) -> values[i]).reversed());

        double total = 0;
        for (int i = 0; i < d; i++) {
            total += covariance[i][i]; // trace = Σλ, without the rounding noise of tiny negative eigenvalues
        }
        double[][] components = new double[k][];
        double[] eigenvalues = new double[k];
        double[] ratios = new double[k];
        for (int c = 0; c < k; c++) {
            int idx = order[c];
            RealVector v = eigen.vectors().getColumnVector(idx);
            components[c] = fixSign(v.unitVector().toArray());
            eigenvalues[c] = Math.max(values[idx], 0.0);
            ratios[c] = total > 0 ? eigenvalues[c] / total : 0.0;
        }
        return new PcaModel(stats.count(), stats.mean(), components, eigenvalues, ratios);
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
