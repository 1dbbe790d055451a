package dev.orchard.worker.image;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orchard.protocol.ModelSpec;
import dev.orchard.worker.SharedFiles;
import dev.orchard.worker.model.InferenceSettings;
import dev.orchard.worker.model.OnnxModel;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/**
 * The job's default decoding (TurboJPEG, reduced to no less than {@link ImageDecoder#reducedDecodeMinimum}) gives
 * MobileNetV2 the same answer as a full-size decode: same top-1, features at cosine ≥ 0.999.
 */
class ReducedDecodeFeaturesTest {
    private static final ModelSpec SPEC = ModelSpec.mobileNetV2();

    @Test
    void reducedDecodeKeepsFeaturesAndTopOne() throws Exception {
        TurboJpegRequired.assumeLoaded();
        List<String> names = List.of("house_finch.jpeg", "siamese_cat.jpg", "countach_sports_car.jpg", "cat 2000x1500");
        int[] expected = {12, 284, 817, 284};
        byte[][] jpegs = new byte[names.size()][];
        for (int i = 0; i < 3; i++) {
            jpegs[i] = Files.readAllBytes(SharedFiles.testImage(names.get(i)));
        }
        jpegs[3] = upscaled(jpegs[1], 2000, 1500);

        ImageDecoder decoder = new ImageDecoder(ImageDecoder.DEFAULT_MAX_PIXELS);
        int min = ImageDecoder.reducedDecodeMinimum(SPEC);
        Preprocessor pre = new Preprocessor(SPEC);
        int n = names.size();
        FloatBuffer batch = ByteBuffer.allocateDirect(2 * n * pre.imageSize() * 4).order(ByteOrder.nativeOrder()).asFloatBuffer();
        for (int i = 0; i < n; i++) {
            RgbImage full = decoder.decode(jpegs[i]);
            pre.write(full, batch, i * pre.imageSize());
            RgbImage reduced = decoder.decode(jpegs[i], min);
            assertThat(Math.min(reduced.width(), reduced.height()))
                    .isGreaterThanOrEqualTo(Math.min(min, Math.min(full.width(), full.height())));
            pre.write(reduced, batch, (n + i) * pre.imageSize());
        }
        // The other two photos are decoded whole (shorter side under 2 × 512): these two are the ones reduced.
        assertThat(decoder.decode(jpegs[2], min).width()).as("the 1920x1080 photo is decoded at 1/2").isEqualTo(960);
        assertThat(decoder.decode(jpegs[3], min).width()).as("the 2000x1500 image is decoded at 1/2").isEqualTo(1000);
        try (OnnxModel model = OnnxModel.load(Files.readAllBytes(SharedFiles.float32Model()), "float32", SPEC,
                InferenceSettings.forCores(2), List.of("output"))) {
            float[] features = model.features(batch, 2 * n);
            float[] logits = model.run(batch, 2 * n, "output");
            int dim = model.featureDim();
            for (int i = 0; i < n; i++) {
                assertThat(top1(logits, n + i)).as(names.get(i)).isEqualTo(expected[i]);
                assertThat(cosine(features, i * dim, (n + i) * dim, dim)).as(names.get(i)).isGreaterThan(0.999);
            }
        }
    }

    private static byte[] upscaled(byte[] jpeg, int w, int h) throws Exception {
        BufferedImage src = ImageIO.read(new ByteArrayInputStream(jpeg));
        BufferedImage big = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
        var g = big.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BICUBIC);
            g.drawImage(src, 0, 0, w, h, null);
        } finally {
            g.dispose();
        }
        return TestImages.encode(big, "jpg");
    }

    private static int top1(float[] logits, int image) {
        int best = 0;
        for (int c = 1; c < 1000; c++) {
            if (logits[image * 1000 + c] > logits[image * 1000 + best]) {
                best = c;
            }
        }
        return best;
    }

    private static double cosine(float[] v, int a, int b, int dim) {
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int i = 0; i < dim; i++) {
            dot += (double) v[a + i] * v[b + i];
            na += (double) v[a + i] * v[a + i];
            nb += (double) v[b + i] * v[b + i];
        }
        return dot / Math.sqrt(na * nb);
    }
}
