package dev.orchard.worker.image;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orchard.worker.model.OnnxModel;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** A folder of Pillow-made fixtures and its {@code sha256.txt}: the SHA-256 of PIL's RGB pixels, file by file. */
final class PilFixtures {
    private PilFixtures() {
    }

    /** PIL's digests ({@code pil}) and {@code decoder}'s ({@code decoded}) of every file {@code folder}'s list names. */
    record Digests(Map<String, String> pil, Map<String, String> decoded) {
    }

    static Digests digests(String folder, ImageDecoder decoder, String size) throws Exception {
        Map<String, String> decoded = new LinkedHashMap<>();
        Map<String, String> pil = new LinkedHashMap<>();
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(
                PilFixtures.class.getResourceAsStream("/" + folder + "/sha256.txt"), StandardCharsets.UTF_8))) {
            for (String line; (line = lines.readLine()) != null; ) {
                String[] fields = line.split("\t");
                pil.put(fields[1], fields[0]);
                try (InputStream image = PilFixtures.class.getResourceAsStream("/" + folder + "/" + fields[1])) {
                    RgbImage rgb = decoder.decode(image.readAllBytes());
                    assertThat(rgb.width() + "x" + rgb.height()).as(fields[1]).isEqualTo(size);
                    decoded.put(fields[1], OnnxModel.sha256(rgb.rgb()));
                }
            }
        }
        return new Digests(pil, decoded);
    }
}
