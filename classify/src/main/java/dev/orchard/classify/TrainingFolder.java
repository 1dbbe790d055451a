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
 * orchard classify's format in its ONNX metadata, its classifier.json its mode and learner; its predictions.parquet
 * and report.html lie beside such a classifier.
 */
public final class TrainingFolder {
    /** A classifier.json is a page of figures: one this large is not Orchard's, and is not read. */
    static final long MAX_JSON_BYTES = 64L << 20;
    /** ONNX Runtime reads no model over 2 GB (a protobuf's limit): one larger is not Orchard's, and is not read. */
    static final long MAX_ONNX_BYTES = Integer.MAX_VALUE - 8;

    private TrainingFolder() {
    }

    /** Whether {@code folder} holds a training's classifier (classifier.onnx or classifier.json), and only Orchard's. */
    static boolean holdsClassifier(ObjectStore store, Location folder) throws IOException {
        return (store.exists(folder.resolve(Classifier.CLASSIFIER_ONNX))
                || store.exists(folder.resolve(Classifier.CLASSIFIER_JSON))) && foreignClassifier(store, folder) == null;
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
     * The files of a training's names in {@code folder} that orchard classify did not write: a classifier file that is
     * not Orchard's, and a predictions.parquet or report.html beside no classifier of Orchard's. For {@code run
     * --overwrite}, which deletes only what Orchard wrote.
     */
    public static List<String> notOrchards(ObjectStore store, Location folder) throws IOException {
        List<String> foreign = new ArrayList<>();
        String classifier = foreignClassifier(store, folder);
        if (classifier != null) {
            foreign.add(classifier);
        }
        if (!holdsClassifier(store, folder)) {
            for (String name : List.of(Classifier.PREDICTIONS, ClassifyReportPage.FILE)) {
                if (store.exists(folder.resolve(name))) {
                    foreign.add(name);
                }
            }
        }
        return foreign;
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
