package dev.orchard.protocol;

/** Messages a worker receives from the coordinator (the worker adds private ones of its own). */
public interface WorkerCommand {

    /** Do this unit. Sent only in reply to a {@link CoordinatorCommand.RequestWork}: work is pulled, never pushed. */
    record Assign(JobDescription job, WorkUnit unit) implements WorkerCommand {
    }

    /**
     * The coordinator counts this unit's result (first finished attempt wins): fold its statistics into the
     * worker's running partial. A result that lost the race gets {@code accepted = false} and is dropped, so no
     * image is ever counted twice.
     */
    record Verdict(int unitId, int attempt, boolean accepted) implements WorkerCommand {
    }

    /** Write the running partial now (the features phase is draining) and report which units it holds. */
    record CommitStatistics() implements WorkerCommand {
    }

    /** The job is over; stop pulling. */
    record JobFinished() implements WorkerCommand {
    }
}
