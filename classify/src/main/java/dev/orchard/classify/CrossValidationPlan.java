package dev.orchard.classify;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code --cv K}: choose the cost C from {@code grid} by stratified K-fold cross-validation on the training split.
 *
 * @param grid the candidate values of C, strictly increasing
 */
public record CrossValidationPlan(int folds, List<Double> grid) {

    /** 10⁻³ … 10³ by factors of 10: from strong regularisation (on standardised features) to almost none. */
    public static final List<Double> DEFAULT_GRID = List.of(0.001, 0.01, 0.1, 1.0, 10.0, 100.0, 1000.0);

    public CrossValidationPlan {
        if (folds < 2) {
            throw new ClassifyException("--cv needs at least 2 folds, got " + folds);
        }
        grid = List.copyOf(grid);
        if (grid.isEmpty()) {
            throw new ClassifyException("--cv-grid needs at least one value of C");
        }
        List<Double> sorted = new ArrayList<>(grid);
        for (double c : grid) {
            ClassifyOptions.checkCost(c, "Each --cv-grid value");
        }
        sorted.sort(Double::compare);
        if (!sorted.equals(grid) || sorted.stream().distinct().count() != grid.size()) {
            throw new ClassifyException("--cv-grid values must be distinct and increasing, got " + grid);
        }
    }

    public static CrossValidationPlan of(int folds) {
        return new CrossValidationPlan(folds, DEFAULT_GRID);
    }
}
