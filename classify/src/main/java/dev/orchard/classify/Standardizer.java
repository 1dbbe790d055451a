package dev.orchard.classify;

import java.util.List;

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

    /** Fewer training images than this in a class, and the standardisation's spreads are too noisy to trust. */
    static final int FEW_PER_CLASS = 5;

    /**
     * A warning when a class has fewer than {@link #FEW_PER_CLASS} training images, else null. Each coordinate is
     * divided by its spread over the training images; over two or three, a coordinate that barely varies among them
     * gets a spread near 0, and on a test image its standardised value reaches thousands and swamps the rest (a
     * user's walk: Banana vs Kiwi at 1 training image a class scored 47 % on the test images, below chance, at 3 88 %,
     * at 5 100 %; |z| up to 19,268). scikit-learn's StandardScaler does the same, without a word.
     */
    static String fewTrainingImages(List<String> classes, String[] labels, boolean[] train) {
        java.util.Map<String, Integer> perClass = new java.util.HashMap<>();
        for (int r = 0; r < labels.length; r++) {
            if (train[r]) {
                perClass.merge(labels[r], 1, Integer::sum);
            }
        }
        List<String> few = classes.stream().filter(c -> perClass.getOrDefault(c, 0) < FEW_PER_CLASS).toList();
        if (few.isEmpty()) {
            return null;
        }
        String named = few.stream().limit(3).map(c -> "'" + dev.orchard.store.Printable.escaped(c) + "' "
                + perClass.getOrDefault(c, 0)).collect(java.util.stream.Collectors.joining(", "));
        return "warning: " + few.size() + " of the " + classes.size() + " classes " + (few.size() == 1 ? "has" : "have")
                + " fewer than " + FEW_PER_CLASS + " training images (" + named + (few.size() > 3 ? ", …" : "")
                + "): each coordinate is standardised by its spread over the training images, and over so few a"
                + " coordinate that barely varies gets a spread near 0 and swamps the others on new images, so the"
                + " test accuracy can fall below chance. Train on more images where there are more"
                + " (--train-per-class, --train-fraction).";
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
