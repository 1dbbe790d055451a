package dev.orchard.protocol;

import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;

/** Messages the coordinator receives from workers. */
public interface CoordinatorCommand {

    /** The worker has room for one more unit. */
    record RequestWork(String workerId, ActorRef<WorkerCommand> worker) implements CoordinatorCommand {
    }

    /** A unit's rows are committed under their final name; its statistics wait in the worker for a verdict. */
    record UnitFinished(String workerId, ActorRef<WorkerCommand> worker, int unitId, int attempt, UnitReport report)
            implements CoordinatorCommand {
    }

    /** A unit failed as a whole (e.g. the output store refused a write): hand it out again. */
    record UnitFailed(String workerId, int unitId, int attempt, String reason) implements CoordinatorCommand {
    }

    /**
     * The worker durably wrote its running partial at {@code partial}; it holds exactly the accepted units
     * {@code unitIds}. Only now do those units count as done.
     */
    record StatisticsCommitted(String workerId, String partial, List<Integer> unitIds) implements CoordinatorCommand {
        public StatisticsCommitted {
            unitIds = List.copyOf(unitIds);
        }
    }
}
