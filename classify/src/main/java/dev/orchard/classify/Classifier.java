package dev.orchard.classify;

import dev.orchard.classify.ClassifyReport.ClassCount;
import dev.orchard.store.Location;
import dev.orchard.store.ObjectStore;
import dev.orchard.store.ObjectStores;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Learns from a job's output: reads the vectors, splits each class into training and test images, standardises
 * on the training images, trains linear models with Tribuo, predicts every image, and writes
 * {@code predictions.parquet} and {@code classifier.json}. The plain-Java entry point behind
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
        Location output = options.outputOrDefault();
        try (ObjectStore out = ObjectStores.forLocation(output)) {
            long t0 = System.nanoTime();
            Samples all = JobOutputReader.read(options.input(), options.use());
            List<String> classes = ClassSelection.select(all.labels(), options.mode(),
                    options.input().resolve(options.use().column()).toString());
            Samples rows = all.restrictTo(new HashSet<>(classes));
            boolean[] train = StratifiedSplit.assign(rows.labels(), rows.paths(), options.split(), options.seed());
            // After the input checks (a mistyped --input must not leave a new folder behind), before training.
            out.checkWritable(output);

            long t1 = System.nanoTime();
            double[][] z = Standardizer.fit(rows.vectors(), train, rows.dimension()).applyAll(rows.vectors());
            TrainedClassifier classifier = train(options, classes, rows, z, train);

            long t2 = System.nanoTime();
            TrainedClassifier.Scored scored = classifier.score(z);
            boolean[] test = new boolean[train.length];
            for (int r = 0; r < train.length; r++) {
                test[r] = !train[r];
            }
            Evaluation onTest = Evaluation.of(classes, rows.labels(), scored.predicted(), test);
            Evaluation onTrain = Evaluation.of(classes, rows.labels(), scored.predicted(), train);
            List<PredictionRow> predictions = predictions(rows, train, scored);

            long t3 = System.nanoTime();
            PredictionsWriter.write(out, output.resolve("predictions.parquet"), predictions);
            long t4 = System.nanoTime();

            var timings = new ClassifyReport.Timings(millis(t0, t1), millis(t1, t2), millis(t2, t3), millis(t3, t4));
            var report = new ClassifyReport(options, LinearTrainers.describe(options.mode(), options.learner(),
                    options.cost(), rows.dimension()), output, rows.dimension(), all.unlabelled(), classCounts(rows.labels(), train),
                    onTest, onTrain, timings, predictions);
            out.put(output.resolve("classifier.json"), ClassifierJson.toBytes(report));
            return report;
        }
    }

    private static TrainedClassifier train(ClassifyOptions o, List<String> classes, Samples rows, double[][] z,
                                           boolean[] train) {
        TribuoExamples examples = new TribuoExamples(rows.dimension());
        if (o.mode() instanceof Mode.OneVsAll) {
            return OneVsAllClassifier.train(() -> LinearTrainers.binary(o.learner(), o.cost(), o.seed()), examples,
                    classes, rows.labels(), z, train);
        }
        var trainer = o.mode() instanceof Mode.Pair
                ? LinearTrainers.binary(o.learner(), o.cost(), o.seed())
                : LinearTrainers.multiclass(o.learner(), o.cost(), o.seed(), rows.dimension());
        return DirectClassifier.train(trainer, examples, rows.labels(), z, train);
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
