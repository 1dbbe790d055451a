package dev.orchard.protocol;

/**
 * Messages a worker receives from the coordinator (the worker adds private ones of its own). Each carries the
 * coordinator's {@code epoch}, a random number per coordinator incarnation: a worker that sees a new epoch drops
 * what it held for the old one, and a late message of an old incarnation is ignored.
 * <p>Delivery is at most once: any of these may be lost or, in tests, duplicated. The protocol copes because
 * the worker retries what it sends until answered, and reports what it holds in every {@link
 * CoordinatorCommand.WorkerStatus}.
 */
public interface WorkerCommand {

    /**
     * Do this unit. Sent only in reply to a {@link CoordinatorCommand.WorkerStatus} with free slots: work is
     * pulled, never pushed. {@code seq} numbers the assignments to this worker, so the worker ignores a
     * duplicate and the coordinator can tell an assignment that never arrived.
     */
    record Assign(long epoch, long seq, JobDescription job, WorkUnit unit) implements WorkerCommand {
    }

    /**
     * The coordinator's decision on a finished (or failed) attempt. {@code accepted}: this attempt won (first to
     * finish): fold its statistics into the running window. Otherwise drop its statistics, so no image is ever
     * counted twice. Also the answer to {@link CoordinatorCommand.UnitFailed}.
     */
    record Verdict(long epoch, int unitId, int attempt, boolean accepted) implements WorkerCommand {
    }

    /** Write the running statistics window now (no work is left to hand out to this worker). */
    record CommitStatistics(long epoch) implements WorkerCommand {
    }

    /**
     * The answer to {@link CoordinatorCommand.StatisticsCommitted}: {@code accepted} = journalled, its units are
     * done; otherwise the file is refused (it holds an attempt that is no longer the accepted one) and its units
     * are handed out again.
     */
    record CommitAck(long epoch, String file, boolean accepted) implements WorkerCommand {
    }

    /** The job is over: stop pulling, forget this coordinator's state. */
    record JobFinished(long epoch) implements WorkerCommand {
    }
}
