package dev.orchard.classify;

import dev.orchard.store.LocalObjectStore;
import dev.orchard.store.Location;
import dev.orchard.store.parquet.VectorRow;
import dev.orchard.store.parquet.VectorRowsWriter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Writes a fake job output: Gaussian clusters, one per class, as {@code features/part-*.parquet} rows, spread
 * over several parts as the job would cut them. Class c's centre is separation/√2 on coordinate c and 0
 * elsewhere, so any two centres lie exactly {@code separation} apart; each image is its centre plus N(0, 1) noise
 * on every coordinate. A pair is then confused with probability Φ(−separation/2) at best (separation 5: 0.6 %).
 */
final class JobOutputFixture {

    private JobOutputFixture() {
    }

    static List<VectorRow> clusters(List<String> classes, int perClass, int dimension, double separation, long seed) {
        if (dimension < classes.size()) {
            throw new IllegalArgumentException("Needs a dimension per class");
        }
        Random random = new Random(seed);
        List<VectorRow> rows = new ArrayList<>();
        for (int c = 0; c < classes.size(); c++) {
            String label = classes.get(c);
            double[] centre = new double[dimension];
            centre[c] = separation / Math.sqrt(2);
            for (int n = 0; n < perClass; n++) {
                float[] v = new float[dimension];
                for (int i = 0; i < dimension; i++) {
                    v[i] = (float) (centre[i] + random.nextGaussian());
                }
                rows.add(new VectorRow("/data/" + label + "/" + label.toLowerCase().replace(' ', '_') + "_" + n + ".jpg",
                        label, v));
            }
        }
        return rows;
    }

    /** The SHA-256 of the CNN a fixture's {@code _SUCCESS} names (any 64 hex digits: nothing reads the model). */
    static final String MODEL_SHA256 = "1f81561b8dd6efff8ea6e71665c6f19b28901f5fb0ea961064b1c7db3461b278";

    /**
     * Writes {@code rows} round-robin into {@code parts} parts under {@code <out>/<column>/}, and a {@code _SUCCESS}
     * (a finished job's, naming no model) unless there is one; for {@code pca}, also a
     * {@code pca-model.json} (its bytes only name the PCA: classify hashes it and reads nothing in it).
     */
    static Path write(Path out, String column, List<VectorRow> rows, int parts) throws IOException {
        java.nio.file.Files.createDirectories(out);
        if (!java.nio.file.Files.exists(out.resolve("_SUCCESS"))) { // a finished job's, naming no model (as before 0.1)
            java.nio.file.Files.writeString(out.resolve("_SUCCESS"), "{\"counts\": {\"rows\": " + rows.size() + "}}");
            java.nio.file.Files.createDirectories(out.resolve("_orchard")); // the marker every job writes first
            java.nio.file.Files.writeString(out.resolve("_orchard/job.json"), "{}");
        }
        if (column.equals("pca")) {
            java.nio.file.Files.createDirectories(out);
            java.nio.file.Files.writeString(out.resolve("pca-model.json"), "{\"fixture\": " + rows.size() + "}");
        }
        var store = new LocalObjectStore();
        List<List<VectorRow>> split = new ArrayList<>();
        for (int p = 0; p < parts; p++) {
            split.add(new ArrayList<>());
        }
        for (int i = 0; i < rows.size(); i++) {
            split.get(i % parts).add(rows.get(i));
        }
        for (int p = 0; p < parts; p++) {
            Location target = Location.local(out.resolve(column).resolve(String.format("part-%05d.parquet", p)));
            try (var writer = new VectorRowsWriter(store, target, column, out.resolve(".tmp"))) {
                for (VectorRow row : split.get(p)) {
                    writer.write(row);
                }
                writer.commit();
            }
        }
        return out;
    }

    /**
     * A {@code _SUCCESS} as the coordinator writes it, with the parts classify reads: the feature source, and the rows
     * the output's {@code features/} holds.
     */
    static void writeSuccess(Path out, String modelSha256, String tensor, int srpDim, long srpSeed) throws IOException {
        String srp = srpDim == 0 ? "" : ", \"sparseRandomProjection\": {\"dim\": " + srpDim + ", \"seed\": " + srpSeed + "}";
        long rows = 0;
        try (var parts = java.nio.file.Files.list(out.resolve("features"))) {
            for (Path part : parts.toList()) {
                rows += dev.orchard.store.parquet.VectorRowsReader.readAll(new LocalObjectStore(), Location.local(part),
                        "features").size();
            }
        }
        java.nio.file.Files.writeString(out.resolve("_SUCCESS"), "{\"counts\": {\"rows\": " + rows + "}, \"model\": {\"location\":"
                + " \"m.onnx\", \"sha256\": \"" + modelSha256 + "\", \"spec\": \"mobilenetv2\", \"featureTensor\": \""
                + tensor + "\"}" + srp + "}");
    }
}
