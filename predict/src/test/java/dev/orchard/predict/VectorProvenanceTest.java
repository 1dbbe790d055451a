package dev.orchard.predict;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class VectorProvenanceTest {
    static final FeatureSource MOBILENET = new FeatureSource("1f81561b", "464", 0, 0);
    static final VectorProvenance FEATURES = new VectorProvenance(VectorKind.FEATURES, 1280, MOBILENET, null);
    static final VectorProvenance PCA = new VectorProvenance(VectorKind.PCA, 50, MOBILENET, "aaaa");

    @Test
    void theSameVectorsAreReadable() {
        assertThat(FEATURES.problemsReading(FEATURES)).isEmpty();
        assertThat(PCA.problemsReading(PCA)).isEmpty();
        FEATURES.requireReadable(FEATURES, "c.onnx", "out");
    }

    @Test
    void whatEitherSideDoesNotKnowIsNotHeldAgainstIt() {
        // A job before its model is loaded (dimension 0); an output without _SUCCESS (no feature source).
        assertThat(FEATURES.problemsReading(new VectorProvenance(VectorKind.FEATURES, 0, MOBILENET, null))).isEmpty();
        assertThat(FEATURES.problemsReading(new VectorProvenance(VectorKind.FEATURES, 1280, null, null))).isEmpty();
        assertThat(new VectorProvenance(VectorKind.FEATURES, 1280, null, null).problemsReading(FEATURES)).isEmpty();
    }

    @Test
    void eachDifferenceIsNamed() {
        assertThat(PCA.problemsReading(FEATURES)).singleElement().asString()
                .contains("trained on 50-d pca but is given 1280-d features", "--use features");
        assertThat(PCA.problemsReading(FEATURES.withDimension(0))).singleElement().asString()
                .contains("trained on 50-d pca but is given features"); // a job before its model is loaded
        assertThat(FEATURES.problemsReading(new VectorProvenance(VectorKind.FEATURES, 2048, MOBILENET, null)))
                .singleElement().asString().contains("1280-d features but is given 2048-d");
        assertThat(FEATURES.problemsReading(new VectorProvenance(VectorKind.FEATURES, 1280,
                new FeatureSource("9999", "464", 0, 0), null))).singleElement().asString()
                .contains("SHA-256 1f81561b", "SHA-256 9999", "not comparable");
        assertThat(FEATURES.problemsReading(new VectorProvenance(VectorKind.FEATURES, 1280,
                new FeatureSource("1f81561b", "464", 1280, 7), null))).singleElement().asString()
                .contains("projected by --reduce srp to 1280 with seed 7");
        assertThat(PCA.problemsReading(new VectorProvenance(VectorKind.PCA, 50, MOBILENET, "bbbb")))
                .singleElement().asString().contains("SHA-256 aaaa", "SHA-256 bbbb", "other axes");
        assertThat(PCA.problemsReading(new VectorProvenance(VectorKind.PCA, 50, MOBILENET, null)))
                .singleElement().asString().contains("no pca-model.json", "solves a PCA of its own", "--use features");
        assertThatThrownBy(() -> FEATURES.requireReadable(new VectorProvenance(VectorKind.FEATURES, 10, MOBILENET, null),
                "pets.onnx", "s3://b/out")).isInstanceOf(ClassifierException.class)
                .hasMessageStartingWith("Classifier pets.onnx cannot label the features of s3://b/out: it reads 1280-d");
    }

    /**
     * Features of the same CNN and tensor under another preprocessing (--model-spec: another resize, mean and std,
     * BGR) are not comparable: a classifier of one labelled the other without a word (a user's walk). Where either
     * side does not record its preprocessing (made by an Orchard before it), it is not held against it.
     */
    @Test
    void anotherPreprocessingIsNamedWhereBothKnowIt() {
        String plain = "224x224, resize-shorter 256, mean [0.485, 0.456, 0.406], std [0.229, 0.224, 0.225], RGB, flattened";
        String bgr = "224x224, resize-shorter 224, mean [0.5, 0.5, 0.5], std [0.5, 0.5, 0.5], BGR, flattened";
        VectorProvenance trained = new VectorProvenance(VectorKind.FEATURES, 1280,
                new FeatureSource("1f81561b", "464", 0, 0, plain), null);
        VectorProvenance other = new VectorProvenance(VectorKind.FEATURES, 1280,
                new FeatureSource("1f81561b", "464", 0, 0, bgr), null);
        assertThat(trained.problemsReading(other)).singleElement().asString()
                .contains("its input preprocessed as " + plain, "its input preprocessed as " + bgr, "--model-spec")
                .startsWith("its features and these differ in the preprocessing (resize-shorter 256, mean [0.485, 0.456,"
                        + " 0.406], std [0.229, 0.224, 0.225], RGB, given resize-shorter 224, mean [0.5, 0.5, 0.5], std"
                        + " [0.5, 0.5, 0.5], BGR): ");
        // One word apart, as in the user's walk: that word is what is named.
        String plainBgr = plain.replace("RGB", "BGR");
        assertThat(trained.problemsReading(new VectorProvenance(VectorKind.FEATURES, 1280,
                new FeatureSource("1f81561b", "464", 0, 0, plainBgr), null))).singleElement().asString()
                .startsWith("its features and these differ in the preprocessing (RGB, given BGR): ");
        String fewer = plain.replace(", flattened", ""); // one side has an item the other lacks: both in full
        assertThat(trained.problemsReading(new VectorProvenance(VectorKind.FEATURES, 1280,
                new FeatureSource("1f81561b", "464", 0, 0, fewer), null))).singleElement().asString()
                .startsWith("its features and these differ in the preprocessing (" + plain + ", given " + fewer + "): ");
        assertThat(trained.problemsReading(new VectorProvenance(VectorKind.FEATURES, 1280,
                new FeatureSource("b".repeat(64), "627", 1024, 7, plain), null))).singleElement().asString()
                .startsWith("its features and these differ in the model (SHA-256 1f81561b, given bbbbbbbbbbbb…) and the"
                        + " tensor ('464', given '627') and the projection (none, given --reduce srp to 1024 with seed 7): ");
        assertThat(trained.problemsReading(trained)).isEmpty();
        assertThat(trained.problemsReading(FEATURES)).isEmpty();
        assertThat(FEATURES.problemsReading(other)).isEmpty();
        assertThat(VectorProvenance.fromMetadata(other.toMetadata(), "x")).isEqualTo(other);
        assertThat(other.toMetadata()).containsEntry(VectorProvenance.FEATURE_PREPROCESSING, bgr);
        assertThat(FEATURES.toMetadata()).doesNotContainKey(VectorProvenance.FEATURE_PREPROCESSING);
    }

    @Test
    void metadataRoundTripsAndBadMetadataSaysWhat() {
        assertThat(VectorProvenance.fromMetadata(PCA.toMetadata(), "x")).isEqualTo(PCA);
        assertThat(VectorProvenance.fromMetadata(FEATURES.toMetadata(), "x")).isEqualTo(FEATURES);
        VectorProvenance unknownSource = new VectorProvenance(VectorKind.FEATURES, 8, null, null);
        assertThat(VectorProvenance.fromMetadata(unknownSource.toMetadata(), "x")).isEqualTo(unknownSource);

        Map<String, String> noPca = new HashMap<>(PCA.toMetadata());
        noPca.remove(VectorProvenance.PCA_MODEL_SHA256);
        assertThatThrownBy(() -> VectorProvenance.fromMetadata(noPca, "Classifier c.onnx"))
                .isInstanceOf(ClassifierException.class).hasMessageContaining("of which PCA model");
        assertThatThrownBy(() -> VectorProvenance.fromMetadata(Map.of("orchard.input", "pixels"), "Classifier c.onnx"))
                .hasMessageContaining("'pixels'");
        assertThatThrownBy(() -> VectorProvenance.fromMetadata(Map.of("orchard.input", "features",
                "orchard.dimension", "many"), "Classifier c.onnx")).hasMessageContaining("not a number: 'many'");
    }
}
