package dev.orchard.coordinator;

import dev.orchard.coordinator.listing.ImageSource;
import dev.orchard.coordinator.listing.ListingAhead;
import dev.orchard.coordinator.outputs.JobOutputs;
import dev.orchard.coordinator.update.BaseGenerationCheck;
import dev.orchard.coordinator.update.GenerationSummary;
import dev.orchard.coordinator.update.GenerationSwap;
import dev.orchard.coordinator.update.InventoryFile;
import dev.orchard.coordinator.update.UpdateComparison;
import dev.orchard.coordinator.work.Decision;
import dev.orchard.coordinator.work.JournalEntry;
import dev.orchard.coordinator.work.WorkState;
import dev.orchard.protocol.CoordinatorCommand;
import dev.orchard.protocol.CoordinatorCommand.FromWorker;
import dev.orchard.protocol.ImageError;
import dev.orchard.protocol.ImageRef;
import dev.orchard.protocol.JobDescription;
import dev.orchard.protocol.ServiceKeys;
import dev.orchard.protocol.StopCommit;
import dev.orchard.protocol.WorkerCommand;
import dev.orchard.store.DamagedFileException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.apache.pekko.Done;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.BehaviorBuilder;
import org.apache.pekko.actor.typed.javadsl.StashBuffer;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;
import org.slf4j.Logger;

/**
 * The work manager (one per cluster, as a singleton), in the manner of the Pekko distributed-workers sample: every
 * decision is {@link WorkState}'s; this actor only routes messages to it and carries out what it decides — messages
 * to workers, journal writes and other blocking I/O on the {@code orchard.io-dispatcher}, reports to the
 * {@link JobListener}. It has a named behaviour per stage: {@link #starting}, {@link #features} (listing and
 * extracting), {@link #solving}, {@link #publishing}, {@link #writingOutputs}.
 * <p>It holds a lease on the output while it runs (see {@link OutputLease}) and stops, with the job failed, if it
 * loses it; each of its writes goes through a {@link LeasedStore}, which confirms the lease first.
 * <p>For an update (its outputs make a generation g ≥ 1), the lister compares the listing with the base
 * generation's inventory ({@link UpdateComparison}) and hands WorkState only what must be computed; when it ends,
 * it writes the rows each base part loses to the retired files before telling WorkState.
 */
public final class Coordinator {

    /**
     * Everything a coordinator needs, checked before it starts.
     *
     * @param node         this node's address ({@code host:port}), for the lease
     * @param membership   this node's cluster, its members and those gone (a standby taking over from a gone one
     *                     may take its lease, and waits for a leaving one)
     * @param downAfter    the split-brain resolver's {@code stable-after}: how soon a standby may take the lease of
     *                     an unreachable coordinator over (see {@link OutputLease})
     * @param labelRule    how images get their labels, as the user gave it ({@code --label-regex '…' over the file
     *                     names}), for the warning about rows it left unlabelled; null when the job gives none
     * @param identity     what determines the job's result, as its command checked and recorded it in the output:
     *                     read again once the lease is taken, and refused if another command has changed it since;
     *                     null to skip that (a benchmark's own output)
     */
    public record Setup(JobDescription job, ImageSource images, JobOutputs outputs, JobJournal journal,
                        LeasedStore store, dev.orchard.store.Location output, WorkState.Settings settings,
                        Duration leaseTtl, Duration downAfter, String node,
                        Supplier<ClusterMembership> membership,
                        JobListener listener, Map<String, Object> reportFacts, String labelRule, JobIdentity identity) {
    }

    /**
     * What the start found: the journal, and for an update the generation it builds on; {@code done} when the output
     * already holds the generation this job makes (its swap ended before this coordinator took over).
     */
    private record Found(JournalEntry.State journal, WorkState.Base base, GenerationSummary done, String leavingHolder) {
        Found(JournalEntry.State journal, WorkState.Base base, GenerationSummary done) {
            this(journal, base, done, null);
        }

        /** Nothing read yet: the lease is held by {@code holder}, a member leaving this cluster; try again soon. */
        static Found waitingFor(String holder) {
            return new Found(null, null, null, holder);
        }
    }

    private record Started(Found found, Throwable failure) implements CoordinatorCommand {
    }

    private record Listed(List<ImageRef> images, List<ImageError> skipped) implements CoordinatorCommand {
    }

    /** The listing's end; for an update, what it drops from the base generation ({@code update} null otherwise). */
    private record ListingEnded(long total, long nanos, Throwable failure, UpdateComparison.Result update)
            implements CoordinatorCommand {
    }

    private record Journalled(JournalEntry entry, Throwable failure) implements CoordinatorCommand {
    }

    private record Solved(JobOutputs.SolvedPca pca, Throwable failure) implements CoordinatorCommand {
    }

    private record Promoted(int part, Throwable failure) implements CoordinatorCommand {
    }

    private record PublishAttemptsCleared(Throwable failure) implements CoordinatorCommand {
    }

    private record OutputsWritten(Throwable failure) implements CoordinatorCommand {
    }

    private record LeaseRenewed(Throwable failure) implements CoordinatorCommand {
    }

    private record MemberRemoved(Address address) implements CoordinatorCommand {
    }

    private enum Tick implements CoordinatorCommand { INSTANCE }

    private enum RenewLease implements CoordinatorCommand { INSTANCE }

    private enum StartAgain implements CoordinatorCommand { INSTANCE }

    /** The node is stopping (CoordinatedShutdown's first phase): have the workers' finished units journalled first. */
    private enum Stopping implements CoordinatorCommand { INSTANCE }

    /** How often a coordinator waiting for a leaving member's lease checks again. */
    private static final Duration LEAVING_HOLDER_POLL = Duration.ofMillis(500);

    /** How long a stopping coordinator waits for its lease's release (see {@link #releaseOnStop}). */
    private static final Duration RELEASE_WAIT = Duration.ofSeconds(10);

    private static final int LISTED_BATCHES_IN_FLIGHT = 4;

    private final ActorContext<CoordinatorCommand> context;
    private final Setup setup;
    private final Logger log;
    private final Executor io;
    private final long epoch = newEpoch();
    private final OutputLease lease;
    private final AtomicBoolean stopped = new AtomicBoolean();
    private final TimerScheduler<CoordinatorCommand> timers;
    /**
     * Completed once a stopping coordinator has journalled the statistics its live workers held (or holds a job no
     * more, or has stopped): CoordinatedShutdown waits for it in its first phase, at most the phase's timeout less
     * a second ({@link StopCommit}).
     */
    private final CompletableFuture<Done> stopSettled = new CompletableFuture<>();
    private boolean stopRequested;
    /** The leaving member whose lease this coordinator waits for, once it has said so. */
    private String waitedFor;
    private final Semaphore listingPermits = new Semaphore(LISTED_BATCHES_IN_FLIGHT);
    private final Map<String, ActorRef<WorkerCommand>> workers = new HashMap<>();
    private final long startedNanos = System.nanoTime();
    /** Images done over time, for the report's images/s plot (this coordinator's part of the job). */
    private final JobTimeline timeline = new JobTimeline();
    /** Workers' messages that arrive while the journal is read; handled once the coordinator has started. */
    private final StashBuffer<CoordinatorCommand> early;
    private WorkState state;
    private JobDescription publishJob;
    private JobOutputs.SolvedPca pca;
    private Thread lister;
    private int heldPermits;
    private long listNanos;
    private WorkState.Stage behaviourStage;
    /** The builds of the generation's results as its start found them ({@link JobBuilds}); null before. */
    private volatile JobBuilds.Found builds;
    /** Whether the generation's record names this coordinator's build (written before its first result). */
    private volatile boolean buildRecorded;
    /** Held while the record of builds is written, so that no result is journalled before it. */
    private final Object recordingBuild = new Object();
    /** The start's reads and lease, off the actor: a stopped coordinator waits for them before it gives the lease back. */
    private volatile CompletableFuture<?> starting = CompletableFuture.completedFuture(null);

    /** The logging MDC key naming the job in the coordinator's lines (JSON logs carry it). */
    public static final String MDC_JOB = "jobId";

    public static Behavior<CoordinatorCommand> create(Setup setup) {
        return Behaviors.withMdc(CoordinatorCommand.class, Map.of(MDC_JOB, setup.job().jobId()),
                Behaviors.setup(context -> Behaviors.withTimers(timers -> Behaviors.withStash(EARLY_MESSAGES,
                        early -> new Coordinator(context, timers, early, setup).starting()))));
    }

    /**
     * How many workers' messages wait while the coordinator starts. A worker finds the coordinator through the
     * receptionist as soon as it registers, before the journal is read, and asks for work at once: dropping that
     * request cost each job a second (the worker asks again only on its next status tick).
     */
    private static final int EARLY_MESSAGES = 10_000;

    private Coordinator(ActorContext<CoordinatorCommand> context, TimerScheduler<CoordinatorCommand> timers,
                        StashBuffer<CoordinatorCommand> early, Setup setup) {
        this.context = context;
        this.early = early;
        this.setup = setup;
        this.timers = timers;
        context.setLoggerName(Coordinator.class);
        this.log = context.getLog();
        this.io = context.getSystem().dispatchers().lookup(DispatcherSelector.fromConfig("orchard.io-dispatcher"));
        this.lease = new OutputLease(setup.store().unleased(), setup.output(), Long.toHexString(epoch), setup.node(),
                setup.leaseTtl(), setup.downAfter());
        setup.store().writeUnder(lease); // each of its writes first confirms the lease
        this.publishJob = setup.job(); // with the PCA model once it is solved
        context.getSystem().receptionist().tell(Receptionist.register(ServiceKeys.COORDINATOR, context.getSelf()));
        timers.startTimerWithFixedDelay(Tick.INSTANCE, Duration.ofSeconds(1));
        timers.startTimerWithFixedDelay(RenewLease.INSTANCE, lease.trust().dividedBy(2)); // writes seldom wait for one
        commitBeforeStopping();
        if ("cluster".equals(context.getSystem().settings().config().getString("pekko.actor.provider"))) {
            // A worker node that leaves the cluster takes its attempts with it (orchard run has no cluster).
            ActorRef<ClusterEvent.MemberRemoved> removals = context.messageAdapter(ClusterEvent.MemberRemoved.class,
                    e -> new MemberRemoved(e.member().address()));
            Cluster.get(context.getSystem()).subscriptions().tell(Subscribe.create(removals, ClusterEvent.MemberRemoved.class));
        }
        start();
    }

    private void commitBeforeStopping() {
        ActorRef<CoordinatorCommand> self = context.getSelf();
        String id = Long.toHexString(epoch);
        StopCommit.register(context.getSystem(), "orchard-coordinator-commit-" + id, () -> self.tell(Stopping.INSTANCE),
                stopSettled, bound -> org.slf4j.LoggerFactory.getLogger(Coordinator.class).warn("Coordinator {} is "
                        + "stopping after {} ms with statistics of its workers not journalled: those units are done "
                        + "again", id, bound));
    }

    /** The node is stopping: hand out nothing more, and ask the workers for the statistics they hold. */
    private Behavior<CoordinatorCommand> onStopping() {
        stopRequested = true;
        if (state == null) {
            stopSettled.complete(Done.getInstance()); // still starting: nothing of the job is held yet
            return Behaviors.same();
        }
        if (state.awaitsCommits()) {
            log.info("This coordinator is stopping: it hands out no more units and has its workers' finished units "
                    + "committed first");
        }
        return apply(state.stopping(now()));
    }

    private void settleIfStopping() {
        if (stopRequested && !state.awaitsCommits() && stopSettled.complete(Done.getInstance())) {
            log.debug("Stopping with every finished unit of its live workers journalled");
        }
    }

    /**
     * Checks the output and its lease, takes the lease and reads the journal (off the actor). A lease held by a member
     * of this cluster that is leaving (a coordinator stopped gracefully: the singleton moves here while it is still a
     * member, its lease fresh) is waited for, rather than refused.
     */
    private void start() {
        starting = pipe(() -> {
            if (setup.outputs().generation() == 0 && setup.store().exists(setup.outputs().layout().success())) {
                // Another coordinator finished the job as this one started (a standby takes the singleton as the first
                // leaves): nothing may be written after _SUCCESS, and whose lease it was is moot.
                // (An update, generation 1 and on, starts from a finished output: it checks its own generation below.)
                throw new JobFinishedAlready(setup.output().toString());
            }
            OutputLease.Claim claim = OutputLease.claim(setup.store(), setup.output(), setup.node(),
                    setup.membership().get(), Instant.now());
            if (claim instanceof OutputLease.Claim.Leaving leaving) {
                return Found.waitingFor(leaving.holder());
            }
            if (claim instanceof OutputLease.Claim.Refused refused) {
                throw new IllegalArgumentException(refused.message());
            }
            requireNotStopped();
            lease.probeConditions(); // an S3-compatible server: does it evaluate the lease's conditions?
            requireNotStopped();
            lease.acquire((OutputLease.Claim.Free) claim, Instant.now());
            if (stopped.get()) {
                // Stopped while it claimed (the actor system terminating, or the singleton stopped): its PostStop
                // found no lease to give back, so the lease stayed held until it lapsed (CoordinatorStartTest). Give
                // it back here; PostStop waits for this start before its own release, so the process does not exit
                // first. PostStop sets `stopped` (volatile) before it asks held(), and acquire sets the state under
                // the lease's lock: one of the two sees the other, and a second release writes nothing.
                releaseOrWarn("");
                throw new IllegalStateException("the coordinator stopped as it took the lease");
            }
            if (setup.outputs().generation() == 0 && setup.store().exists(setup.outputs().layout().success())) {
                // Again, holding the lease: the coordinator that finished wrote _SUCCESS and released its lease
                // between the look above and the claim (a reviewer's schedule, read in code).
                releaseOrWarn("");
                throw new JobFinishedAlready(setup.output().toString());
            }
            int generation = setup.outputs().generation();
            // Whatever the command (--resume or not), the journal there is this job's (its identity is checked below;
            // what an earlier job's coordinator wrote late, after an --overwrite cleared it, has no seal and does not
            // count: JobJournal.read): a standby started without --resume, beside an output holding only the job's
            // marker, that takes over a begun job sealed its journal with nothing taken up and did every unit again (a
            // review of the wiring against the simulator, whose coordinators always read it).
            JournalEntry.State journal = setup.journal().exists() ? setup.journal().read() : JournalEntry.State.EMPTY;
            WorkState.Base base = null;
            if (generation > 0) {
                var layout = setup.outputs().layout();
                int current = GenerationSummary.current(setup.store(), layout);
                if (current == generation && new GenerationSwap(setup.store(), layout).finish(generation)) {
                    // The swap had ended, and its _SUCCESS was removed after: a frozen coordinator's request that
                    // landed late (GenerationSwapTest). Written again as the swap recorded it.
                    log.warn("Generation {} of {} was swapped in, but its _SUCCESS was missing: written again, as the"
                            + " swap recorded it. This command took nothing from the input: images added, changed or"
                            + " removed since that update listed it are not in the output. Run the same command again to"
                            + " take them in.", generation, setup.output());
                }
                if (current >= generation && setup.store().exists(layout.success())) {
                    if (current == generation) {
                        // The swap ended; its clean-up may not have: finish it (it deletes only what the swap left).
                        new GenerationSwap(setup.store(), layout).cleanUp(generation);
                    }
                    releaseOrWarn("The generation is complete already, but: ");
                    return new Found(journal, null, GenerationSummary.read(setup.store(), layout, generation));
                }
                requireSameJobRecorded(generation); // not done: its record must be the one its command wrote
                GenerationSummary summary = GenerationSummary.read(setup.store(), setup.outputs().layout(), generation - 1);
                if (summary == null) {
                    throw new IllegalArgumentException("--update: generation " + (generation - 1) + " of "
                            + setup.output() + " has no summary: it was written by an Orchard that cannot update it");
                }
                base = summary.base();
                if (!new GenerationSwap(setup.store(), layout).begun(generation)) {
                    // Every base part is read as the new generation is published: found damaged now, not then. (Once
                    // the swap has begun, the old parts go as it moves forward, and none is read again.)
                    BaseGenerationCheck.requireIntact(setup.store(), layout, setup.output(), base);
                }
            } else {
                requireSameJobRecorded(generation);
            }
            findBuilds(generation, journal, base);
            // Before this coordinator journals anything: what it read is the journal, whatever of an earlier term's
            // lands later (a write past its lease's check when its process stood still).
            setup.journal().sealUnder(lease);
            return new Found(journal, base, null);
        }, Started::new);
    }

    /**
     * Reads which builds made the generation's results so far ({@link JobBuilds}). This coordinator's build is added,
     * and a mix of builds said, before its first result ({@link #recordBuildBefore}), not here: a coordinator that
     * journals none made nothing (one resumed to write the final files again, or one that fails first).
     */
    private void findBuilds(int generation, JournalEntry.State journal, WorkState.Base base) throws java.io.IOException {
        JobBuilds.Found found = JobBuilds.find(setup.store(), setup.outputs().layout(), generation, Coordinator::build,
                !journal.commits().isEmpty() || !journal.quarantines().isEmpty() || journal.published() != null
                        || !journal.regrouped().isEmpty(), base != null && base.rows() > 0);
        buildRecorded = found.recorded() && !found.anotherBuildBefore(); // its record names this build already
        builds = found;
    }

    /** This JVM's build as a generation's record names it. */
    private static String build() {
        return JobBuilds.recordedName(Build.id());
    }

    /**
     * Adds this coordinator's build to the generation's record before the first entry that journals a result of its
     * own: a unit's rows, an image given up on, a regrouped base part, the published parts; and says so where results
     * of another build are there already (a {@code --resume} by another Orchard: the nodes of one cluster are of one
     * build), or where an update keeps rows another build made. Off the actor, as the journal's writes are; the
     * journal writes that follow wait for it. A record that cannot be written is said and the job goes on: it is only
     * a record ({@code _SUCCESS} lists the builds all the same), but a lost lease ends the coordinator as any write's.
     */
    private void recordBuildBefore(JournalEntry entry) throws java.io.IOException {
        boolean result = entry instanceof JournalEntry.Commit || entry instanceof JournalEntry.Quarantine
                || entry instanceof JournalEntry.Regrouped || entry instanceof JournalEntry.Published;
        if (!result || buildRecorded) {
            return;
        }
        synchronized (recordingBuild) {
            JobBuilds.Found found = builds;
            if (buildRecorded || found == null) {
                return;
            }
            org.slf4j.Logger logger = org.slf4j.LoggerFactory.getLogger(Coordinator.class); // off the actor
            String build = build();
            if (found.anotherBuildBefore()) {
                logger.warn("The results of this job in {} so far were made by {}; this coordinator runs Orchard build"
                        + " {}, which makes the rest. Both sit in one output, and _SUCCESS lists them (versions.builds)."
                        + " If the two may featurise an image differently, run the job afresh with --overwrite, or"
                        + " resume it with the Orchard that began it.", setup.output(), describeBuilds(found.before()),
                        build);
            } else if (setup.outputs().generation() > 0 && !found.recorded()
                    && found.before().stream().anyMatch(b -> !b.equals(build))) {
                logger.info("This update keeps the rows of {} that {} made; what it adds is made by Orchard build {}"
                        + " (_SUCCESS lists each: versions.builds)", setup.output(), describeBuilds(found.before()),
                        build);
            }
            writeBuilds(found.with(build), logger);
            buildRecorded = true;
        }
    }

    /** Writes the generation's record of builds; a store that refuses it is said, and the job goes on. */
    private void writeBuilds(List<String> made, org.slf4j.Logger logger) throws java.io.IOException {
        try {
            JobBuilds.write(setup.store(), setup.outputs().layout(), setup.outputs().generation(), made);
        } catch (OutputLease.Lost lost) {
            throw lost;
        } catch (java.io.IOException e) {
            logger.warn("Could not record which Orchard builds made the results in {} ({}): the job goes on, and"
                    + " _SUCCESS lists them (versions.builds)", setup.outputs().layout().builds(
                    setup.outputs().generation()), e.getMessage() == null ? e.toString() : e.getMessage());
        }
    }

    /** The builds whose results the generation holds once this coordinator ends ({@link JobBuilds}). */
    private List<String> madeBy() {
        JobBuilds.Found found = builds;
        return found == null ? List.of() : buildRecorded ? found.with(build()) : found.before();
    }

    private static String describeBuilds(List<String> builds) {
        return builds.stream().map(b -> b.equals(JobBuilds.UNRECORDED) ? "an Orchard that recorded no build" : "build " + b)
                .collect(java.util.stream.Collectors.joining(" and "));
    }

    /** A start that finds the coordinator stopped writes nothing more (no probe, no lease taken). */
    private void requireNotStopped() {
        if (stopped.get()) {
            throw new IllegalStateException("the coordinator stopped as it started");
        }
    }

    /**
     * Gives the lease back where what follows does not depend on it (a job finished, or refused): a store that fails
     * the release is logged, and the lease lapses after its time-to-live. Off the actor's thread.
     */
    private void releaseOrWarn(String context) {
        try {
            lease.release();
        } catch (java.io.IOException e) {
            org.slf4j.LoggerFactory.getLogger(Coordinator.class).warn("{}Could not give back the lease on {} ({}): it"
                    + " lapses {} after its last renewal", context, setup.output(), e.toString(), setup.leaseTtl());
        }
    }

    /**
     * Refuses, giving the lease back, an output whose recorded job is no longer the one this command checked and
     * recorded: its command's writes were made under the lease, but the lease was free again between them and this
     * coordinator's claim, and a --resume that took the output there ran its old job under the marker of an
     * --overwrite that had just deleted everything (the review of that change).
     */
    private void requireSameJobRecorded(int generation) throws java.io.IOException {
        if (setup.identity() == null) {
            return;
        }
        JobIdentity recorded = JobIdentity.read(setup.store(), setup.outputs().layout(), generation);
        // An update's record gone (an --overwrite cleared the output's bookkeeping meanwhile) is a change too; a
        // first run's marker is never cleared, and an output an older Orchard wrote without one was refused earlier.
        List<String> differences = recorded != null ? recorded.differences(setup.identity())
                : generation > 0 ? List.of("the record of the update to generation " + generation + " is gone")
                : List.of();
        if (differences.isEmpty()) {
            return;
        }
        releaseOrWarn("");
        throw new IllegalArgumentException("Another command changed the job recorded in " + setup.output() + " after"
                + " this one checked it (an --overwrite, or a --resume or --update with another --pca-k), and this"
                + " coordinator has written no results:\n  " + String.join("\n  ", differences) + "\nLet that job"
                + " end, then run this command again: it checks the output anew.");
    }

    // ---------------------------------------------------------------- behaviours, one per stage

    /** Checking the lease and reading the journal. */
    private Behavior<CoordinatorCommand> starting() {
        return common(Behaviors.receive(CoordinatorCommand.class)
                .onMessage(Started.class, m -> {
                    Behavior<CoordinatorCommand> next = onStarted(m);
                    return Behavior.isAlive(next) ? early.unstashAll(next) : next;
                })
                .onMessageEquals(StartAgain.INSTANCE, () -> {
                    start();
                    return Behaviors.same();
                })
                .onMessage(FromWorker.class, this::keepForLater)
                .onMessage(MemberRemoved.class, this::keepForLater))
                .build();
    }

    private Behavior<CoordinatorCommand> keepForLater(CoordinatorCommand m) {
        if (!early.isFull()) {
            early.stash(m); // a full buffer drops it: workers send their status again every second
        }
        return Behaviors.same();
    }

    /** Listing the input while workers extract features from the units planned so far. */
    private Behavior<CoordinatorCommand> features() {
        return workerMessages(common(Behaviors.receive(CoordinatorCommand.class)
                .onMessage(Listed.class, m -> {
                    heldPermits++;
                    return apply(state.listed(m.images(), m.skipped(), now()));
                })
                .onMessage(ListingEnded.class, m -> {
                    listNanos = m.nanos();
                    if (m.failure() != null) {
                        // An update's inventory damaged since it was written is no failure of the listing (exit 2)
                        DamagedFileException damaged = DamagedFileException.in(m.failure());
                        return apply(damaged != null ? state.outputDamaged(damaged.getMessage(), now())
                                : state.listingFailed(cause(m.failure()).getMessage(), now()));
                    }
                    if (m.update() == null) {
                        return apply(state.listingFinished(m.total(), now()));
                    }
                    var c = m.update().counts();
                    log.info("Update: {} image(s) added, {} changed, {} removed, {} unchanged, {} tried again (errors before);"
                            + " {} base part(s) lose rows; listed and compared in {} s", c.added(), c.changed(), c.removed(),
                            c.unchanged(), c.retried(), m.update().retirements().size(),
                            String.format(java.util.Locale.ROOT, "%.2f", m.nanos() / 1e9));
                    if (c.keptUnlisted() > 0) {
                        log.warn("Update: {} image(s) of the output lie below folders that could not be listed (see"
                                + " errors.csv): their rows are kept as they were; once the folders can be read, run"
                                + " --update again to compare them", c.keptUnlisted());
                    }
                    return apply(state.listingFinished(m.update().retirements(), c, now()));
                })))
                .build();
    }

    /** Merging the statistics and solving the PCA. */
    private Behavior<CoordinatorCommand> solving() {
        return workerMessages(common(Behaviors.receive(CoordinatorCommand.class)
                .onMessage(Solved.class, this::onSolved)))
                .build();
    }

    /** Workers gather the accepted rows into large parts (projected on the PCA); winners are made visible. */
    private Behavior<CoordinatorCommand> publishing() {
        return workerMessages(common(Behaviors.receive(CoordinatorCommand.class)
                .onMessage(Promoted.class, m -> m.failure() == null
                        ? apply(state.promoted(m.part(), now()))
                        : apply(state.promoteFailed(m.part(), cause(m.failure()).getMessage(), now())))
                .onMessage(PublishAttemptsCleared.class, m -> m.failure() == null
                        ? apply(state.publishAttemptsCleared(now()))
                        : apply(state.publishAttemptsClearFailed(cause(m.failure()).getMessage(), now())))))
                .build();
    }

    /** pca.csv, errors.csv, the report, and _SUCCESS last. */
    private Behavior<CoordinatorCommand> writingOutputs() {
        return workerMessages(common(Behaviors.receive(CoordinatorCommand.class)
                .onMessage(OutputsWritten.class, m -> m.failure() == null
                        ? apply(state.outputsWritten(now()))
                        : apply(state.outputsFailed(cause(m.failure()).getMessage(), now())))))
                .build();
    }

    private BehaviorBuilder<CoordinatorCommand> workerMessages(BehaviorBuilder<CoordinatorCommand> builder) {
        return builder
                .onMessage(Journalled.class, m -> m.failure() == null
                        ? apply(state.journalled(m.entry(), now()))
                        : apply(state.journalFailed(m.entry(), cause(m.failure()).getMessage(), now())))
                .onMessage(CoordinatorCommand.WorkerStatus.class, m -> apply(state.status(known(m), now())))
                .onMessage(CoordinatorCommand.UnitFinished.class, m -> apply(state.finished(known(m), now())))
                .onMessage(CoordinatorCommand.UnitFailed.class, m -> apply(state.failed(known(m), now())))
                .onMessage(CoordinatorCommand.StatisticsCommitted.class, m -> apply(state.committed(known(m), now())))
                .onMessage(CoordinatorCommand.StatisticsLost.class, m -> apply(state.lost(known(m), now())))
                .onMessage(MemberRemoved.class, this::onMemberRemoved)
                .onMessageEquals(Tick.INSTANCE, () -> {
                    Behavior<CoordinatorCommand> next = apply(state.tick(now()));
                    WorkState.Snapshot snapshot = state.snapshot(now());
                    timeline.record(now() / 1000.0, snapshot.imagesDone(), snapshot.errors());
                    setup.listener().status(snapshot);
                    return next;
                });
    }

    /** What every stage handles: the lease, and stopping. */
    private BehaviorBuilder<CoordinatorCommand> common(BehaviorBuilder<CoordinatorCommand> builder) {
        return builder
                .onMessageEquals(RenewLease.INSTANCE, () -> {
                    if (!lease.held()) {
                        return Behaviors.same(); // not taken yet, released or lost: nothing to renew
                    }
                    pipe(() -> {
                        lease.renew(Instant.now());
                        return null;
                    }, (ok, failure) -> new LeaseRenewed(failure));
                    return Behaviors.same();
                })
                .onMessage(LeaseRenewed.class, this::onLeaseRenewed)
                .onMessageEquals(Stopping.INSTANCE, this::onStopping)
                .onSignal(PostStop.class, s -> {
                    stopSettled.complete(Done.getInstance());
                    stopped.set(true);
                    if (lister != null) {
                        lister.interrupt();
                    }
                    awaitStart();
                    releaseOnStop();
                    return Behaviors.same();
                });
    }

    /**
     * A coordinator stopped before its job ended (stopped gracefully, handing the singleton over; downed; or failed)
     * gives its lease up: nothing of it writes any more, and the next coordinator need not wait for the lease to show
     * that (a holder gone from the cluster is waited for while it may still write). If another coordinator took the
     * lease meanwhile, the release leaves it alone. The stop waits for the release at most {@link #RELEASE_WAIT} (it
     * waits for writes already on their way, and the store may be retrying): past that the release goes on while the
     * process lives, and otherwise the next coordinator takes the output over once the lease lapses.
     */
    /**
     * Waits, at most {@link #RELEASE_WAIT}, for a start still reading the output or taking its lease: it gives back a
     * lease it took after this stop ({@link #start}), and the process may exit as soon as this coordinator has stopped.
     */
    private void awaitStart() {
        try {
            starting.get(RELEASE_WAIT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            // failed: it took no lease, or gave it back; still running: releaseOnStop gives back what it holds by now
        }
    }

    private void releaseOnStop() {
        if (!lease.held()) {
            return;
        }
        try {
            lease.releaseAsync().get(RELEASE_WAIT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            log.warn("Still releasing the lease on {} {} s after this coordinator stopped; it goes on while this process"
                    + " lives, and otherwise the next coordinator takes the output over once the lease lapses",
                    setup.output(), RELEASE_WAIT.toSeconds());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException e) {
            log.warn("Could not release the lease on {} as this coordinator stopped ({}): the next coordinator"
                    + " takes it over once it lapses", setup.output(),
                    (e.getCause() instanceof java.io.UncheckedIOException u ? u.getCause() : e.getCause()).toString());
        }
    }

    // ---------------------------------------------------------------- handlers

    private Behavior<CoordinatorCommand> onStarted(Started m) {
        if (m.failure() != null) {
            Throwable cause = cause(m.failure());
            // Bad input, or a file of Orchard's damaged in the output, says what to do as it is (exit 2).
            setup.listener().failed(cause instanceof IllegalArgumentException || cause instanceof DamagedFileException
                    ? cause : new IllegalStateException("Cannot start the coordinator: " + cause.getMessage(), cause));
            return Behaviors.stopped();
        }
        if (stopRequested) {
            // Asked to stop while it started (its stop settled at once: nothing of the job was held): it hands out
            // nothing, and gives back the lease it may have taken (a reviewer: it went on to hand out units after
            // the node was told it had stopped).
            log.info("This coordinator was asked to stop as it started: it gives the output back and starts nothing");
            return Behaviors.stopped(); // PostStop releases the lease, waiting for that a bounded time
        }
        if (m.found().leavingHolder() != null) {
            if (!m.found().leavingHolder().equals(waitedFor)) {
                waitedFor = m.found().leavingHolder();
                log.info("The lease on {} is held by the coordinator on {}, which is leaving this cluster or has just"
                        + " left it: waiting until it can no longer write (or for its lease to lapse)", setup.output(),
                        waitedFor);
            }
            timers.startSingleTimer(StartAgain.INSTANCE, LEAVING_HOLDER_POLL);
            return Behaviors.same();
        }
        if (m.found().done() != null) {
            GenerationSummary done = m.found().done();
            log.info("Generation {} of {} is complete already (see its _SUCCESS): nothing left to do",
                    done.generation(), setup.output());
            // Its PCA is not this run's to tell (a second update that found the first one's generation done said
            // "no PCA"): the summary points at _SUCCESS, read by no one here (no I/O on the actor's thread).
            setup.listener().finished(new JobSummary(setup.job().output(), done.rows() + done.errors(), 0, done.rows(),
                    done.errors(), seconds(System.nanoTime() - startedNanos), JobSummary.PCA_AS_RECORDED, 0));
            return Behaviors.stopped();
        }
        JournalEntry.State journal = m.found().journal();
        WorkState.Base base = m.found().base();
        try {
            state = journal.isEmpty() ? new WorkState(epoch, setup.settings(), base, now())
                                      : WorkState.resume(epoch, setup.settings(), base, journal, now());
        } catch (IllegalStateException e) {
            setup.listener().failed(new IllegalStateException("Cannot resume from the journal in "
                    + setup.outputs().layout().bookkeeping() + ": " + e.getMessage(), e));
            return Behaviors.stopped();
        }
        if (!journal.isEmpty()) {
            log.info("Resuming: {} units planned ({} done), listing {}", state.unitCount(),
                    journal.commits().stream().mapToInt(c -> c.units().size()).sum()
                            + journal.quarantines().size(),
                    state.listingComplete() ? "complete" : "to be continued after " + state.lastPlannedPath());
            if (state.listingComplete()) {
                // It finishes what it planned: a killed nightly update, run again after the folder changed, ended
                // with exit 0 and an output behind its input, and nothing said so (the incremental helper's walk).
                log.warn("The input was listed before this {} stopped, and it finishes what that listing found: images"
                        + " added, changed or removed since are not in it. If the input changed, run {} once this one"
                        + " has finished.", base == null ? "job" : "update",
                        base == null ? "the command with --update" : "the same command again");
            }
        }
        log.info("Coordinator {} started for {}, lease term {}{}", Long.toHexString(epoch), setup.output(), lease.term(),
                base == null ? "" : " (update: generation " + (base.generation() + 1) + " from " + base.parts().size()
                        + " part(s), " + base.rows() + " rows of generation " + base.generation() + ")");
        Behavior<CoordinatorCommand> next = apply(state.start(now()));
        if (!state.listingComplete() && state.stage() == WorkState.Stage.FEATURES) {
            if (base == null) {
                startListing(state.lastPlannedPath());
            } else {
                startUpdateListing(base.generation(), state.lastPlannedPath(), plannedPaths(journal));
            }
        }
        return next;
    }

    private Behavior<CoordinatorCommand> onSolved(Solved m) {
        if (m.failure() != null) {
            Throwable cause = cause(m.failure());
            return apply(state.solveFailed(cause.getMessage(), cause instanceof IllegalArgumentException
                    || cause instanceof DamagedFileException, now()));
        }
        pca = m.pca();
        publishJob = setup.job().withPcaModel(pca.location(), pca.sha256());
        log.info("PCA solved: k={}, {} of the variance explained", pca.model().k(), String.format("%.3f", explained()));
        return apply(state.solved(pca.model().k(), now()));
    }

    private Behavior<CoordinatorCommand> onMemberRemoved(MemberRemoved m) {
        List<String> gone = new ArrayList<>();
        workers.forEach((id, ref) -> {
            if (ref.path().address().equals(m.address())) {
                gone.add(id);
            }
        });
        Behavior<CoordinatorCommand> next = Behaviors.same();
        for (String id : gone) {
            workers.remove(id);
            next = apply(state.workerGone(id, now()));
        }
        return next;
    }

    private Behavior<CoordinatorCommand> onLeaseRenewed(LeaseRenewed m) {
        if (m.failure() == null || lease.released()) {
            return Behaviors.same(); // released: the job's end is written, and a write refused since changes nothing
        }
        Throwable cause = cause(m.failure());
        if (cause instanceof OutputLease.Lost) {
            String reason = "Lost the lease on " + setup.output() + ": " + cause.getMessage();
            if (state == null) { // still starting: nothing to abort, but the job's caller waits for its end
                setup.listener().failed(new IllegalStateException(reason, cause));
                return Behaviors.stopped();
            }
            return apply(state.abort(reason, now()));
        }
        log.warn("Could not renew the lease on {}: {}", setup.output(), cause.toString());
        return Behaviors.same();
    }

    private <M extends FromWorker> M known(M m) {
        if (m.worker() != null) {
            workers.put(m.workerId(), m.worker());
        }
        return m;
    }

    // ---------------------------------------------------------------- carrying out decisions

    /** Carries out what WorkState decided, then takes the behaviour of the stage it is in. */
    private Behavior<CoordinatorCommand> apply(List<Decision> decisions) {
        for (Decision d : decisions) {
            if (d instanceof Decision.Tell t) {
                tell(t.worker(), t.message());
            } else if (d instanceof Decision.Assign a) {
                JobDescription job = a.unit().phase() == dev.orchard.protocol.Phase.PUBLISH ? publishJob : setup.job();
                tell(a.worker(), new WorkerCommand.Assign(epoch, a.seq(), job, a.unit()));
            } else if (d instanceof Decision.Journal j) {
                JournalEntry entry = j.entry();
                pipe(() -> {
                    recordBuildBefore(entry);
                    setup.journal().write(entry);
                    return null;
                }, (ok, failure) -> new Journalled(entry, failure));
            } else if (d instanceof Decision.DeleteAttempt del) {
                bestEffort(() -> setup.outputs().deleteAttempt(del.phase(), del.attempt()));
            } else if (d instanceof Decision.DeleteStatistics del) {
                bestEffort(() -> setup.outputs().deleteStatistics(del.file()));
            } else if (d instanceof Decision.Solve s) {
                int k = setup.settings().pcaK();
                pipe(() -> {
                    // Parts published already were projected with the model written then: kept, not solved again
                    // (the units' statistics files are gone once a job finished, whose _SUCCESS a user then removed).
                    JobOutputs.SolvedPca before = s.published() ? setup.outputs().solvedBefore() : null;
                    return before != null ? before
                                          : setup.outputs().solvePca(s.files(), s.units(), s.baseParts(), s.regrouped(), k);
                }, Solved::new);
            } else if (d instanceof Decision.ClearPublishAttempts) {
                pipe(() -> {
                    setup.outputs().clearPublishAttempts();
                    return null;
                }, (ok, failure) -> new PublishAttemptsCleared(failure));
            } else if (d instanceof Decision.Promote p) {
                boolean projected = pca != null;
                pipe(() -> {
                    setup.outputs().promote(p.part(), p.attempt(), projected);
                    return null;
                }, (ok, failure) -> new Promoted(p.part(), failure));
            } else if (d instanceof Decision.WriteOutputs w) {
                if (setup.labelRule() != null && w.outputs().unlabelled() > 0) {
                    log.warn("{} rows this run wrote have no label: {} did not match their names, or its first group"
                            + " took no part in the match or captured nothing. They are kept, unlabelled (orchard classify leaves them out);"
                            + " try the regex on a few of the paths in pca.csv",
                            w.outputs().unlabelled(), setup.labelRule());
                }
                WorkState.Snapshot last = state.snapshot(now());
                timeline.end(now() / 1000.0, last.imagesDone(), last.errors());
                JobOutputs.Report report = new JobOutputs.Report(report(w.outputs()),
                        pca == null ? null : pca.model().explainedVarianceRatio(), timeline.samples());
                boolean projected = pca != null;
                pipe(() -> {
                    List<String> made = madeBy();
                    if (!made.isEmpty()) {
                        // What _SUCCESS lists, also where the record lacks it (a write that failed or landed late).
                        writeBuilds(made, org.slf4j.LoggerFactory.getLogger(Coordinator.class));
                    }
                    setup.outputs().writeFinal(w.outputs().parts(), projected, w.outputs().errors(),
                            w.outputs().contents(), report);
                    // After _SUCCESS (until then no other coordinator may start on this output); the job is done,
                    // and a failed release no longer ends it as failed (a reviewer).
                    releaseOrWarn("The job is finished (_SUCCESS is written), but: ");
                    return null;
                }, (ok, failure) -> new OutputsWritten(failure));
            } else if (d instanceof Decision.Progress p) {
                setup.listener().listed(p.listed(), p.listingComplete());
                setup.listener().progress(p.imagesDone(), p.imagesBefore(), p.errors());
            } else if (d instanceof Decision.StageStarted s) {
                // The units' figures with the new phase, not up to a tick later ("solving PCA" beside units still
                // PENDING and RUNNING in /status.json: an observability walk).
                setup.listener().status(state.snapshot(now()));
                setup.listener().phase(s.description());
            } else if (d instanceof Decision.Warn w) {
                log.warn(w.text());
            } else if (d instanceof Decision.Note n) {
                log.info(n.text());
            } else if (d instanceof Decision.Finished f) {
                setup.listener().finished(summary(f.outputs()));
                return Behaviors.stopped();
            } else if (d instanceof Decision.Failed f) {
                setup.listener().failed(f.badInput() ? new IllegalArgumentException(f.reason())
                                                     : new IllegalStateException(f.reason()));
                return Behaviors.stopped();
            }
        }
        releaseListingPermits();
        settleIfStopping();
        if (state.stage() == behaviourStage) {
            return Behaviors.same();
        }
        behaviourStage = state.stage();
        if (state.stage() != WorkState.Stage.FEATURES) {
            Build.prefetch(); // for the report (Versions), once the lanes are done (a solve leaves a core idle)
        }
        return switch (state.stage()) {
            case FEATURES -> features();
            case SOLVING -> solving();
            case PUBLISHING -> publishing();
            case WRITING -> writingOutputs();
            case FINISHED, FAILED -> Behaviors.stopped();
        };
    }

    private void tell(String worker, WorkerCommand message) {
        ActorRef<WorkerCommand> ref = workers.get(worker);
        if (ref != null) {
            ref.tell(message);
        }
    }

    /** The lister waits while the journal has more than a few groups of units to write. */
    private void releaseListingPermits() {
        while (heldPermits > 0 && state.planBacklog() < 2) {
            heldPermits--;
            listingPermits.release();
        }
    }

    /**
     * Lists on its own thread (a listing of millions of keys takes minutes), in batches of a few units, each
     * handed to WorkState, which plans and journals them; dispatch starts with the first unit.
     */
    private void startListing(String after) {
        ActorRef<CoordinatorCommand> self = context.getSelf();
        lister = new Thread(() -> {
            long count = 0;
            long t0 = System.nanoTime();
            ListedBatches batches = new ListedBatches(self);
            try (var stream = setup.images().list(after, batches::skip)) {
                for (var it = stream.iterator(); it.hasNext() && !stopped.get(); ) {
                    batches.add(it.next());
                    count++;
                }
                batches.flush();
                self.tell(new ListingEnded(count, System.nanoTime() - t0, null, null));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt(); // the coordinator stopped
            } catch (Exception | Error e) {
                self.tell(new ListingEnded(count, System.nanoTime() - t0, e, null));
            }
        }, "orchard-lister");
        lister.setDaemon(true);
        lister.start();
    }

    /**
     * An update's lister: lists the whole input, compares it with generation {@code baseGeneration}'s inventory and
     * hands on only the images to compute (after {@code after}, where a resumed listing continues); at the end,
     * writes the rows each base part loses to its retired file, then tells WorkState.
     */
    private void startUpdateListing(int baseGeneration, String after, Set<String> plannedBefore) {
        ActorRef<CoordinatorCommand> self = context.getSelf();
        var layout = setup.outputs().layout();
        int generation = setup.outputs().generation();
        lister = new Thread(() -> {
            long[] count = {0};
            long t0 = System.nanoTime();
            ListedBatches batches = new ListedBatches(self);
            try {
                UpdateComparison comparison;
                // The listing runs ahead while the base inventory is read into the index it is compared with.
                try (ListingAhead listing = setup.images().listAhead()) {
                    try (InventoryFile.Reader base = InventoryFile.read(setup.store(), layout.inventory(baseGeneration))) {
                        comparison = new UpdateComparison(base, plannedBefore, setup.images().after(after));
                    }
                    listing.drainTo(new ListingAhead.Receiver() {
                        @Override
                        public void image(ImageRef image) throws InterruptedException {
                            if (comparison.compare(image)) {
                                batches.add(image);
                                count[0]++;
                            }
                        }

                        @Override
                        public void skipped(ImageError error) {
                            comparison.notListed(error.path());
                            batches.skip(error); // WorkState drops those recorded before, or at a planned image
                        }

                        @Override
                        public boolean stopped() {
                            return stopped.get();
                        }
                    });
                    batches.flush();
                }
                if (stopped.get()) {
                    return;
                }
                java.util.Map<Integer, List<String>> retired = new java.util.TreeMap<>();
                UpdateComparison.Result result;
                try (InventoryFile.Reader base = InventoryFile.read(setup.store(), layout.inventory(baseGeneration))) {
                    result = comparison.finish(base, (part, path) -> retired.computeIfAbsent(part, p -> new ArrayList<>())
                            .add(path));
                }
                for (var e : retired.entrySet()) {
                    dev.orchard.store.RetiredPaths.write(setup.store(), layout.retired(generation, e.getKey()), e.getValue());
                }
                self.tell(new ListingEnded(count[0], System.nanoTime() - t0, null, result));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt(); // the coordinator stopped
            } catch (Exception | Error e) {
                self.tell(new ListingEnded(count[0], System.nanoTime() - t0, e, null));
            }
        }, "orchard-lister");
        lister.setDaemon(true);
        lister.start();
    }

    /** Every image a journal planned (an update's resumed listing keeps those decisions). */
    private static Set<String> plannedPaths(JournalEntry.State journal) {
        Set<String> paths = new java.util.HashSet<>();
        for (JournalEntry.PlanGroup g : journal.groups()) {
            for (JournalEntry.PlannedUnit u : g.units()) {
                u.images().forEach(i -> paths.add(i.path()));
            }
        }
        return paths;
    }

    /**
     * A lister's hand-over to this actor: images in batches of a few units, each with what could not be listed
     * since the last one, a batch sent only once a listing permit is free (so listing never runs far ahead of
     * planning). Used by the lister thread alone.
     */
    private final class ListedBatches {
        private final ActorRef<CoordinatorCommand> self;
        private final int size = Math.max(1, setup.settings().unitSize() * 8);
        private final List<ImageError> skipped = new ArrayList<>();
        /**
         * The first batch is one unit: the workers start as soon as one unit is listed, not eight (2,048 images at
         * the default unit size put 0.6 s of listing between start-up and the first batch).
         */
        private int next = Math.max(1, setup.settings().unitSize());
        private List<ImageRef> batch = new ArrayList<>(next);

        ListedBatches(ActorRef<CoordinatorCommand> self) {
            this.self = self;
        }

        void skip(ImageError error) {
            skipped.add(error);
        }

        void add(ImageRef image) throws InterruptedException {
            batch.add(image);
            if (batch.size() == next) {
                send();
                next = size;
            }
        }

        /** The last, partial batch, and what was skipped after the last full one. */
        void flush() throws InterruptedException {
            if (!batch.isEmpty() || !skipped.isEmpty()) {
                send();
            }
        }

        private void send() throws InterruptedException {
            listingPermits.acquire();
            self.tell(new Listed(batch, List.copyOf(skipped)));
            skipped.clear();
            batch = new ArrayList<>(size);
        }
    }

    /** Runs blocking I/O on the I/O dispatcher and sends its outcome back here; nothing runs once this actor stopped. */
    private <T> CompletableFuture<java.util.Optional<T>> pipe(IoCall<T> call,
                                                             java.util.function.BiFunction<T, Throwable, CoordinatorCommand> result) {
        // Optional, never null: a result that reaches a stopped actor becomes a dead letter, and Pekko cannot log a
        // null one.
        CompletableFuture<java.util.Optional<T>> future = CompletableFuture.supplyAsync(() -> {
            if (stopped.get()) {
                throw new CompletionException(new IllegalStateException("the coordinator stopped"));
            }
            try {
                return java.util.Optional.ofNullable(call.run());
            } catch (Exception e) {
                throw new CompletionException(e);
            }
        }, io);
        // A write refused because another coordinator took the output over ends this one, whatever the write was.
        context.pipeToSelf(future, (value, failure) -> failure != null && cause(failure) instanceof OutputLease.Lost
                ? new LeaseRenewed(failure) : result.apply(value == null ? null : value.orElse(null), failure));
        return future;
    }

    private void bestEffort(IoAction action) {
        CompletableFuture.runAsync(() -> {
            if (!stopped.get()) {
                try {
                    action.run();
                } catch (Exception e) {
                    // leftovers below _orchard/attempts/ go with the whole folder at the end
                }
            }
        }, io);
    }

    @FunctionalInterface
    private interface IoCall<T> {
        T run() throws Exception;
    }

    @FunctionalInterface
    private interface IoAction {
        void run() throws Exception;
    }

    // ---------------------------------------------------------------- the report

    private Map<String, Object> report(Decision.Outputs o) {
        JobDescription job = setup.job();
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("job", job.jobId());
        report.put("output", job.output());
        report.put("generation", o.contents().generation());
        report.put("counts", Map.of("images", o.images(), "featurised", featurised(o), "rows", o.rows(),
                "unlabelled", o.unlabelled(), "errors", o.errors().size(), "units", o.units(), "parts", o.parts()));
        if (o.contents().isUpdate()) {
            var u = o.contents().counts();
            Map<String, Object> update = new LinkedHashMap<>();
            update.put("from", o.contents().baseGeneration());
            update.put("added", u.added());
            update.put("changed", u.changed());
            update.put("removed", u.removed());
            update.put("unchanged", u.unchanged());
            update.put("retried", u.retried());
            update.put("keptUnlisted", u.keptUnlisted());
            report.put("update", update);
        }
        report.put("model", Map.of("location", job.model(), "sha256", job.modelSha256(), "spec", job.spec().name(),
                "featureTensor", job.spec().featureTensor(), "preprocessing", job.spec().preprocessing()));
        if (job.srpDim() > 0) {
            report.put("sparseRandomProjection", Map.of("dim", job.srpDim(), "seed", job.srpSeed()));
        }
        if (pca != null) {
            report.put("pca", Map.of("k", pca.model().k(), "dim", pca.model().dim(), "explainedVariance", explained(),
                    "sha256", pca.sha256()));
        }
        Map<String, Object> timings = new LinkedHashMap<>(o.stageSeconds());
        timings.put("total", seconds(System.nanoTime() - startedNanos));
        report.put("seconds", timings);
        var stages = o.stages();
        report.put("stageSeconds", Map.of("list", seconds(listNanos), "read", seconds(stages.read()), "decode", seconds(stages.decode()),
                "preprocess", seconds(stages.preprocess()), "infer", seconds(stages.infer()),
                "statistics", seconds(stages.statistics()), "write", seconds(stages.write())));
        report.put("bytesRead", o.bytesRead());
        Map<String, Object> shares = new LinkedHashMap<>();
        o.workers().forEach((id, share) -> shares.put(id, Map.of("host", share.host(), "assigned", share.assigned(),
                "won", share.won(), "images", share.images())));
        report.put("workers", shares);
        report.putAll(setup.reportFacts());
        Map<String, Object> versions = new LinkedHashMap<>(Versions.all());
        List<String> made = madeBy();
        if (!made.isEmpty()) {
            versions.put("builds", made); // every build whose results the output holds (JobBuilds)
        }
        report.put("versions", versions);
        return report;
    }

    private JobSummary summary(Decision.Outputs o) {
        return new JobSummary(setup.job().output(), o.images(), featurised(o), o.rows(), o.errors().size(),
                seconds(System.nanoTime() - startedNanos), pca == null ? 0 : pca.model().k(), pca == null ? 0 : explained());
    }

    /** The images this coordinator's workers read and featurised (the rest were kept: resumed, or an update's). */
    private static long featurised(Decision.Outputs o) {
        return o.workers().values().stream().mapToLong(Decision.WorkerShare::images).sum();
    }

    private double explained() {
        double sum = 0;
        for (double r : pca.model().explainedVarianceRatio()) {
            sum += r;
        }
        return sum;
    }

    private long now() {
        return (System.nanoTime() - startedNanos) / 1_000_000;
    }

    private static double seconds(long nanos) {
        return Math.round(nanos / 1e6) / 1e3;
    }

    private static Throwable cause(Throwable t) {
        return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    }

    private static long newEpoch() {
        long e = 0;
        SecureRandom random = new SecureRandom();
        while (e == 0) {
            e = random.nextLong();
        }
        return e;
    }
}
