package dev.orchard.classify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.orchard.predict.FeatureSource;
import dev.orchard.predict.VectorKind;
import dev.orchard.predict.VectorProvenance;
import dev.orchard.store.Location;
import dev.orchard.store.ObjectStore;
import dev.orchard.store.OutputLayout;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Which vectors a job's output holds, from its own files: {@code _SUCCESS} names the CNN (SHA-256), the feature
 * tensor and any sparse projection; the SHA-256 of {@code pca-model.json} names the PCA its {@code pca/} rows are
 * coordinates on. A classifier records this for what it was trained on, and is checked against it before it
 * labels another output.
 */
final class OutputProvenance {
    private static final ObjectMapper JSON = new ObjectMapper();

    private OutputProvenance() {
    }

    /**
     * @param read the vectors' length, as read; 0 where they are not read yet: then as {@code _SUCCESS} records it
     *             (an --apply was checked with the classifier's own length in its place, and its refusal named only
     *             the CNN and the projection that differed, not that the vectors had another length: a user's walk)
     * @return for PCA rows without a {@code pca-model.json}, a provenance without its SHA-256
     */
    static VectorProvenance read(ObjectStore store, Location output, VectorColumn use, int read) throws IOException {
        OutputLayout layout = new OutputLayout(output);
        JsonNode success = success(store, layout);
        FeatureSource features = featureSource(success);
        int dimension = read > 0 ? read : recordedDimension(success, use);
        if (use == VectorColumn.FEATURES) {
            return new VectorProvenance(VectorKind.FEATURES, dimension, features, null);
        }
        String pca = store.exists(layout.pcaModel()) ? sha256(store.read(layout.pcaModel())) : null;
        requireTheJobs(success, layout, pca);
        return new VectorProvenance(VectorKind.PCA, dimension, features, pca);
    }

    /**
     * Refuses a {@code pca-model.json} other than the one the job wrote ({@code _SUCCESS} records its SHA-256): another
     * job's, copied over it, was taken for this output's, and a classifier trained on those axes labelled rows
     * projected on others (a user's walk: 92 % where the same classifier on its own axes scored 100 %). An output
     * whose {@code _SUCCESS} records none (an Orchard before it did) is not checked.
     */
    private static void requireTheJobs(JsonNode success, OutputLayout layout, String pca) {
        JsonNode recorded = success == null ? null : success.path("pca").path("sha256");
        if (pca != null && recorded != null && recorded.isTextual() && !recorded.asText().equals(pca)) {
            throw new ClassifyException(layout.pcaModel() + " is not the one the job wrote (its SHA-256 is "
                    + pca.substring(0, 12) + "…, the job's _SUCCESS records " + abbreviated(recorded.asText())
                    + "): its pca/ rows are coordinates on another model. Make the output again (the job's command"
                    + " with --overwrite), or restore the file.");
        }
    }

    private static String abbreviated(String sha) {
        return sha.length() > 12 ? sha.substring(0, 12) + "…" : sha;
    }

    /** The output's {@code _SUCCESS}, read once for all this class takes from it; null when there is none. */
    private static JsonNode success(ObjectStore store, OutputLayout layout) throws IOException {
        if (!store.exists(layout.success())) {
            return null;
        }
        try {
            return JSON.readTree(store.read(layout.success()));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new ClassifyException(layout.success() + " is not the JSON an Orchard job writes (" + e.getOriginalMessage()
                    + "). Was the folder written by orchard run?");
        }
    }

    /**
     * The length of the output's {@code use} vectors as {@code _SUCCESS} records it: the PCA's k; the features' is the
     * sparse projection's, else what the PCA read. 0 where it does not (no _SUCCESS, or a job without either).
     */
    private static int recordedDimension(JsonNode success, VectorColumn use) {
        if (success == null) {
            return 0;
        }
        if (use == VectorColumn.PCA) {
            return success.path("pca").path("k").asInt(0);
        }
        int projected = success.path("sparseRandomProjection").path("dim").asInt(0);
        return projected > 0 ? projected : success.path("pca").path("dim").asInt(0);
    }

    /** From {@code _SUCCESS}; null when the output has none (a job still running, failed, or not Orchard's). */
    private static FeatureSource featureSource(JsonNode success) {
        if (success == null) {
            return null;
        }
        JsonNode model = success.path("model");
        if (!model.path("sha256").isTextual() || !model.path("featureTensor").isTextual()) {
            return null; // an older _SUCCESS: the source is not known
        }
        JsonNode srp = success.path("sparseRandomProjection");
        JsonNode preprocessing = model.path("preprocessing"); // not in the _SUCCESS of an Orchard before it: not known
        return new FeatureSource(model.get("sha256").asText(), model.get("featureTensor").asText(),
                srp.path("dim").asInt(0), srp.path("seed").asLong(0),
                preprocessing.isTextual() ? preprocessing.asText() : null);
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
