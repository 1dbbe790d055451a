package dev.orchard.protocol;

import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * Messages the coordinator receives from workers. Every one names the worker ({@code workerId}, unique per worker
 * incarnation) with its reply address, and the coordinator epoch it answers (0 before it has heard from one).
 * Workers retry each until answered; the coordinator answers duplicates the same way, so a retry never changes
 * an outcome.
 */
public interface CoordinatorCommand {

    /** Messages from a worker. */
    interface FromWorker extends CoordinatorCommand {
        String workerId();

        ActorRef<WorkerCommand> worker();

        long epoch();
    }

    /**
     * Heartbeat and pull in one, sent every second and whenever a slot frees: how many more units the worker takes
     * ({@code freeSlots}), the highest assignment it has received ({@code assignSeqSeen}), and everything it holds
     * for this coordinator: attempts running or awaiting a verdict ({@code attempts}), and accepted attempts whose
     * statistics are not yet journalled ({@code accepted}). The coordinator reconciles: an assignment at or
     * below {@code assignSeqSeen} that the worker does not hold was lost; an accepted unit it no longer holds must
     * be redone. {@code seq} orders statuses; an older one is ignored. {@code stopping}: the worker is stopping (a
     * signal): it takes nothing more, and the attempts it no longer holds it gave back.
     */
    record WorkerStatus(String workerId, ActorRef<WorkerCommand> worker, long epoch, long seq, long assignSeqSeen,
                        int freeSlots, List<AttemptRef> attempts, List<AttemptRef> accepted, WorkerInfo info,
                        boolean stopping)
            implements FromWorker {
        public WorkerStatus {
            attempts = List.copyOf(attempts);
            accepted = List.copyOf(accepted);
        }
    }

    /** An attempt finished: its rows are in its attempt-scoped file; its statistics wait in the worker for a verdict. */
    record UnitFinished(String workerId, ActorRef<WorkerCommand> worker, long epoch, int unitId, int attempt,
                        UnitReport report) implements FromWorker {
    }

    /**
     * An attempt failed as a whole (e.g. the output store refused a write). {@code damagedFile}: it failed on a file of
     * Orchard's in the output that does not read as Orchard wrote it ({@code DamagedFileException}, which
     * {@code reason} is the message of): every worker reads the same file, so no attempt mends it, and the job ends
     * as for bad input.
     */
    record UnitFailed(String workerId, ActorRef<WorkerCommand> worker, long epoch, int unitId, int attempt,
                      String reason, boolean damagedFile) implements FromWorker {

        /** An attempt that failed on something else than a damaged file. */
        public UnitFailed(String workerId, ActorRef<WorkerCommand> worker, long epoch, int unitId, int attempt,
                          String reason) {
            this(workerId, worker, epoch, unitId, attempt, reason, false);
        }
    }

    /**
     * The worker durably wrote the statistics of exactly the accepted attempts {@code attempts} to {@code file}.
     * Those units are done once the coordinator has journalled the file.
     */
    record StatisticsCommitted(String workerId, ActorRef<WorkerCommand> worker, long epoch, String file,
                               List<AttemptRef> attempts) implements FromWorker {
        public StatisticsCommitted {
            attempts = List.copyOf(attempts);
        }
    }

    /** Writing the statistics of these accepted attempts failed for good: their units must be redone. */
    record StatisticsLost(String workerId, ActorRef<WorkerCommand> worker, long epoch, List<AttemptRef> attempts,
                          String reason) implements FromWorker {
        public StatisticsLost {
            attempts = List.copyOf(attempts);
        }
    }
}
