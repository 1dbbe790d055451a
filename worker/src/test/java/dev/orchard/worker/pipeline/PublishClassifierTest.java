package dev.orchard.worker.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.orchard.predict.ClassifierGraph;
import dev.orchard.predict.FeatureSource;
import dev.orchard.predict.LinearClassifier;
import dev.orchard.predict.Link;
import dev.orchard.predict.OnnxClassifier;
import dev.orchard.predict.Predictions;
import dev.orchard.predict.VectorKind;
import dev.orchard.predict.VectorProvenance;
import dev.orchard.protocol.AttemptRef;
import dev.orchard.protocol.PartSource;
import dev.orchard.protocol.JobDescription;
import dev.orchard.protocol.ModelSpec;
import dev.orchard.protocol.WorkUnit;
import dev.orchard.stats.PcaModel;
import dev.orchard.stats.PcaModelJson;
import dev.orchard.store.LocalObjectStore;
import dev.orchard.store.Location;
import dev.orchard.store.OutputLayout;
import dev.orchard.store.parquet.VectorRow;
import dev.orchard.store.parquet.VectorRowsReader;
import dev.orchard.store.parquet.VectorRowsWriter;
import dev.orchard.store.s3.S3Settings;
import dev.orchard.worker.model.InferenceSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The PUBLISH stage with a {@code --classifier}: every row of the published {@code features} and {@code pca} files
 * gets the classifier's own prediction for its stored floats, and a classifier that is not the job's (another
 * SHA-256, or trained on other vectors) fails the unit instead of labelling anything. Tiny generated classifiers
 * and rows (seed printed), no CNN.
 */
class PublishClassifierTest {
    private static final long SEED = 20260517L;
    private static final int D = 24;
    private static final String MODEL_SHA = "a".repeat(64);
    private static final List<String> CLASSES = List.of("Banana", "Kiwi", "Lemon");

    @TempDir
    Path dir;
    private WorkerRuntime runtime;
    private final LocalObjectStore store = new LocalObjectStore();
    private final Random random = new Random(SEED);

    @BeforeEach
    void start() throws IOException {
        System.out.println("PublishClassifierTest seed " + SEED);
        runtime = new WorkerRuntime(PipelineSettings.forCores(1), InferenceSettings.forCores(1), S3Settings.defaults());
    }

    @AfterEach
    void stop() throws Exception {
        runtime.close();
    }

    @Test
    void everyPublishedRowCarriesTheClassifiersPredictionInFeaturesAndPca() throws Exception {
        Path output = dir.resolve("out");
        List<List<VectorRow>> units = List.of(rows(0, 7), rows(7, 5));
        writeAttempts(output, units);
        PcaModel pca = pcaModel();
        byte[] pcaJson = PcaModelJson.write(pca);
        Path pcaFile = Files.write(output.resolve("pca-model.json"), pcaJson);
        byte[] classifierBytes = classifier(features(MODEL_SHA, 0));
        Path classifierFile = Files.write(dir.resolve("classifier.onnx"), classifierBytes);
        OnnxClassifier reference = OnnxClassifier.load(classifierBytes, "reference");

        JobDescription job = job(output).withPcaModel(pcaFile.toString(), PublishUnit.sha256(pcaJson))
                .withClassifier(classifierFile.toString(), reference.sha256());
        new PublishUnit(runtime).run(job, publishUnit(), () -> false);

        OutputLayout layout = OutputLayout.of(output.toString());
        List<VectorRow> features = VectorRowsReader.readAll(store, layout.publishAttempt(OutputLayout.FEATURES, 1, 0, 1),
                OutputLayout.FEATURES);
        List<VectorRow> projected = VectorRowsReader.readAll(store, layout.publishAttempt(OutputLayout.PCA, 1, 0, 1),
                OutputLayout.PCA);
        List<VectorRow> all = new ArrayList<>(units.get(0));
        all.addAll(units.get(1));
        assertThat(features).extracting(VectorRow::path).containsExactlyElementsOf(all.stream().map(VectorRow::path).toList());
        for (int i = 0; i < all.size(); i++) {
            Predictions want = reference.predict(all.get(i).values(), 1);
            VectorRow row = features.get(i);
            assertThat(row.values()).containsExactly(all.get(i).values());
            assertThat(row.predicted()).as(row.path()).isEqualTo(want.labels()[0]);
            assertThat(row.score()).as(row.path()).isCloseTo(want.scores()[0], org.assertj.core.data.Offset.offset(1e-12));
            assertThat(projected.get(i).path()).isEqualTo(row.path());
            assertThat(projected.get(i).predicted()).isEqualTo(row.predicted());
            assertThat(projected.get(i).score()).isEqualTo(row.score());
            float[] onAxes = pca.project(row.values()); // the published rows may come from a BLAS: equal to rounding
            for (int c = 0; c < onAxes.length; c++) {
                assertThat(projected.get(i).values()[c]).isCloseTo(onAxes[c],
                        org.assertj.core.data.Offset.offset(1e-5f * (1 + Math.abs(onAxes[c]))));
            }
        }
        assertThat(features).extracting(VectorRow::predicted).as("a classifier that always says the same is no test")
                .containsAll(CLASSES);
        reference.close();
    }

    @Test
    void aClassifierFileThatChangedSinceTheJobCheckedItFailsTheUnit() throws Exception {
        Path output = dir.resolve("out");
        writeAttempts(output, List.of(rows(0, 3)));
        Path classifierFile = Files.write(dir.resolve("classifier.onnx"), classifier(features(MODEL_SHA, 0)));
        JobDescription job = job(output).withClassifier(classifierFile.toString(), "0".repeat(64));
        assertThatThrownBy(() -> new PublishUnit(runtime).run(job, WorkUnit.publish(1, 0, 1,
                List.of(PartSource.rows(new AttemptRef(1, 0, 1)))), () -> false))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("Classifier " + classifierFile + " has SHA-256")
                .hasMessageContaining("but the job expects " + "0".repeat(64));
        assertThat(OutputLayout.of(output.toString()).publishAttempt(OutputLayout.FEATURES, 1, 0, 1).path()).doesNotExist();
    }

    /** The workers check again what the job checked: features of another CNN, or PCA coordinates, are refused. */
    @Test
    void aClassifierOfOtherVectorsLabelsNothing() throws Exception {
        Path output = dir.resolve("out");
        writeAttempts(output, List.of(rows(0, 3)));
        for (VectorProvenance other : List.of(features("b".repeat(64), 0),
                new VectorProvenance(VectorKind.PCA, D, new FeatureSource(MODEL_SHA, "464", 0, 0), "c".repeat(64)))) {
            byte[] bytes = classifier(other);
            Path file = Files.write(dir.resolve("other.onnx"), bytes);
            JobDescription job = job(output).withClassifier(file.toString(), PublishUnit.sha256(bytes));
            assertThatThrownBy(() -> new PublishUnit(runtime).run(job, WorkUnit.publish(1, 0, 1,
                    List.of(PartSource.rows(new AttemptRef(1, 0, 1)))), () -> false))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("Classifier " + file + " cannot label the features of " + output);
        }
    }

    @Test
    void rowsOfAnotherDimensionAreNeverLabelled() throws Exception {
        Path output = dir.resolve("out");
        writeAttempts(output, List.of(List.of(new VectorRow("/img/short.jpg", "Kiwi", new float[D - 1]))));
        byte[] bytes = classifier(features(MODEL_SHA, 0));
        Path file = Files.write(dir.resolve("classifier.onnx"), bytes);
        JobDescription job = job(output).withClassifier(file.toString(), PublishUnit.sha256(bytes));
        assertThatThrownBy(() -> new PublishUnit(runtime).run(job, WorkUnit.publish(1, 0, 1,
                List.of(PartSource.rows(new AttemptRef(1, 0, 1)))), () -> false))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("reads " + D + "-d features but /img/short.jpg has " + (D - 1));
    }

    private JobDescription job(Path output) {
        return new JobDescription("job", output.toString(), "/models/cnn.onnx", MODEL_SHA,
                ModelSpec.mobileNetV2(), 32);
    }

    private static WorkUnit publishUnit() {
        return WorkUnit.publish(1, 0, 1, List.of(PartSource.rows(new AttemptRef(1, 0, 1)), PartSource.rows(new AttemptRef(1, 1, 1))));
    }

    private static VectorProvenance features(String modelSha, int srpDim) {
        return new VectorProvenance(VectorKind.FEATURES, D, new FeatureSource(modelSha,
                ModelSpec.mobileNetV2().featureTensor(), srpDim, srpDim > 0 ? 42 : 0), null);
    }

    private List<VectorRow> rows(int from, int count) {
        List<VectorRow> rows = new ArrayList<>();
        for (int i = from; i < from + count; i++) {
            float[] v = new float[D];
            for (int j = 0; j < D; j++) {
                v[j] = (float) random.nextGaussian();
            }
            rows.add(new VectorRow("/img/" + CLASSES.get(i % 3) + "/" + i + ".jpg", i % 4 == 0 ? null : CLASSES.get(i % 3), v));
        }
        return rows;
    }

    private void writeAttempts(Path output, List<List<VectorRow>> units) throws IOException {
        OutputLayout layout = OutputLayout.of(output.toString());
        for (int unit = 0; unit < units.size(); unit++) {
            try (VectorRowsWriter w = new VectorRowsWriter(store, layout.attemptRows(1, unit, 1), OutputLayout.FEATURES,
                    dir.resolve("tmp"))) {
                for (VectorRow row : units.get(unit)) {
                    w.write(row);
                }
                w.commit();
            }
        }
    }

    private byte[] classifier(VectorProvenance input) {
        int d = input.dimension();
        double[] mean = new double[d];
        double[] inverseStd = new double[d];
        double[][] weights = new double[CLASSES.size()][d];
        double[] bias = new double[CLASSES.size()];
        for (int j = 0; j < d; j++) {
            mean[j] = random.nextGaussian() * 0.1;
            inverseStd[j] = 0.5 + random.nextDouble();
            for (double[] w : weights) {
                w[j] = random.nextGaussian();
            }
        }
        return ClassifierGraph.write(new LinearClassifier(CLASSES, mean, inverseStd, weights, bias, Link.SIGMOID, input,
                Map.of("orchard.mode", "one-vs-all")));
    }

    private PcaModel pcaModel() {
        int k = 3;
        double[] mean = new double[D];
        double[][] components = new double[k][D];
        for (int c = 0; c < k; c++) {
            components[c][c] = 1; // orthonormal: the first three axes
        }
        return new PcaModel(20, mean, components, new double[] {3, 2, 1}, new double[] {0.5, 0.3, 0.2});
    }
}
