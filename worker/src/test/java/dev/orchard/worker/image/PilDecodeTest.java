package dev.orchard.worker.image;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orchard.worker.SharedFiles;
import dev.orchard.worker.model.OnnxModel;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * TurboJPEG decodes the shared JPEGs to exactly the pixels PIL decodes (Pillow 9.4 on libjpeg-turbo 2.1.5, see
 * {@code pil-decode/make_fixtures.py}): with the PIL-exact resize this makes the whole 8-bit preprocessing PIL's.
 */
class PilDecodeTest {

    @Test
    void everySharedJpegDecodesToPilsPixels() throws Exception {
        TurboJpegRequired.assumeLoaded();
        ImageDecoder decoder = new ImageDecoder(ImageDecoder.DEFAULT_MAX_PIXELS, JpegDecoder.TURBOJPEG);
        List<String> differing = new ArrayList<>();
        int checked = 0;
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(
                getClass().getResourceAsStream("/pil-decode/sha256.txt"), StandardCharsets.UTF_8))) {
            for (String line; (line = lines.readLine()) != null; ) {
                String[] fields = line.split("\t");
                byte[] rgb = decoder.decode(Files.readAllBytes(SharedFiles.root().resolve(fields[1]))).rgb();
                String sha = OnnxModel.sha256(rgb);
                if (!sha.equals(fields[0])) {
                    differing.add(fields[1]);
                }
                checked++;
            }
        }
        assertThat(checked).isEqualTo(603);
        assertThat(differing).as("files whose pixels differ from PIL's").isEmpty();
    }
}
