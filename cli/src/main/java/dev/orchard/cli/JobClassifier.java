package dev.orchard.cli;

import dev.orchard.predict.ClassifierException;
import dev.orchard.predict.OnnxClassifier;
import dev.orchard.predict.VectorKind;
import dev.orchard.predict.VectorProvenance;
import dev.orchard.store.Location;
import dev.orchard.store.Overlap;
import dev.orchard.store.Stores;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code --classifier FILE}, checked before any work starts: the file is a {@code classifier.onnx} that
 * {@code orchard classify} wrote, and it reads exactly the vectors this job makes (features, not PCA coordinates;
 * the same dimension, CNN, tensor and projection). The workers load it again by location and SHA-256, as they do
 * the CNN, and label every row when they publish it.
 *
 * @param location where it is read from (a local path made absolute, so that _SUCCESS and the parts name the file)
 * @param sha256   the file's SHA-256, hex: the job's workers check it
 * @param classes  the classes it predicts
 * @param score    {@code probability} or {@code margin}: what the {@code score} column holds
 * @param input    the vectors it reads (checked to be this job's features)
 */
record JobClassifier(String location, String sha256, List<String> classes, String score, VectorProvenance input) {

    /**
     * @param features the vectors this job writes to {@code features/} (its dimension known: the model is loaded)
     * @param output   the job's output, for messages
     * @throws IllegalArgumentException (exit 2) with what to do, for a missing file, a file that is not a
     *                                  classifier, or one trained on other vectors
     */
    static JobClassifier check(Stores stores, String location, VectorProvenance features, Location output)
            throws IOException {
        Location where = Location.parse(location);
        if (where.isLocal() && java.nio.file.Files.isDirectory(where.path())) { // it said "Is a directory", exit 1
            throw new IllegalArgumentException("--classifier " + location + " is a folder: give the classifier file"
                    + " orchard classify wrote (" + dev.orchard.classify.Classifier.filesIn(where) + ").");
        }
        byte[] bytes;
        try {
            bytes = stores.forLocation(where).read(where);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("--classifier " + location + " does not exist. Give the classifier.onnx"
                    + " that orchard classify wrote (in its output folder, by default <input>/classify-<mode>/).");
        }
        try (OnnxClassifier classifier = OnnxClassifier.load(bytes, location)) {
            VectorProvenance expected = classifier.input();
            if (expected.kind() == VectorKind.PCA) {
                throw new ClassifierException("Classifier " + location + " was trained on PCA coordinates (on the"
                        + " pca-model.json with SHA-256 " + expected.pcaModelSha256() + "), and this job solves a PCA of"
                        + " its own, whose axes differ: a PCA-trained classifier can never label a new run. Train it on"
                        + " the features instead (orchard classify without --use pca) and pass that classifier.onnx; or"
                        + " label the output projected on that very PCA with orchard classify --apply.");
            }
            expected.requireReadable(features, location, "this job (" + output + ")");
            return new JobClassifier(where.toString(), classifier.sha256(), classifier.classes(), classifier.scoreMeaning(),
                    expected);
        } catch (ai.onnxruntime.OrtException e) {
            throw new IOException("Cannot close the ONNX Runtime session of " + location + ": " + e.getMessage(), e);
        }
    }

    /**
     * The workers read the classifier when they publish, at the end of the job: it must not lie in the output, which
     * the job writes and {@code --overwrite} clears ({@code classify-<mode>/} included) before the first image.
     */
    static void requireOutside(Location classifier, Overlap output, Location outputLocation) throws IOException {
        if (output.holds(classifier)) {
            throw new IllegalArgumentException("--classifier " + classifier + " lies inside --output " + outputLocation
                    + ", which this job writes (and --overwrite clears, classify's folders included) before its workers"
                    + " read the classifier at the end. Copy it outside the output, or write this job to another --output.");
        }
    }

    /** What {@code _SUCCESS} says of it. */
    Map<String, Object> report() {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("location", location);
        r.put("sha256", sha256);
        r.put("input", input.kind().column());
        r.put("dimension", input.dimension());
        r.put("classes", classes);
        r.put("score", score);
        return r;
    }
}
