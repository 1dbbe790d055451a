package dev.orchard.classify;

/**
 * One image's outcome, a row of {@code predictions.parquet}.
 *
 * @param split {@code train} or {@code test}
 * @param score the model's score for {@code predicted}: a probability for logistic regression, a signed margin
 *              for an SVM
 */
public record PredictionRow(String path, String label, String split, String predicted, double score) {

    public static final String TRAIN = "train";
    public static final String TEST = "test";

    public boolean correct() {
        return label.equals(predicted);
    }
}
