package dev.orchard.protocol;

import java.util.List;

/**
 * What a worker reports for a finished unit: rows written (and the size of their file), the images it could not
 * use, and how long each stage took (nanoseconds summed over the unit's images), for the job report. Reasons are
 * cut to {@link MessageLimits#MAX_REASON_CHARS}, and shorter where the report would not fit in one message
 * ({@link MessageLimits#REASON_CUTS}).
 */
public record UnitReport(int rows, List<ImageError> errors, long bytesRead, long rowsBytes, StageNanos stages) {

    public UnitReport {
        errors = errors.stream().map(e -> new ImageError(e.path(), MessageLimits.reason(e.reason()))).toList();
    }

    /** This report with every reason cut to {@code maxChars} characters. */
    public UnitReport withReasonsCut(int maxChars) {
        return new UnitReport(rows, errors.stream().map(e -> new ImageError(e.path(), MessageLimits.reason(e.reason(),
                maxChars))).toList(), bytesRead, rowsBytes, stages);
    }

    public static UnitReport empty() {
        return new UnitReport(0, List.of(), 0, 0, StageNanos.ZERO);
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
