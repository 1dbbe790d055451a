package dev.orchard.classify;

import dev.orchard.predict.ClassifierGraph;
import dev.orchard.predict.LinearClassifier;
import dev.orchard.predict.OnnxClassifier;
import dev.orchard.predict.Predictions;
import dev.orchard.predict.VectorProvenance;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Writes the trained standardisation and model(s) as {@code classifier.onnx} and checks the file before anyone
 * uses it: ONNX Runtime scores every image the Java model scored, and every class score must agree within
 * {@link #TOLERANCE}. The graph computes in double from the same float vectors as the Java model, so the two
 * differ only by summation order and exp rounding (~1e-16 on standardised 1,280-d features); 1e-9 leaves that a
 * wide margin and still catches any real mistake (a weight stored as float32 is off by ~1e-7 relative). A label
 * may differ only where the row's two best linear scores are themselves within the tolerance (a tie).
 */
public final class OnnxExport {
    static final double TOLERANCE = 1e-9;
    private static final int CHUNK = 4096;

    private OnnxExport() {
    }

    /**
     * @param bytes              the file
     * @param rowsChecked        images scored by both
     * @param maxScoreDifference the largest |ONNX − Java| over every class score of every image
     */
    public record Exported(byte[] bytes, String sha256, VectorProvenance input, int rowsChecked, double maxScoreDifference) {
    }

    static Exported export(Standardizer standardizer, TrainedClassifier classifier, List<String> classes,
                           VectorProvenance input, Map<String, String> description, Samples rows,
                           TrainedClassifier.Scored java) {
        TrainedClassifier.LinearForm linear = classifier.linear();
        byte[] bytes = ClassifierGraph.write(new LinearClassifier(classes, standardizer.mean(), standardizer.inverseStd(),
                linear.weights(), linear.bias(), linear.link(), input, description));
        double max = 0;
        try (OnnxClassifier onnx = OnnxClassifier.load(bytes, "classifier.onnx")) {
            for (int from = 0; from < rows.size(); from += CHUNK) {
                float[][] chunk = Arrays.copyOfRange(rows.vectors(), from, Math.min(rows.size(), from + CHUNK));
                double[][] scores = onnx.classScores(chunk);
                Predictions predicted = onnx.predict(chunk);
                for (int i = 0; i < chunk.length; i++) {
                    int r = from + i;
                    for (int c = 0; c < classes.size(); c++) {
                        max = Math.max(max, Math.abs(scores[i][c] - java.classScores()[r][c]));
                    }
                    if (!predicted.labels()[i].equals(java.predicted()[r])
                            && !tie(linear.of(standardizer.apply(rows.vectors()[r])))) {
                        throw new IllegalStateException("classifier.onnx predicts '" + predicted.labels()[i] + "' for "
                                + rows.paths()[r] + " where the Java model predicts '" + java.predicted()[r] + "'");
                    }
                }
            }
            if (max > TOLERANCE) {
                throw new IllegalStateException("classifier.onnx's scores differ from the Java model's by up to " + max
                        + " (tolerance " + TOLERANCE + ")");
            }
            return new Exported(bytes, onnx.sha256(), input, rows.size(), max);
        } catch (ai.onnxruntime.OrtException e) {
            throw new IllegalStateException("ONNX Runtime cannot run the classifier just exported: " + e.getMessage(), e);
        }
    }

    /**
     * Whether the row's two highest linear scores are within the tolerance (relative to their size): the label is the
     * first of the highest linear score, so only there may the two sides differ. Judged on the probabilities, two
     * one-vs-all classes rounded to 1.0 always passed for a tie, whatever their logits (the review of the change).
     */
    private static boolean tie(double[] linear) {
        double[] sorted = linear.clone();
        Arrays.sort(sorted);
        double top = sorted[sorted.length - 1];
        return top - sorted[sorted.length - 2] <= TOLERANCE * Math.max(1, Math.abs(top));
    }
}
