package dev.orchard.protocol;

import java.util.List;

/**
 * What a worker reports for a finished unit: rows written, the images it could not use, and how long each
 * stage took (nanoseconds summed over the unit's images), for the job report.
 */
public record UnitReport(int rows, List<ImageError> errors, long bytesRead, StageNanos stages) {

    public UnitReport {
        errors = List.copyOf(errors);
    }

    /** Time per stage, summed across threads. */
    public record StageNanos(long read, long decode, long preprocess, long infer, long statistics, long write) {
        public static final StageNanos ZERO = new StageNanos(0, 0, 0, 0, 0, 0);

        public StageNanos plus(StageNanos o) {
            return new StageNanos(read + o.read, decode + o.decode, preprocess + o.preprocess, infer + o.infer,
                    statistics + o.statistics, write + o.write);
        }
    }
}
