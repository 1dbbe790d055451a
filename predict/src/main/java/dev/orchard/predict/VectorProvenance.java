package dev.orchard.predict;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Which vectors these are: a classifier's expected input (stored in its ONNX metadata) or what a job gives. A
 * linear model only means something on the vectors it was trained on, so before a classifier reads a job's vectors
 * the two are compared ({@link #problemsReading}): same kind, same dimension, same CNN, preprocessing, tensor and
 * projection, and for PCA coordinates the same {@code pca-model.json} (two PCAs of different images have different
 * axes, so coordinates on one are meaningless on the other, whatever their length).
 *
 * @param dimension      the vector length; 0 where not known yet (a job before its model is loaded)
 * @param features       where the features come from; null where not known (an output without {@code _SUCCESS})
 * @param pcaModelSha256 for {@link VectorKind#PCA}: SHA-256 of the {@code pca-model.json} bytes; null otherwise or
 *                       where not known
 */
public record VectorProvenance(VectorKind kind, int dimension, FeatureSource features, String pcaModelSha256) {

    /** Metadata keys in the ONNX model ({@code metadata_props}); values are plain strings. */
    public static final String INPUT = "orchard.input";
    public static final String DIMENSION = "orchard.dimension";
    public static final String FEATURE_MODEL_SHA256 = "orchard.feature-model.sha256";
    public static final String FEATURE_TENSOR = "orchard.feature-tensor";
    public static final String SRP_DIM = "orchard.srp.dim";
    public static final String SRP_SEED = "orchard.srp.seed";
    public static final String FEATURE_PREPROCESSING = "orchard.feature-preprocessing";
    public static final String PCA_MODEL_SHA256 = "orchard.pca-model.sha256";

    public VectorProvenance {
        Objects.requireNonNull(kind, "kind");
        if (dimension < 0) {
            throw new IllegalArgumentException("dimension must be positive (or 0: unknown), got " + dimension);
        }
        if (kind == VectorKind.FEATURES && pcaModelSha256 != null) {
            throw new IllegalArgumentException("features have no PCA model");
        }
    }

    public VectorProvenance withDimension(int dimension) {
        return new VectorProvenance(kind, dimension, features, pcaModelSha256);
    }

    /** The metadata entries a classifier trained on these vectors carries. */
    public Map<String, String> toMetadata() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(INPUT, kind.column());
        m.put(DIMENSION, String.valueOf(dimension));
        if (features != null) {
            m.put(FEATURE_MODEL_SHA256, features.modelSha256());
            m.put(FEATURE_TENSOR, features.tensor());
            m.put(SRP_DIM, String.valueOf(features.srpDim()));
            m.put(SRP_SEED, String.valueOf(features.srpSeed()));
            if (features.preprocessing() != null) {
                m.put(FEATURE_PREPROCESSING, features.preprocessing());
            }
        }
        if (pcaModelSha256 != null) {
            m.put(PCA_MODEL_SHA256, pcaModelSha256);
        }
        return m;
    }

    /** Reads {@link #toMetadata()} back; {@code source} names the file in messages. */
    public static VectorProvenance fromMetadata(Map<String, String> m, String source) {
        VectorKind kind = VectorKind.ofColumn(m.get(INPUT));
        if (kind == null) {
            throw new ClassifierException(source + " does not say which vectors it reads (metadata " + INPUT + " is "
                    + (m.containsKey(INPUT) ? "'" + m.get(INPUT) + "'" : "missing") + "; expected features or pca)."
                    + " Export it again with orchard classify.");
        }
        int dimension = parseInt(m, DIMENSION, source);
        if (dimension < 1) {
            throw new ClassifierException(source + ": metadata " + DIMENSION + " must be positive, got " + dimension);
        }
        FeatureSource features = null;
        if (m.containsKey(FEATURE_MODEL_SHA256)) {
            features = new FeatureSource(m.get(FEATURE_MODEL_SHA256), require(m, FEATURE_TENSOR, source),
                    parseInt(m, SRP_DIM, source), parseLong(m, SRP_SEED, source), m.get(FEATURE_PREPROCESSING));
        }
        String pca = m.get(PCA_MODEL_SHA256);
        if (kind == VectorKind.PCA && pca == null) {
            throw new ClassifierException(source + " reads PCA coordinates but does not say of which PCA model"
                    + " (metadata " + PCA_MODEL_SHA256 + " is missing). Export it again with orchard classify.");
        }
        return new VectorProvenance(kind, dimension, features, kind == VectorKind.PCA ? pca : null);
    }

    /**
     * Why a classifier expecting these vectors cannot read {@code given}; empty when it can. What either side does
     * not know is not held against it (a job before its model loads has no dimension yet; an output written
     * without {@code _SUCCESS} has no feature source), except the PCA model, without which PCA coordinates
     * cannot be trusted.
     */
    public List<String> problemsReading(VectorProvenance given) {
        List<String> problems = new ArrayList<>();
        if (given.kind != kind) {
            problems.add("it was trained on " + described() + " but is given " + given.described()
                    + (kind == VectorKind.PCA
                    ? ". A classifier trained on PCA coordinates reads only coordinates on the same pca-model.json;"
                    + " to label other images, train it on the features (orchard classify --use features)"
                    : ". Apply it to the features, or train another on the PCA coordinates (--use pca)"));
            return problems;
        }
        if (dimension > 0 && given.dimension > 0 && dimension != given.dimension) {
            problems.add("it reads " + dimension + "-d " + kind.column() + " but is given " + given.dimension + "-d ones");
        }
        if (features != null && given.features != null && !features.comparableWith(given.features)) {
            problems.add("its features and these differ in " + String.join(" and ", features.differences(given.features))
                    + ": it was trained on the features of " + features.describe() + ", but these come from "
                    + given.features.describe() + "; features of another model, preprocessing, tensor or projection are"
                    + " not comparable. Run the job with the same --model, --model-spec, --feature-tensor and"
                    + " --reduce/--srp-dim/--seed");
        }
        if (kind == VectorKind.PCA) {
            if (given.pcaModelSha256 == null) {
                problems.add("it reads coordinates on the PCA model with SHA-256 " + pcaModelSha256
                        + ", and the given coordinates' PCA model is not known (no pca-model.json, or a job that solves"
                        + " a PCA of its own, whose axes differ). A classifier trained on PCA coordinates labels only"
                        + " coordinates on that same pca-model.json; to label new images, train it on the features"
                        + " (orchard classify --use features)");
            } else if (!pcaModelSha256.equals(given.pcaModelSha256)) {
                problems.add("it reads coordinates on the PCA model with SHA-256 " + pcaModelSha256
                        + " but the given ones are on the PCA model with SHA-256 " + given.pcaModelSha256
                        + " (a PCA of other images, or with another k, has other axes; the same job run again makes"
                        + " a pca-model.json of its own too, equal to ~1e-15 but not bit for bit, as its statistics"
                        + " are merged in the order units finish). Train the classifier on this output (orchard"
                        + " classify --use pca), or on the features, which do not depend on a PCA");
            }
        }
        return problems;
    }

    /** "50-d pca", or "pca" where the length is not known: a refusal states the lengths along with the kinds. */
    private String described() {
        return dimension > 0 ? dimension + "-d " + kind.column() : kind.column();
    }

    /**
     * Throws when a classifier expecting these vectors cannot read {@code given}.
     *
     * @param classifier names the classifier file, {@code vectors} where the vectors come from, in the message
     */
    public void requireReadable(VectorProvenance given, String classifier, String vectors) {
        List<String> problems = problemsReading(given);
        if (!problems.isEmpty()) {
            throw new ClassifierException("Classifier " + classifier + " cannot label the " + given.kind.column()
                    + " of " + vectors + ": " + String.join("; ", problems) + ".");
        }
    }

    private static String require(Map<String, String> m, String key, String source) {
        String value = m.get(key);
        if (value == null) {
            throw new ClassifierException(source + ": metadata " + key + " is missing. Export it again with orchard classify.");
        }
        return value;
    }

    private static int parseInt(Map<String, String> m, String key, String source) {
        try {
            return Integer.parseInt(require(m, key, source));
        } catch (NumberFormatException e) {
            throw new ClassifierException(source + ": metadata " + key + " is not a number: '" + m.get(key) + "'");
        }
    }

    private static long parseLong(Map<String, String> m, String key, String source) {
        try {
            return Long.parseLong(require(m, key, source));
        } catch (NumberFormatException e) {
            throw new ClassifierException(source + ": metadata " + key + " is not a number: '" + m.get(key) + "'");
        }
    }
}
