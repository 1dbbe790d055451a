package dev.orchard.predict;

/**
 * A batch's predictions, row by row.
 *
 * @param labels the predicted class of each row
 * @param scores its score: a probability, or a signed margin for an SVM ({@link OnnxClassifier#scoreMeaning()})
 */
public record Predictions(String[] labels, double[] scores) {

    public int size() {
        return labels.length;
    }
}
