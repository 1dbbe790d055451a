package dev.orchard.store.parquet;

/**
 * One output row: the image's location, its label (null when unlabelled), a vector (features or PCA) and, in a job
 * run with a classifier, the class it predicted and that class's score.
 *
 * @param predicted the classifier's label; null when the row carries no prediction
 * @param score     the predicted class's score (a probability, or an SVM's margin); NaN without a prediction
 */
public record VectorRow(String path, String label, float[] values, String predicted, double score) {

    /** A row without a prediction. */
    public VectorRow(String path, String label, float[] values) {
        this(path, label, values, null, Double.NaN);
    }

    /** This row labelled by a classifier. */
    public VectorRow withPrediction(String predicted, double score) {
        return new VectorRow(path, label, values, predicted, score);
    }

    /** The same image, label and prediction with another vector (its PCA projection). */
    public VectorRow withValues(float[] values) {
        return new VectorRow(path, label, values, predicted, score);
    }

    public boolean hasPrediction() {
        return predicted != null;
    }
}
