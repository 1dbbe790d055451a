package dev.orchard.classify;

import dev.orchard.store.Location;
import java.util.Objects;

/**
 * Everything one classification run needs. Build with {@link #of} and adjust with the {@code with…} methods.
 *
 * @param input  a job's output folder (it holds {@code features/} and, after PCA, {@code pca/})
 * @param use    which vectors to learn from
 * @param split  how many images of each class train the model
 * @param seed   makes the split (and any randomness in training) reproducible
 * @param cost   the inverse regularisation strength C of the LIBLINEAR models (larger: less regularised)
 * @param output where predictions.parquet, classifier.onnx and classifier.json go; null for
 *               {@code <input>/classify-<mode>}
 * @param cv     when not null, C is chosen by cross-validation on the training split and {@code cost} is unused
 */
public record ClassifyOptions(Location input, VectorColumn use, SplitRule split, long seed, Mode mode,
                              Learner learner, double cost, Location output, CrossValidationPlan cv) {

    public static final long DEFAULT_SEED = 42;
    public static final double DEFAULT_COST = 1.0;
    /**
     * The largest C taken. On standardised features C = 10⁶ already leaves almost no regularisation; LIBLINEAR's
     * solvers overflow far above (C = 1e300 gave a logistic model that predicts nothing, a crash, and an SVM whose
     * every score was 0).
     */
    public static final double MAX_COST = 1e12;
    /** {@link #MAX_COST} as the help and messages write it. */
    static final String MAX_COST_SHOWN = "1e12";

    /** Whether the model has LIBLINEAR's cost C: all but the multinomial logistic one (SGD), which has none. */
    public boolean hasCost() {
        return hasCost(mode, learner);
    }

    /** Whether {@code learner} in {@code mode} has LIBLINEAR's cost C (the multinomial logistic model has none). */
    static boolean hasCost(Mode mode, Learner learner) {
        return !(mode instanceof Mode.Multiclass && learner == Learner.LOGISTIC);
    }

    /** Refuses a C that is not a positive number up to {@link #MAX_COST}; {@code what} names the option. */
    static void checkCost(double cost, String what) {
        if (!(cost > 0) || !(cost <= MAX_COST)) {
            throw new ClassifyException(what + " must be a positive number up to " + MAX_COST_SHOWN + " (C = 1e6"
                    + " already leaves almost no regularisation on the standardised features), got " + cost);
        }
    }

    public ClassifyOptions {
        Objects.requireNonNull(input, "input");
        Objects.requireNonNull(use, "use");
        Objects.requireNonNull(split, "split");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(learner, "learner");
        checkCost(cost, "The cost C");
        if (cv != null && !hasCost(mode, learner)) {
            throw new ClassifyException("--cv chooses LIBLINEAR's cost C, which the multinomial logistic model"
                    + " (--multiclass --classifier logistic, trained by SGD) does not have. Use --classifier svm or"
                    + " --one-vs-all, or leave out --cv.");
        }
    }

    /** Logistic regression on the features with seed 42, C = 1, output in the default folder. */
    public static ClassifyOptions of(Location input, SplitRule split, Mode mode) {
        return new ClassifyOptions(input, VectorColumn.FEATURES, split, DEFAULT_SEED, mode, Learner.LOGISTIC,
                DEFAULT_COST, null, null);
    }

    public ClassifyOptions withUse(VectorColumn use) {
        return new ClassifyOptions(input, use, split, seed, mode, learner, cost, output, cv);
    }

    public ClassifyOptions withSeed(long seed) {
        return new ClassifyOptions(input, use, split, seed, mode, learner, cost, output, cv);
    }

    public ClassifyOptions withMode(Mode mode) {
        return new ClassifyOptions(input, use, split, seed, mode, learner, cost, output, cv);
    }

    public ClassifyOptions withLearner(Learner learner) {
        return new ClassifyOptions(input, use, split, seed, mode, learner, cost, output, cv);
    }

    public ClassifyOptions withCost(double cost) {
        return new ClassifyOptions(input, use, split, seed, mode, learner, cost, output, cv);
    }

    public ClassifyOptions withOutput(Location output) {
        return new ClassifyOptions(input, use, split, seed, mode, learner, cost, output, cv);
    }

    public ClassifyOptions withCrossValidation(CrossValidationPlan cv) {
        return new ClassifyOptions(input, use, split, seed, mode, learner, cost, output, cv);
    }

    /** The output folder: as given, or {@code <input>/classify-<mode>}. */
    public Location outputOrDefault() {
        return output != null ? output : input.resolve("classify-" + mode.name());
    }
}
