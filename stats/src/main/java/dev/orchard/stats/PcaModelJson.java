package dev.orchard.stats;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;

/**
 * {@code pca-model.json}: count, mean, components (k × d), eigenvalues and explained variance ratio, as plain
 * JSON any tool can load (e.g. {@code numpy.array(json.load(f)["components"])}).
 */
public final class PcaModelJson {
    /**
     * Jackson's fast double writer (Schubfach) and parser: 65,000 values at d = 1280, k = 50, written when the PCA is
     * solved and read by every publishing worker; both give the shortest decimal that reads back as the very same
     * double, as the JDK's slower ones do.
     */
    private static final ObjectMapper JSON = new ObjectMapper(com.fasterxml.jackson.core.JsonFactory.builder()
            .enable(com.fasterxml.jackson.core.StreamWriteFeature.USE_FAST_DOUBLE_WRITER)
            .enable(com.fasterxml.jackson.core.StreamReadFeature.USE_FAST_DOUBLE_PARSER)
            .build())
            .enable(SerializationFeature.INDENT_OUTPUT)
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
