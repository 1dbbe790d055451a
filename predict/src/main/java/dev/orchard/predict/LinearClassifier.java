package dev.orchard.predict;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A trained linear classifier in the form {@code classifier.onnx} stores: standardise each coordinate,
 * z = (x − mean) · inverseStd, then one linear score per class, s_c = weights[c] · z + bias[c], then the
 * {@link Link}; the class with the highest linear score wins (the first in {@code classes} order on a tie).
 *
 * @param classes     the class names, in score order
 * @param inverseStd  1/std per coordinate (0 for a coordinate that was constant in training)
 * @param weights     [class][coordinate]
 * @param input       the vectors it was trained on: {@code input.dimension()} is the length of every array here
 * @param description extra metadata entries (mode, learner, C…), written as they are
 */
public record LinearClassifier(List<String> classes, double[] mean, double[] inverseStd, double[][] weights,
                               double[] bias, Link link, VectorProvenance input, Map<String, String> description) {

    public LinearClassifier {
        classes = List.copyOf(classes);
        description = Map.copyOf(description);
        Objects.requireNonNull(link, "link");
        Objects.requireNonNull(input, "input");
        int d = input.dimension();
        int c = classes.size();
        if (c < 2 || new HashSet<>(classes).size() != c) {
            throw new IllegalArgumentException("needs at least two distinct classes, got " + classes);
        }
        if (d < 1 || mean.length != d || inverseStd.length != d) {
            throw new IllegalArgumentException("mean and inverseStd must have the input's dimension " + d);
        }
        if (weights.length != c || bias.length != c) {
            throw new IllegalArgumentException("one weight row and one bias per class: " + c);
        }
        for (double[] row : weights) {
            if (row.length != d) {
                throw new IllegalArgumentException("weight rows must have the input's dimension " + d);
            }
        }
    }

    public int dimension() {
        return input.dimension();
    }
}
