package dev.orchard.worker;

import dev.orchard.protocol.CoordinatorCommand;
import dev.orchard.protocol.JobDescription;
import dev.orchard.protocol.Phase;
import dev.orchard.protocol.ServiceKeys;
import dev.orchard.protocol.WorkUnit;
import dev.orchard.protocol.WorkerCommand;
import dev.orchard.stats.CovariancePartial;
import dev.orchard.stats.UnitStatistics;
import dev.orchard.store.Location;
import dev.orchard.store.OutputLayout;
import dev.orchard.worker.pipeline.FeatureUnit;
import dev.orchard.worker.pipeline.ProjectUnit;
import dev.orchard.worker.pipeline.UnitOutcome;
import dev.orchard.worker.pipeline.WorkerRuntime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.receptionist.Receptionist;

/**
 * A worker: pulls units from the coordinator and hands each to the pipeline on its own threads, staying free to
 * answer the cluster (the "middle manager" of the Pekko distributed-workers sample). It asks for a unit only
 * when it has room for one ({@code capacity} in flight).
 * <p>Statistics are exactly-once by construction: a finished unit's partial waits here until the coordinator's
 * {@link WorkerCommand.Verdict}; accepted partials are merged into a running window, and the window is written
 * as one {@link UnitStatistics} file every {@code commitEvery} units or when the coordinator asks. A unit counts
 * as done only once the coordinator hears that file is written.
 */
public final class Worker extends AbstractBehavior<WorkerCommand> {

    /** @param capacity units in flight; @param commitEvery accepted units per statistics file */
    public record Settings(int capacity, int commitEvery) {
        public static final Settings DEFAULT = new Settings(2, 32);
    }

    private record CoordinatorsChanged(Receptionist.Listing listing) implements WorkerCommand {
    }

    private record UnitProcessed(JobDescription job, WorkUnit unit, UnitOutcome outcome, Throwable failure)
            implements WorkerCommand {
    }

    private record StatisticsWritten(String path, List<Integer> units, Throwable failure) implements WorkerCommand {
    }

    private record AwaitingVerdict(int attempt, CovariancePartial statistics) {
    }

    private final String workerId;
    private final Settings settings;
    private final FeatureUnit features;
    private final ProjectUnit project;
    private final ExecutorService unitThreads;
    private final WorkerRuntime runtime;
    private ActorRef<CoordinatorCommand> coordinator;
    private ActorRef<CoordinatorCommand> lastCoordinator; // the one whose job state this worker holds
    private ActorRef<CoordinatorCommand> finished;
    private int requested;
    private int running;
    private final Map<Integer, AwaitingVerdict> awaitingVerdict = new HashMap<>();
    private CovariancePartial window;
    private List<Integer> windowUnits = new ArrayList<>();
    private String output;
    private int commitSequence;
    private boolean writing;
    private boolean commitAgain;
    private boolean commitRequested;

    public static Behavior<WorkerCommand> create(String workerId, WorkerRuntime runtime, Settings settings) {
        return Behaviors.setup(context -> new Worker(context, workerId, runtime, settings));
    }

    private Worker(ActorContext<WorkerCommand> context, String workerId, WorkerRuntime runtime, Settings settings) {
        super(context);
        this.workerId = workerId;
        this.settings = settings;
        this.runtime = runtime;
        this.features = new FeatureUnit(runtime);
        this.project = new ProjectUnit(runtime);
        this.unitThreads = Executors.newFixedThreadPool(settings.capacity(), r -> {
            Thread t = new Thread(r, "orchard-unit-" + workerId);
            t.setDaemon(true);
            return t;
        });
        ActorRef<Receptionist.Listing> adapter = context.messageAdapter(Receptionist.Listing.class, CoordinatorsChanged::new);
        context.getSystem().receptionist().tell(Receptionist.subscribe(ServiceKeys.COORDINATOR, adapter));
    }

    @Override
    public Receive<WorkerCommand> createReceive() {
        return newReceiveBuilder()
                .onMessage(CoordinatorsChanged.class, this::onCoordinators)
                .onMessage(WorkerCommand.Assign.class, this::onAssign)
                .onMessage(UnitProcessed.class, this::onUnitProcessed)
                .onMessage(WorkerCommand.Verdict.class, this::onVerdict)
                .onMessage(WorkerCommand.CommitStatistics.class, m -> {
                    commitRequested = true;
                    commit();
                    return this;
                })
                .onMessage(StatisticsWritten.class, this::onStatisticsWritten)
                .onMessage(WorkerCommand.JobFinished.class, this::onJobFinished)
                .onSignal(PostStop.class, s -> {
                    unitThreads.shutdownNow();
                    return this;
                })
                .build();
    }

    private Behavior<WorkerCommand> onCoordinators(CoordinatorsChanged m) {
        var refs = m.listing().getServiceInstances(ServiceKeys.COORDINATOR);
        ActorRef<CoordinatorCommand> found = refs.stream().filter(r -> !r.equals(finished)).findFirst().orElse(null);
        if (found != null && !found.equals(coordinator)) {
            // The listing leaves out a node that is unreachable for a moment (a GC pause, a network blip): when
            // the same coordinator comes back it still counts on this worker's statistics, so keep them.
            if (!found.equals(lastCoordinator)) {
                getContext().getLog().info("Coordinator {} found", found.path());
                forgetJobState();
                lastCoordinator = found;
            }
            coordinator = found;
            requestWork();
        } else if (found == null) {
            coordinator = null;
        }
        return this;
    }

    /**
     * A new coordinator (a restarted one resuming from its journal, or the next job's) knows nothing of this
     * worker's uncommitted statistics: it re-runs those units, so they are dropped here.
     */
    private void forgetJobState() {
        requested = 0;
        awaitingVerdict.clear();
        window = null;
        windowUnits = new ArrayList<>();
        commitAgain = false;
        commitRequested = false;
    }

    private Behavior<WorkerCommand> onJobFinished(WorkerCommand.JobFinished m) {
        finished = coordinator;
        coordinator = null;
        forgetJobState();
        return this;
    }

    private void requestWork() {
        while (coordinator != null && running + requested < settings.capacity()) {
            coordinator.tell(new CoordinatorCommand.RequestWork(workerId, getContext().getSelf()));
            requested++;
        }
    }

    private Behavior<WorkerCommand> onAssign(WorkerCommand.Assign m) {
        requested = Math.max(0, requested - 1);
        running++;
        JobDescription job = m.job();
        WorkUnit unit = m.unit();
        output = job.output();
        CompletableFuture<UnitOutcome> result = CompletableFuture.supplyAsync(() -> {
            try {
                return unit.phase() == Phase.FEATURES ? features.run(job, unit) : project.run(job, unit);
            } catch (Exception e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        }, unitThreads);
        getContext().pipeToSelf(result, (outcome, failure) -> new UnitProcessed(job, unit, outcome, failure));
        return this;
    }

    private Behavior<WorkerCommand> onUnitProcessed(UnitProcessed m) {
        running--;
        WorkUnit unit = m.unit();
        if (coordinator != null) {
            if (m.failure() != null) {
                Throwable cause = m.failure().getCause() != null ? m.failure().getCause() : m.failure();
                getContext().getLog().warn("Unit {} failed: {}", unit.id(), cause.toString());
                coordinator.tell(new CoordinatorCommand.UnitFailed(workerId, unit.id(), unit.attempt(), cause.getMessage()));
            } else {
                if (unit.phase() == Phase.FEATURES) {
                    awaitingVerdict.put(unit.id(), new AwaitingVerdict(unit.attempt(), m.outcome().statistics()));
                }
                coordinator.tell(new CoordinatorCommand.UnitFinished(workerId, getContext().getSelf(), unit.id(),
                        unit.attempt(), m.outcome().report()));
            }
        }
        requestWork();
        return this;
    }

    private Behavior<WorkerCommand> onVerdict(WorkerCommand.Verdict m) {
        AwaitingVerdict pending = awaitingVerdict.get(m.unitId());
        if (pending == null || pending.attempt() != m.attempt()) {
            return this;
        }
        awaitingVerdict.remove(m.unitId());
        if (m.accepted()) {
            if (window == null) {
                window = CovariancePartial.empty(pending.statistics().dim());
            }
            window.merge(pending.statistics());
            windowUnits.add(m.unitId());
            if (windowUnits.size() >= settings.commitEvery()) {
                commit();
            }
        }
        return this;
    }

    /** Writes the window as one statistics file, off the actor thread; one write at a time. */
    private void commit() {
        if (writing) {
            commitAgain = true;
            return;
        }
        if (windowUnits.isEmpty()) {
            if (commitRequested && coordinator != null) {
                // Always answer the coordinator, also with nothing: it waits for this answer before asking again.
                coordinator.tell(new CoordinatorCommand.StatisticsCommitted(workerId, "", List.of()));
            }
            commitRequested = false;
            return;
        }
        commitRequested = false;
        writing = true;
        UnitStatistics stats = new UnitStatistics(windowUnits, window);
        window = null;
        windowUnits = new ArrayList<>();
        Location target = OutputLayout.of(output).statistics(
                String.format("%s-%05d", workerId.replaceAll("[^A-Za-z0-9_.-]", "_"), ++commitSequence));
        CompletableFuture<Void> write = CompletableFuture.runAsync(() -> {
            try {
                runtime.store(target).put(target, stats.encode());
            } catch (Exception e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        }, unitThreads);
        getContext().pipeToSelf(write, (ok, failure) -> new StatisticsWritten(target.toString(), stats.unitIds(), failure));
    }

    private Behavior<WorkerCommand> onStatisticsWritten(StatisticsWritten m) {
        writing = false;
        if (coordinator != null) {
            if (m.failure() == null) {
                coordinator.tell(new CoordinatorCommand.StatisticsCommitted(workerId, m.path(), m.units()));
            } else {
                // The statistics of these units are lost with the failed write: the coordinator re-runs them.
                getContext().getLog().warn("Writing statistics {} failed: {}", m.path(), m.failure().toString());
                for (int unit : m.units()) {
                    coordinator.tell(new CoordinatorCommand.UnitFailed(workerId, unit, -1, "statistics write failed"));
                }
            }
        }
        if (commitAgain) {
            commitAgain = false;
            commit();
        }
        return this;
    }
}
