package dev.orchard.coordinator.update;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.orchard.coordinator.work.JournalEntry.UpdateCounts;
import dev.orchard.coordinator.work.WorkState;
import dev.orchard.store.ObjectStore;
import dev.orchard.store.OutputLayout;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A generation in brief ({@code generation.json} in its bookkeeping, written before {@code _SUCCESS}): its parts
 * (rows and features bytes, what an update plans its publish stage with; and their pca/ bytes), its counts, and what it
 * was updated from.
 * An output whose current generation has none was written by an Orchard that could not update it. Readers that need
 * only its parts and their sizes read it as {@link dev.orchard.store.PartSizes} (orchard classify has no coordinator).
 */
public record GenerationSummary(int generation, int baseGeneration, List<WorkState.BasePart> parts, long rows,
                                long errors, UpdateCounts update, List<Long> pcaBytes) {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    /**
     * {@code pcaBytes}: each part's size in {@code pca/}, part by part, for readers that check an output's files are
     * the ones its job wrote (as the parts' {@code bytes} are for {@code features/}); null where the job wrote no
     * {@code pca/}, or an Orchard before they were recorded wrote the summary.
     */
    public GenerationSummary {
        parts = List.copyOf(parts);
        pcaBytes = pcaBytes == null ? null : List.copyOf(pcaBytes);
    }

    /** What an update of this generation builds on. */
    public WorkState.Base base() {
        return new WorkState.Base(generation, parts);
    }

    public void write(ObjectStore store, OutputLayout layout) throws IOException {
        store.put(layout.generationSummary(generation), JSON.writeValueAsBytes(this));
    }

    /** Generation g's summary, or null when it has none. */
    public static GenerationSummary read(ObjectStore store, OutputLayout layout, int g) throws IOException {
        if (!store.exists(layout.generationSummary(g))) {
            return null;
        }
        return dev.orchard.store.DamagedFileException.readJson(JSON, store.read(layout.generationSummary(g)),
                layout.generationSummary(g), GenerationSummary.class, dev.orchard.store.DamagedFileException.SUMMARY,
                dev.orchard.store.DamagedFileException.RESTORE);
    }

    /** The generation the output holds ({@code _orchard/CURRENT}; 0 when absent). */
    public static int current(ObjectStore store, OutputLayout layout) throws IOException {
        return dev.orchard.store.CurrentGeneration.read(store, layout);
    }
}
