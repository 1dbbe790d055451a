package dev.orchard.worker.image;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orchard.protocol.ModelSpec;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.FloatBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The resize and crop against PIL itself: each fixture holds an image and what torchvision's
 * {@code Resize(R)} + {@code CenterCrop(C)} made of it with PIL 9.4 (see {@code pil-resize/make_fixtures.py}).
 * Upscaling, downscaling (the antialiasing filter widens), extreme aspect ratios, a plain resize that
 * stretches one axis and shrinks the other (R = 0), and horizontal shrinks on both of the horizontal pass's paths
 * (up to 11 taps transposed, wider straight from the pixels); every 8-bit value must match.
 */
class PreprocessorPilTest {

    @ParameterizedTest
    @ValueSource(strings = {"noise-100x100-r256-c224", "noise-13x17-r40-c32", "noise-150x97-r40-c32",
                            "gradient-333x41-r40-c32", "noise-97x400-r40-c32",
                            "noise-20x300-r0-c32", "noise-150x20-r0-c32", "noise-200x12-r0-c32",
                            "noise-61x45-r52-c40"})
    void resizeAndCropMatchPilByteForByte(String name) throws IOException {
        try (InputStream raw = getClass().getResourceAsStream("/pil-resize/" + name + ".bin");
             DataInputStream in = new DataInputStream(raw)) {
            int w = in.readInt();
            int h = in.readInt();
            int r = in.readInt();
            int c = in.readInt();
            byte[] rgb = in.readNBytes(w * h * 3);
            byte[] expected = in.readNBytes(c * c * 3);
            assertThat(expected).hasSize(c * c * 3);

            // mean 0, std 1: the tensor holds v/255, so the 8-bit value PIL would have made can be read back.
            ModelSpec spec = new ModelSpec("pil", "input", c, c, r, new float[] {0, 0, 0}, new float[] {1, 1, 1},
                    false, "out", true);
            FloatBuffer out = FloatBuffer.allocate(3 * c * c + 5);
            new Preprocessor(spec).write(new RgbImage(w, h, rgb), out, 5);

            int mismatches = 0;
            for (int y = 0; y < c; y++) {
                for (int x = 0; x < c; x++) {
                    for (int ch = 0; ch < 3; ch++) {
                        float v = out.get(5 + ch * c * c + y * c + x);
                        int got = Math.round(v * 255f);
                        assertThat(Math.abs(v * 255f - got)).as("value is not an 8-bit level").isLessThan(1e-3f);
                        if (got != (expected[(y * c + x) * 3 + ch] & 0xff)) {
                            mismatches++;
                        }
                    }
                }
            }
            assertThat(mismatches).as(name + ": values differing from PIL").isZero();
        }
    }

    @Test
    void bgrModelsGetTheChannelsSwappedWithMeanAndStdInTheModelsOrder() {
        byte[] rgb = new byte[4 * 2 * 3];
        for (int p = 0; p < 8; p++) {
            rgb[3 * p] = 10;
            rgb[3 * p + 1] = 100;
            rgb[3 * p + 2] = (byte) 200;
        }
        float[] mean = {0.1f, 0.2f, 0.3f};
        float[] std = {0.5f, 0.6f, 0.7f};
        ModelSpec spec = new ModelSpec("bgr", "input", 4, 2, 0, mean, std, true, "out", true);
        FloatBuffer out = FloatBuffer.allocate(3 * 8);
        new Preprocessor(spec).write(new RgbImage(4, 2, rgb), out, 0);
        int[] planeValues = {200, 100, 10}; // B, G, R
        for (int plane = 0; plane < 3; plane++) {
            float expected = (planeValues[plane] / 255f - mean[plane]) / std[plane];
            for (int i = 0; i < 8; i++) {
                assertThat(out.get(plane * 8 + i)).isCloseTo(expected, org.assertj.core.api.Assertions.within(1e-5f));
            }
        }
    }
}
