package dev.orchard.classify;

import dev.orchard.store.s3.S3Settings;
import dev.orchard.predict.ClassifierException;
import dev.orchard.predict.OnnxClassifier;
import dev.orchard.predict.Predictions;
import dev.orchard.predict.VectorProvenance;
import dev.orchard.store.Location;
import dev.orchard.store.ObjectStore;
import dev.orchard.store.ObjectStores;
import dev.orchard.store.parquet.VectorRow;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code orchard classify --apply}: labels every image of an existing output with a {@code classifier.onnx}.
 * Before reading any row it checks that the output holds the vectors the classifier was trained on (kind,
 * CNN/tensor/projection from {@code _SUCCESS}, and for PCA coordinates the SHA-256 of {@code pca-model.json});
 * then it streams the output's parts through ONNX Runtime in batches and writes
 * {@code predictions-<classifier>.parquet}. The job's labels, where there are any, are compared with the
 * predictions, which measures the classifier on images it may never have seen.
 */
public final class ApplyClassifier {
    private static final int BATCH = 4096;

    private ApplyClassifier() {
    }

    /**
     * @throws ClassifyException for input the user can fix (missing classifier, mismatched vectors, existing
     *                           predictions file), with a message that says what to change
     * @throws IOException       when the input cannot be read or the output written
     */
    public static ApplyReport run(ApplyOptions options) throws IOException {
        return run(options, S3Settings.defaults());
    }

    /** As {@link #run(ApplyOptions)}, with {@code s3} for {@code s3://} locations (an S3-compatible endpoint…). */
    public static ApplyReport run(ApplyOptions options, S3Settings s3) throws IOException {
        long t0 = System.nanoTime();
        Location target = options.outputOrDefault();
        JobOwnFiles.refuseClassifier(options.classifier(), target, s3); // the more telling refusal, where both apply
        JobOwnFiles.refuse(options.input(), target, false, s3);
        try (ObjectStore classifierStore = ObjectStores.forLocation(options.classifier(), s3);
             ObjectStore in = ObjectStores.forLocation(options.input(), s3);
             ObjectStore out = ObjectStores.forLocation(target, s3);
             OnnxClassifier classifier = load(classifierStore, options.classifier())) {
            VectorProvenance expected = classifier.input();
            VectorColumn use = VectorColumn.valueOf(expected.kind().name());
            byte[] finished = JobOutputReader.requireFinished(in, options.input());
            List<Location> parts = JobOutputReader.listParts(in, options.input(), use, finished);
            JobOutputReader.requireSomeIfWritten(in, options.input(), use, parts, finished);
            if (parts.isEmpty()) {
                throw new ClassifyException("No " + use.column() + " in " + options.input() + " (" + options.input()
                        .resolve(use.column()) + " has no part-*.parquet files), and " + options.classifier()
                        + " reads " + use.column() + "." + (use == VectorColumn.PCA ? " A classifier trained on PCA"
                        + " coordinates labels only outputs projected on the same pca-model.json; to label this output,"
                        + " train one on the features (orchard classify --use features)." : " Give the output folder"
                        + " of an 'orchard run' job (the one holding features/ and _SUCCESS)."));
            }
            VectorProvenance given = OutputProvenance.read(in, options.input(), use, 0); // as recorded
            try {
                expected.requireReadable(given, options.classifier().toString(), options.input().toString());
            } catch (ClassifierException e) {
                throw new ClassifyException(e.getMessage());
            }
            if (out.exists(target) && !options.overwrite()) {
                throw new ClassifyException(target + " already exists. Pass --overwrite to replace it, or --output to"
                        + " write elsewhere.");
            }
            out.checkWritable(target.parent());

            List<String> classes = classifier.classes();
            Map<String, Integer> index = new HashMap<>();
            for (int c = 0; c < classes.size(); c++) {
                index.put(classes.get(c), c);
            }
            long[] predictedCounts = new long[classes.size()];
            int[][] confusion = new int[classes.size()][classes.size()];
            long images = 0;
            long unlabelled = 0;
            long otherLabels = 0;
            int d = expected.dimension();
            try (AppliedPredictionsWriter writer = new AppliedPredictionsWriter(options.classifier().toString(),
                    classifier.sha256())) {
                for (Location part : parts) {
                    List<VectorRow> rows = JobOutputReader.readPart(in, part, use);
                    for (int from = 0; from < rows.size(); from += BATCH) {
                        int n = Math.min(BATCH, rows.size() - from);
                        float[] batch = new float[n * d];
                        for (int i = 0; i < n; i++) {
                            VectorRow row = rows.get(from + i);
                            if (row.values().length != d) {
                                throw new ClassifyException(part + " holds " + row.values().length + "-d " + use.column()
                                        + " (" + row.path() + ") but " + options.classifier() + " reads " + d
                                        + "-d ones. The output was made by another job or model than the one the"
                                        + " classifier was trained on.");
                            }
                            System.arraycopy(row.values(), 0, batch, i * d, d);
                        }
                        Predictions p = classifier.predict(batch, n);
                        for (int i = 0; i < n; i++) {
                            VectorRow row = rows.get(from + i);
                            writer.write(new AppliedPrediction(row.path(), row.label(), p.labels()[i], p.scores()[i]));
                            int predicted = index.get(p.labels()[i]);
                            predictedCounts[predicted]++;
                            if (row.label() == null) {
                                unlabelled++;
                            } else if (index.containsKey(row.label())) {
                                confusion[index.get(row.label())][predicted]++;
                            } else {
                                otherLabels++;
                            }
                        }
                        images += n;
                    }
                }
                JobOutputReader.requireUnchanged(in, options.input(), finished); // before anything is written
                JobOutputReader.requireEveryRow(options.input().resolve(use.column()), images, finished);
                if (!writer.publish(out, target, options.overwrite())) {
                    // Two --apply at once of classifiers with one name, each with the other's file not there yet: the
                    // later one replaced the first one's predictions without a word (a user's walk).
                    throw new ClassifyException(target + " was written by another orchard classify --apply while this"
                            + " one ran; it is kept, and this one's predictions are not written. Run this again with"
                            + " --output elsewhere, or with --overwrite to replace that file.");
                }
            } catch (ai.onnxruntime.OrtException e) {
                throw new IOException("ONNX Runtime failed on " + options.classifier() + ": " + e.getMessage(), e);
            }
            Map<String, Long> counts = new LinkedHashMap<>();
            for (int c = 0; c < classes.size(); c++) {
                counts.put(classes.get(c), predictedCounts[c]);
            }
            Evaluation known = images - unlabelled - otherLabels > 0 ? Evaluation.ofConfusion(classes, confusion) : null;
            return new ApplyReport(options, target, use.column(), d, images, unlabelled, counts, known, otherLabels,
                    classifier.sha256(), classifier.scoreMeaning(),
                    expected.features() != null && given.features() != null,
                    expected.features() != null && given.features() != null
                            && expected.features().preprocessing() != null && given.features().preprocessing() != null,
                    trainedOn(classifier, options.input()), recordedTestAccuracy(classifier),
                    (System.nanoTime() - t0) / 1_000_000);
        } catch (ai.onnxruntime.OrtException e) {
            throw new IOException("Cannot close the ONNX Runtime session of " + options.classifier() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Whether the classifier was trained on {@code input}: applied to its own training output, the accuracy against
     * the job's labels counts the images it was trained on, and read as a held-out figure (a user's walk).
     */
    private static boolean trainedOn(OnnxClassifier classifier, Location input) {
        String trainedOn = classifier.metadata().get(Classifier.TRAINED_ON);
        try {
            return trainedOn != null && Location.parse(trainedOn).equals(input);
        } catch (IllegalArgumentException e) {
            return false; // not a location this Orchard reads: not this input
        }
    }

    /** {@code orchard.test-accuracy}, the held-out accuracy classify measured; NaN where not recorded or not a number. */
    private static double recordedTestAccuracy(OnnxClassifier classifier) {
        try {
            return Double.parseDouble(classifier.metadata().getOrDefault(Classifier.TEST_ACCURACY, "NaN"));
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    private static OnnxClassifier load(ObjectStore store, Location location) throws IOException {
        byte[] bytes;
        if (location.isLocal() && java.nio.file.Files.isDirectory(location.path())) { // it said "Is a directory", exit 1
            throw new ClassifyException("--apply " + location + " is a folder: give the classifier file orchard classify"
                    + " wrote (" + Classifier.filesIn(location) + ").");
        }
        try {
            bytes = store.read(location);
        } catch (NoSuchFileException e) {
            throw new ClassifyException("No classifier at " + location + ". Give the classifier.onnx that orchard classify"
                    + " wrote (in its output folder, by default <input>/classify-<mode>/).");
        }
        try {
            return OnnxClassifier.load(bytes, location.toString());
        } catch (ClassifierException e) {
            throw new ClassifyException(e.getMessage());
        }
    }
}
