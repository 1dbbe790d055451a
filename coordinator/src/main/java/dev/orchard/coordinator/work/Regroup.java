package dev.orchard.coordinator.work;

import dev.orchard.protocol.AttemptRef;
import dev.orchard.protocol.Phase;

/** A base part that loses some rows in an update: a worker writes the kept rows and their statistics. */
final class Regroup extends Task {

    enum Status { PENDING, JOURNALLING, DONE }

    final long keptRows;
    Status status = Status.PENDING;
    AttemptRef accepted;
    long rowsBytes;

    Regroup(int basePart, long keptRows) {
        super(basePart, Phase.REGROUP);
        this.keptRows = keptRows;
    }

    @Override
    boolean isPending() {
        return status == Status.PENDING;
    }

    @Override
    String describe() {
        return "regroup of base part " + id;
    }
}
