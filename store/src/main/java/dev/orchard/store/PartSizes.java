package dev.orchard.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The parts a generation's summary ({@link OutputLayout#generationSummary}) lists, folder by folder, with the size each
 * was written with: what orchard classify checks an output's parts against, and what an update's swap deletes of the
 * base. The coordinator writes the summary (GenerationSummary: {@code features/} as each part's {@code bytes} in
 * {@code parts}, {@code pca/} as the list {@code pcaBytes}); this reads it where no coordinator is (orchard classify),
 * and wherever only the parts matter.
 *
 * @param features each {@code features/} part's size, part by part (-1: not recorded); null where the summary lists
 *                 no parts
 * @param pca      each {@code pca/} part's size; null where the job wrote no {@code pca/}, or an Orchard before they
 *                 were recorded (2026-12-07) wrote the summary
 */
public record PartSizes(List<Long> features, List<Long> pca) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public PartSizes {
        features = features == null ? null : List.copyOf(features);
        pca = pca == null ? null : List.copyOf(pca);
    }

    /** What generation g's summary lists; null where it has none (an Orchard before summaries, or removed by hand). */
    public static PartSizes read(ObjectStore store, OutputLayout layout, int g) throws IOException {
        Location summary = layout.generationSummary(g);
        if (!store.exists(summary)) {
            return null;
        }
        JsonNode json = DamagedFileException.readTree(JSON, store.read(summary), summary,
                DamagedFileException.SUMMARY, DamagedFileException.RESTORE);
        return new PartSizes(sizes(json.path("parts"), part -> part.path("bytes")), sizes(json.path("pcaBytes"), b -> b));
    }

    /** Each element's size ({@code size} of it), -1 where it has none; null where {@code list} is not a list. */
    private static List<Long> sizes(JsonNode list, java.util.function.UnaryOperator<JsonNode> size) {
        if (!list.isArray()) {
            return null;
        }
        List<Long> sizes = new ArrayList<>();
        list.forEach(element -> sizes.add(size.apply(element).asLong(-1)));
        return sizes;
    }

    /** The sizes of the parts in {@code features/} or {@code pca/}; null where none were recorded there. */
    public List<Long> of(String kind) {
        return switch (kind) {
            case OutputLayout.FEATURES -> features;
            case OutputLayout.PCA -> pca;
            default -> throw new IllegalArgumentException("no parts in " + kind + "/: only in "
                    + OutputLayout.rowsFolders(true));
        };
    }

    /** How many parts the generation has (in each of its folders). */
    public int parts() {
        return Math.max(features == null ? 0 : features.size(), pca == null ? 0 : pca.size());
    }
}
