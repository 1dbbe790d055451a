package dev.orchard.classify;

import dev.orchard.store.Location;
import dev.orchard.store.ObjectStore;
import dev.orchard.store.ObjectTooLargeException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * What a training's folder holds, read rather than taken by name: a text file called classifier.onnx was taken for a
 * classifier, and {@code classify --overwrite} replaced it and the user's report.html beside it, as {@code run
 * --overwrite} deleted them in an output's {@code classify-<mode>/} (two walks). Orchard's classifier.onnx carries
 * orchard classify's format in its ONNX metadata, its classifier.json its mode and learner, its predictions.parquet
 * orchard's schema in its footer (a training writes it first, and one stopped there leaves it alone); its
 * report.html lies beside such a classifier.
 */
public final class TrainingFolder {
    /** A classifier.json is a page of figures: one this large is not Orchard's, and is not read. */
    static final long MAX_JSON_BYTES = 64L << 20;
    /**
     * A linear classifier of Orchard's: C × d weights (1,000 classes of 20,000-d projected features, 160 MB). One
     * larger is not taken for Orchard's, and is not read: read whole, a 1-2 GB file ran a 4 GB heap out (the review).
     */
    static final long MAX_ONNX_BYTES = 512L << 20;

    private TrainingFolder() {
    }

    /** Whether {@code folder} holds a training's classifier (classifier.onnx or classifier.json), and only Orchard's. */
    static boolean holdsClassifier(ObjectStore store, Location folder) throws IOException {
        return namesClassifier(store, folder) && foreignClassifier(store, folder) == null;
    }

    private static boolean namesClassifier(ObjectStore store, Location folder) throws IOException {
        return store.exists(folder.resolve(Classifier.CLASSIFIER_ONNX)) || store.exists(folder.resolve(Classifier.CLASSIFIER_JSON));
    }

    /** The name of a file there named as a training's classifier that orchard classify did not write, or null. */
    static String foreignClassifier(ObjectStore store, Location folder) throws IOException {
        Location onnx = folder.resolve(Classifier.CLASSIFIER_ONNX);
        if (store.exists(onnx) && !isOrchards(store, onnx, MAX_ONNX_BYTES, dev.orchard.predict.OnnxClassifier::isOrchards)) {
            return Classifier.CLASSIFIER_ONNX;
        }
        Location json = folder.resolve(Classifier.CLASSIFIER_JSON);
        return store.exists(json) && !isOrchards(store, json, MAX_JSON_BYTES, ClassifierJson::isOrchards)
                ? Classifier.CLASSIFIER_JSON : null;
    }

    /**
     * Whether {@code file} is a predictions file orchard classify wrote, a training's or --apply's: its schema in the
     * footer's metadata, read from the file's tail alone (an --apply's file of millions of rows is not read).
     */
    public static boolean isOrchardsPredictions(ObjectStore store, Location file) throws IOException {
        return dev.orchard.store.parquet.ParquetMetadata.isOrchards(store, file);
    }

    /**
     * The last line of a report.html orchard classify writes, by which it is known as Orchard's from its tail alone: a
     * user's page of that name beside an Orchard classifier was taken for a training's by its name, and --overwrite
     * deleted it (a user's walk).
     */
    public static final String REPORT_MARKER = "<!-- written by orchard classify -->\n";


    /**
     * The files of a training's names in {@code folder} that orchard classify did not write: a classifier file, a
     * predictions.parquet or a report.html that is not Orchard's, each read (its metadata, footer, or last line), not
     * taken by its name. For {@code run --overwrite}, which deletes only what Orchard wrote. (Beside a classifier of
     * Orchard's, the other two were taken by their names: a user's annotated predictions and own report.html were
     * deleted, a user's walk.)
     */
    public static List<String> notOrchards(ObjectStore store, Location folder) throws IOException {
        List<String> foreign = new ArrayList<>();
        String classifier = foreignClassifier(store, folder);
        if (classifier != null) {
            foreign.add(classifier);
        }
        Location predictions = folder.resolve(Classifier.PREDICTIONS);
        if (store.exists(predictions) && !isOrchardsPredictions(store, predictions)) {
            foreign.add(Classifier.PREDICTIONS);
        }
        Location report = folder.resolve(ClassifyReportPage.FILE);
        if (store.exists(report) && !isOrchardsReport(store, report)) {
            foreign.add(ClassifyReportPage.FILE);
        }
        return foreign;
    }

    /** Whether {@code file} is a report.html orchard classify wrote: its last line, {@link #REPORT_MARKER}. */
    private static boolean isOrchardsReport(ObjectStore store, Location file) throws IOException {
        byte[] marker = REPORT_MARKER.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        try {
            return java.util.Arrays.equals(store.readTail(file, marker.length), marker);
        } catch (java.nio.file.FileSystemException notAFile) { // a folder of that name, or gone since it was listed
            return false;
        }
    }

    private static boolean isOrchards(ObjectStore store, Location file, long maxBytes,
                                      java.util.function.Predicate<byte[]> test) throws IOException {
        try {
            return test.test(store.read(file, maxBytes));
        } catch (ObjectTooLargeException e) {
            return false; // a 3 GB file was read whole to be looked at, and the JVM ran out of memory (a walk)
        }
    }
}
