package dev.orchard.stats;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;

/**
 * {@code pca-model.json}: count, mean, components (k × d), eigenvalues and explained variance ratio, as plain
 * JSON any tool can load (e.g. {@code numpy.array(json.load(f)["components"])}).
 */
public final class PcaModelJson {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .disable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private PcaModelJson() {
    }

    public static byte[] write(PcaModel model) {
        try {
            return JSON.writeValueAsBytes(model);
        } catch (IOException e) {
            throw new IllegalStateException("cannot serialise the PCA model", e);
        }
    }

    public static PcaModel read(byte[] json) throws IOException {
        return JSON.readValue(json, PcaModel.class);
    }
}
