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
 * TIFFs decode to exactly the pixels PIL makes of them (Pillow 9.4, see {@code pil-tiff/make_fixtures.py}): RGB, RGBA
 * and grey with an embedded ICC profile (a linear RGB one), which PIL does not apply, and plain CMYK. Through getRGB
 * the JDK converted the first two through their profile to sRGB (a mid-grey 127 became 187: a user's walk found
 * TIFFs' features off PIL's, cosine 0.997) and CMYK by its own formula (up to 73 levels off).
 */
class PilTiffTest {

    @Test
    void tiffsDecodeToPilsPixels() throws Exception {
        ImageDecoder decoder = new ImageDecoder(ImageDecoder.DEFAULT_MAX_PIXELS, JpegDecoder.IMAGEIO);
        Map<String, String> decoded = new LinkedHashMap<>();
        Map<String, String> pil = new LinkedHashMap<>();
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(
                getClass().getResourceAsStream("/pil-tiff/sha256.txt"), StandardCharsets.UTF_8))) {
            for (String line; (line = lines.readLine()) != null; ) {
                String[] fields = line.split("\t");
                pil.put(fields[1], fields[0]);
                try (InputStream tiff = getClass().getResourceAsStream("/pil-tiff/" + fields[1])) {
                    RgbImage rgb = decoder.decode(tiff.readAllBytes());
                    assertThat(rgb.width() + "x" + rgb.height()).isEqualTo("23x17");
                    decoded.put(fields[1], OnnxModel.sha256(rgb.rgb()));
                }
            }
        }
        assertThat(pil).hasSize(4);
        assertThat(decoded).isEqualTo(pil);
    }
}
