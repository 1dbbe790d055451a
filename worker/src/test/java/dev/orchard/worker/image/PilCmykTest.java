package dev.orchard.worker.image;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orchard.worker.model.OnnxModel;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Four-channel JPEGs decode to exactly the pixels PIL makes of them (Pillow 9.4, see {@code pil-cmyk/make_fixtures.py}):
 * Adobe CMYK as PIL writes it, the same without its Adobe marker, with component ids 1-4 (ImageIO took that one for
 * YCCK: 6,692 of its 6,771 bytes differed from PIL's), progressive, and YCCK.
 */
class PilCmykTest {

    @Test
    void fourChannelJpegsDecodeToPilsPixels() throws Exception {
        TurboJpegRequired.assumeLoaded();
        ImageDecoder decoder = new ImageDecoder(ImageDecoder.DEFAULT_MAX_PIXELS, JpegDecoder.TURBOJPEG);
        Map<String, String> decoded = new LinkedHashMap<>();
        Map<String, String> pil = new LinkedHashMap<>();
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(
                getClass().getResourceAsStream("/pil-cmyk/sha256.txt"), StandardCharsets.UTF_8))) {
            for (String line; (line = lines.readLine()) != null; ) {
                String[] fields = line.split("\t");
                pil.put(fields[1], fields[0]);
                try (InputStream jpeg = getClass().getResourceAsStream("/pil-cmyk/" + fields[1])) {
                    RgbImage rgb = decoder.decode(jpeg.readAllBytes());
                    assertThat(rgb.width() + "x" + rgb.height()).isEqualTo("61x37");
                    decoded.put(fields[1], OnnxModel.sha256(rgb.rgb()));
                }
            }
        }
        assertThat(pil).hasSize(5);
        assertThat(decoded).isEqualTo(pil);
    }

    /** Pillow's MULDIV255 is a·b/255 rounded to nearest, for every pair of bytes. */
    @Test
    void mulDiv255IsTheRoundedQuotient() {
        for (int a = 0; a <= 255; a++) {
            for (int b = 0; b <= 255; b++) {
                assertThat(PilCmyk.mulDiv255(a, b)).isEqualTo((int) Math.round(a * b / 255.0));
            }
        }
    }
}
