package dev.orchard.classify;

import dev.orchard.predict.Link;

/** A trained model (or set of models) that predicts a class and a score for each standardised row. */
interface TrainedClassifier {

    Scored score(double[][] z);

    /** The same model as one linear score per class (in the order of the classes it was trained on) and a link. */
    LinearForm linear();

    /**
     * For each row the predicted class and its score: a probability for logistic models, a signed margin for
     * SVMs (for one-vs-all, the winning binary model's score).
     *
     * @param classScores [row][class]: every class's score, in the order of the classes it was trained on
     */
    record Scored(String[] predicted, double[] scores, double[][] classScores) {
    }

    /**
     * s_c = weights[c] · z + bias[c] on a standardised row z, then {@code link}.
     *
     * @param weights [class][coordinate]
     */
    record LinearForm(double[][] weights, double[] bias, Link link) {
        /** Every class's linear score w_c · z + b_c of one standardised row, before the link. */
        double[] of(double[] z) {
            double[] s = new double[bias.length];
            for (int c = 0; c < s.length; c++) {
                double sum = 0;
                for (int j = 0; j < z.length; j++) {
                    sum += weights[c][j] * z[j];
                }
                s[c] = sum + bias[c];
            }
            return s;
        }
    }
}
