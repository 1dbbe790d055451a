package dev.orchard.protocol;

import java.util.List;

/**
 * A unit of work as one attempt sees it. A FEATURES unit carries its {@code images}; a PUBLISH unit (id = the part
 * number) carries the accepted attempts whose rows it gathers, in order, in {@code sources}. Where either writes is
 * {@code OutputLayout}'s business, derived from {@link #attemptRef()}.
 */
public record WorkUnit(long epoch, int id, int attempt, Phase phase, List<ImageRef> images, List<AttemptRef> sources) {

    public WorkUnit {
        images = List.copyOf(images);
        sources = List.copyOf(sources);
    }

    public static WorkUnit features(long epoch, int id, int attempt, List<ImageRef> images) {
        return new WorkUnit(epoch, id, attempt, Phase.FEATURES, images, List.of());
    }

    public static WorkUnit publish(long epoch, int part, int attempt, List<AttemptRef> sources) {
        return new WorkUnit(epoch, part, attempt, Phase.PUBLISH, List.of(), sources);
    }

    public AttemptRef attemptRef() {
        return new AttemptRef(epoch, id, attempt);
    }
}
