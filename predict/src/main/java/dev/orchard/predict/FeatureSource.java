package dev.orchard.predict;

import java.util.Objects;

/**
 * Where a job's feature vectors come from: the CNN (its file's SHA-256), the tensor taken from it, and the
 * optional sparse random projection applied after it. Two jobs with equal sources give comparable features for
 * the same image; features of different CNNs, tensors or projections are not comparable, even at equal length.
 *
 * @param modelSha256 SHA-256 of the ONNX file, hex
 * @param srpDim      0 when the features are not projected, else the projected dimension
 * @param srpSeed     the projection's seed (0 when not projected)
 */
public record FeatureSource(String modelSha256, String tensor, int srpDim, long srpSeed) {

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

    /** "tensor '464' of model 1f81561b…" with the projection when there is one. */
    String describe() {
        return "tensor '" + tensor + "' of the model with SHA-256 " + modelSha256
                + (srpDim == 0 ? ", not projected" : ", projected by --reduce srp to " + srpDim + " with seed " + srpSeed);
    }
}
