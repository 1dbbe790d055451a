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
 * @param orchard  the version that wrote it
 * @param created  when (ISO-8601)
 * @param clearing true while {@code --overwrite} deletes the earlier job's files ({@link #clearing(String)}); absent
 *                 otherwise
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
public record OutputMarker(String orchard, String created, Boolean clearing) {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public static OutputMarker now(String version) {
        return new OutputMarker(version, Instant.now().toString(), null);
    }

    /**
     * The marker {@code --overwrite} writes before it deletes anything: it replaces the earlier job's record, so that an
     * overwrite stopped half-way (kill -9) leaves no job to resume. Before, a --resume then continued the earlier job
     * over its half-deleted journal, and wrote _SUCCESS over 96 of 600 images (a user's walk).
     */
    public static OutputMarker clearing(String version) {
        return new OutputMarker(version, Instant.now().toString(), true);
    }

    /** Whether an {@code --overwrite} wrote this marker and was stopped before it had cleared the output. */
    public boolean beingCleared() {
        return Boolean.TRUE.equals(clearing);
    }

    /**
     * Refuses any command but {@code --overwrite} on an output an overwrite was stopped in: what is left there is part
     * of the earlier job's files, no job's results.
     */
    public static void requireNotBeingCleared(ObjectStore store, OutputLayout layout) throws IOException {
        if (read(store, layout).map(OutputMarker::beingCleared).orElse(false)) {
            throw new IllegalArgumentException("--output " + layout.root() + " was being cleared by an --overwrite that"
                    + " stopped before it ended: what is left there is part of an earlier job's files, no job's results."
                    + " Run the command with --overwrite again, or choose a new --output.");
        }
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
            throw new DamagedFileException(layout.marker() + " is not Orchard's marker (" + e.getOriginalMessage()
                    + "): this output was not made by Orchard, or was damaged; choose another --output", e);
        }
    }
}
