package dev.orchard.classify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.orchard.predict.FeatureSource;
import dev.orchard.predict.Link;
import dev.orchard.predict.OnnxClassifier;
import dev.orchard.predict.Predictions;
import dev.orchard.predict.VectorKind;
import dev.orchard.predict.VectorProvenance;
import dev.orchard.store.Location;
import dev.orchard.store.parquet.VectorRow;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * classifier.onnx against the Java model it was exported from, for every mode and learner: ONNX Runtime, reading
 * the file back, must give the Java model's label and score on every test image. The graph computes in double
 * from the same float vectors as Tribuo, so they differ only by summation order (~1e-16 here); the tolerance,
 * {@link OnnxExport#TOLERANCE} = 1e-9, is far above that and far below a real mistake (σ(2s) for σ(s), a float32
 * weight, a swapped class).
 */
class OnnxExportTest {
    static final List<String> FOUR = List.of("Apple Red 1", "Banana", "Kiwi", "Cherry");

    @TempDir
    static Path dir;
    static Path job;
    static Map<String, VectorRow> features;
    static Map<String, VectorRow> pca;

    @BeforeAll
    static void writeJob() throws Exception {
        List<VectorRow> f = JobOutputFixture.clusters(FOUR, 30, 12, 3, 11);
        List<VectorRow> p = JobOutputFixture.clusters(FOUR, 30, 6, 3, 11);
        job = JobOutputFixture.write(dir.resolve("job"), "features", f, 3);
        JobOutputFixture.write(job, "pca", p, 2);
        JobOutputFixture.writeSuccess(job, JobOutputFixture.MODEL_SHA256, "464", 0, 0);
        features = f.stream().collect(Collectors.toMap(VectorRow::path, Function.identity()));
        pca = p.stream().collect(Collectors.toMap(VectorRow::path, Function.identity()));
    }

    @Test
    void everyModeAndLearnerScoresTheSameInOnnxRuntime() throws Exception {
        List<Mode> modes = List.of(new Mode.Pair("Kiwi", "Banana"), new Mode.OneVsAll(), new Mode.Multiclass());
        for (VectorColumn use : VectorColumn.values()) {
            for (Mode mode : modes) {
                for (Learner learner : Learner.values()) {
                    String what = use + " " + mode.name() + " " + learner;
                    Path out = dir.resolve(use + "-" + mode.name() + "-" + learner);
                    ClassifyReport report = Classifier.run(ClassifyOptions.of(Location.local(job),
                            new SplitRule.PerClass(15), mode).withUse(use).withLearner(learner)
                            .withOutput(Location.local(out)));
                    Map<String, VectorRow> rows = use == VectorColumn.FEATURES ? features : pca;
                    List<PredictionRow> test = report.predictions().stream()
                            .filter(r -> r.split().equals(PredictionRow.TEST)).toList();
                    float[][] vectors = test.stream().map(r -> rows.get(r.path()).values()).toArray(float[][]::new);
                    try (OnnxClassifier onnx = OnnxClassifier.load(Files.readAllBytes(out.resolve("classifier.onnx")),
                            "classifier.onnx")) {
                        Predictions predicted = onnx.predict(vectors);
                        for (int i = 0; i < test.size(); i++) {
                            assertThat(predicted.labels()[i]).as("%s %s", what, test.get(i).path()).isEqualTo(test.get(i).predicted());
                            assertThat(predicted.scores()[i]).as("%s %s", what, test.get(i).path())
                                    .isCloseTo(test.get(i).score(), Offset.offset(OnnxExport.TOLERANCE));
                        }
                        assertThat(onnx.classes()).as(what).isEqualTo(report.classes().stream()
                                .map(ClassifyReport.ClassCount::label).toList());
                        assertThat(onnx.scoreMeaning()).isEqualTo(learner == Learner.SVM ? "margin" : "probability");
                        assertThat(onnx.metadata()).containsEntry("orchard.mode", mode.name());
                    }
                    assertThat(report.onnx().rowsChecked()).isEqualTo(report.predictions().size());
                    assertThat(report.onnx().maxScoreDifference()).as(what).isLessThan(OnnxExport.TOLERANCE);
                }
            }
        }
    }

    @Test
    void theFileSaysWhichVectorsItReads() throws Exception {
        Path out = dir.resolve("meta");
        Classifier.run(ClassifyOptions.of(Location.local(job), new SplitRule.PerClass(15), new Mode.OneVsAll())
                .withUse(VectorColumn.PCA).withOutput(Location.local(out)));
        try (OnnxClassifier onnx = OnnxClassifier.load(Files.readAllBytes(out.resolve("classifier.onnx")), "c")) {
            assertThat(onnx.input().kind()).isEqualTo(VectorKind.PCA);
            assertThat(onnx.input().dimension()).isEqualTo(6);
            assertThat(onnx.input().pcaModelSha256())
                    .isEqualTo(OutputProvenance.sha256(Files.readAllBytes(job.resolve("pca-model.json"))));
            assertThat(onnx.input().features()).isEqualTo(new FeatureSource(JobOutputFixture.MODEL_SHA256, "464", 0, 0));
        }
        var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(out.resolve("classifier.json").toFile());
        assertThat(json.at("/onnx/expects/orchard.input").asText()).isEqualTo("pca");
        assertThat(json.at("/onnx/check/maxScoreDifference").asDouble()).isLessThan(OnnxExport.TOLERANCE);
        assertThat(json.at("/test/balancedAccuracy").isNumber()).isTrue();
    }
    /**
     * The export's label check (classifier.onnx labels as the Java model does, {@link OnnxExport}): a label may differ
     * only where the row's two highest linear scores tie. One-vs-all over a, b, c with weights chosen (no training
     * makes a tie exact on float vectors): a = z₀, b = z₁, c = −z₀ − z₁, on rows standardised as they are (the first
     * four fix mean 0, std 1). Where the Java model labels a row with the other class of a tie (the first highest
     * score of two equal up to summation order), the file is kept; where the two highest are 50 and 40, both σ 1.0 to
     * the last bit, a differing label is a mistake, and the export refuses the file.
     */
    @Test
    void aLabelMayDifferFromTheJavaModelsOnlyWhereTheLinearScoresTie() {
        float[][] vectors = {{1, 1}, {-1, -1}, {1, -1}, {-1, 1}, {50, 40}};
        Samples rows = new Samples(new String[] {"tie.jpg", "c.jpg", "a.jpg", "b.jpg", "far.jpg"},
                new String[] {"a", "c", "a", "b", "a"}, vectors, 2, 0);
        Standardizer standardizer = Standardizer.fit(vectors, new boolean[] {true, true, true, true, false}, 2);
        List<String> classes = List.of("a", "b", "c");
        TrainedClassifier classifier = new OneVsAllClassifier(classes, new TrainedClassifier.LinearForm(
                new double[][] {{1, 0}, {0, 1}, {-1, -1}}, new double[3], Link.SIGMOID), line -> { });
        TrainedClassifier.Scored java = classifier.score(standardizer.applyAll(vectors));
        assertThat(java.predicted()).containsExactly("a", "c", "a", "b", "a");
        assertThat(java.classScores()[4]).as("σ(50), σ(40): a tie of the probabilities").startsWith(1.0, 1.0);
        VectorProvenance input = new VectorProvenance(VectorKind.FEATURES, 2, null, null);

        OnnxExport.Exported kept = OnnxExport.export(standardizer, classifier, classes, input, Map.of(), rows,
                labelled(java, 0, "b"));
        assertThat(kept.rowsChecked()).isEqualTo(5);

        assertThatThrownBy(() -> OnnxExport.export(standardizer, classifier, classes, input, Map.of(), rows,
                labelled(java, 4, "b")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("classifier.onnx predicts 'a' for far.jpg where the Java model predicts 'b'");
    }

    /** {@code scored} with row {@code r}'s label {@code label}, its scores as they are. */
    private static TrainedClassifier.Scored labelled(TrainedClassifier.Scored scored, int r, String label) {
        String[] predicted = scored.predicted().clone();
        predicted[r] = label;
        return new TrainedClassifier.Scored(predicted, scored.scores(), scored.classScores());
    }
}
