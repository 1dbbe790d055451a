package dev.orchard.coordinator.work;

import dev.orchard.protocol.PartSource;
import dev.orchard.protocol.Phase;
import java.util.List;

/** A published rows file of the generation: its sources' rows projected and written by one attempt, then promoted. */
final class Part extends Task {

    enum Status { PENDING, PROMOTING, PUBLISHED }

    final List<PartSource> sources;
    Status status = Status.PENDING;

    Part(int id, List<PartSource> sources) {
        super(id, Phase.PUBLISH);
        this.sources = sources;
    }

    @Override
    boolean isPending() {
        return status == Status.PENDING;
    }

    @Override
    String describe() {
        return "part " + id;
    }
}
