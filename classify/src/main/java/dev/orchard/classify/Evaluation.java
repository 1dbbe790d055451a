package dev.orchard.classify;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * How well predictions match the true labels over one split.
 *
 * @param confusion rows are true classes, columns predicted classes, both in {@code classes} order
 */
public record Evaluation(List<String> classes, int correct, int total, List<ClassMetrics> perClass,
                         int[][] confusion) {

    public double accuracy() {
        return total == 0 ? 0 : (double) correct / total;
    }

    /**
     * The mean of the per-class recalls over the classes that have images here (scikit-learn's
     * {@code balanced_accuracy_score}): each class counts the same however many images it has, so a model that
     * ignores a small class cannot hide behind the large ones. Equals {@link #accuracy()} when every class has
     * the same number of images.
     */
    public double balancedAccuracy() {
        double sum = 0;
        int present = 0;
        for (ClassMetrics m : perClass) {
            if (m.support() > 0) {
                sum += m.recall();
                present++;
            }
        }
        return present == 0 ? 0 : sum / present;
    }

    /**
     * One class's counts. Precision is 0 when nothing was predicted as the class (scikit-learn's default).
     *
     * @param support       images of this class
     * @param predicted     images predicted as this class
     * @param truePositives images of this class predicted as it
     */
    public record ClassMetrics(String label, int support, int predicted, int truePositives) {
        /** 0 where it is not {@link #precisionDefined defined}, as scikit-learn's default and classifier.json hold it. */
        public double precision() {
            return precisionDefined() ? (double) truePositives / predicted : 0;
        }

        /** 0 where it is not {@link #recallDefined defined}. */
        public double recall() {
            return recallDefined() ? (double) truePositives / support : 0;
        }

        /** Whether some compared image was predicted as this class: else precision is 0 / 0. */
        public boolean precisionDefined() {
            return predicted > 0;
        }

        /** Whether some compared image has this class: else recall is 0 / 0. */
        public boolean recallDefined() {
            return support > 0;
        }
    }

    /** Compares {@code predicted} with {@code truth} over the rows where {@code include} is true. */
    static Evaluation of(List<String> classes, String[] truth, String[] predicted, boolean[] include) {
        Map<String, Integer> index = new HashMap<>();
        for (int c = 0; c < classes.size(); c++) {
            index.put(classes.get(c), c);
        }
        int[][] confusion = new int[classes.size()][classes.size()];
        for (int r = 0; r < truth.length; r++) {
            if (include[r]) {
                confusion[index.get(truth[r])][index.get(predicted[r])]++;
            }
        }
        return ofConfusion(classes, confusion);
    }

    /** From a confusion matrix: rows true classes, columns predicted classes, both in {@code classes} order. */
    static Evaluation ofConfusion(List<String> classes, int[][] confusion) {
        int correct = 0;
        int total = 0;
        for (int c = 0; c < classes.size(); c++) {
            for (int k = 0; k < classes.size(); k++) {
                total += confusion[c][k];
            }
            correct += confusion[c][c];
        }
        List<ClassMetrics> perClass = new ArrayList<>();
        for (int c = 0; c < classes.size(); c++) {
            int support = 0;
            int asThis = 0;
            for (int k = 0; k < classes.size(); k++) {
                support += confusion[c][k];
                asThis += confusion[k][c];
            }
            perClass.add(new ClassMetrics(classes.get(c), support, asThis, confusion[c][c]));
        }
        return new Evaluation(List.copyOf(classes), correct, total, List.copyOf(perClass), confusion);
    }
}
