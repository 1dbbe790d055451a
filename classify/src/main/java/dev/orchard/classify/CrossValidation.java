package dev.orchard.classify;

import java.util.ArrayList;
import java.util.List;

/**
 * Chooses C by stratified K-fold cross-validation on the training split alone (the test images stay unseen):
 * for each fold, standardise on the other folds, train with every C of the grid, and score the fold. The C with
 * the highest mean accuracy wins; on an exact tie the smaller C, the more regularised model. Deterministic for a
 * seed: the folds come from {@link StratifiedSplit#folds} and every model from a trainer seeded the same way.
 */
public final class CrossValidation {

    private CrossValidation() {
    }

    /**
     * One value of C: accuracy and balanced accuracy on each fold.
     */
    public record Point(double cost, double[] accuracy, double[] balancedAccuracy) {
        public double meanAccuracy() {
            return mean(accuracy);
        }

        /** Sample standard deviation over the folds (n − 1). */
        public double sdAccuracy() {
            return sd(accuracy);
        }

        public double meanBalancedAccuracy() {
            return mean(balancedAccuracy);
        }

        public double sdBalancedAccuracy() {
            return sd(balancedAccuracy);
        }
    }

    /**
     * @param foldSizes training images held out by each fold
     * @param curve     one point per C, in grid order
     * @param chosen    the C trained on the whole training split afterwards
     */
    public record Result(CrossValidationPlan plan, int[] foldSizes, List<Point> curve, double chosen) {
    }

    /** What trains one model with a given C on the rows marked in {@code mask} of the standardised {@code z}. */
    interface Training {
        TrainedClassifier train(double cost, double[][] z, boolean[] mask);
    }

    static Result run(CrossValidationPlan plan, List<String> classes, Samples rows, boolean[] train, long seed,
                      Training training) {
        int k = plan.folds();
        int[] fold = StratifiedSplit.folds(rows.labels(), rows.paths(), train, k, seed);
        int[] foldSizes = new int[k];
        for (int f : fold) {
            if (f >= 0) {
                foldSizes[f]++;
            }
        }
        int g = plan.grid().size();
        double[][] accuracy = new double[g][k];
        double[][] balanced = new double[g][k];
        for (int f = 0; f < k; f++) {
            boolean[] fit = new boolean[train.length];
            List<Integer> held = new ArrayList<>();
            for (int r = 0; r < train.length; r++) {
                fit[r] = fold[r] >= 0 && fold[r] != f;
                if (fold[r] == f) {
                    held.add(r);
                }
            }
            Standardizer standardizer = Standardizer.fit(rows.vectors(), fit, rows.dimension());
            double[][] z = new double[train.length][];
            for (int r = 0; r < train.length; r++) {
                if (fit[r]) {
                    z[r] = standardizer.apply(rows.vectors()[r]);
                }
            }
            double[][] heldZ = new double[held.size()][];
            String[] heldLabels = new String[held.size()];
            for (int i = 0; i < held.size(); i++) {
                heldZ[i] = standardizer.apply(rows.vectors()[held.get(i)]);
                heldLabels[i] = rows.labels()[held.get(i)];
            }
            boolean[] all = new boolean[held.size()];
            java.util.Arrays.fill(all, true);
            for (int c = 0; c < g; c++) {
                TrainedClassifier model = training.train(plan.grid().get(c), z, fit);
                Evaluation e = Evaluation.of(classes, heldLabels, model.score(heldZ).predicted(), all);
                accuracy[c][f] = e.accuracy();
                balanced[c][f] = e.balancedAccuracy();
            }
        }
        List<Point> curve = new ArrayList<>();
        int best = 0;
        for (int c = 0; c < g; c++) {
            curve.add(new Point(plan.grid().get(c), accuracy[c], balanced[c]));
            if (curve.get(c).meanAccuracy() > curve.get(best).meanAccuracy()) {
                best = c;
            }
        }
        return new Result(plan, foldSizes, List.copyOf(curve), plan.grid().get(best));
    }

    private static double mean(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return s / v.length;
    }

    private static double sd(double[] v) {
        double m = mean(v);
        double s = 0;
        for (double x : v) {
            s += (x - m) * (x - m);
        }
        return Math.sqrt(s / (v.length - 1));
    }
}
