package dev.orchard.classify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.orchard.store.Location;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The classifier end to end on a synthetic job output: five Gaussian clusters in 32 dimensions whose centres lie
 * 5 noise standard deviations apart (best possible accuracy ≈ 99.4 % for a pair, ≈ 97.6 % over five classes).
 * With 30 training images per class in 32 dimensions the models reach 93–100 % (measured: pair 100 %, one-vs-all
 * logistic 96 %, SVM 93 %, multiclass logistic 95 %, SVM 93 %): accuracy is asserted with a margin below that.
 */
class ClassifierTest {
    static final List<String> FIVE = List.of("Apple Red 1", "Banana", "Cherry", "Kiwi", "wheaten_terrier");

    @TempDir
    static Path shared;
    static Location job;

    @BeforeAll
    static void writeJob() throws Exception {
        job = Location.local(JobOutputFixture.write(shared.resolve("job"), "features",
                JobOutputFixture.clusters(FIVE, 60, 32, 5, 7), 3));
    }

    @Test
    void aPairIsLearnedAndBothOutputsAreWritten(@TempDir Path out) throws Exception {
        var options = ClassifyOptions.of(job, new SplitRule.PerClass(30), new Mode.Pair("Banana", "Apple Red 1"))
                .withOutput(Location.local(out));
        ClassifyReport report = Classifier.run(options);

        assertThat(report.testAccuracy()).isGreaterThan(0.95);
        assertThat(report.classes()).extracting(ClassifyReport.ClassCount::label).containsExactly("Apple Red 1", "Banana");
        assertThat(report.classes()).allSatisfy(c -> assertThat(c.train()).isEqualTo(30));
        assertThat(report.test().total()).isEqualTo(60);
        assertThat(report.dimension()).isEqualTo(32);

        List<PredictionRow> written = PredictionsParquet.read(out.resolve("predictions.parquet"));
        assertThat(written).containsExactlyElementsOf(report.predictions()).hasSize(120);
        assertThat(written).extracting(PredictionRow::label).containsOnly("Apple Red 1", "Banana");
        assertThat(written).allSatisfy(r -> assertThat(r.score()).isBetween(0.5, 1.0)); // P(predicted class)
        assertThat(PredictionsParquet.schema(out.resolve("predictions.parquet")).toString())
                .contains("required binary path (STRING)", "required binary split (STRING)", "required double score");

        JsonNode json = new ObjectMapper().readTree(out.resolve("classifier.json").toFile());
        assertThat(json.get("mode").asText()).isEqualTo("pair");
        assertThat(json.get("seed").asLong()).isEqualTo(42);
        assertThat(json.get("split").get("trainPerClass").asInt()).isEqualTo(30);
        assertThat(json.get("test").get("accuracy").asDouble()).isEqualTo(report.testAccuracy());
        assertThat(json.get("test").get("confusion").get("counts")).hasSize(2);
        assertThat(json.get("test").get("perClass").get(0).get("recall").isNumber()).isTrue();
        assertThat(json.get("timingsMillis").get("train").isIntegralNumber()).isTrue();
    }

    /**
     * Two trainings into one folder at once both found it empty, and the later one's files replaced the first one's
     * while both said they wrote theirs (a user's walk). Here the other lands between the look and the writes: this
     * training writes none of its four files and says so, and the other's stay as they were.
     */
    @Test
    void aTrainingWritesNothingWhereAnotherWroteSinceItLooked(@TempDir Path out) throws Exception {
        var options = ClassifyOptions.of(job, new SplitRule.PerClass(30), new Mode.Pair("Banana", "Apple Red 1"))
                .withOutput(Location.local(out));
        byte[] others = "the other training's predictions".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        assertThatThrownBy(() -> Classifier.run(options, dev.orchard.store.s3.S3Settings.defaults(), () -> Files.write(out.resolve("predictions.parquet"), others),
                false, line -> { }))
                .isInstanceOf(ClassifyException.class)
                .hasMessage("Another orchard classify wrote its classifier into " + out + " while this one trained; it is"
                        + " kept, and nothing of this training was written. Train again with --output elsewhere, or with"
                        + " --overwrite to replace it.");
        assertThat(Files.readAllBytes(out.resolve("predictions.parquet"))).isEqualTo(others);
        try (var files = Files.list(out)) {
            assertThat(files).containsExactly(out.resolve("predictions.parquet"));
        }
        // With --overwrite, it replaces what is there.
        Classifier.run(options, dev.orchard.store.s3.S3Settings.defaults(), () -> { }, true, line -> { });
        assertThat(PredictionsParquet.read(out.resolve("predictions.parquet"))).hasSize(120); // 2 classes of 60
        assertThat(out.resolve("classifier.onnx")).exists();
    }

    @Test
    void oneVsAllTrainsAModelPerClassAndPicksTheHighestScore() throws Exception {
        ClassifyReport report = Classifier.run(ClassifyOptions.of(job, new SplitRule.Fraction(0.5), new Mode.OneVsAll()));

        assertThat(report.testAccuracy()).isGreaterThan(0.88);
        assertThat(report.test().total()).isEqualTo(150);
        assertThat(report.output()).isEqualTo(job.resolve("classify-one-vs-all"));
        assertThat(Files.exists(job.path().resolve("classify-one-vs-all/predictions.parquet"))).isTrue();
        int[][] confusion = report.test().confusion();
        int diagonal = 0;
        for (int c = 0; c < confusion.length; c++) {
            diagonal += confusion[c][c];
        }
        assertThat(diagonal).isEqualTo(report.test().correct());
    }

    @Test
    void multiclassLogisticAndSvmBothLearn(@TempDir Path out) throws Exception {
        var options = ClassifyOptions.of(job, new SplitRule.Fraction(0.5), new Mode.Multiclass())
                .withOutput(Location.local(out));
        ClassifyReport logistic = Classifier.run(options);
        ClassifyReport svm = Classifier.run(options.withLearner(Learner.SVM));
        ClassifyReport svmOneVsAll = Classifier.run(options.withLearner(Learner.SVM).withMode(new Mode.OneVsAll()));

        assertThat(logistic.testAccuracy()).isGreaterThan(0.85);
        assertThat(svm.testAccuracy()).isGreaterThan(0.85);
        assertThat(svmOneVsAll.testAccuracy()).isGreaterThan(0.85);
        assertThat(logistic.model()).contains("multinomial");
        assertThat(svm.model()).contains("MCSVM_CS");
    }

    @Test
    void theSameSeedGivesTheSameResultsAndAnotherSeedAnotherSplit(@TempDir Path out) throws Exception {
        var options = ClassifyOptions.of(job, new SplitRule.PerClass(20), new Mode.Multiclass())
                .withOutput(Location.local(out));
        ClassifyReport first = Classifier.run(options);
        ClassifyReport again = Classifier.run(options);
        ClassifyReport other = Classifier.run(options.withSeed(7));

        assertThat(again.predictions()).isEqualTo(first.predictions());
        assertThat(again.test().confusion()).isDeepEqualTo(first.test().confusion());
        assertThat(trainPaths(other)).isNotEqualTo(trainPaths(first));
        assertThat(trainPaths(other)).hasSameSizeAs(trainPaths(first));

        // One-vs-all trains its models in parallel with LIBLINEAR's seeded dual solver: still reproducible.
        var oneVsAll = options.withMode(new Mode.OneVsAll());
        assertThat(Classifier.run(oneVsAll).predictions()).isEqualTo(Classifier.run(oneVsAll).predictions());
    }

    @Test
    void pcaVectorsAreReadFromThePcaFolder(@TempDir Path dir) throws Exception {
        Path pcaJob = JobOutputFixture.write(dir, "pca", JobOutputFixture.clusters(List.of("a", "b"), 20, 5, 6, 3), 2);
        ClassifyReport report = Classifier.run(ClassifyOptions.of(Location.local(pcaJob), new SplitRule.PerClass(10),
                new Mode.Pair("a", "b")).withUse(VectorColumn.PCA));
        assertThat(report.dimension()).isEqualTo(5);
        assertThat(report.testAccuracy()).isGreaterThan(0.9);
    }

    private static Set<String> trainPaths(ClassifyReport report) {
        return report.predictions().stream().filter(p -> p.split().equals(PredictionRow.TRAIN))
                .map(PredictionRow::path).collect(Collectors.toSet());
    }
}
