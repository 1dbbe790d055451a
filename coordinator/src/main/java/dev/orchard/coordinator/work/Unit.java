package dev.orchard.coordinator.work;

import dev.orchard.protocol.AttemptRef;
import dev.orchard.protocol.Phase;
import dev.orchard.protocol.UnitReport;

/** A unit of listed images: featurised by one accepted attempt, whose statistics are journalled once. */
final class Unit extends Task {

    /** ABSENT: an id the journal never recorded (a split or plan group whose write a crash cut short): no unit. */
    enum Status { PLANNED, PENDING, ACCEPTED, COMMITTING, DONE, SPLIT, QUARANTINING, QUARANTINED, ABSENT }

    final PackedImages images;
    Status status = Status.PLANNED;
    int crashLosses;
    AttemptRef accepted; // the winning attempt, of this incarnation or (after a resume) an earlier one
    UnitReport report;
    String statistics;

    Unit(int id, PackedImages images) {
        super(id, Phase.FEATURES);
        this.images = images;
    }

    @Override
    boolean isPending() {
        return status == Status.PENDING;
    }

    @Override
    String describe() {
        return "unit " + id;
    }
}
