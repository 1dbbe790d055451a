package dev.orchard.worker.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.orchard.protocol.ModelSpec;
import dev.orchard.worker.SharedFiles;
import dev.orchard.worker.image.ImageDecoder;
import dev.orchard.worker.image.Preprocessor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class OnnxModelTest {
    private static final ModelSpec SPEC = ModelSpec.mobileNetV2();
    private static OnnxModel model;
    private static byte[] modelBytes;

    @BeforeAll
    static void load() throws Exception {
        modelBytes = Files.readAllBytes(SharedFiles.float32Model());
        // The logits too, for the ImageNet classes below: a session computes the feature tensor alone otherwise.
        model = OnnxModel.load(modelBytes, "shared float32 model", SPEC, InferenceSettings.forCores(2), List.of("output"));
    }

    @AfterAll
    static void close() throws Exception {
        model.close();
    }

    private static FloatBuffer preprocess(String... images) throws Exception {
        Preprocessor pre = new Preprocessor(SPEC);
        ImageDecoder decoder = new ImageDecoder(ImageDecoder.DEFAULT_MAX_PIXELS);
        FloatBuffer batch = ByteBuffer.allocateDirect(images.length * pre.imageSize() * 4)
                .order(ByteOrder.nativeOrder()).asFloatBuffer();
        for (int i = 0; i < images.length; i++) {
            pre.write(decoder.decode(Files.readAllBytes(SharedFiles.testImage(images[i]))), batch, i * pre.imageSize());
        }
        return batch;
    }

    @Test
    void exposesThePooledTensorAsTheFeatureOutput() {
        assertThat(model.featureDim()).isEqualTo(1280);
        assertThat(model.sha256()).isEqualTo("1f81561b8dd6efff8ea6e71665c6f19b28901f5fb0ea961064b1c7db3461b278");
    }

    @Test
    void photosGetTheirImageNetClassThroughOurPreprocessing() throws Exception {
        String[] images = {"house_finch.jpeg", "siamese_cat.jpg", "countach_sports_car.jpg"};
        int[] expected = {12, 284, 817};
        float[] logits = model.run(preprocess(images), 3, "output");
        for (int i = 0; i < 3; i++) {
            int best = 0;
            for (int c = 1; c < 1000; c++) {
                if (logits[i * 1000 + c] > logits[i * 1000 + best]) {
                    best = c;
                }
            }
            assertThat(best).as(images[i]).isEqualTo(expected[i]);
        }
    }

    @Test
    void featuresEqualADirectOnnxRuntimeCallOnTheSameTensor() throws Exception {
        FloatBuffer batch = preprocess("house_finch.jpeg", "siamese_cat.jpg");
        float[] ours = model.features(batch, 2);
        // The shared file also declares the pooled vector as graph output "features": ask a plain session for it.
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession plain = env.createSession(modelBytes, new OrtSession.SessionOptions());
             OnnxTensor input = OnnxTensor.createTensor(env, batch.slice(0, 2 * 3 * 224 * 224), new long[] {2, 3, 224, 224});
             OrtSession.Result result = plain.run(Map.of("input", input))) {
            float[][] direct = (float[][]) result.get("features").orElseThrow().getValue();
            double maxDiff = 0;
            for (int i = 0; i < 2; i++) {
                for (int j = 0; j < 1280; j++) {
                    maxDiff = Math.max(maxDiff, Math.abs(direct[i][j] - ours[i * 1280 + j]));
                }
            }
            assertThat(maxDiff).isLessThanOrEqualTo(1e-4);
        }
    }

    /**
     * The session computes the pooled tensor alone, not the ImageNet classifier after it; and the cut graph's features
     * are the whole graph's (the file's outputs computed too), bit for bit, with the same session options.
     */
    @Test
    void theSessionComputesTheFeaturesAloneAndTheSameFloats() throws Exception {
        InferenceSettings settings = InferenceSettings.forCores(1);
        try (OnnxModel cut = OnnxModel.load(modelBytes, "m.onnx", SPEC, settings);
             OnnxModel whole = OnnxModel.load(modelBytes, "m.onnx", SPEC, settings, List.of("output", "features"))) {
            assertThat(cut.session().getOutputNames()).containsExactly("464");
            assertThat(cut.session().getInputNames()).containsExactly("input");
            assertThat(whole.session().getOutputNames()).containsExactlyInAnyOrder("464", "output", "features");
            FloatBuffer batch = preprocess("house_finch.jpeg", "siamese_cat.jpg", "countach_sports_car.jpg");
            assertThat(cut.features(batch, 3)).containsExactly(whole.features(batch, 3));
        }
        assertThat(model.session().getOutputNames()).containsExactlyInAnyOrder("464", "output");
    }

    /** Lanes split their batch into runs when there are many of them (memory): each image's row stays its own. */
    @Test
    void aBatchInSeveralRunsGivesTheRowsOfOneRun() throws Exception {
        FloatBuffer batch = preprocess("house_finch.jpeg", "siamese_cat.jpg", "countach_sports_car.jpg");
        float[] one = model.features(batch, 3);
        for (int perRun : new int[] {1, 2, 3, 8}) {
            float[] runs = model.features(batch, 3, perRun);
            assertThat(runs).as("runs of %d", perRun).hasSize(3 * 1280);
            for (int i = 0; i < runs.length; i++) {
                assertThat(runs[i]).as("runs of %d, value %d", perRun, i).isCloseTo(one[i], org.assertj.core.data.Offset.offset(1e-5f));
            }
        }
    }

    @Test
    void aMissingFeatureTensorListsTheCandidates() {
        assertThatThrownBy(() -> OnnxModel.load(modelBytes, "m.onnx", SPEC.withFeatureTensor("nope", true),
                InferenceSettings.forCores(1)))
                .isInstanceOf(ModelException.class)
                .hasMessageContaining("no tensor 'nope'")
                .hasMessageContaining("627")
                .hasMessageContaining("Graph outputs: [output, features]");
    }

    /** An integer tensor that is no quantized activation (the int8 model's '465' is a shape): not called quantized. */
    @Test
    void aFeatureTensorOfIntegersSaysWhatItIs() throws Exception {
        byte[] int8 = Files.readAllBytes(SharedFiles.root().resolve("models/mobilenetv2-12-int8.onnx"));
        assertThatThrownBy(() -> OnnxModel.load(int8, "int8.onnx", SPEC.withFeatureTensor("465", true),
                InferenceSettings.forCores(1)))
                .isInstanceOf(ModelException.class)
                .hasMessageContaining("Feature tensor '465' of int8.onnx holds INT64 values, not 32-bit floats (a shape, an index"
                        + " or a count, not features): choose a float tensor");
    }

    @Test
    void aFileThatIsNotAModelSaysSo() {
        assertThatThrownBy(() -> OnnxModel.load("hello, world".getBytes(), "notes.txt", SPEC, InferenceSettings.forCores(1)))
                .isInstanceOf(ModelException.class)
                .hasMessageContaining("notes.txt");
    }
}
