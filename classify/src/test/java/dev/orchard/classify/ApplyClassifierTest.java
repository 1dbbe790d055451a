package dev.orchard.classify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.orchard.store.Location;
import dev.orchard.store.parquet.VectorRow;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --apply}: a classifier trained on one output labels another made the same way (new images of the same
 * classes), gives on its own training output exactly what training predicted, and refuses vectors it was not
 * trained on before writing anything.
 */
class ApplyClassifierTest {
    static final List<String> FOUR = List.of("Apple Red 1", "Banana", "Kiwi", "Cherry");

    @TempDir
    static Path dir;
    static Path trained;
    static Path fresh;
    static Path ovaFeatures;
    static Path ovaPca;

    @BeforeAll
    static void trainOnOneOutput() throws Exception {
        List<VectorRow> rows = new ArrayList<>(JobOutputFixture.clusters(FOUR, 30, 12, 5, 21));
        rows.add(new VectorRow("/data/unsorted/img_0001.jpg", null, rows.get(0).values()));
        trained = JobOutputFixture.write(dir.resolve("trained"), "features", rows, 3);
        List<VectorRow> projected = new ArrayList<>(JobOutputFixture.clusters(FOUR, 30, 6, 5, 21));
        projected.add(new VectorRow("/data/unsorted/img_0001.jpg", null, projected.get(0).values())); // as a job: a row each
        JobOutputFixture.write(trained, "pca", projected, 2);
        JobOutputFixture.writeSuccess(trained, JobOutputFixture.MODEL_SHA256, "464", 0, 0);
        // Other images of the same classes, from the same CNN: what the classifier was trained for.
        fresh = JobOutputFixture.write(dir.resolve("fresh"), "features", JobOutputFixture.clusters(FOUR, 50, 12, 5, 99), 4);
        JobOutputFixture.writeSuccess(fresh, JobOutputFixture.MODEL_SHA256, "464", 0, 0);

        ovaFeatures = dir.resolve("ova");
        Classifier.run(ClassifyOptions.of(Location.local(trained), new SplitRule.PerClass(15), new Mode.OneVsAll())
                .withOutput(Location.local(ovaFeatures)));
        ovaPca = dir.resolve("ova-pca");
        Classifier.run(ClassifyOptions.of(Location.local(trained), new SplitRule.PerClass(15), new Mode.OneVsAll())
                .withUse(VectorColumn.PCA).withOutput(Location.local(ovaPca)));
    }

    @Test
    void onItsOwnTrainingOutputItPredictsWhatTrainingPredicted() throws Exception {
        for (Path model : List.of(ovaFeatures, ovaPca)) {
            Path target = dir.resolve(model.getFileName() + "-self.parquet");
            ApplyReport report = ApplyClassifier.run(ApplyOptions.of(classifier(model), Location.local(trained))
                    .withOutput(Location.local(target)));
            Map<String, AppliedPrediction> applied = PredictionsParquet.readApplied(target).stream()
                    .collect(Collectors.toMap(AppliedPrediction::path, Function.identity()));
            List<PredictionRow> training = PredictionsParquet.read(model.resolve("predictions.parquet"));
            for (PredictionRow t : training) {
                AppliedPrediction a = applied.get(t.path());
                assertThat(a.predicted()).as("%s %s", model, t.path()).isEqualTo(t.predicted());
                assertThat(a.score()).isCloseTo(t.score(), Offset.offset(OnnxExport.TOLERANCE));
                assertThat(a.label()).isEqualTo(t.label());
            }
            boolean features = model == ovaFeatures;
            assertThat(report.vectors()).isEqualTo(features ? "features" : "pca");
            assertThat(report.images()).isEqualTo(121);
            assertThat(report.unlabelled()).isEqualTo(1);
            assertThat(applied.get("/data/unsorted/img_0001.jpg").label()).isNull();
            assertThat(report.featureSourceChecked()).isTrue();
            // Its own training output: the accuracy counts its training images, and the report says so.
            assertThat(report.trainedOnInput()).isTrue();
            assertThat(ReportText.format(report)).contains("the classifier was trained on this output")
                    .contains("on its test images it scored")
                    .contains("(predicted: of all 121 images; precision and recall: of the 120 compared)");
        }
    }

    @Test
    void itLabelsNewImagesOfTheSameClassesIntoTheOutputByDefault() throws Exception {
        ApplyReport report = ApplyClassifier.run(ApplyOptions.of(classifier(ovaFeatures), Location.local(fresh)));

        Path written = fresh.resolve("predictions-ova.parquet"); // classifier.onnx: named by its folder
        assertThat(report.output()).isEqualTo(Location.local(written));
        List<AppliedPrediction> rows = PredictionsParquet.readApplied(written);
        assertThat(rows).hasSize(200);
        assertThat(report.known().total()).isEqualTo(200);
        assertThat(report.known().accuracy()).isGreaterThan(0.95); // clusters 5 σ apart: ~99 % at best
        assertThat(report.known().balancedAccuracy()).isGreaterThan(0.95);
        assertThat(report.predictedCounts().values().stream().mapToLong(Long::longValue).sum()).isEqualTo(200);
        assertThat(PredictionsParquet.footer(written)).containsEntry("orchard.classifier.sha256", report.classifierSha256())
                .containsEntry("orchard.schema", "path,label,predicted,score");
        assertThat(PredictionsParquet.schema(written).toString()).contains("optional binary label (STRING)");
        assertThat(ReportText.format(report)).contains("labelled 200 images", "accuracy", "balanced",
                "the CNN, feature tensor and projection").doesNotContain("trained on this output")
                .doesNotContain("precision and recall: of the");
        assertThat(report.trainedOnInput()).isFalse();

        // Never silently over an existing file; --overwrite replaces it.
        assertThatThrownBy(() -> ApplyClassifier.run(ApplyOptions.of(classifier(ovaFeatures), Location.local(fresh))))
                .isInstanceOf(ClassifyException.class).hasMessageContaining("already exists")
                .hasMessageContaining("--overwrite");
        ApplyReport again = ApplyClassifier.run(ApplyOptions.of(classifier(ovaFeatures), Location.local(fresh))
                .withOverwrite(true));
        assertThat(again.images()).isEqualTo(200);
    }

    @Test
    void vectorsItWasNotTrainedOnAreRefusedBeforeAnythingIsWritten() throws Exception {
        // The same images' PCA coordinates on another PCA model.
        Path otherPca = JobOutputFixture.write(dir.resolve("other-pca"), "pca", JobOutputFixture.clusters(FOUR, 10, 6, 5, 3), 1);
        Files.writeString(otherPca.resolve("pca-model.json"), "{\"another\": true}");
        assertThatThrownBy(() -> ApplyClassifier.run(ApplyOptions.of(classifier(ovaPca), Location.local(otherPca))))
                .isInstanceOf(ClassifyException.class)
                .hasMessageContaining("PCA model with SHA-256 " + OutputProvenance.sha256(Files.readAllBytes(trained.resolve("pca-model.json"))))
                .hasMessageContaining("other axes");
        Files.delete(otherPca.resolve("pca-model.json"));
        assertThatThrownBy(() -> ApplyClassifier.run(ApplyOptions.of(classifier(ovaPca), Location.local(otherPca))))
                .hasMessageContaining("no pca-model.json");

        // Features of another CNN, of the same length.
        Path otherModel = JobOutputFixture.write(dir.resolve("other-model"), "features", JobOutputFixture.clusters(FOUR, 5, 12, 5, 3), 1);
        JobOutputFixture.writeSuccess(otherModel, "9".repeat(64), "464", 0, 0);
        assertThatThrownBy(() -> ApplyClassifier.run(ApplyOptions.of(classifier(ovaFeatures), Location.local(otherModel))))
                .hasMessageContaining("not comparable").hasMessageContaining("9999");

        // Features of another CNN and another length: the refusal named the CNN and the projection, not the lengths.
        Path otherWide = JobOutputFixture.write(dir.resolve("other-wide"), "features", JobOutputFixture.clusters(FOUR, 5, 16, 5, 3), 1);
        JobOutputFixture.writeSuccess(otherWide, "9".repeat(64), "464", 16, 7);
        assertThatThrownBy(() -> ApplyClassifier.run(ApplyOptions.of(classifier(ovaFeatures), Location.local(otherWide))))
                .hasMessageContaining("it reads 12-d features but is given 16-d ones")
                .hasMessageContaining("not comparable").hasMessageContaining("9999");

        // Features of another length (no _SUCCESS: only the dimension can be checked, and is).
        Path wider = JobOutputFixture.write(dir.resolve("wider"), "features", JobOutputFixture.clusters(FOUR, 5, 16, 5, 3), 1);
        assertThatThrownBy(() -> ApplyClassifier.run(ApplyOptions.of(classifier(ovaFeatures), Location.local(wider))))
                .hasMessageContaining("16-d features").hasMessageContaining("reads 12-d");

        // A PCA classifier on an output without PCA.
        assertThatThrownBy(() -> ApplyClassifier.run(ApplyOptions.of(classifier(ovaPca), Location.local(fresh))))
                .hasMessageContaining("No pca in").hasMessageContaining("train one on the features");

        for (Path p : List.of(otherPca, otherModel, otherWide, wider)) {
            try (var files = Files.list(p)) {
                assertThat(files.map(f -> f.getFileName().toString())).noneMatch(n -> n.startsWith("predictions-"));
            }
        }
    }

    /** A part removed from the output was skipped without a word: fewer predictions than images (a user's walk). */
    @Test
    void anOutputMissingAPartIsRefusedBeforeAnythingIsWritten() throws Exception {
        Path damaged = JobOutputFixture.write(dir.resolve("damaged"), "features",
                JobOutputFixture.clusters(FOUR, 5, 12, 5, 7), 2);
        JobOutputFixture.writeSuccess(damaged, JobOutputFixture.MODEL_SHA256, "464", 0, 0);
        Files.delete(damaged.resolve("features/part-00001.parquet"));
        Path target = dir.resolve("damaged-predictions.parquet");
        assertThatThrownBy(() -> ApplyClassifier.run(ApplyOptions.of(classifier(ovaFeatures), Location.local(damaged))
                .withOutput(Location.local(target))))
                .isInstanceOf(ClassifyException.class)
                .hasMessageStartingWith(Location.local(damaged).resolve("features") + " holds 10 rows, but the job's"
                        + " _SUCCESS records 20: a part was removed or changed since the job wrote it.");
        assertThat(target).doesNotExist();
    }

    @Test
    void aMissingOrForeignClassifierFileSaysWhatToGive() throws Exception {
        assertThatThrownBy(() -> ApplyClassifier.run(ApplyOptions.of(Location.local(dir.resolve("nope.onnx")),
                Location.local(fresh)))).isInstanceOf(ClassifyException.class).hasMessageContaining("No classifier at");
        assertThatThrownBy(() -> ApplyClassifier.run(ApplyOptions.of(Location.local(ovaFeatures.resolve("classifier.json")),
                Location.local(fresh)))).isInstanceOf(ClassifyException.class).hasMessageContaining("not a readable ONNX model");
        assertThatThrownBy(() -> ApplyOptions.of(classifier(ovaFeatures), Location.local(fresh))
                .withOutput(Location.local(dir.resolve("out.csv")))).hasMessageContaining("must end in .parquet");
    }

    private static Location classifier(Path trainedOutput) {
        return Location.local(trainedOutput.resolve("classifier.onnx"));
    }
}
