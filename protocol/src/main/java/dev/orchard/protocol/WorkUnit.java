package dev.orchard.protocol;

import java.util.List;

/**
 * A unit of work; where its outputs go is {@code OutputLayout}'s business. {@code attempt}
 * tells a late result of an earlier attempt from the current one. A PROJECT unit carries no images: it reads
 * the features part of the same id.
 */
public record WorkUnit(int id, int attempt, Phase phase, List<ImageRef> images) {

    public WorkUnit {
        images = List.copyOf(images);
    }
}
