package dev.orchard.protocol;

import java.util.List;

/**
 * A unit of work. Its outputs have names fixed by {@code id} ({@code features/part-<id>.parquet},
 * {@code pca/part-<id>.parquet}), so re-running a unit overwrites rather than duplicates. {@code attempt}
 * tells a late result of an earlier attempt from the current one. A PROJECT unit carries no images: it reads
 * the features part of the same id.
 */
public record WorkUnit(int id, int attempt, Phase phase, List<ImageRef> images) {

    public WorkUnit {
        images = List.copyOf(images);
    }

    public String partName() {
        return String.format("part-%06d.parquet", id);
    }
}
