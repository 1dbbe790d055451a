package dev.orchard.worker;

import dev.orchard.protocol.AttemptRef;
import dev.orchard.protocol.CoordinatorCommand;
import dev.orchard.protocol.JobDescription;
import dev.orchard.protocol.Phase;
import dev.orchard.protocol.ServiceKeys;
import dev.orchard.protocol.StopCommit;
import dev.orchard.protocol.WorkUnit;
import dev.orchard.protocol.WorkerCommand;
import dev.orchard.stats.CovariancePartial;
import dev.orchard.stats.UnitStatistics;
import dev.orchard.store.FailureReason;
import dev.orchard.store.Location;
import dev.orchard.store.OutputLayout;
import dev.orchard.worker.pipeline.FeatureUnit;
import dev.orchard.worker.pipeline.PublishUnit;
import dev.orchard.worker.pipeline.RegroupUnit;
import dev.orchard.worker.pipeline.UnitOutcome;
import dev.orchard.worker.pipeline.WorkerRuntime;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.BehaviorBuilder;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * A worker: pulls units from the coordinator and hands each to the pipeline on its own threads, staying free to
 * answer the cluster (the "middle manager" of the Pekko distributed-workers sample). Every protocol decision is the
 * {@link WorkerLedger}'s; this actor carries out its effects: runs attempts, writes statistics files, and sends
 * messages to the coordinator it has found. It has two behaviours: {@link #searching} (no coordinator in sight:
 * nothing is sent, nothing is forgotten, the ledger sends it all again later) and {@link #serving}.
 */
public final class Worker {

    /** @param capacity units in flight; @param commitEvery accepted units per statistics file */
    public record Settings(int capacity, int commitEvery) {
        public static final Settings DEFAULT = new Settings(2, 32);

        public Settings {
            if (capacity < 1) {
                throw new IllegalArgumentException("--units-in-flight must be at least 1, was " + capacity);
            }
            if (commitEvery < 1) {
                throw new IllegalArgumentException("--commit-every must be at least 1, was " + commitEvery);
            }
        }
    }

    private record CoordinatorsChanged(Receptionist.Listing listing) implements WorkerCommand {
    }

    private record AttemptDone(WorkUnit unit, UnitOutcome outcome, Throwable failure) implements WorkerCommand {
    }

    private record StatisticsWritten(String name, Throwable failure) implements WorkerCommand {
    }

    private enum Tick implements WorkerCommand { INSTANCE }

    /**
     * The node is stopping (CoordinatedShutdown's first phase): take no more work, give back what runs, and commit the
     * accepted units' statistics before the phase ends ({@link #settled}).
     */
    private enum Leave implements WorkerCommand { INSTANCE }

    private static final Duration TICK = Duration.ofSeconds(1);
    /**
     * The longest an accepted unit waits for its statistics file: a crash makes the job do again at most
     * this much of a worker's work (besides what runs), where --commit-every alone allowed 32 units, minutes of large
     * photos. A file a minute is nothing next to the work between (a 1280-d partial: 6.6 MB).
     */
    static final Duration COMMIT_AFTER = Duration.ofSeconds(60);
    private static final WorkerLedger.Settings LEDGER = new WorkerLedger.Settings(1, 1, 3_000, 1_000);

    private final ActorContext<WorkerCommand> context;
    private final WorkerRuntime runtime;
    private final WorkerLedger<CovariancePartial> ledger;
    private final FeatureUnit features;
    private final PublishUnit publish;
    private final RegroupUnit regroup;
    private final ExecutorService unitThreads;
    private final ExecutorService writeThread;
    private final Map<AttemptRef, AtomicBoolean> cancels = new HashMap<>();
    /**
     * Completed once a stopping worker holds nothing of its job (its accepted units committed: the coordinator has
     * journalled them, so a --resume keeps them), or has no coordinator to commit to, or has stopped. CoordinatedShutdown
     * waits for it in its first phase, while this JVM's coordinator (of an {@code orchard run}) still journals.
     */
    private final CompletableFuture<Done> settled = new CompletableFuture<>();
    private final long started = System.nanoTime();
    private final String workerId;
    private String output;
    private int generation; // of the output the job makes (0: a first run)
    private String jobId;

    /** Keys this worker puts in the logging MDC (its lines in JSON logs carry them). */
    public static final String MDC_WORKER = "workerId";
    public static final String MDC_JOB = "jobId";
    public static final String MDC_UNIT = "unitId";

    public static Behavior<WorkerCommand> create(String workerId, String host, WorkerRuntime runtime, Settings settings) {
        return Behaviors.setup(context -> Behaviors.withTimers(timers -> {
            timers.startTimerWithFixedDelay(Tick.INSTANCE, TICK);
            Worker worker = new Worker(context, workerId, host, runtime, settings);
            return Behaviors.withMdc(WorkerCommand.class, Map.of(MDC_WORKER, workerId), worker::mdc, worker.searching());
        }));
    }

    private Worker(ActorContext<WorkerCommand> context, String workerId, String host, WorkerRuntime runtime, Settings settings) {
        this.context = context;
        this.workerId = workerId;
        context.setLoggerName(Worker.class); // else typed Pekko may name it after a builder class (logged at WARN only)
        this.runtime = runtime;
        this.ledger = new WorkerLedger<>(workerId, context.getSelf(),
                new WorkerLedger.Settings(settings.capacity(), settings.commitEvery(), LEDGER.retryMs(), LEDGER.statusMs(),
                        COMMIT_AFTER.toMillis()),
                (window, more) -> {
                    window.merge(more);
                    return window;
                });
        ledger.describe(host, runtime.settings().inferenceLanes());
        this.features = new FeatureUnit(runtime);
        this.publish = new PublishUnit(runtime);
        this.regroup = new RegroupUnit(runtime);
        this.unitThreads = Executors.newFixedThreadPool(settings.capacity(), r -> {
            Thread t = new Thread(r, "orchard-unit-" + workerId);
            t.setDaemon(true);
            return t;
        });
        this.writeThread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "orchard-statistics-" + workerId);
            t.setDaemon(true);
            return t;
        });
        ActorRef<WorkerCommand> self = context.getSelf();
        StopCommit.register(context.getSystem(), "orchard-worker-leave-" + workerId, () -> self.tell(Leave.INSTANCE),
                settled, bound -> LoggerFactory.getLogger(Worker.class).warn("Worker {} is stopping after {} ms without "
                        + "its statistics committed: the units it holds are done again", workerId, bound));
        ActorRef<Receptionist.Listing> adapter = context.messageAdapter(Receptionist.Listing.class, CoordinatorsChanged::new);
        context.getSystem().receptionist().tell(Receptionist.subscribe(ServiceKeys.COORDINATOR, adapter));
    }

    /** No coordinator in sight: attempts go on, messages wait in the ledger (it sends them all again later). */
    private Behavior<WorkerCommand> searching() {
        return handlers(Behaviors.receive(WorkerCommand.class), null)
                .onMessage(CoordinatorsChanged.class, m -> onCoordinators(m, null))
                .build();
    }

    /** A coordinator is known: the ledger's messages go to it. */
    private Behavior<WorkerCommand> serving(ActorRef<CoordinatorCommand> coordinator) {
        return handlers(Behaviors.receive(WorkerCommand.class), coordinator)
                .onMessage(CoordinatorsChanged.class, m -> onCoordinators(m, coordinator))
                .build();
    }

    private BehaviorBuilder<WorkerCommand> handlers(BehaviorBuilder<WorkerCommand> builder,
                                                    ActorRef<CoordinatorCommand> coordinator) {
        return builder
                .onMessage(WorkerCommand.Assign.class, m -> apply(ledger.assigned(m, now()), coordinator))
                .onMessage(WorkerCommand.Verdict.class, m -> apply(ledger.verdict(m, now()), coordinator))
                .onMessage(WorkerCommand.CommitStatistics.class, m -> apply(ledger.commitRequested(m, now()), coordinator))
                .onMessage(WorkerCommand.CommitAck.class, m -> apply(ledger.commitAck(m, now()), coordinator))
                .onMessage(WorkerCommand.JobFinished.class, m -> apply(ledger.jobFinished(m, now()), coordinator))
                .onMessage(AttemptDone.class, m -> onAttemptDone(m, coordinator))
                .onMessage(StatisticsWritten.class, m -> {
                    if (m.failure() != null && !ledger.leaving() && JvmExit.began()) {
                        leave(coordinator);
                    }
                    String failure = m.failure() == null ? null : FailureReason.of(m.failure());
                    return apply(ledger.statisticsWritten(m.name(), failure, now()), coordinator);
                })
                .onMessageEquals(Tick.INSTANCE, () -> apply(ledger.tick(now()), coordinator))
                .onMessageEquals(Leave.INSTANCE, () -> leave(coordinator))
                .onSignal(PostStop.class, s -> {
                    settled.complete(Done.getInstance());
                    cancels.values().forEach(c -> c.set(true));
                    unitThreads.shutdownNow();
                    writeThread.shutdown();
                    return Behaviors.same();
                });
    }

    private Behavior<WorkerCommand> onCoordinators(CoordinatorsChanged m, ActorRef<CoordinatorCommand> current) {
        var refs = m.listing().getServiceInstances(ServiceKeys.COORDINATOR);
        ActorRef<CoordinatorCommand> found = refs.isEmpty() ? null : refs.iterator().next();
        if (found == null) {
            if (current != null && ledger.leaving()) {
                context.getLog().debug("Coordinator {} is out of sight; this worker is stopping", current.path());
            } else if (current != null && ledger.holdsNothing()) {
                // The end of an `orchard run` whose coordinator stops before its worker leaves: nothing is at stake.
                context.getLog().debug("Coordinator {} is out of sight; this worker holds no work", current.path());
            } else if (current != null) {
                context.getLog().info("Coordinator {} is out of sight; keeping what this worker holds", current.path());
            }
            settleIfLeaving(null);
            return searching();
        }
        if (found.equals(current)) {
            return Behaviors.same();
        }
        context.getLog().info("Coordinator {} found", found.path());
        apply(ledger.statusNow(now()), found);
        return serving(found);
    }

    /** The job and unit a message is about, for the MDC while it is handled. */
    private Map<String, String> mdc(WorkerCommand message) {
        if (message instanceof WorkerCommand.Assign a) {
            return Map.of(MDC_JOB, a.job() == null ? "" : a.job().jobId(), MDC_UNIT, String.valueOf(a.unit().id()));
        }
        if (message instanceof AttemptDone d) {
            return jobId == null ? Map.of(MDC_UNIT, String.valueOf(d.unit().id()))
                                 : Map.of(MDC_JOB, jobId, MDC_UNIT, String.valueOf(d.unit().id()));
        }
        return jobId == null ? Map.of() : Map.of(MDC_JOB, jobId);
    }

    private Behavior<WorkerCommand> onAttemptDone(AttemptDone m, ActorRef<CoordinatorCommand> coordinator) {
        AttemptRef ref = m.unit().attemptRef();
        cancels.remove(ref);
        if (m.failure() == null) {
            var report = m.outcome().report();
            // "attempt id": attempts are numbered across the job, and "unit 123 attempt 124" read as its 124th try (a
            // scale walk).
            context.getLog().info("{} unit {} (attempt id {}): {} rows, {} errors", m.unit().phase(), m.unit().id(),
                    m.unit().attempt(), report.rows(), report.errors().size());
            return apply(ledger.attemptFinished(ref, m.outcome().report(), m.outcome().statistics(), now()), coordinator);
        }
        Throwable cause = m.failure() instanceof CompletionException && m.failure().getCause() != null
                ? m.failure().getCause() : m.failure();
        if (cause instanceof CancellationException) {
            return Behaviors.same(); // its coordinator is gone: nobody counts it
        }
        if (ledger.leaving() || JvmExit.began()) {
            // Failed with its JVM (a closed session, "Shutdown in progress"), not through a fault of the unit.
            return leave(coordinator);
        }
        context.getLog().warn("Unit {} (attempt id {}) failed: {}", m.unit().id(), m.unit().attempt(), cause.toString());
        // A damaged file of Orchard's reads the same on every worker: said as such, the job ends at once (exit 2),
        // where three attempts failed on it and the job said --resume went on (a walk).
        dev.orchard.store.DamagedFileException damaged = dev.orchard.store.DamagedFileException.in(cause);
        return apply(ledger.attemptFailed(ref, FailureReason.of(damaged != null ? damaged : cause), damaged != null,
                now()), coordinator);
    }

    private Behavior<WorkerCommand> leave(ActorRef<CoordinatorCommand> coordinator) {
        if (!ledger.leaving() && ledger.holdsNothing()) {
            // The end of every `orchard run`; a worker node between jobs (its leaving the cluster is logged by Pekko).
            context.getLog().debug("This worker is stopping; it holds no work");
        } else if (!ledger.leaving()) {
            context.getLog().info("{}: it takes no more units, gives back the ones it runs, and commits the ones it"
                    + " finished", going());
        }
        return apply(ledger.leave(now()), coordinator);
    }

    /**
     * Why the worker leaves: its JVM stops, or its node leaves the cluster while the JVM goes on (a worker node that
     * lost its coordinator, or was downed, starts a fresh node that joins again; "stopping" misled there).
     */
    private static String going() {
        return JvmExit.began() ? "This worker is stopping" : "This worker is leaving its cluster";
    }

    /** Carries out the ledger's effects; messages go to {@code coordinator} if there is one. */
    private Behavior<WorkerCommand> apply(List<WorkerLedger.Effect> effects, ActorRef<CoordinatorCommand> coordinator) {
        for (WorkerLedger.Effect e : effects) {
            if (e instanceof WorkerLedger.Send s) {
                if (coordinator != null) {
                    coordinator.tell(s.message());
                }
            } else if (e instanceof WorkerLedger.Run r) {
                run(r.job(), r.unit());
            } else if (e instanceof WorkerLedger.Cancel c) {
                AtomicBoolean flag = cancels.get(c.attempt());
                if (flag != null) {
                    flag.set(true);
                }
            } else if (e instanceof WorkerLedger.WriteStatistics<?> w) {
                write(w.name(), w.attempts(), (CovariancePartial) w.statistics());
            } else if (e instanceof WorkerLedger.JobEnded) {
                runtime.forgetRows(); // a worker node between jobs holds none of the last job's rows
            }
        }
        settleIfLeaving(coordinator);
        return Behaviors.same();
    }

    /** A stopping worker has committed all it accepted, or has nobody to commit it to: the node may go on stopping. */
    private void settleIfLeaving(ActorRef<CoordinatorCommand> coordinator) {
        if (!ledger.leaving() || (coordinator != null && !ledger.holdsNothing())
                || !settled.complete(Done.getInstance())) {
            return;
        }
        WorkerLedger.StopCommits commits = ledger.stopCommits();
        if (!ledger.holdsNothing()) {
            context.getLog().info("{} with no coordinator in sight: the units it holds are done again", going());
        } else if (commits.kept() + commits.notKept() > 0) {
            context.getLog().info("This worker committed {} finished unit(s) as it stopped: the job keeps them{}",
                    commits.kept(), commits.notKept() == 0 ? ""
                            : "; " + commits.notKept() + " could not be committed and are done again");
        }
    }

    private void run(JobDescription job, WorkUnit unit) {
        if (job == null) {
            context.getSelf().tell(new AttemptDone(unit, null, new IllegalArgumentException("assignment without a job")));
            return;
        }
        output = job.output();
        generation = job.generation();
        jobId = job.jobId();
        AtomicBoolean cancelled = new AtomicBoolean();
        cancels.put(unit.attemptRef(), cancelled);
        CompletableFuture<UnitOutcome> result = CompletableFuture.supplyAsync(() -> {
            if (cancelled.get()) {
                throw new CancellationException("attempt cancelled");
            }
            // What the pipeline logs on this thread names the job, the unit and this worker.
            MDC.put(MDC_JOB, job.jobId());
            MDC.put(MDC_UNIT, String.valueOf(unit.id()));
            MDC.put(MDC_WORKER, workerId);
            try {
                return runtime.totals().unit(unit.phase() != Phase.FEATURES, () -> switch (unit.phase()) {
                    case FEATURES -> features.run(job, unit, cancelled::get);
                    case PUBLISH -> publish.run(job, unit, cancelled::get);
                    case REGROUP -> regroup.run(job, unit, cancelled::get);
                });
            } catch (CancellationException e) {
                throw e;
            } catch (Exception e) {
                throw new CompletionException(e);
            } finally {
                MDC.remove(MDC_JOB);
                MDC.remove(MDC_UNIT);
                MDC.remove(MDC_WORKER);
            }
        }, unitThreads);
        context.pipeToSelf(result, (outcome, failure) -> new AttemptDone(unit, outcome, failure));
    }

    /** Writes one statistics file off the actor thread, trying a few times before the statistics count as lost. */
    private void write(String name, List<AttemptRef> attempts, CovariancePartial statistics) {
        OutputLayout layout = OutputLayout.of(output);
        Location target = layout.statistics(name);
        int g = generation;
        byte[] bytes = new UnitStatistics(attempts.stream().map(AttemptRef::unit).toList(), statistics).encode();
        CompletableFuture<Boolean> write = CompletableFuture.supplyAsync(() -> { // never null: see Coordinator.pipe
            if (JobEnd.reached(runtime.store(target), layout, g)) {
                // A worker frozen past its job's end (a user's SIGSTOP of 45 s) wrote a 6.5 MB statistics file into
                // the finished output, whose partials go at _SUCCESS: nobody reads it, and only an update removes it.
                throw new CompletionException(new java.io.IOException("the job has ended (" + layout.success()
                        + " is written): its statistics are not needed"));
            }
            Exception last = null;
            for (int tries = 0; tries < 3; tries++) {
                try {
                    runtime.store(target).put(target, bytes);
                    return true;
                } catch (Exception e) {
                    last = e;
                    sleep(1000L << tries);
                }
            }
            throw new CompletionException(last);
        }, writeThread);
        context.pipeToSelf(write, (ok, failure) -> new StatisticsWritten(name, failure));
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private long now() {
        return (System.nanoTime() - started) / 1_000_000;
    }
}
