package dev.orchard.classify;

/**
 * One image's label from {@code orchard classify --apply}, a row of {@code predictions-<classifier>.parquet}.
 *
 * @param label the job's label for the image; null when it had none
 * @param score the classifier's score for {@code predicted}: a probability, or a signed margin for an SVM
 */
public record AppliedPrediction(String path, String label, String predicted, double score) {
}
