package dev.orchard.stats;

import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.EigenDecomposition;
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
        EigenDecomposition eigen = new EigenDecomposition(new Array2DRowRealMatrix(covariance, false));
        double[] values = eigen.getRealEigenvalues();
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
            RealVector v = eigen.getEigenvector(idx);
            components[c] = fixSign(v.unitVector().toArray());
            eigenvalues[c] = Math.max(values[idx], 0.0);
            ratios[c] = total > 0 ? eigenvalues[c] / total : 0.0;
        }
        return new PcaModel(stats.count(), stats.mean(), components, eigenvalues, ratios);
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
