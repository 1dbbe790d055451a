package dev.orchard.classify;

import dev.orchard.store.s3.S3Settings;
import dev.orchard.store.Location;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.logging.Level;
import java.util.logging.Logger;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code orchard classify}: the command-line face of {@link Classifier#run} and {@link ApplyClassifier#run}. */
@Command(name = "classify", mixinStandardHelpOptions = true, sortOptions = false,
        description = { // one paragraph per element (picocli wraps each); the first is `orchard --help`'s summary
            "Learns a linear classifier from a job's output, or labels its images with one (--apply).",
            "Training: a stratified train/test split by label, standardised features, then a pair (1-vs-1), one-vs-all"
                    + " or multiclass model (--cv K chooses C by cross-validation). Prints accuracy, balanced accuracy,"
                    + " per-class precision/recall and the confusion matrix; writes predictions.parquet,"
                    + " classifier.onnx, classifier.json and report.html.",
            "With --apply classifier.onnx, labels every image of an existing output instead."},
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

    /**
     * The S3 settings of {@code s3://} locations: the orchard command's store options ({@code --endpoint-url},
     * {@code --path-style}, {@code --region}, {@code --profile}, and the environment's), as {@code run} reads them
     * ({@link #readsStoreOptions}). classify took none: an S3-compatible server (MinIO, S3Proxy) could not be reached,
     * and the message said to check an --endpoint-url it refused (a user's walk).
     */
    private java.util.function.Supplier<S3Settings> s3 = S3Settings::defaults;

    @Option(names = "--input", required = true, paramLabel = "DIR",
            description = "A job's output folder (local path or s3://bucket/prefix).")
    String input;

    @Option(names = "--apply", paramLabel = "FILE",
            description = "Label every image of --input with this classifier.onnx (local or s3://) and write"
                    + " predictions-<name>.parquet; no training.")
    String apply;

    @Option(names = "--use", defaultValue = "features", paramLabel = "features|pca",
            description = "Learn from the features or the PCA coordinates (default: ${DEFAULT-VALUE}).")
    String use;

    @ArgGroup(exclusive = true, multiplicity = "0..1")
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

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    ModeChoice mode;

    /**
     * picocli shows an array option as one that repeats ("--pair=CLASS CLASS [--pair=CLASS CLASS]..."), and a second
     * --pair is refused ({@link #options}): the synopsis of {@code classify}'s {@code commandLine} shows it once.
     */
    /**
     * Gives {@code commandLine}'s classify the options of {@code storeOptions} (a picocli-annotated object), whose
     * settings {@code settings} makes once they are parsed.
     */
    public static void readsStoreOptions(CommandLine commandLine, Object storeOptions,
                                         java.util.function.Supplier<S3Settings> settings) {
        commandLine.getCommandSpec().addMixin("store", CommandSpec.forAnnotatedObject(storeOptions));
        ((ClassifyCommand) commandLine.getCommand()).s3 = settings;
    }

    public static void showPairOnce(CommandLine commandLine) {
        commandLine.getHelpSectionMap().put(CommandLine.Model.UsageMessageSpec.SECTION_KEY_SYNOPSIS,
                help -> help.synopsis(help.synopsisHeadingLength()).replace(" [--pair=CLASS CLASS]...", ""));
    }

    static final class ModeChoice {
        @Option(names = "--pair", arity = "2", paramLabel = "CLASS",
                description = "1-vs-1 between two classes (quote names with spaces).")
        String[] pair;

        @Option(names = "--one-vs-all", description = "One binary model per class; the highest linear score (logit or"
                + " margin) wins.")
        boolean oneVsAll;

        @Option(names = "--multiclass", description = "One multiclass model over every class.")
        boolean multiclass;
    }

    @Option(names = "--classifier", defaultValue = "logistic", paramLabel = "logistic|svm",
            description = "Logistic regression or linear SVM (default: ${DEFAULT-VALUE}).")
    String classifier;

    @Option(names = {"-C", "--cost"}, paramLabel = "C",
            description = "Inverse regularisation strength of the LIBLINEAR models (default: 1.0; at most "
                    + ClassifyOptions.MAX_COST_SHOWN + ").")
    Double cost;

    @Option(names = "--cv", paramLabel = "K",
            description = "Choose C by stratified K-fold cross-validation on the training split (seeded by --seed)"
                    + " from the --cv-grid values, and print the curve.")
    Integer cv;

    @Option(names = "--cv-grid", split = ",", paramLabel = "C,C,…",
            description = "The values of C --cv tries (default: 0.001,0.01,0.1,1,10,100,1000).")
    List<Double> cvGrid;

    @Option(names = "--output", paramLabel = "DIR|FILE",
            description = {"Where predictions.parquet, classifier.onnx, classifier.json and report.html go"
                    + " (default: <input>/classify-<mode>; never the job's own folder or inside its features/, pca/"
                    + " or _orchard/).", "With --apply: the predictions file (default:"
                    + " <input>/predictions-<classifier file name without .onnx>.parquet; for classifier.onnx, its"
                    + " folder's name)."})
    String output;

    @Option(names = "--overwrite", description = "Replace the classifier an earlier training wrote in the --output"
            + " folder or, with --apply, the predictions file, if there is one.")
    boolean overwrite;

    /** Options that shape training, which --apply does not do. */
    private static final List<String> TRAINING_ONLY = List.of("--use", "--train-per-class", "--train-fraction",
            "--seed", "--pair", "--one-vs-all", "--multiclass", "--classifier", "--cost", "--cv", "--cv-grid");

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        TRIBUO_LOG.setLevel(Level.WARNING);
        try {
            String text = apply != null ? ReportText.format(ApplyClassifier.run(applyOptions(), s3.get()))
                    : ReportText.format(train(options()));
            spec.commandLine().getOut().print(text);
            spec.commandLine().getOut().flush();
            return 0;
        } catch (ClassifyException | IllegalArgumentException | dev.orchard.store.UnusableLocationException
                 | dev.orchard.store.DamagedFileException e) {
            err.println("orchard classify: " + e.getMessage()); // a location only the user can change: bad input
            return 2;
        } catch (IOException | java.io.UncheckedIOException e) {
            err.println("orchard classify: " + e.getMessage());
            return 1;
        } finally {
            err.flush();
        }
    }

    ApplyOptions applyOptions() {
        List<String> given = TRAINING_ONLY.stream().filter(spec.commandLine().getParseResult()::hasMatchedOption).toList();
        if (!given.isEmpty()) {
            throw new ClassifyException("--apply labels images with the classifier as it was trained; "
                    + String.join(", ", given) + (given.size() == 1 ? " does" : " do") + " not apply to it.");
        }
        return new ApplyOptions(Location.parseGiven(apply), Location.parseGiven(input),
                output == null ? null : Location.parseGiven(output), overwrite);
    }

    ClassifyOptions options() {
        if (split == null || mode == null) {
            throw new ClassifyException("Training needs " + (split == null ? "a split (--train-per-class N or"
                    + " --train-fraction F)" : "") + (split == null && mode == null ? " and " : "")
                    + (mode == null ? "a mode (--pair A B, --one-vs-all or --multiclass)" : "")
                    + "; or give --apply classifier.onnx to label images with a trained classifier.");
        }
        if (cv != null && cost != null) {
            throw new ClassifyException("--cv chooses C; leave out -C (or give the values to try with --cv-grid).");
        }
        if (cv == null && cvGrid != null) {
            throw new ClassifyException("--cv-grid is the list of C that --cv K tries; add --cv K (e.g. --cv 5).");
        }
        if (mode.pair != null && mode.pair.length != 2) {
            throw new ClassifyException("--pair takes two classes, once: one run trains one classifier (given: "
                    + String.join(", ", mode.pair) + "). Run orchard classify once per pair, each with its own --output.");
        }
        SplitRule rule = split.perClass != null ? new SplitRule.PerClass(split.perClass)
                : new SplitRule.Fraction(split.fraction);
        Mode m = mode.pair != null ? new Mode.Pair(mode.pair[0], mode.pair[1])
                : mode.oneVsAll ? new Mode.OneVsAll() : new Mode.Multiclass();
        if (cost != null && !ClassifyOptions.hasCost(m, learner())) { // it was ignored
            throw new ClassifyException("-C is LIBLINEAR's cost, which the multinomial logistic model (--multiclass"
                    + " --classifier logistic, trained by SGD) does not have. Use --classifier svm or --one-vs-all,"
                    + " or leave out -C.");
        }
        return new ClassifyOptions(Location.parseGiven(input), VectorColumn.parse(use), rule, seed, m, learner(),
                cost == null ? ClassifyOptions.DEFAULT_COST : cost, output == null ? null : Location.parseGiven(output),
                cv == null ? null : new CrossValidationPlan(cv, cvGrid == null ? CrossValidationPlan.DEFAULT_GRID : cvGrid));
    }

    /** Trains; what the output folder may hold is checked once the input is known good. */
    private ClassifyReport train(ClassifyOptions options) throws IOException {
        PrintWriter err = spec.commandLine().getErr();
        S3Settings settings = s3.get();
        return Classifier.run(options, settings, () -> refuseToReplace(options, settings), overwrite, line -> {
            err.println("orchard classify: " + line);
            err.flush();
        });
    }

    /**
     * Training into a folder that holds an earlier classifier replaced it unasked (a second --pair took the first
     * one's place): refused without --overwrite, as --apply refuses to replace its predictions. Never into the job's
     * own files ({@link JobOwnFiles}), --overwrite or not.
     */
    private void refuseToReplace(ClassifyOptions options, S3Settings settings) throws IOException {
        Location folder = options.outputOrDefault();
        JobOwnFiles.refuse(options.input(), folder, true, settings);
        try (var store = dev.orchard.store.ObjectStores.forLocation(folder, settings)) {
            // Each file read once: what is not Orchard's is never replaced, --overwrite or not
            List<String> foreign = TrainingFolder.notOrchards(store, folder);
            if (!foreign.isEmpty()) {
                String file = foreign.get(0);
                boolean named = file.equals(Classifier.CLASSIFIER_ONNX) || file.equals(Classifier.CLASSIFIER_JSON);
                throw new ClassifyException(folder + " holds a " + file + " that orchard classify did not write, which a"
                        + " training there would replace: give another --output" + (named ? "." : ", or move the file"
                        + " out of the folder."));
            }
            boolean classifier = store.exists(folder.resolve(Classifier.CLASSIFIER_ONNX))
                    || store.exists(folder.resolve(Classifier.CLASSIFIER_JSON)); // Orchard's, as read above
            boolean begun = !classifier && store.exists(folder.resolve(Classifier.PREDICTIONS)); // one that stopped
            if ((classifier || begun) && !overwrite) {
                throw new ClassifyException(folder + " holds " + (classifier ? "a classifier trained earlier"
                        : "the predictions of a training that stopped before its classifier was written")
                        + ". Pass --overwrite to replace " + (classifier ? "it" : "them") + ", or --output DIR to keep"
                        + " both.");
            }
        }
    }

    private Learner learner() {
        return switch (classifier.toLowerCase(Locale.ROOT)) {
            case "logistic", "lr", "logistic-regression" -> Learner.LOGISTIC;
            case "svm", "linear-svm" -> Learner.SVM;
            default -> throw new ClassifyException("--classifier must be logistic or svm, got '" + classifier + "'");
        };
    }
}
