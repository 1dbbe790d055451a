package dev.orchard.classify;

import dev.orchard.predict.Link;

/**
 * Every class's score of a row from a one-vs-all's linear form: s_c = w_c · z + b_c, then σ(s_c) for logistic models
 * or s_c itself for SVMs, as {@code classifier.onnx} computes them and {@code orchard apply} scores with. Each dot
 * product adds its coordinates in order from 0 and the bias last, as LIBLINEAR's {@code predictValues} does, so a
 * margin is the very number Tribuo's {@code predict} reported (the negated weights of a binary model's second label
 * negate it exactly). A probability may differ in the last bits: for its second label LIBLINEAR reports 1 − σ(s)
 * where the linear form gives σ(−s), both within a few 1e-16 of the exact value.
 */
final class LinearScores {
    /**
     * Dot products summed side by side: one sum waits on its own previous addition (4 cycles) where four independent
     * ones keep the adder busy. Each is still summed in coordinate order, so the result does not change.
     */
    private static final int ROWS_AT_ONCE = 4;

    private final double[][] weights;
    private final double[] bias;
    private final boolean sigmoid;

    LinearScores(TrainedClassifier.LinearForm form) {
        if (form.link() == Link.SOFTMAX) {
            throw new IllegalStateException("A one-vs-all's classes are scored each alone, not by softmax");
        }
        this.weights = form.weights();
        this.bias = form.bias();
        this.sigmoid = form.link() == Link.SIGMOID;
    }

    /**
     * Fills {@code scores[r][c]} for every class c and the rows {@code from} to {@code to} (exclusive) of z, and each
     * row's {@code best[r]}: the class of its first highest linear score (classes in order, a later one only when
     * strictly higher), as {@code classifier.onnx}'s ArgMax over its linear scores.
     */
    void score(double[][] z, int from, int to, double[][] scores, int[] best) {
        double[] bestLinear = new double[to - from];
        java.util.Arrays.fill(bestLinear, Double.NEGATIVE_INFINITY);
        for (int c = 0; c < weights.length; c++) {
            double[] w = weights[c];
            int r = from;
            for (; r + ROWS_AT_ONCE <= to; r += ROWS_AT_ONCE) {
                double[] z0 = z[r];
                double[] z1 = z[r + 1];
                double[] z2 = z[r + 2];
                double[] z3 = z[r + 3];
                double s0 = 0;
                double s1 = 0;
                double s2 = 0;
                double s3 = 0;
                for (int j = 0; j < w.length; j++) {
                    s0 += w[j] * z0[j];
                    s1 += w[j] * z1[j];
                    s2 += w[j] * z2[j];
                    s3 += w[j] * z3[j];
                }
                keep(r, c, s0 + bias[c], from, scores, best, bestLinear);
                keep(r + 1, c, s1 + bias[c], from, scores, best, bestLinear);
                keep(r + 2, c, s2 + bias[c], from, scores, best, bestLinear);
                keep(r + 3, c, s3 + bias[c], from, scores, best, bestLinear);
            }
            for (; r < to; r++) {
                double s = 0;
                for (int j = 0; j < w.length; j++) {
                    s += w[j] * z[r][j];
                }
                keep(r, c, s + bias[c], from, scores, best, bestLinear);
            }
        }
    }

    /**
     * Row r's score for class c, and c as its best where its linear score is strictly the highest so far: by the linear
     * score, not the probability, since σ rounds every logit above ~37 to 1.0 and classes whose logits differ would
     * tie there (the first in name order won, whichever logit was larger).
     */
    private void keep(int r, int c, double linear, int from, double[][] scores, int[] best, double[] bestLinear) {
        scores[r][c] = link(linear);
        if (linear > bestLinear[r - from]) {
            bestLinear[r - from] = linear;
            best[r] = c;
        }
    }

    /** LIBLINEAR's own σ, 1 / (1 + e^−s): a probability is bit for bit Tribuo's where LIBLINEAR computed σ(s). */
    private double link(double s) {
        return sigmoid ? 1 / (1 + Math.exp(-s)) : s;
    }
}
