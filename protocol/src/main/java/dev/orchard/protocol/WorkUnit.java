package dev.orchard.protocol;

import java.util.List;

/**
 * A unit of work as one attempt sees it. A FEATURES unit carries its {@code images}; a PUBLISH unit (id = the part
 * number) carries, in order, the sources whose rows it gathers ({@code sources}); a REGROUP unit (id = the part of
 * the base generation) carries neither: the part and the list of its retired rows are found by their names. Where
 * each writes is {@code OutputLayout}'s business, derived from {@link #attemptRef()}.
 */
public record WorkUnit(long epoch, int id, int attempt, Phase phase, List<ImageRef> images, List<PartSource> sources) {

    public WorkUnit {
        images = List.copyOf(images);
        sources = List.copyOf(sources);
    }

    public static WorkUnit features(long epoch, int id, int attempt, List<ImageRef> images) {
        return new WorkUnit(epoch, id, attempt, Phase.FEATURES, images, List.of());
    }

    public static WorkUnit publish(long epoch, int part, int attempt, List<PartSource> sources) {
        return new WorkUnit(epoch, part, attempt, Phase.PUBLISH, List.of(), sources);
    }

    public static WorkUnit regroup(long epoch, int basePart, int attempt) {
        return new WorkUnit(epoch, basePart, attempt, Phase.REGROUP, List.of(), List.of());
    }

    public AttemptRef attemptRef() {
        return new AttemptRef(epoch, id, attempt);
    }
}
