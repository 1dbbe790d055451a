package dev.orchard.classify;

import dev.orchard.store.s3.S3Settings;
import dev.orchard.classify.ClassifyReport.ClassCount;
import dev.orchard.predict.VectorProvenance;
import dev.orchard.store.Location;
import dev.orchard.store.ObjectStore;
import dev.orchard.store.ObjectStores;
import dev.orchard.store.OutputLayout;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Learns from a job's output: reads the vectors, splits each class into training and test images, standardises
 * on the training images (choosing C by cross-validation with {@code --cv}), trains linear models with Tribuo,
 * predicts every image, and writes {@code predictions.parquet}, {@code classifier.onnx} (checked against the Java
 * model by ONNX Runtime) and {@code classifier.json}. The plain-Java entry point behind
 * {@code orchard classify}.
 *
 * <p>Library: Tribuo (Oracle Labs, Apache-2.0, on Maven Central as {@code org.tribuo}), which wraps LIBLINEAR
 * (BSD-3, {@code de.bwaldvogel:liblinear}) and has its own SGD linear models. Smile, the other well-known Java ML
 * library, is LGPL-3 in 2.x and GPL-3 (or commercial) from 3.0, which an Apache-2.0 project cannot ship; Weka is
 * GPL as well. See classify/README.md.
 */
public final class Classifier {

    private Classifier() {
    }

    /**
     * Runs one classification end to end.
     *
     * @throws ClassifyException for input the user can fix (missing class, too few images, mixed dimensions…),
     *                           with a message that says what to change
     * @throws IOException       when the input cannot be read or the output written
     */
    public static ClassifyReport run(ClassifyOptions options) throws IOException {
        return run(options, S3Settings.defaults(), () -> { }, true, line -> { });
    }

    /** What must hold before anything is written, checked once the input is known good. */
    @FunctionalInterface
    public interface OutputCheck {
        void check() throws IOException;
    }

    /**
     * As {@link #run(ClassifyOptions)}; {@code beforeWriting} runs after the input's checks (a mistyped class name is
     * said first, not an earlier classifier in the output folder) and before training; {@code progress} hears what
     * training starts and, in a long one, how far it got (one-vs-all over 500 classes trained for minutes without a
     * word: a user's walk). Unless {@code replace}, the training writes nothing where another one wrote its
     * predictions since {@code beforeWriting} looked (two trainings into one folder at once: the later one's files
     * replaced the first one's, and both said they wrote them, in a user's walk).
     */
    public static ClassifyReport run(ClassifyOptions options, S3Settings s3, OutputCheck beforeWriting, boolean replace,
                                     java.util.function.Consumer<String> progress) throws IOException {
        Location output = options.outputOrDefault();
        try (ObjectStore out = ObjectStores.forLocation(output, s3);
             ObjectStore in = ObjectStores.forLocation(options.input(), s3)) {
            long t0 = System.nanoTime();
            byte[] finished = JobOutputReader.requireFinished(in, options.input()); // compared again before writing
            Samples all = JobOutputReader.read(options.input(), options.use(), s3);
            List<String> classes = ClassSelection.select(all.labels(), options.mode(),
                    options.input().resolve(options.use().column()).toString());
            Samples rows = all.restrictTo(new HashSet<>(classes));
            boolean[] train = StratifiedSplit.assign(rows.labels(), rows.paths(), options.split(), options.seed());
            VectorProvenance provenance = OutputProvenance.read(in, options.input(), options.use(), rows.dimension());
            if (options.use() == VectorColumn.PCA && provenance.pcaModelSha256() == null) {
                throw new ClassifyException(options.input() + " has pca/ rows but no pca-model.json: PCA coordinates mean"
                        + " nothing without the PCA model they were projected on, and classifier.onnx must name it. Use"
                        + " --use features, or run the job again into an empty folder.");
            }
            if (options.cv() != null) {
                // Checked before any work: too few training images for the folds is the user's to fix.
                StratifiedSplit.folds(rows.labels(), rows.paths(), train, options.cv().folds(), options.seed());
            }
            // After the input checks (a mistyped --input must not leave a new folder behind), before training.
            beforeWriting.check();
            // A training stopped (Ctrl-C, a failure) before it wrote anything leaves no empty folder behind. (A
            // Ctrl-C in the instant the first file is written may still leave that file's temporary copy.)
            NewFolders created = NewFolders.before(output);
            Thread cleanUp = new Thread(created::removeIfEmpty, "orchard-classify-clean-up");
            Runtime.getRuntime().addShutdownHook(cleanUp);
            try {
                out.checkWritable(output);
                OutputCheck inputUnchanged = () -> JobOutputReader.requireUnchanged(in, options.input(), finished);
                return trainAndWrite(options, replace, progress, out, output, all, classes, rows, train, provenance, t0,
                        inputUnchanged);
            } catch (IOException | RuntimeException | Error e) {
                created.removeIfEmpty();
                throw e;
            } finally {
                try {
                    Runtime.getRuntime().removeShutdownHook(cleanUp);
                } catch (IllegalStateException shuttingDown) {
                    // the hook runs, and finds the folder written or empty
                }
            }
        }
    }

    private static ClassifyReport trainAndWrite(ClassifyOptions options, boolean replace,
                                                java.util.function.Consumer<String> progress,
                                                ObjectStore out, Location output, Samples all, List<String> classes,
                                                Samples rows, boolean[] train, VectorProvenance provenance, long t0,
                                                OutputCheck inputUnchanged)
            throws IOException {
        CrossValidation.Result cv = null;
        long t1 = System.nanoTime();
        int trainRows = count(train);
        if (options.cv() != null) {
            progress.accept("choosing C by " + options.cv().folds() + "-fold cross-validation over "
                    + options.cv().grid().size() + " values of C, on " + trainRows + " training images");
            TrainingProgress trainings = new TrainingProgress(progress, "cross-validation trainings",
                    options.cv().folds() * options.cv().grid().size());
            cv = CrossValidation.run(options.cv(), classes, rows, train, options.seed(), (cost, z, mask) -> {
                TrainedClassifier trained = train(options, cost, classes, rows, z, mask, line -> { });
                trainings.oneDone();
                return trained;
            });
        }
        double cost = cv != null ? cv.chosen() : options.cost();

        long t2 = System.nanoTime();
        Standardizer standardizer = Standardizer.fit(rows.vectors(), train, rows.dimension());
        double[][] z = standardizer.applyAll(rows.vectors());
        ClassNames.lookAlikes(classes).forEach(progress);
        String few = StratifiedSplit.fewTrainingImages(classes, rows.labels(), train);
        if (few != null) {
            progress.accept(few);
        }
        progress.accept("training " + options.mode().name() + " over " + classes.size() + " classes on " + trainRows
                + " images (" + rows.dimension() + "-d): "
                + LinearTrainers.describe(options.mode(), options.learner(), cost, rows.dimension()));
        TrainedClassifier classifier = train(options, cost, classes, rows, z, train, progress);

        long t3 = System.nanoTime();
        TrainedClassifier.Scored scored = classifier.score(z);
        boolean[] test = new boolean[train.length];
        for (int r = 0; r < train.length; r++) {
            test[r] = !train[r];
        }
        Evaluation onTest = Evaluation.of(classes, rows.labels(), scored.predicted(), test);
        Evaluation onTrain = Evaluation.of(classes, rows.labels(), scored.predicted(), train);
        List<PredictionRow> predictions = predictions(rows, train, scored);
        String model = LinearTrainers.describe(options.mode(), options.learner(), cost, rows.dimension());

        long t4 = System.nanoTime();
        OnnxExport.Exported onnx = OnnxExport.export(standardizer, classifier, classes, provenance,
                description(options, model, cost, onTest), rows, scored);

        long t5 = System.nanoTime();
        // The input as it was read, still: an --overwrite or an update that replaced it while this one trained made
        // the new output hold a classifier of the old one's rows (the data-safety walk).
        inputUnchanged.check();
        // The first file written: where another training's is there, this one writes none of its four.
        if (!PredictionsWriter.write(out, output.resolve(PREDICTIONS), predictions, replace)) {
            throw new ClassifyException("Another orchard classify wrote its classifier into " + output + " while this"
                    + " one trained; it is kept, and nothing of this training was written. Train again with --output"
                    + " elsewhere, or with --overwrite to replace it.");
        }
        out.put(output.resolve(CLASSIFIER_ONNX), onnx.bytes());
        long t6 = System.nanoTime();

        var timings = new ClassifyReport.Timings(millis(t0, t1), millis(t1, t2), millis(t2, t3), millis(t3, t4),
                millis(t4, t5), millis(t5, t6));
        var report = new ClassifyReport(options, model, output, rows.dimension(), all.unlabelled(),
                classCounts(rows.labels(), train), onTest, onTrain, timings, predictions, cost, cv, onnx);
        out.put(output.resolve(CLASSIFIER_JSON), ClassifierJson.toBytes(report));
        out.put(output.resolve(ClassifyReportPage.FILE),
                ClassifyReportPage.render(report).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return report;
    }

    private static int count(boolean[] mask) {
        int n = 0;
        for (boolean b : mask) {
            n += b ? 1 : 0;
        }
        return n;
    }

    /** The file name of the exported model in the output folder. */
    public static final String CLASSIFIER_ONNX = OutputLayout.CLASSIFIER_ONNX;
    /** The file name of the classifier's description in the output folder. */
    public static final String CLASSIFIER_JSON = OutputLayout.CLASSIFIER_JSON;
    /** The file name of a training's predictions in the output folder. */
    public static final String PREDICTIONS = OutputLayout.CLASSIFY_PREDICTIONS;
    /** classifier.onnx's metadata: the training output's location, and the accuracy on its held-out test images. */
    static final String TRAINED_ON = "orchard.trained-on";
    static final String TEST_ACCURACY = "orchard.test-accuracy";

    /**
     * What to say of a local folder given for a classifier file: its own classifier.onnx (a training's folder), or
     * those of the trainings in it (a job's output holds classify-<mode>/classifier.onnx); else what a training names
     * it. For {@code --apply} and {@code orchard run --classifier} alike.
     */
    public static String filesIn(Location folder) {
        if (java.nio.file.Files.isRegularFile(folder.path().resolve(CLASSIFIER_ONNX))) {
            return "in it, " + folder.resolve(CLASSIFIER_ONNX);
        }
        List<String> found = new ArrayList<>();
        try (var inside = java.nio.file.Files.list(folder.path())) {
            inside.filter(p -> OutputLayout.isClassifyOutput(p.getFileName().toString()))
                    .map(p -> p.resolve(CLASSIFIER_ONNX)).filter(java.nio.file.Files::isRegularFile).sorted()
                    .forEach(p -> found.add(p.toString()));
        } catch (IOException e) {
            // none found
        }
        return found.isEmpty() ? "orchard classify names it " + CLASSIFIER_ONNX + ", in its output folder, by default"
                + " <input>/classify-<mode>/" : "here: " + String.join(" or ", found);
    }

    /** What the ONNX model's metadata says about how it was made, beside the input it expects. */
    private static Map<String, String> description(ClassifyOptions o, String model, double cost, Evaluation test) {
        Map<String, String> d = new TreeMap<>();
        d.put("orchard.mode", o.mode().name());
        d.put("orchard.learner", o.learner().name().toLowerCase(java.util.Locale.ROOT));
        d.put("orchard.model", model);
        if (o.hasCost()) { // the multinomial logistic model has none: a C recorded there misled
            d.put("orchard.cost", String.valueOf(cost));
        }
        d.put("orchard.seed", String.valueOf(o.seed()));
        d.put(TRAINED_ON, o.input().toString());
        d.put(TEST_ACCURACY, String.valueOf(test.accuracy()));
        d.put("orchard.test-balanced-accuracy", String.valueOf(test.balancedAccuracy()));
        d.put("orchard.tribuo-version", org.tribuo.Tribuo.VERSION);
        return d;
    }

    private static TrainedClassifier train(ClassifyOptions o, double cost, List<String> classes, Samples rows,
                                           double[][] z, boolean[] train, java.util.function.Consumer<String> progress) {
        TribuoExamples examples = new TribuoExamples(rows.dimension());
        if (o.mode() instanceof Mode.OneVsAll) {
            return OneVsAllClassifier.train(() -> LinearTrainers.binary(o.learner(), cost, o.seed()), examples,
                    classes, rows.labels(), z, train, progress);
        }
        var trainer = o.mode() instanceof Mode.Pair
                ? LinearTrainers.binary(o.learner(), cost, o.seed())
                : LinearTrainers.multiclass(o.learner(), cost, o.seed(), rows.dimension());
        return DirectClassifier.train(trainer, examples, classes, rows.labels(), z, train);
    }

    private static List<PredictionRow> predictions(Samples rows, boolean[] train, TrainedClassifier.Scored scored) {
        List<PredictionRow> out = new ArrayList<>(rows.size());
        for (int r = 0; r < rows.size(); r++) {
            out.add(new PredictionRow(rows.paths()[r], rows.labels()[r],
                    train[r] ? PredictionRow.TRAIN : PredictionRow.TEST, scored.predicted()[r], scored.scores()[r]));
        }
        return List.copyOf(out);
    }

    private static List<ClassCount> classCounts(String[] labels, boolean[] train) {
        Map<String, int[]> counts = new TreeMap<>();
        for (int r = 0; r < labels.length; r++) {
            counts.computeIfAbsent(labels[r], k -> new int[2])[train[r] ? 0 : 1]++;
        }
        List<ClassCount> out = new ArrayList<>();
        counts.forEach((label, c) -> out.add(new ClassCount(label, c[0], c[1])));
        return List.copyOf(out);
    }

    private static long millis(long from, long to) {
        return (to - from) / 1_000_000;
    }
}
