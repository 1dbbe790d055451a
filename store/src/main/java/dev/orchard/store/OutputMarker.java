package dev.orchard.store;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.time.Instant;
import java.util.Optional;

/**
 * Orchard's mark on an output ({@link OutputLayout#marker()}, {@code _orchard/job.json}): the first file a job
 * writes there, so its presence means "Orchard made this folder" and {@code --overwrite} may delete what Orchard
 * writes ({@link OutputLayout#KNOWN_OUTPUTS}) from it. A small JSON object, read leniently, so that it can grow
 * (the job's identity for {@code --resume}) without breaking older outputs.
 *
 * @param orchard the version that wrote it
 * @param created when (ISO-8601)
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record OutputMarker(String orchard, String created) {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public static OutputMarker now(String version) {
        return new OutputMarker(version, Instant.now().toString());
    }

    public void write(ObjectStore store, OutputLayout layout) throws IOException {
        store.put(layout.marker(), JSON.writeValueAsBytes(this));
    }

    /** The marker of {@code layout}'s output, or empty when it has none. */
    public static Optional<OutputMarker> read(ObjectStore store, OutputLayout layout) throws IOException {
        if (!store.exists(layout.marker())) {
            return Optional.empty();
        }
        try {
            return Optional.of(JSON.readValue(store.read(layout.marker()), OutputMarker.class));
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new IOException(layout.marker() + " is not Orchard's marker (" + e.getOriginalMessage()
                    + "): this output was not made by Orchard, or was damaged; choose another --output", e);
        }
    }
}
