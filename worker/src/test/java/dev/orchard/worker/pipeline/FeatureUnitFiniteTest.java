package dev.orchard.worker.pipeline;

import static dev.orchard.predict.OnnxGraphParts.node;
import static dev.orchard.predict.OnnxGraphParts.tensor;
import static org.assertj.core.api.Assertions.assertThat;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import ai.onnx.proto.OnnxMl.Version;
import dev.orchard.protocol.ImageError;
import dev.orchard.protocol.ImageRef;
import dev.orchard.protocol.JobDescription;
import dev.orchard.protocol.ModelSpec;
import dev.orchard.protocol.WorkUnit;
import dev.orchard.store.OutputLayout;
import dev.orchard.store.parquet.VectorRowsReader;
import dev.orchard.store.s3.S3Settings;
import dev.orchard.worker.model.InferenceSettings;
import dev.orchard.worker.model.OnnxModel;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model that gives NaN for an image: the image goes to errors.csv with a reason that says so, and the others' rows are
 * written. A tiny graph (an 8×8 average pool of the normalised input, then Sqrt): a white image's values are positive,
 * a black one's negative, whose square roots are NaN. Before, the NaN row was written and folded: the PCA failed with
 * "convergence failed", and a job without one wrote NaN features with exit 0 (a user's check).
 */
class FeatureUnitFiniteTest {
    @TempDir
    Path dir;

    @Test
    void anImageWhoseFeaturesHoldNanIsAnErrorThatSaysSoAndTheOthersAreRows() throws Exception {
        Path white = picture("white.jpg", Color.WHITE);
        Path black = picture("black.jpg", Color.BLACK);
        Path white2 = picture("white-2.jpg", Color.WHITE);
        ModelSpec spec = ModelSpec.mobileNetV2().withFeatureTensor("features", true);
        byte[] model = sqrtOfPooledInput().toByteArray();
        Path output = dir.resolve("out");
        int batch = 4;
        try (WorkerRuntime runtime = new WorkerRuntime(PipelineSettings.forCores(2), InferenceSettings.forCores(2),
                S3Settings.defaults())) {
            OnnxModel loaded = OnnxModel.load(model, "sqrt.onnx", spec, InferenceSettings.forCores(2));
            runtime.adopt("sqrt.onnx", loaded, batch); // the runtime closes it
            JobDescription job = new JobDescription("job", output.toString(), "sqrt.onnx", loaded.sha256(), spec, batch)
                    .withPca(true);
            List<ImageRef> images = List.of(new ImageRef(white.toString(), "w"), new ImageRef(black.toString(), "b"),
                    new ImageRef(white2.toString(), "w"));
            UnitOutcome outcome = new FeatureUnit(runtime).run(job, WorkUnit.features(1, 0, 1, images), () -> false);

            assertThat(outcome.report().errors()).extracting(ImageError::path).containsExactly(black.toString());
            assertThat(outcome.report().errors().get(0).reason()).contains("'features'").contains("NaN")
                    .contains("of 192");
            assertThat(outcome.report().rows()).isEqualTo(2);
            assertThat(outcome.statistics().count()).isEqualTo(2);
            var rows = VectorRowsReader.readAll(new dev.orchard.store.LocalObjectStore(),
                    OutputLayout.of(output.toString()).attemptRows(1, 0, 1), OutputLayout.FEATURES);
            assertThat(rows).extracting(r -> r.path()).containsExactly(white.toString(), white2.toString());
            for (var row : rows) {
                for (float v : row.values()) {
                    assertThat(Float.isFinite(v)).isTrue();
                }
            }
        }
    }

    private Path picture(String name, Color color) throws Exception {
        BufferedImage image = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
        var g = image.createGraphics();
        g.setColor(color);
        g.fillRect(0, 0, 64, 64);
        g.dispose();
        Path file = dir.resolve(name);
        assertThat(ImageIO.write(image, "jpg", file.toFile())).isTrue();
        return file;
    }

    /** {@code input} float[N, 3, 224, 224] → AveragePool(28×28, stride 28) → Flatten → Sqrt → {@code features} [N, 192]. */
    private static ModelProto sqrtOfPooledInput() {
        GraphProto.Builder g = GraphProto.newBuilder().setName("sqrt-of-pooled");
        g.addInput(tensor("input", DataType.FLOAT, "N", 3, 224, 224));
        g.addNode(node("AveragePool", List.of("input"), "pooled",
                Map.of("kernel_shape", List.of(28L, 28L), "strides", List.of(28L, 28L))));
        g.addNode(node("Flatten", List.of("pooled"), "flat", Map.of("axis", 1)));
        g.addNode(node("Sqrt", List.of("flat"), "features", Map.of()));
        g.addOutput(tensor("features", DataType.FLOAT, "N", 192));
        return ModelProto.newBuilder().setIrVersion(Version.IR_VERSION_2021_7_30_VALUE)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(13))
                .setProducerName("orchard test").setGraph(g).build();
    }
}
