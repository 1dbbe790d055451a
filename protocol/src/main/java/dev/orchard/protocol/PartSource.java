package dev.orchard.protocol;

/**
 * Where a PUBLISH attempt takes the rows of one source of its part: the rows file of an accepted FEATURES attempt,
 * the kept rows of an accepted REGROUP attempt (with their statistics file), or a whole part of the generation an
 * update builds on (with its stored statistics). Where each lies is {@code OutputLayout}'s business.
 *
 * @param id      the unit (ROWS), or the base generation's part (REGROUPED, BASE)
 * @param epoch   the coordinator incarnation of the attempt (0 for BASE)
 * @param attempt the attempt (0 for BASE)
 */
public record PartSource(Kind kind, long epoch, int id, int attempt) {

    public enum Kind {
        /** An accepted FEATURES attempt's rows; their statistics are computed from the rows. */
        ROWS,
        /** An accepted REGROUP attempt: the kept rows of a base part and their statistics. */
        REGROUPED,
        /** A whole part of the base generation, untouched: its rows and its stored statistics. */
        BASE
    }

    public static PartSource rows(AttemptRef attempt) {
        return new PartSource(Kind.ROWS, attempt.epoch(), attempt.unit(), attempt.attempt());
    }

    public static PartSource regrouped(AttemptRef attempt) {
        return new PartSource(Kind.REGROUPED, attempt.epoch(), attempt.unit(), attempt.attempt());
    }

    public static PartSource base(int part) {
        return new PartSource(Kind.BASE, 0, part, 0);
    }

    /** The attempt of a ROWS or REGROUPED source. */
    public AttemptRef attemptRef() {
        if (kind == Kind.BASE) {
            throw new IllegalStateException("a base part is no attempt");
        }
        return new AttemptRef(epoch, id, attempt);
    }

    @Override
    public String toString() {
        return switch (kind) {
            case ROWS -> "rows of " + attemptRef();
            case REGROUPED -> "kept rows of base part " + id + " (attempt " + attempt + ")";
            case BASE -> "base part " + id;
        };
    }
}
