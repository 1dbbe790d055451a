package dev.orchard.classify;

/**
 * z = (x − mean) / std per coordinate, fitted on the training rows only, so nothing about the test images leaks
 * into the model (scikit-learn's StandardScaler: population std).
 *
 * <p>Why not Tribuo's {@code MeanStdDevTransformation}: it divides by the observed std even when that is 0, and a
 * coordinate that is constant on the training rows is common here (a ReLU channel that never fires for the two
 * classes of a pair); 0/0 would put NaN into every example. A constant coordinate carries no information, so
 * here it maps to 0.
 */
final class Standardizer {
    private final double[] mean;
    private final double[] inverseStd;

    private Standardizer(double[] mean, double[] inverseStd) {
        this.mean = mean;
        this.inverseStd = inverseStd;
    }

    /** Two passes (mean, then squared deviations) in double precision over the rows marked {@code use}. */
    static Standardizer fit(float[][] x, boolean[] use, int dimension) {
        double[] mean = new double[dimension];
        long n = 0;
        for (int r = 0; r < x.length; r++) {
            if (use[r]) {
                n++;
                for (int i = 0; i < dimension; i++) {
                    mean[i] += x[r][i];
                }
            }
        }
        for (int i = 0; i < dimension; i++) {
            mean[i] /= n;
        }
        double[] squares = new double[dimension];
        for (int r = 0; r < x.length; r++) {
            if (use[r]) {
                for (int i = 0; i < dimension; i++) {
                    double d = x[r][i] - mean[i];
                    squares[i] += d * d;
                }
            }
        }
        double[] inverseStd = new double[dimension];
        for (int i = 0; i < dimension; i++) {
            double std = Math.sqrt(squares[i] / n);
            inverseStd[i] = std > 1e-12 * (1 + Math.abs(mean[i])) ? 1 / std : 0;
        }
        return new Standardizer(mean, inverseStd);
    }

    /** The training mean of each coordinate (a copy). */
    double[] mean() {
        return mean.clone();
    }

    /** 1/std of each coordinate, 0 for a coordinate constant in training (a copy). */
    double[] inverseStd() {
        return inverseStd.clone();
    }

    double[] apply(float[] x) {
        double[] z = new double[mean.length];
        for (int i = 0; i < z.length; i++) {
            z[i] = (x[i] - mean[i]) * inverseStd[i];
        }
        return z;
    }

    double[][] applyAll(float[][] x) {
        double[][] z = new double[x.length][];
        for (int r = 0; r < x.length; r++) {
            z[r] = apply(x[r]);
        }
        return z;
    }
}
