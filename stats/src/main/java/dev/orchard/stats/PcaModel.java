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
        for (int c = 0; c < components.length; c++) {
            double[] axis = components[c];
            double s = 0;
            for (int i = 0; i < axis.length; i++) {
                s += centred[i] * axis[i];
            }
            out[c] = (float) s;
        }
        return out;
    }
}
