package dev.orchard.classify;

/** A trained model (or set of models) that predicts a class and a score for each standardised row. */
interface TrainedClassifier {

    Scored score(double[][] z);

    /**
     * For each row the predicted class and its score: a probability for logistic models, a signed margin for
     * SVMs (for one-vs-all, the winning binary model's score).
     */
    record Scored(String[] predicted, double[] scores) {
    }
}
