package dev.orchard.predict;

import java.util.Objects;

/**
 * Where a job's feature vectors come from: the CNN (its file's SHA-256), the preprocessing of its input, the tensor
 * taken from it, and the optional sparse random projection applied after it. Two jobs with equal sources give
 * comparable features for the same image; features of different CNNs, preprocessing, tensors or projections are not
 * comparable, even at equal length.
 *
 * @param modelSha256   SHA-256 of the ONNX file, hex
 * @param srpDim        0 when the features are not projected, else the projected dimension
 * @param srpSeed       the projection's seed (0 when not projected)
 * @param preprocessing {@code ModelSpec.preprocessing()}; null where not known (a classifier or an output an Orchard
 *                      before it wrote)
 */
public record FeatureSource(String modelSha256, String tensor, int srpDim, long srpSeed, String preprocessing) {

    public FeatureSource {
        Objects.requireNonNull(modelSha256, "modelSha256");
        Objects.requireNonNull(tensor, "tensor");
        if (srpDim < 0) {
            throw new IllegalArgumentException("srpDim must be 0 (no projection) or positive, got " + srpDim);
        }
        if (srpDim == 0) {
            srpSeed = 0;
        }
    }

    /** A source whose preprocessing is not known. */
    public FeatureSource(String modelSha256, String tensor, int srpDim, long srpSeed) {
        this(modelSha256, tensor, srpDim, srpSeed, null);
    }

    /**
     * Whether features from {@code other} are comparable with these: the same CNN, tensor and projection, and the same
     * preprocessing where both know it (a classifier trained on features of a BGR, 224-resized spec labelled an
     * output of the default spec without a word, 81 % where it scored 100: a user's walk).
     */
    public boolean comparableWith(FeatureSource other) {
        return modelSha256.equals(other.modelSha256) && tensor.equals(other.tensor) && srpDim == other.srpDim
                && srpSeed == other.srpSeed
                && (preprocessing == null || other.preprocessing == null || preprocessing.equals(other.preprocessing));
    }

    /** "tensor '464' of model 1f81561b…" with the projection when there is one, and the preprocessing where known. */
    String describe() {
        return "tensor '" + tensor + "' of the model with SHA-256 " + modelSha256
                + (srpDim == 0 ? ", not projected" : ", projected by --reduce srp to " + srpDim + " with seed " + srpSeed)
                + (preprocessing == null ? "" : ", its input preprocessed as " + preprocessing);
    }
}
