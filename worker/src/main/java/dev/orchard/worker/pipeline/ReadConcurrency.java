package dev.orchard.worker.pipeline;

/**
 * How many image reads a worker runs at once: few while they keep ahead of the inference lanes, more once the lanes
 * wait for them. Each read holds a fetch thread (and, from S3, a connection) for its whole latency, so the reads in
 * flight a worker needs are its lanes' pace times the latency of one read: a handful from a local disk or a nearby
 * server, a few dozen from S3 across a region. Every one more costs a thread and, over HTTPS, a TLS handshake
 * (bench/README.md, issue 18).
 *
 * <p>The rule: start at {@code initial}; after each batch a lane runs, add its time busy and the time it waited for
 * that batch's reads; once over at least {@link #MIN_BATCHES} batches the lanes waited for reads more than
 * {@link #MAX_WAIT_SHARE} of the time they ran, double (up to {@code max}) and count afresh; a window of
 * {@link #WINDOW} batches without that starts afresh too, so old waits are forgotten. It never shrinks: a job's read
 * latency rarely falls for good, and an idle thread or connection costs nothing. (With decode threads instead of
 * decoding lanes, a lane waits for decoding too; more reads then add idle threads, up to what every worker had
 * before this rule.)
 *
 * <p>Pure: no clocks, no threads. The caller measures, synchronizes and resizes the pool.
 */
final class ReadConcurrency {
    /** The reads a worker starts with, when its maximum allows: ahead of two lanes from a local folder. */
    static final int INITIAL = 4;
    /** The share of their running time the lanes may wait for reads before more reads run at once. */
    static final double MAX_WAIT_SHARE = 0.05;
    /** Batches counted before a decision: one lane's wait is a hint, not a pace. */
    static final int MIN_BATCHES = 2;
    /** Batches after which the counts start afresh. */
    static final int WINDOW = 32;

    private final int max;
    private int reads;
    private long busyNanos;
    private long waitedNanos;
    private int batches;

    ReadConcurrency(int initial, int max) {
        if (initial < 1 || max < initial) {
            throw new IllegalArgumentException("reads at once: need 1 <= initial <= max, got " + initial + " and " + max);
        }
        this.reads = initial;
        this.max = max;
    }

    /** For {@code --fetch-threads max}: {@link #INITIAL}, or {@code max} when that is fewer. */
    static ReadConcurrency upTo(int max) {
        return new ReadConcurrency(Math.min(INITIAL, max), max);
    }

    /** Reads to run at once now. */
    int reads() {
        return reads;
    }

    /** The most reads it may grow to. */
    int max() {
        return max;
    }

    /**
     * A lane waited {@code waited} nanoseconds for a batch's reads (after it had finished its previous batch and the
     * reads were under way), then ran the batch for {@code ran}. Returns the reads to run at once from now on.
     */
    int batchRan(long waited, long ran) {
        if (waited < 0 || ran < 0) {
            throw new IllegalArgumentException("negative time: waited " + waited + " ns, ran " + ran + " ns");
        }
        if (reads == max) {
            return reads;
        }
        busyNanos += ran;
        waitedNanos += waited;
        batches++;
        if (batches >= MIN_BATCHES && waitedNanos > MAX_WAIT_SHARE * busyNanos) {
            reads = Math.min(max, reads * 2);
            restart();
        } else if (batches >= WINDOW) {
            restart();
        }
        return reads;
    }

    private void restart() {
        busyNanos = 0;
        waitedNanos = 0;
        batches = 0;
    }
}
