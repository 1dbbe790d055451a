package dev.orchard.stats;

/**
 * A fitted PCA: the mean, the top-k principal axes (rows of {@code components}, unit length), their eigenvalues
 * (variances along each axis) and the share of the total variance each explains.
 */
public record PcaModel(long count, double[] mean, double[][] components, double[] eigenvalues,
                       double[] explainedVarianceRatio) {

    @com.fasterxml.jackson.annotation.JsonProperty("k")
    public int k() {
        return components.length;
    }

    @com.fasterxml.jackson.annotation.JsonProperty("dim")
    public int dim() {
        return mean.length;
    }

    /**
     * What to choose when k is larger than the {@code images} there are: k ≤ n − 1, as n images span at most n − 1
     * directions; k = n is taken too, its last component arbitrary (a user read "choose k ≤ 7" for 8 images as a
     * limit that k = 8 then did not keep to).
     */
    public static String kAdvice(long images) {
        return "choose k ≤ " + Math.max(1, images - 1) + " (" + images + " images span at most " + Math.max(1, images - 1)
                + (images - 1 > 1 ? " directions" : " direction") + "; k = " + images + " also runs, but its last component"
                + " is then arbitrary)";
    }

    /** A component explaining no more than this share of the total variance is taken as explaining none. */
    public static final double NO_VARIANCE = 1e-9;
    /**
     * Nor one whose variance is no more than this times the squared length of the mean: float rounding alone
     * (copies of one image run in batches of other sizes can differ in their last bits) gives variances of ~1e-14
     * of it, which as a share of a total made of nothing else would count as all of it.
     */
    public static final double ROUNDING_VARIANCE = 1e-10;

    /**
     * How many of the components explain variance (more than {@link #NO_VARIANCE} of the total, and more than
     * rounding, {@link #ROUNDING_VARIANCE}): fewer than k where the features vary along fewer independent directions
     * than k (n images span at most n − 1; identical images none). The others' directions are arbitrary and every
     * row's projection on them is ~0.
     */
    @com.fasterxml.jackson.annotation.JsonIgnore
    public int varyingComponents() {
        double meanSquare = 0;
        for (double m : mean) {
            meanSquare += m * m;
        }
        int varying = 0;
        while (varying < explainedVarianceRatio.length && explainedVarianceRatio[varying] > NO_VARIANCE
                && eigenvalues[varying] > ROUNDING_VARIANCE * meanSquare) {
            varying++;
        }
        return varying;
    }

    /** {@link #project} of each row, as matrix products where the system has a BLAS ({@link RowProjection}). */
    public float[][] projectAll(float[][] rows) {
        return RowProjection.project(this, rows, SystemBlas.NATIVE);
    }

    /** Projects x onto the axes: (x − μ)·vᵢ for each component. */
    public float[] project(float[] x) {
        if (x.length != mean.length) {
            throw new IllegalArgumentException("vector has " + x.length + " values, the PCA model expects " + mean.length);
        }
        double[] centred = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            centred[i] = x[i] - mean[i];
        }
        float[] out = new float[components.length];
        int d = centred.length;
        int tail = d & ~3;
        for (int c = 0; c < components.length; c++) {
            double[] axis = components[c];
            // Four independent sums: a single running sum is one long dependency chain of additions (the JIT
            // keeps their order, so it cannot vectorise it); four of them run ~3× faster on the same core.
            double s0 = 0;
            double s1 = 0;
            double s2 = 0;
            double s3 = 0;
            for (int i = 0; i < tail; i += 4) {
                s0 += centred[i] * axis[i];
                s1 += centred[i + 1] * axis[i + 1];
                s2 += centred[i + 2] * axis[i + 2];
                s3 += centred[i + 3] * axis[i + 3];
            }
            for (int i = tail; i < d; i++) {
                s0 += centred[i] * axis[i];
            }
            out[c] = (float) ((s0 + s1) + (s2 + s3));
        }
        return out;
    }
}
