package dev.orchard.classify;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orchard.predict.ClassifierGraph;
import dev.orchard.predict.LinearClassifier;
import dev.orchard.predict.Link;
import dev.orchard.predict.OnnxClassifier;
import dev.orchard.predict.VectorKind;
import dev.orchard.predict.VectorProvenance;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.tribuo.Model;
import org.tribuo.Prediction;
import org.tribuo.classification.Label;

/**
 * One-vs-all scores from the models' linear form against Tribuo's {@code predict}, which scored them before: for both
 * learners, every row and every class.
 *
 * <ul>
 *   <li>An SVM's margin must be the same double: both sum w_j·z_j in coordinate order, then the bias (LIBLINEAR's
 *       {@code predictValues}), and the second label's weights are the first's negated, exactly.</li>
 *   <li>A probability within 1e-15: LIBLINEAR reports 1 − σ(s) for its second label where the linear form gives
 *       σ(−s); each is within two or three ulps of 1 (2.2e-16 apiece) of the exact value, and any real mistake
 *       (a column swapped, the bias dropped, σ(2s)) is off by orders of magnitude more.</li>
 * </ul>
 */
class OneVsAllScoresTest {
    static final double PROBABILITY_TOLERANCE = 1e-15;

    @Test
    void linearScoresAreTribuosPredictionsForEveryRowAndClass() {
        long seed = 20261208L;
        Random random = new Random(seed);
        int n = 900;
        int d = 9;
        List<String> classes = List.of("a", "b", "c", "d", "e");
        double[][] means = new double[classes.size()][d];
        for (double[] m : means) {
            for (int j = 0; j < d; j++) {
                m[j] = random.nextGaussian();
            }
        }
        double[][] z = new double[n][d];
        String[] labels = new String[n];
        boolean[] train = new boolean[n];
        for (int r = 0; r < n; r++) {
            int c = random.nextInt(classes.size());
            labels[r] = classes.get(c);
            for (int j = 0; j < d; j++) {
                z[r][j] = means[c][j] + random.nextGaussian();
            }
            train[r] = r % 3 == 0;
        }
        z[1][4] = 0; // a zero coordinate: Tribuo leaves it out of LIBLINEAR's sum, the linear form adds 0·w
        TribuoExamples examples = new TribuoExamples(d);
        Consumer<String> quiet = line -> { };
        for (Learner learner : Learner.values()) {
            String what = "seed " + seed + ", " + learner;
            List<Model<Label>> models = OneVsAllClassifier.models(() -> LinearTrainers.binary(learner, 1.0, seed),
                    examples, classes, labels, z, train, quiet);
            TrainedClassifier.Scored scored = OneVsAllClassifier.of(classes, models, examples, quiet).score(z);
            double[][] tribuo = new double[n][classes.size()];
            for (int c = 0; c < classes.size(); c++) {
                List<Prediction<Label>> predictions = models.get(c).predict(examples.unlabelled(z));
                for (int r = 0; r < n; r++) {
                    tribuo[r][c] = predictions.get(r).getOutputScores().get(OneVsAllClassifier.POSITIVE).getScore();
                }
            }
            double largest = 0;
            for (int r = 0; r < n; r++) {
                for (int c = 0; c < classes.size(); c++) {
                    String where = what + ", row " + r + ", class " + classes.get(c);
                    if (learner == Learner.SVM) {
                        assertThat(scored.classScores()[r][c]).as(where).isEqualTo(tribuo[r][c]);
                    } else {
                        assertThat(scored.classScores()[r][c]).as(where)
                                .isCloseTo(tribuo[r][c], Offset.offset(PROBABILITY_TOLERANCE));
                    }
                    largest = Math.max(largest, Math.abs(scored.classScores()[r][c] - tribuo[r][c]));
                }
                int top = firstHighest(tribuo[r]); // no logit here is near σ's rounding to 1.0: the same class
                assertThat(scored.predicted()[r]).as("%s, row %d", what, r).isEqualTo(classes.get(top));
                assertThat(scored.scores()[r]).as("%s, row %d", what, r).isEqualTo(scored.classScores()[r][top]);
            }
            System.out.printf("%s: %d rows × %d classes, largest |linear − Tribuo| %.3g%n", what, n, classes.size(),
                    largest);
        }
    }

    private static int firstHighest(double[] scores) {
        int top = 0;
        for (int c = 1; c < scores.length; c++) {
            if (scores[c] > scores[top]) {
                top = c;
            }
        }
        return top;
    }

    /**
     * σ rounds every logit above ~37 to 1.0, so classes whose logits differ tie in probability: the row goes to the class
     * of the highest logit (it went to the first of the tied in name order, and classifier.onnx's ArgMax over the
     * probabilities did the same), in classify and in classifier.onnx alike. Margins that tie exactly go to the first
     * class.
     */
    @Test
    void theHighestLinearScoreWinsAsInClassifierOnnx() throws Exception {
        List<String> classes = List.of("a", "b", "c");
        double[][] weights = {{40}, {50}, {-1}};
        double[][] z = {{1}, {-1}, {0.5}};
        for (Link link : List.of(Link.SIGMOID, Link.MARGIN)) {
            double[] bias = link == Link.SIGMOID ? new double[] {0, 0, 0} : new double[] {10, 0, 0};
            TrainedClassifier.Scored scored = new OneVsAllClassifier(classes,
                    new TrainedClassifier.LinearForm(weights, bias, link), line -> { }).score(z);
            // Row 0: σ(40) = σ(50) = 1.0, but 50 is the higher logit: b; as margins, 50 against 50, a tie: a.
            // Row 1: c (σ(1), 1). Row 2: σ(20) < σ(25), b; as margins 30 against 25, a.
            List<String> expected = link == Link.SIGMOID ? List.of("b", "c", "b") : List.of("a", "c", "a");
            assertThat(scored.predicted()).as("%s", link).containsExactlyElementsOf(expected);
            if (link == Link.SIGMOID) {
                assertThat(scored.classScores()[0]).as("σ saturates").startsWith(1.0, 1.0);
            } else {
                assertThat(scored.classScores()[0]).startsWith(50.0, 50.0);
            }
            LinearClassifier exported = new LinearClassifier(classes, new double[] {0}, new double[] {1}, weights, bias,
                    link, new VectorProvenance(VectorKind.FEATURES, 1, null, null), Map.of());
            byte[] graph = ClassifierGraph.write(exported);
            float[][] rows = {{1}, {-1}, {0.5f}};
            // The graph's own label output, as a user of classifier.onnx outside Orchard reads it (OnnxClassifier
            // takes the label from the linear scores itself: ONNX Runtime's JNI strings garble some characters).
            ai.onnxruntime.OrtEnvironment env = ai.onnxruntime.OrtEnvironment.getEnvironment();
            try (ai.onnxruntime.OrtSession session = env.createSession(graph, new ai.onnxruntime.OrtSession.SessionOptions());
                 ai.onnxruntime.OnnxTensor input = ai.onnxruntime.OnnxTensor.createTensor(env, rows);
                 ai.onnxruntime.OrtSession.Result result = session.run(Map.of(ClassifierGraph.INPUT, input),
                         java.util.Set.of(ClassifierGraph.LABEL))) {
                assertThat((String[]) result.get(ClassifierGraph.LABEL).orElseThrow().getValue())
                        .as("classifier.onnx's label output, %s", link).containsExactlyElementsOf(expected);
            }
            try (OnnxClassifier onnx = OnnxClassifier.load(graph, "classifier.onnx")) {
                assertThat(onnx.predict(rows).labels()).as("classifier.onnx, %s", link)
                        .containsExactlyElementsOf(expected);
                // Within the tolerance, not equal: ONNX Runtime's σ(−40) is 0.0 where Java's is 4.2e-18.
                double[][] onnxScores = onnx.classScores(rows);
                for (int r = 0; r < rows.length; r++) {
                    assertThat(onnxScores[r]).as("classifier.onnx, %s, row %d", link, r)
                            .containsExactly(scored.classScores()[r], Offset.offset(PROBABILITY_TOLERANCE));
                }
            }
        }
    }
}
