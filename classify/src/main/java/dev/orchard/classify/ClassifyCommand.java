package dev.orchard.classify;

import dev.orchard.store.Location;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.logging.Level;
import java.util.logging.Logger;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code orchard classify}: the command-line face of {@link Classifier#run}. */
@Command(name = "classify", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Learns a linear classifier from a job's output: stratified train/test split by label, standardised",
            "features, then a pair (1-vs-1), one-vs-all or multiclass model. Prints accuracy, per-class",
            "precision/recall and the confusion matrix; writes predictions.parquet and classifier.json."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:done", "1:the input could not be read or the output written", "2:bad options or input"})
public final class ClassifyCommand implements Callable<Integer> {
    /**
     * Tribuo logs every training run at INFO through java.util.logging, straight to the terminal. Held in a field:
     * JUL keeps loggers only weakly, and a collected logger forgets its level.
     */
    private static final Logger TRIBUO_LOG = Logger.getLogger("org.tribuo");

    @Spec
    CommandSpec spec;

    @Option(names = "--input", required = true, paramLabel = "DIR",
            description = "A job's output folder (local path or s3://bucket/prefix).")
    String input;

    @Option(names = "--use", defaultValue = "features", paramLabel = "features|pca",
            description = "Learn from the features or the PCA coordinates (default: ${DEFAULT-VALUE}).")
    String use;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Split split;

    static final class Split {
        @Option(names = "--train-per-class", paramLabel = "N", description = "N training images of each class.")
        Integer perClass;

        @Option(names = "--train-fraction", paramLabel = "F",
                description = "This fraction of each class trains (0 < F < 1).")
        Double fraction;
    }

    @Option(names = "--seed", defaultValue = "42", description = "Seed of the split and of training (default: ${DEFAULT-VALUE}).")
    long seed;

    @ArgGroup(exclusive = true, multiplicity = "1")
    ModeChoice mode;

    static final class ModeChoice {
        @Option(names = "--pair", arity = "2", paramLabel = "CLASS",
                description = "1-vs-1 between two classes (quote names with spaces).")
        String[] pair;

        @Option(names = "--one-vs-all", description = "One binary model per class; the highest score wins.")
        boolean oneVsAll;

        @Option(names = "--multiclass", description = "One multiclass model over every class.")
        boolean multiclass;
    }

    @Option(names = "--classifier", defaultValue = "logistic", paramLabel = "logistic|svm",
            description = "Logistic regression or linear SVM (default: ${DEFAULT-VALUE}).")
    String classifier;

    @Option(names = {"-C", "--cost"}, defaultValue = "1.0", paramLabel = "C",
            description = "Inverse regularisation strength of the LIBLINEAR models (default: ${DEFAULT-VALUE}).")
    double cost;

    @Option(names = "--output", paramLabel = "DIR",
            description = "Where predictions.parquet and classifier.json go (default: <input>/classify-<mode>).")
    String output;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        TRIBUO_LOG.setLevel(Level.WARNING);
        try {
            ClassifyReport report = Classifier.run(options());
            spec.commandLine().getOut().print(ReportText.format(report));
            spec.commandLine().getOut().flush();
            return 0;
        } catch (ClassifyException | IllegalArgumentException e) {
            err.println("orchard classify: " + e.getMessage());
            return 2;
        } catch (IOException | java.io.UncheckedIOException e) {
            err.println("orchard classify: " + e.getMessage());
            return 1;
        } finally {
            err.flush();
        }
    }

    ClassifyOptions options() {
        SplitRule rule = split.perClass != null ? new SplitRule.PerClass(split.perClass)
                : new SplitRule.Fraction(split.fraction);
        Mode m = mode.pair != null ? new Mode.Pair(mode.pair[0], mode.pair[1])
                : mode.oneVsAll ? new Mode.OneVsAll() : new Mode.Multiclass();
        return new ClassifyOptions(Location.parse(input), VectorColumn.parse(use), rule, seed, m, learner(), cost,
                output == null ? null : Location.parse(output));
    }

    private Learner learner() {
        return switch (classifier.toLowerCase(Locale.ROOT)) {
            case "logistic", "lr", "logistic-regression" -> Learner.LOGISTIC;
            case "svm", "linear-svm" -> Learner.SVM;
            default -> throw new ClassifyException("--classifier must be logistic or svm, got '" + classifier + "'");
        };
    }
}
