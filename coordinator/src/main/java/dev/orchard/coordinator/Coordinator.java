package dev.orchard.coordinator;

import dev.orchard.coordinator.JobJournal.Commit;
import dev.orchard.coordinator.JobJournal.PlannedUnit;
import dev.orchard.coordinator.JobJournal.UnitRecord;
import dev.orchard.coordinator.outputs.JobOutputs;
import dev.orchard.protocol.CoordinatorCommand;
import dev.orchard.protocol.CoordinatorCommand.RequestWork;
import dev.orchard.protocol.CoordinatorCommand.StatisticsCommitted;
import dev.orchard.protocol.CoordinatorCommand.UnitFailed;
import dev.orchard.protocol.CoordinatorCommand.UnitFinished;
import dev.orchard.protocol.ImageError;
import dev.orchard.protocol.ImageRef;
import dev.orchard.protocol.JobDescription;
import dev.orchard.protocol.Phase;
import dev.orchard.protocol.ServiceKeys;
import dev.orchard.protocol.UnitReport;
import dev.orchard.protocol.WorkUnit;
import dev.orchard.protocol.WorkerCommand;
import dev.orchard.stats.PcaModel;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.actor.typed.receptionist.Receptionist;

/**
 * The work manager (one per cluster, as a singleton). It lists the input into units while already handing them
 * out, answers each worker's pull with one unit, decides which attempt of a unit counts (the first to finish),
 * and marks a unit done only when the worker reports its statistics durably written and the coordinator has
 * journalled that (see {@link JobJournal}). When every unit is done it solves the PCA, hands out the projection
 * units, and writes the job's final files.
 * <p>A unit held by a worker that leaves, or that runs past {@code unitTimeout}, is handed out again; near the
 * tail, an idle worker gets a speculative copy of the slowest unit. Whichever attempt finishes first wins; the
 * others' results are dropped, so no image is counted twice.
 */
public final class Coordinator extends AbstractBehavior<CoordinatorCommand> {

    /**
     * @param unitSize    images per unit
     * @param maxAttempts failed attempts of one unit before the job fails
     * @param unitTimeout a unit running longer is handed out again (the first finished attempt still wins)
     * @param resume      continue from the journal under {@code _orchard/} if there is one
     * @param pca         solve and apply the PCA after the features (off: the job ends with the features)
     */
    public record Settings(int unitSize, int pcaK, int maxAttempts, Duration unitTimeout, boolean resume, boolean pca) {
        public Settings(int unitSize, int pcaK, int maxAttempts) {
            this(unitSize, pcaK, maxAttempts, Duration.ofMinutes(10), false, true);
        }

        public Settings(int unitSize, int pcaK, int maxAttempts, Duration unitTimeout, boolean resume) {
            this(unitSize, pcaK, maxAttempts, unitTimeout, resume, true);
        }
    }

    private record UnitsPlanned(List<List<ImageRef>> units) implements CoordinatorCommand {
    }

    private record ListingFinished(long images, long nanos, Throwable failure) implements CoordinatorCommand {
    }

    private record Resumed(JobJournal.State state, Throwable failure) implements CoordinatorCommand {
    }

    private record CommitJournalled(StatisticsCommitted commit, Throwable failure) implements CoordinatorCommand {
    }

    private record PcaSolved(PcaModel model, Throwable failure) implements CoordinatorCommand {
    }

    private record OutputsWritten(Throwable failure) implements CoordinatorCommand {
    }

    private record WorkerGone(String workerId) implements CoordinatorCommand {
    }

    private enum Tick implements CoordinatorCommand { INSTANCE }

    /** ACCEPTED: rows written, statistics in the worker; COMMITTING: statistics file written, being journalled. */
    private enum Status { PENDING, RUNNING, ACCEPTED, COMMITTING, DONE }

    /** A live attempt of a unit: who runs it and since when. */
    private record Attempt(String worker, long startedNanos) {
    }

    /**
     * Attempt numbers start at a random point for each coordinator incarnation, so a result a worker reports for
     * an attempt of a previous incarnation can never pass for one of this incarnation.
     */
    private final int firstAttempt = 1 + new java.security.SecureRandom().nextInt(1 << 30);

    /** One unit: RUNNING units have live attempts; ACCEPTED = rows written by {@code owner}, statistics not yet. */
    private static final class UnitState {
        final PackedImages images;
        Status status = Status.PENDING;
        int lastAttempt;
        int failures;
        final Map<Integer, Attempt> live = new HashMap<>();
        String owner;
        UnitReport report;

        UnitState(PackedImages images, int firstAttempt) {
            this.images = images;
            this.lastAttempt = firstAttempt;
        }
    }

    private final ActorContext<CoordinatorCommand> context;
    private final JobDescription job;
    private final JobOutputs outputs;
    private final JobJournal journal;
    private final Settings settings;
    private final JobListener listener;
    private final List<UnitState> units = new ArrayList<>();
    private final PackedImages.Labels labels = new PackedImages.Labels();
    private final Deque<Integer> pending = new ArrayDeque<>();
    private final Deque<RequestWork> idle = new ArrayDeque<>();
    private final Map<String, ActorRef<WorkerCommand>> workers = new HashMap<>();
    private final Set<String> askedToCommit = new HashSet<>();
    private final List<String> statisticsFiles = new ArrayList<>();
    private final Map<String, Double> phaseSeconds = new LinkedHashMap<>();
    private final List<Long> unitNanos = new ArrayList<>();
    private final long started = System.nanoTime();
    private long phaseStarted = started;
    private Phase phase = Phase.FEATURES;
    private boolean listingDone;
    private long listNanos; // the lister thread's time: listing, planning and journalling the plan
    private boolean solving;
    private boolean finishing;
    private long listed;
    private long imagesDone;
    private long errorsSoFar;
    private JobDescription projectJob;
    private PcaModel pca;
    private volatile int listingErrors; // issue 12: what the listing could not list, counted in errors.csv (set by writeOutputs)

    public static Behavior<CoordinatorCommand> create(JobDescription job, Supplier<Stream<ImageRef>> images,
                                                      JobOutputs outputs, JobJournal journal, Settings settings,
                                                      JobListener listener) {
        return Behaviors.setup(context -> Behaviors.withTimers(timers ->
                new Coordinator(context, timers, job, images, outputs, journal, settings, listener)));
    }

    private Coordinator(ActorContext<CoordinatorCommand> context, TimerScheduler<CoordinatorCommand> timers,
                        JobDescription job, Supplier<Stream<ImageRef>> images, JobOutputs outputs, JobJournal journal,
                        Settings settings, JobListener listener) {
        super(context);
        this.context = context;
        this.job = job;
        this.outputs = outputs;
        this.journal = journal;
        this.settings = settings;
        this.listener = listener;
        context.getSystem().receptionist().tell(Receptionist.register(ServiceKeys.COORDINATOR, context.getSelf()));
        timers.startTimerWithFixedDelay(Tick.INSTANCE, Duration.ofSeconds(2));
        if (settings.resume()) {
            context.pipeToSelf(CompletableFuture.supplyAsync(() -> {
                try {
                    return journal.read();
                } catch (Exception e) {
                    throw new CompletionException(e);
                }
            }), Resumed::new);
            pendingImages = images;
        } else {
            startListing(images, 0, 0);
        }
        listener.phase("listing and extracting features");
    }

    private Supplier<Stream<ImageRef>> pendingImages;

    /**
     * Lists on its own thread, journals each group of units, then sends them here, so dispatch starts with the
     * first unit and a restarted coordinator sees exactly the units that were handed out. {@code skip} images
     * (already planned before a restart) are passed over; the listing order is stable (key order).
     */
    private void startListing(Supplier<Stream<ImageRef>> images, long skip, int firstUnit) {
        ActorRef<CoordinatorCommand> self = context.getSelf();
        int unitSize = settings.unitSize();
        Thread lister = new Thread(() -> {
            long t0 = System.nanoTime();
            long count = 0;
            int nextUnit = firstUnit;
            int group = firstUnit;
            try (Stream<ImageRef> stream = images.get()) {
                List<List<ImageRef>> batch = new ArrayList<>();
                List<ImageRef> unit = new ArrayList<>(unitSize);
                for (Iterator<ImageRef> it = stream.iterator(); it.hasNext(); ) {
                    ImageRef image = it.next();
                    if (count++ < skip) {
                        continue;
                    }
                    unit.add(image);
                    if (unit.size() == unitSize) {
                        batch.add(unit);
                        unit = new ArrayList<>(unitSize);
                        if (batch.size() == 8) {
                            nextUnit = publish(self, batch, nextUnit, group++);
                            batch = new ArrayList<>();
                        }
                    }
                }
                if (!unit.isEmpty()) {
                    batch.add(unit);
                }
                if (!batch.isEmpty()) {
                    nextUnit = publish(self, batch, nextUnit, group);
                }
                journal.writePlanComplete(new JobJournal.PlanComplete(nextUnit, count));
                self.tell(new ListingFinished(count, System.nanoTime() - t0, null));
            } catch (Exception e) {
                self.tell(new ListingFinished(count, System.nanoTime() - t0, e));
            }
        }, "orchard-lister");
        lister.setDaemon(true);
        lister.start();
    }

    private int publish(ActorRef<CoordinatorCommand> self, List<List<ImageRef>> batch, int firstId, int group)
            throws java.io.IOException {
        List<PlannedUnit> planned = new ArrayList<>();
        for (int i = 0; i < batch.size(); i++) {
            planned.add(new PlannedUnit(firstId + i, batch.get(i)));
        }
        journal.writePlan(group, planned);
        self.tell(new UnitsPlanned(batch));
        return firstId + batch.size();
    }

    @Override
    public Receive<CoordinatorCommand> createReceive() {
        return newReceiveBuilder()
                .onMessage(Resumed.class, this::onResumed)
                .onMessage(UnitsPlanned.class, this::onUnitsPlanned)
                .onMessage(ListingFinished.class, this::onListingFinished)
                .onMessage(RequestWork.class, this::onRequestWork)
                .onMessage(UnitFinished.class, this::onUnitFinished)
                .onMessage(UnitFailed.class, this::onUnitFailed)
                .onMessage(StatisticsCommitted.class, this::onStatisticsCommitted)
                .onMessage(CommitJournalled.class, this::onCommitJournalled)
                .onMessage(WorkerGone.class, this::onWorkerGone)
                .onMessageEquals(Tick.INSTANCE, () -> onTick(Tick.INSTANCE))
                .onMessage(PcaSolved.class, this::onPcaSolved)
                .onMessage(OutputsWritten.class, this::onOutputsWritten)
                .build();
    }

    /** Rebuilds the units from the journal: committed ones are done, the others pending again. */
    private Behavior<CoordinatorCommand> onResumed(Resumed m) {
        if (m.failure() != null) {
            return fail(new IllegalStateException("Cannot read the job journal to resume: " + cause(m.failure()).getMessage(),
                    cause(m.failure())));
        }
        JobJournal.State state = m.state();
        for (PlannedUnit planned : state.units()) {
            units.add(new UnitState(PackedImages.pack(planned.images(), labels), firstAttempt));
            listed += planned.images().size();
        }
        for (Commit commit : state.commits()) {
            for (UnitRecord record : commit.units()) {
                UnitState unit = units.get(record.id());
                unit.status = Status.DONE;
                unit.report = record.report();
                imagesDone += record.rows() + record.errors().size();
                errorsSoFar += record.errors().size();
            }
            statisticsFiles.add(commit.statistics());
        }
        for (int id = 0; id < units.size(); id++) {
            if (units.get(id).status != Status.DONE) {
                pending.add(id);
            }
        }
        context.getLog().info("Resuming: {} units planned ({} done), listing {}", units.size(),
                units.size() - pending.size(), state.complete() != null ? "complete" : "to be continued");
        listener.listed(listed, state.complete() != null);
        listener.progress(imagesDone, errorsSoFar);
        if (state.complete() != null) {
            listingDone = true;
            listed = state.complete().images();
        } else {
            startListing(pendingImages, state.plannedImages(), units.size());
        }
        dispatch();
        afterProgress();
        return this;
    }

    private Behavior<CoordinatorCommand> onUnitsPlanned(UnitsPlanned m) {
        for (List<ImageRef> images : m.units()) {
            pending.add(units.size());
            units.add(new UnitState(PackedImages.pack(images, labels), firstAttempt));
            listed += images.size();
        }
        listener.listed(listed, false);
        dispatch();
        return this;
    }

    private Behavior<CoordinatorCommand> onListingFinished(ListingFinished m) {
        if (m.failure() != null) {
            return fail(new IllegalStateException("Listing the input failed after " + m.images() + " images: "
                    + m.failure().getMessage(), m.failure()));
        }
        if (m.images() == 0) {
            return fail(new IllegalArgumentException("No images found in the input (looked for the --glob patterns, "
                    + "skipping hidden files). Check --input and --glob."));
        }
        if (settings.pca() && settings.pcaK() > m.images()) {
            return fail(new IllegalArgumentException("--pca-k " + settings.pcaK() + " is larger than the number of images ("
                    + m.images() + "): choose k ≤ " + m.images()));
        }
        listingDone = true;
        listNanos += m.nanos();
        listed = m.images();
        listener.listed(listed, true);
        afterProgress();
        return this;
    }

    private Behavior<CoordinatorCommand> onRequestWork(RequestWork m) {
        if (!workers.containsKey(m.workerId())) {
            workers.put(m.workerId(), m.worker());
            context.watchWith(m.worker(), new WorkerGone(m.workerId()));
            context.getLog().info("Worker {} joined", m.workerId());
        }
        idle.add(m);
        dispatch();
        return this;
    }

    /** Pairs waiting pull requests with pending units; near the tail, with speculative copies of slow units. */
    private void dispatch() {
        while (!idle.isEmpty() && !pending.isEmpty()) {
            RequestWork request = idle.poll();
            if (!workers.containsKey(request.workerId())) {
                continue;
            }
            int id = pending.poll();
            Status status = units.get(id).status;
            if (status != Status.PENDING && status != Status.RUNNING) {
                idle.addFirst(request); // handed out again after a timeout, then its first attempt won: skip it
                continue;
            }
            assign(id, request);
        }
        if (!idle.isEmpty() && pending.isEmpty() && (listingDone || phase == Phase.PROJECT) && !unitNanos.isEmpty()) {
            speculate();
        }
    }

    private void assign(int id, RequestWork request) {
        UnitState unit = units.get(id);
        unit.status = Status.RUNNING;
        unit.lastAttempt++;
        unit.live.put(unit.lastAttempt, new Attempt(request.workerId(), System.nanoTime()));
        List<ImageRef> images = phase == Phase.FEATURES ? unit.images.unpack(labels) : List.of();
        JobDescription description = phase == Phase.FEATURES ? job : projectJob;
        request.worker().tell(new WorkerCommand.Assign(description, new WorkUnit(id, unit.lastAttempt, phase, images)));
    }

    /**
     * Gives idle workers a second attempt of the units running longest, once they run 1.5× longer than the
     * median finished unit: a straggling machine then does not hold the job at 99%.
     */
    private void speculate() {
        List<Long> sorted = new ArrayList<>(unitNanos);
        sorted.sort(null);
        long threshold = (long) (sorted.get(sorted.size() / 2) * 1.5);
        long now = System.nanoTime();
        while (!idle.isEmpty()) {
            int slowest = -1;
            long oldest = Long.MAX_VALUE;
            for (int id = 0; id < units.size(); id++) {
                UnitState unit = units.get(id);
                if (unit.status == Status.RUNNING && unit.live.size() == 1) {
                    long since = unit.live.values().iterator().next().startedNanos();
                    if (now - since > threshold && since < oldest) {
                        oldest = since;
                        slowest = id;
                    }
                }
            }
            if (slowest < 0) {
                return;
            }
            RequestWork request = idle.poll();
            UnitState unit = units.get(slowest);
            if (unit.live.values().stream().anyMatch(a -> a.worker().equals(request.workerId()))) {
                idle.addFirst(request);
                return;
            }
            context.getLog().info("Unit {} runs long: speculative copy to {}", slowest, request.workerId());
            assign(slowest, request);
        }
    }

    private Behavior<CoordinatorCommand> onUnitFinished(UnitFinished m) {
        UnitState unit = m.unitId() < units.size() ? units.get(m.unitId()) : null;
        Attempt attempt = unit != null && unit.status == Status.RUNNING ? unit.live.get(m.attempt()) : null;
        boolean wins = attempt != null;
        if (wins) {
            unitNanos.add(System.nanoTime() - attempt.startedNanos());
            unit.live.clear(); // other attempts of this unit now lose
        }
        if (phase == Phase.FEATURES) {
            // First finished attempt wins; any other result is dropped together with its statistics.
            m.worker().tell(new WorkerCommand.Verdict(m.unitId(), m.attempt(), wins));
            if (wins) {
                unit.status = Status.ACCEPTED;
                unit.owner = m.workerId();
                unit.report = m.report();
                imagesDone += m.report().rows() + m.report().errors().size();
                errorsSoFar += m.report().errors().size();
                listener.progress(imagesDone, errorsSoFar);
            }
        } else if (wins) {
            unit.status = Status.DONE;
        }
        afterProgress();
        return this;
    }

    private Behavior<CoordinatorCommand> onUnitFailed(UnitFailed m) {
        UnitState unit = m.unitId() < units.size() ? units.get(m.unitId()) : null;
        if (unit == null) {
            return this;
        }
        boolean liveAttempt = unit.status == Status.RUNNING && unit.live.containsKey(m.attempt());
        boolean lostStatistics = unit.status == Status.ACCEPTED && m.attempt() < 0 && m.workerId().equals(unit.owner);
        if (!liveAttempt && !lostStatistics) {
            return this;
        }
        context.getLog().warn("Unit {} failed on {}: {}", m.unitId(), m.workerId(), m.reason());
        unit.live.remove(m.attempt());
        if (++unit.failures >= settings.maxAttempts()) {
            return fail(new IllegalStateException("Unit " + m.unitId() + " failed " + unit.failures
                    + " times; last reason: " + m.reason()));
        }
        if (unit.live.isEmpty()) {
            requeue(m.unitId());
        }
        dispatch();
        return this;
    }

    private Behavior<CoordinatorCommand> onStatisticsCommitted(StatisticsCommitted m) {
        askedToCommit.remove(m.workerId());
        List<Integer> ids = m.unitIds();
        boolean whole = ids.stream().allMatch(id -> id < units.size()
                && units.get(id).status == Status.ACCEPTED && m.workerId().equals(units.get(id).owner));
        if (!whole) {
            // Some unit of this file was meanwhile given to another worker: the file cannot be used as a whole.
            context.getLog().warn("Ignoring statistics {}: it holds units no longer owned by {}", m.partial(), m.workerId());
            for (int id : ids) {
                if (id < units.size() && units.get(id).status == Status.ACCEPTED && m.workerId().equals(units.get(id).owner)) {
                    requeue(id);
                }
            }
            dispatch();
            return this;
        }
        if (ids.isEmpty()) {
            afterProgress(); // the worker had nothing to write; ask again if it still owns accepted units
            return this;
        }
        ids.forEach(id -> units.get(id).status = Status.COMMITTING);
        // Journal first, then count: a coordinator that dies in between re-runs these units, never double counts.
        List<UnitRecord> records = new ArrayList<>();
        for (int id : ids) {
            UnitReport r = units.get(id).report;
            records.add(new UnitRecord(id, r.rows(), r.bytesRead(), r.errors(), r.stages()));
        }
        Commit commit = new Commit(m.partial(), records);
        context.pipeToSelf(CompletableFuture.runAsync(() -> {
            try {
                journal.writeCommit(commit);
            } catch (Exception e) {
                throw new CompletionException(e);
            }
        }), (ok, failure) -> new CommitJournalled(m, failure));
        return this;
    }

    private Behavior<CoordinatorCommand> onCommitJournalled(CommitJournalled m) {
        if (m.failure() != null) {
            return fail(new IllegalStateException("Cannot write the job journal: " + cause(m.failure()).getMessage(),
                    cause(m.failure())));
        }
        for (int id : m.commit().unitIds()) {
            units.get(id).status = Status.DONE;
        }
        statisticsFiles.add(m.commit().partial());
        afterProgress();
        return this;
    }

    private Behavior<CoordinatorCommand> onWorkerGone(WorkerGone m) {
        workers.remove(m.workerId());
        askedToCommit.remove(m.workerId());
        idle.removeIf(r -> r.workerId().equals(m.workerId()));
        for (int id = 0; id < units.size(); id++) {
            UnitState unit = units.get(id);
            if (unit.status == Status.RUNNING) {
                unit.live.values().removeIf(a -> a.worker().equals(m.workerId()));
                if (unit.live.isEmpty()) {
                    requeue(id);
                }
            } else if (unit.status == Status.ACCEPTED && m.workerId().equals(unit.owner)) {
                requeue(id); // its statistics were in the lost worker's memory
            }
        }
        context.getLog().info("Worker {} left; its unfinished units are queued again", m.workerId());
        dispatch();
        afterProgress();
        return this;
    }

    /** Hands out again the units whose every attempt runs past the timeout (a stalled worker). */
    private Behavior<CoordinatorCommand> onTick(Tick tick) {
        long limit = settings.unitTimeout().toNanos();
        long now = System.nanoTime();
        for (int id = 0; id < units.size(); id++) {
            UnitState unit = units.get(id);
            // The linear pending.contains() last: only for the rare unit that has timed out.
            if (unit.status == Status.RUNNING && !unit.live.isEmpty()
                    && unit.live.values().stream().allMatch(a -> now - a.startedNanos() > limit)
                    && !pending.contains(id)) {
                // A unit that hangs every worker (an image that stalls the decoder, say) must end the job, not
                // hold a lane each time forever: a timeout counts as a failed attempt.
                if (++unit.failures >= settings.maxAttempts()) {
                    return fail(new IllegalStateException("Unit " + id + " ran over the unit timeout ("
                            + settings.unitTimeout() + ") or failed " + unit.failures + " times: check its images,"
                            + " or raise --unit-timeout"));
                }
                context.getLog().warn("Unit {} has run over {}: handing it out again", id, settings.unitTimeout());
                pending.addFirst(id); // the running attempts stay live: whichever finishes first wins
            }
        }
        dispatch();
        return this;
    }

    private void requeue(int id) {
        UnitState unit = units.get(id);
        if (unit.status == Status.ACCEPTED && phase == Phase.FEATURES) {
            imagesDone -= unit.report.rows() + unit.report.errors().size();
            errorsSoFar -= unit.report.errors().size();
            listener.progress(imagesDone, errorsSoFar);
        }
        unit.status = Status.PENDING;
        unit.owner = null;
        unit.live.clear();
        if (!pending.contains(id)) {
            pending.addFirst(id);
        }
    }

    /** Moves the job on when a phase has nothing left to do. */
    private void afterProgress() {
        if (!listingDone || !pending.isEmpty() || units.stream().anyMatch(u -> u.status == Status.RUNNING)) {
            return;
        }
        if (phase == Phase.FEATURES) {
            boolean waiting = false;
            for (UnitState unit : units) {
                waiting |= unit.status == Status.COMMITTING;
                if (unit.status == Status.ACCEPTED) {
                    waiting = true;
                    if (askedToCommit.add(unit.owner)) {
                        ActorRef<WorkerCommand> worker = workers.get(unit.owner);
                        if (worker != null) {
                            worker.tell(new WorkerCommand.CommitStatistics());
                        }
                    }
                }
            }
            if (!waiting && !solving) {
                if (settings.pca()) {
                    solve();
                } else {
                    solving = true;
                    finish("features");
                }
            }
        } else {
            finish("project");
        }
    }

    private void finish(String lastPhase) {
        if (finishing) {
            return;
        }
        finishing = true;
        endPhase(lastPhase);
        listener.phase("writing outputs");
        context.pipeToSelf(CompletableFuture.runAsync(this::writeOutputs), (ok, failure) -> new OutputsWritten(failure));
    }

    private void solve() {
        solving = true;
        endPhase("features");
        listener.phase("solving PCA");
        BitSet expected = new BitSet();
        expected.set(0, units.size()); // every unit, even one whose images were all bad, is in one file
        List<String> files = List.copyOf(statisticsFiles);
        context.pipeToSelf(CompletableFuture.supplyAsync(() -> {
            try {
                return outputs.solvePca(files, expected, settings.pcaK());
            } catch (Exception e) {
                throw new CompletionException(e);
            }
        }), PcaSolved::new);
    }

    private Behavior<CoordinatorCommand> onPcaSolved(PcaSolved m) {
        if (m.failure() != null) {
            return fail(cause(m.failure()));
        }
        endPhase("solve");
        pca = m.model();
        projectJob = job.withPcaModel(outputs.pcaModelLocation().toString());
        phase = Phase.PROJECT;
        unitNanos.clear();
        listener.phase("projecting onto " + pca.k() + " components");
        for (int id = 0; id < units.size(); id++) {
            UnitState unit = units.get(id);
            if (unit.report.rows() > 0) {
                unit.status = Status.PENDING;
                unit.owner = null;
                pending.add(id);
            }
        }
        dispatch();
        afterProgress();
        return this;
    }

    private void writeOutputs() {
        try {
            List<Integer> parts = new ArrayList<>();
            List<ImageError> errors = new ArrayList<>();
            for (int id = 0; id < units.size(); id++) {
                UnitState unit = units.get(id);
                errors.addAll(unit.report.errors());
                if (unit.report.rows() > 0) {
                    parts.add(id);
                }
            }
            if (pca != null) {
                outputs.writePcaCsv(parts);
            }
            // issue 12: listing problems (unreadable folders, links not followed) go to errors.csv too.
            List<ImageError> listing = outputs.listingErrors();
            listingErrors = listing.size();
            errors.addAll(listing);
            outputs.writeErrors(errors);
            endPhase("finish");
            outputs.writeSuccess(report(errors.size()));
        } catch (Exception e) {
            throw new CompletionException(e);
        }
    }

    private Map<String, Object> report(int errors) {
        long rows = units.stream().mapToLong(u -> u.report.rows()).sum();
        UnitReport.StageNanos stages = units.stream().map(u -> u.report.stages())
                .reduce(UnitReport.StageNanos.ZERO, UnitReport.StageNanos::plus);
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("job", job.jobId());
        report.put("output", job.output());
        report.put("counts", Map.of("images", listed, "rows", rows, "errors", errors, "units", units.size()));
        report.put("model", Map.of("location", job.model(), "sha256", job.modelSha256(), "spec", job.spec().name(),
                "featureTensor", job.spec().featureTensor()));
        if (job.srpDim() > 0) {
            report.put("sparseRandomProjection", Map.of("dim", job.srpDim(), "seed", job.srpSeed()));
        }
        if (pca != null) {
            report.put("pca", Map.of("k", pca.k(), "dim", pca.dim(), "explainedVariance", explained()));
        }
        Map<String, Object> timings = new LinkedHashMap<>(phaseSeconds);
        timings.put("total", seconds(System.nanoTime() - started));
        report.put("seconds", timings);
        report.put("stageSeconds", Map.of("list", seconds(listNanos), "read", seconds(stages.read()),
                "decode", seconds(stages.decode()),
                "preprocess", seconds(stages.preprocess()), "infer", seconds(stages.infer()),
                "statistics", seconds(stages.statistics()), "write", seconds(stages.write())));
        report.put("bytesRead", units.stream().mapToLong(u -> u.report.bytesRead()).sum());
        report.put("versions", Versions.all());
        return report;
    }

    private double explained() {
        double sum = 0;
        for (double r : pca.explainedVarianceRatio()) {
            sum += r;
        }
        return sum;
    }

    private Behavior<CoordinatorCommand> onOutputsWritten(OutputsWritten m) {
        if (m.failure() != null) {
            return fail(cause(m.failure()));
        }
        workers.values().forEach(w -> w.tell(new WorkerCommand.JobFinished()));
        long rows = units.stream().mapToLong(u -> u.report.rows()).sum();
        long errors = units.stream().mapToLong(u -> u.report.errors().size()).sum() + listingErrors; // issue 12
        listener.finished(new JobSummary(job.output(), listed, rows, errors, seconds(System.nanoTime() - started),
                pca == null ? 0 : pca.k(), pca == null ? 0 : explained()));
        return Behaviors.stopped();
    }

    private Behavior<CoordinatorCommand> fail(Throwable cause) {
        workers.values().forEach(w -> w.tell(new WorkerCommand.JobFinished()));
        listener.failed(cause);
        return Behaviors.stopped();
    }

    private static Throwable cause(Throwable t) {
        return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    }

    private void endPhase(String name) {
        long now = System.nanoTime();
        phaseSeconds.put(name, seconds(now - phaseStarted));
        phaseStarted = now;
    }

    private static double seconds(long nanos) {
        return Math.round(nanos / 1e6) / 1e3;
    }
}
