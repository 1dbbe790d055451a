package dev.orchard.classify;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Scoring in pieces (a multiclass model's rows 4,096 at a time; a one-vs-all's rows 256 at a time, in parallel) gives
 * exactly what scoring all at once, one class after another, gave: the same classes, scores and per-class scores for
 * every row. That each one-vs-all column is its own class's model is OneVsAllScoresTest's (against Tribuo's
 * predictions: this test's two sides score alike).
 */
class ScoreInPiecesTest {

    @Test
    void scoresInPiecesAreTheScoresOfEachRowAlone() {
        long seed = 20261207L;
        Random random = new Random(seed);
        int n = 2 * DirectClassifier.ROWS_PER_PREDICT + 123;
        int d = 6;
        List<String> classes = List.of("a", "b", "c");
        double[][] z = new double[n][d];
        String[] labels = new String[n];
        boolean[] train = new boolean[n];
        for (int r = 0; r < n; r++) {
            int c = r % 3;
            labels[r] = classes.get(c);
            for (int j = 0; j < d; j++) {
                z[r][j] = random.nextGaussian() + (j == c ? 2 : 0);
            }
            train[r] = r % 10 == 0;
        }
        TribuoExamples examples = new TribuoExamples(d);
        TrainedClassifier direct = DirectClassifier.train(LinearTrainers.multiclass(Learner.LOGISTIC, 1.0, seed, d),
                examples, classes, labels, z, train);
        Consumer<String> quiet = line -> { };
        TrainedClassifier oneVsAll = OneVsAllClassifier.train(() -> LinearTrainers.binary(Learner.LOGISTIC, 1.0, seed),
                examples, classes, labels, z, train, quiet);
        for (TrainedClassifier model : List.of(direct, oneVsAll)) {
            TrainedClassifier.Scored all = model.score(z);
            java.util.List<Integer> sampled = new java.util.ArrayList<>();
            for (int r = 0; r < n; r += 997) {
                sampled.add(r);
            }
            sampled.add(n - 1); // the last, partial piece
            for (int r : sampled) { // rows in every piece, each scored alone
                TrainedClassifier.Scored alone = model.score(new double[][] {z[r]});
                assertThat(all.predicted()[r]).as("seed %d, row %d", seed, r).isEqualTo(alone.predicted()[0]);
                assertThat(all.scores()[r]).as("seed %d, row %d", seed, r).isEqualTo(alone.scores()[0]);
                assertThat(all.classScores()[r]).as("seed %d, row %d", seed, r).containsExactly(alone.classScores()[0]);
            }
        }
    }
}
