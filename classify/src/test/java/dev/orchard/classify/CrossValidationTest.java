package dev.orchard.classify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.orchard.store.Location;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --cv K}: stratified folds of the training split, the curve over the grid, the choice, determinism. */
class CrossValidationTest {
    static final List<String> THREE = List.of("a", "b", "c");
    static final CrossValidationPlan PLAN = new CrossValidationPlan(4, List.of(0.001, 0.1, 10.0));

    @TempDir
    static Path dir;
    static Location job;

    @BeforeAll
    static void writeJob() throws Exception {
        // Overlapping clusters (separation 2.5 in 16-d): C matters, accuracy is far from 100 %.
        job = Location.local(JobOutputFixture.write(dir.resolve("job"), "features",
                JobOutputFixture.clusters(THREE, 40, 16, 2.5, 9), 2));
    }

    @Test
    void foldsAreStratifiedBalancedAndOnlyOverTrainingRows() {
        String[] labels = new String[47];
        String[] paths = new String[47];
        boolean[] train = new boolean[47];
        for (int i = 0; i < 47; i++) {
            labels[i] = i < 20 ? "x" : i < 33 ? "y" : "z";
            paths[i] = "/d/" + labels[i] + "/" + i + ".jpg";
            train[i] = i % 7 != 0;
        }
        int[] folds = StratifiedSplit.folds(labels, paths, train, 3, 42);
        Map<String, int[]> perClass = new TreeMap<>();
        int[] sizes = new int[3];
        for (int i = 0; i < 47; i++) {
            if (!train[i]) {
                assertThat(folds[i]).isEqualTo(-1);
                continue;
            }
            perClass.computeIfAbsent(labels[i], k -> new int[3])[folds[i]]++;
            sizes[folds[i]]++;
        }
        for (int[] counts : perClass.values()) {
            assertThat(max(counts) - min(counts)).isLessThanOrEqualTo(1);
        }
        assertThat(max(sizes) - min(sizes)).isLessThanOrEqualTo(1);
        assertThat(StratifiedSplit.folds(labels, paths, train, 3, 42)).isEqualTo(folds);
        assertThat(StratifiedSplit.folds(labels, paths, train, 3, 43)).isNotEqualTo(folds);
    }

    @Test
    void theCurveIsReportedAndTheBestMeanAccuracyIsChosenTheSameWayEveryTime(@TempDir Path out) throws Exception {
        ClassifyOptions options = ClassifyOptions.of(job, new SplitRule.PerClass(24), new Mode.OneVsAll())
                .withCrossValidation(PLAN).withOutput(Location.local(out));
        ClassifyReport first = Classifier.run(options);
        ClassifyReport again = Classifier.run(options);

        CrossValidation.Result cv = first.crossValidation();
        assertThat(cv.curve()).extracting(CrossValidation.Point::cost).containsExactly(0.001, 0.1, 10.0);
        assertThat(cv.foldSizes()).containsExactly(18, 18, 18, 18); // 72 training images, 6 of each class per fold
        double best = cv.curve().stream().mapToDouble(CrossValidation.Point::meanAccuracy).max().orElseThrow();
        CrossValidation.Point chosen = cv.curve().stream().filter(p -> p.cost() == cv.chosen()).findFirst().orElseThrow();
        assertThat(chosen.meanAccuracy()).isEqualTo(best);
        assertThat(first.cost()).isEqualTo(cv.chosen());
        assertThat(first.model()).contains("C = " + cv.chosen());
        for (CrossValidation.Point p : cv.curve()) {
            assertThat(p.accuracy()).hasSize(4);
            assertThat(p.balancedAccuracy()).hasSize(4);
        }
        // Same seed: the same curve to the last bit, hence the same C and the same model.
        for (int i = 0; i < cv.curve().size(); i++) {
            assertThat(again.crossValidation().curve().get(i).accuracy()).isEqualTo(cv.curve().get(i).accuracy());
            assertThat(again.crossValidation().curve().get(i).balancedAccuracy())
                    .isEqualTo(cv.curve().get(i).balancedAccuracy());
        }
        assertThat(again.predictions()).isEqualTo(first.predictions());

        JsonNode json = new ObjectMapper().readTree(out.resolve("classifier.json").toFile());
        assertThat(json.at("/crossValidation/folds").asInt()).isEqualTo(4);
        assertThat(json.at("/crossValidation/curve")).hasSize(3);
        assertThat(json.at("/crossValidation/curve/1/accuracy/mean").asDouble()).isEqualTo(cv.curve().get(1).meanAccuracy());
        assertThat(json.at("/crossValidation/curve/1/balancedAccuracy/folds")).hasSize(4);
        assertThat(json.at("/crossValidation/chosen").asDouble()).isEqualTo(cv.chosen());
        assertThat(json.at("/cost").asDouble()).isEqualTo(cv.chosen());

        String text = ReportText.format(first);
        assertThat(text).contains("cross-validation: 4 stratified folds of the 72 training images (seed 42)",
                "0.001", "10", "← chosen", "balanced");
    }

    @Test
    void anotherSeedGivesOtherFoldsAndThePairAndSvmModesCrossValidateToo() throws Exception {
        var pair = ClassifyOptions.of(job, new SplitRule.PerClass(24), new Mode.Pair("a", "b"))
                .withCrossValidation(PLAN).withOutput(Location.local(dir.resolve("pair")));
        CrossValidation.Result seed42 = Classifier.run(pair).crossValidation();
        CrossValidation.Result seed7 = Classifier.run(pair.withSeed(7)).crossValidation();
        List<double[]> a = new ArrayList<>();
        List<double[]> b = new ArrayList<>();
        seed42.curve().forEach(p -> a.add(p.accuracy()));
        seed7.curve().forEach(p -> b.add(p.accuracy()));
        assertThat(a).usingRecursiveComparison().isNotEqualTo(b);

        // Crammer–Singer converges slowly at large C on overlapping classes: two small values keep the test short.
        var svm = Classifier.run(pair.withLearner(Learner.SVM).withMode(new Mode.Multiclass())
                .withCrossValidation(new CrossValidationPlan(2, List.of(0.01, 0.1))));
        assertThat(svm.crossValidation().curve()).hasSize(2);
    }

    @Test
    void tooFewTrainingImagesPerFoldAndTheSgdModelAreRefusedBeforeAnyWork() {
        assertThatThrownBy(() -> Classifier.run(ClassifyOptions.of(job, new SplitRule.PerClass(3), new Mode.OneVsAll())
                .withCrossValidation(CrossValidationPlan.of(5))))
                .isInstanceOf(ClassifyException.class)
                .hasMessageContaining("--cv 5 needs at least 5 training images of every class")
                .hasMessageContaining("'a' has 3");
        assertThatThrownBy(() -> ClassifyOptions.of(job, new SplitRule.PerClass(3), new Mode.Multiclass())
                .withCrossValidation(CrossValidationPlan.of(5)))
                .hasMessageContaining("does not have").hasMessageContaining("--classifier svm");
        assertThatThrownBy(() -> new CrossValidationPlan(1, CrossValidationPlan.DEFAULT_GRID)).hasMessageContaining("at least 2");
        assertThatThrownBy(() -> new CrossValidationPlan(3, List.of(1.0, 0.1))).hasMessageContaining("increasing");
        assertThatThrownBy(() -> new CrossValidationPlan(3, List.of(-1.0))).hasMessageContaining("positive");
    }

    @Test
    void balancedAccuracyIsTheMeanRecallOverThePresentClasses() {
        // 8 of class a (all right), 2 of class b (both wrong), none of class c: accuracy 0.8, balanced (1 + 0) / 2.
        String[] truth = {"a", "a", "a", "a", "a", "a", "a", "a", "b", "b"};
        String[] predicted = {"a", "a", "a", "a", "a", "a", "a", "a", "a", "c"};
        boolean[] all = new boolean[10];
        java.util.Arrays.fill(all, true);
        Evaluation e = Evaluation.of(THREE, truth, predicted, all);
        assertThat(e.accuracy()).isEqualTo(0.8);
        assertThat(e.balancedAccuracy()).isEqualTo(0.5);
    }

    private static int max(int[] v) {
        return java.util.Arrays.stream(v).max().orElseThrow();
    }

    private static int min(int[] v) {
        return java.util.Arrays.stream(v).min().orElseThrow();
    }
}
