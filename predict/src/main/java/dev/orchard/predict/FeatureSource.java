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

    /**
     * What differs between these features' source and {@code given}'s, each as "what: these, given"; empty when they
     * are comparable. Two sources' descriptions ran to ~350 characters each and differed in one word (a user's walk):
     * this says which.
     */
    java.util.List<String> differences(FeatureSource given) {
        java.util.List<String> d = new java.util.ArrayList<>();
        if (!modelSha256.equals(given.modelSha256)) {
            d.add("the model (SHA-256 " + abbreviated(modelSha256) + ", given " + abbreviated(given.modelSha256) + ")");
        }
        if (!tensor.equals(given.tensor)) {
            d.add("the tensor ('" + tensor + "', given '" + given.tensor + "')");
        }
        if (srpDim != given.srpDim || srpSeed != given.srpSeed) {
            d.add("the projection (" + projection() + ", given " + given.projection() + ")");
        }
        if (preprocessing != null && given.preprocessing != null && !preprocessing.equals(given.preprocessing)) {
            // Items at the top level of the description: "224x224", "mean [0.5, 0.5, 0.5]", "RGB"…
            String items = ",\\s*(?![^\\[]*\\])";
            java.util.List<String> ours = java.util.List.of(preprocessing.split(items));
            java.util.List<String> theirs = java.util.List.of(given.preprocessing.split(items));
            java.util.List<String> only = ours.stream().filter(i -> !theirs.contains(i)).toList();
            java.util.List<String> givenOnly = theirs.stream().filter(i -> !ours.contains(i)).toList();
            // Items only one side has; where one side has none (the same items in another order), both in full.
            boolean itemwise = !only.isEmpty() && !givenOnly.isEmpty();
            d.add("the preprocessing (" + (itemwise ? String.join(", ", only) : preprocessing) + ", given "
                    + (itemwise ? String.join(", ", givenOnly) : given.preprocessing) + ")");
        }
        return d;
    }

    private String projection() {
        return srpDim == 0 ? "none" : "--reduce srp to " + srpDim + " with seed " + srpSeed;
    }

    private static String abbreviated(String sha) {
        return sha.length() > 12 ? sha.substring(0, 12) + "…" : sha;
    }

    /** "tensor '464' of model 1f81561b…" with the projection when there is one, and the preprocessing where known. */
    String describe() {
        return "tensor '" + tensor + "' of the model with SHA-256 " + modelSha256
                + (srpDim == 0 ? ", not projected" : ", projected by --reduce srp to " + srpDim + " with seed " + srpSeed)
                + (preprocessing == null ? "" : ", its input preprocessed as " + preprocessing);
    }
}
