package dev.orchard.coordinator;

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
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.receptionist.Receptionist;

/**
 * The work manager (one per cluster, as a singleton). It lists the input into units while already handing them
 * out, answers each worker's pull with one unit, decides which attempt of a unit counts (the first to finish),
 * and marks a unit done only when the worker reports its statistics durably written. When every unit is done it
 * solves the PCA, hands out the projection units, and writes the job's final files.
 */
public final class Coordinator extends AbstractBehavior<CoordinatorCommand> {

    /** @param unitSize images per unit; @param maxAttempts attempts of one unit before the job fails */
    public record Settings(int unitSize, int pcaK, int maxAttempts) {
    }

    private record UnitsPlanned(List<List<ImageRef>> units) implements CoordinatorCommand {
    }

    private record ListingFinished(long images, Throwable failure) implements CoordinatorCommand {
    }

    private record PcaSolved(PcaModel model, Throwable failure) implements CoordinatorCommand {
    }

    private record OutputsWritten(Throwable failure) implements CoordinatorCommand {
    }

    private record WorkerGone(String workerId) implements CoordinatorCommand {
    }

    private enum Status { PENDING, RUNNING, ACCEPTED, DONE }

    /** One unit's state: RUNNING and ACCEPTED units have an owner; ACCEPTED means rows written, statistics not yet. */
    private static final class UnitState {
        final List<ImageRef> images;
        Status status = Status.PENDING;
        int attempt;
        int failures;
        String owner;
        UnitReport report;

        UnitState(List<ImageRef> images) {
            this.images = images;
        }
    }

    private final JobDescription job;
    private final JobOutputs outputs;
    private final Settings settings;
    private final JobListener listener;
    private final List<UnitState> units = new ArrayList<>();
    private final Deque<Integer> pending = new ArrayDeque<>();
    private final Deque<RequestWork> idle = new ArrayDeque<>();
    private final Map<String, ActorRef<WorkerCommand>> workers = new HashMap<>();
    private final Set<String> askedToCommit = new HashSet<>();
    private final List<String> statisticsFiles = new ArrayList<>();
    private final Map<String, Double> phaseSeconds = new LinkedHashMap<>();
    private final long started = System.nanoTime();
    private long phaseStarted = started;
    private Phase phase = Phase.FEATURES;
    private boolean listingDone;
    private boolean solving;
    private boolean finishing;
    private long listed;
    private long imagesDone;
    private long errorsSoFar;
    private JobDescription projectJob;
    private PcaModel pca;

    public static Behavior<CoordinatorCommand> create(JobDescription job, Supplier<Stream<ImageRef>> images,
                                                      JobOutputs outputs, Settings settings, JobListener listener) {
        return Behaviors.setup(context -> new Coordinator(context, job, images, outputs, settings, listener));
    }

    private Coordinator(ActorContext<CoordinatorCommand> context, JobDescription job, Supplier<Stream<ImageRef>> images,
                        JobOutputs outputs, Settings settings, JobListener listener) {
        super(context);
        this.job = job;
        this.outputs = outputs;
        this.settings = settings;
        this.listener = listener;
        context.getSystem().receptionist().tell(Receptionist.register(ServiceKeys.COORDINATOR, context.getSelf()));
        startListing(images);
        listener.phase("listing and extracting features");
    }

    /** Lists on its own thread and sends units here in small groups, so dispatch starts with the first unit. */
    private void startListing(Supplier<Stream<ImageRef>> images) {
        ActorRef<CoordinatorCommand> self = getContext().getSelf();
        Thread lister = new Thread(() -> {
            long count = 0;
            try (Stream<ImageRef> stream = images.get()) {
                List<List<ImageRef>> group = new ArrayList<>();
                List<ImageRef> unit = new ArrayList<>(settings.unitSize());
                for (Iterator<ImageRef> it = stream.iterator(); it.hasNext(); ) {
                    unit.add(it.next());
                    count++;
                    if (unit.size() == settings.unitSize()) {
                        group.add(unit);
                        unit = new ArrayList<>(settings.unitSize());
                        if (group.size() == 8) {
                            self.tell(new UnitsPlanned(group));
                            group = new ArrayList<>();
                        }
                    }
                }
                if (!unit.isEmpty()) {
                    group.add(unit);
                }
                if (!group.isEmpty()) {
                    self.tell(new UnitsPlanned(group));
                }
                self.tell(new ListingFinished(count, null));
            } catch (RuntimeException e) {
                self.tell(new ListingFinished(count, e));
            }
        }, "orchard-lister");
        lister.setDaemon(true);
        lister.start();
    }

    @Override
    public Receive<CoordinatorCommand> createReceive() {
        return newReceiveBuilder()
                .onMessage(UnitsPlanned.class, this::onUnitsPlanned)
                .onMessage(ListingFinished.class, this::onListingFinished)
                .onMessage(RequestWork.class, this::onRequestWork)
                .onMessage(UnitFinished.class, this::onUnitFinished)
                .onMessage(UnitFailed.class, this::onUnitFailed)
                .onMessage(StatisticsCommitted.class, this::onStatisticsCommitted)
                .onMessage(WorkerGone.class, this::onWorkerGone)
                .onMessage(PcaSolved.class, this::onPcaSolved)
                .onMessage(OutputsWritten.class, this::onOutputsWritten)
                .build();
    }

    private Behavior<CoordinatorCommand> onUnitsPlanned(UnitsPlanned m) {
        for (List<ImageRef> images : m.units()) {
            pending.add(units.size());
            units.add(new UnitState(List.copyOf(images)));
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
        if (settings.pcaK() > m.images()) {
            return fail(new IllegalArgumentException("--pca-k " + settings.pcaK() + " is larger than the number of images ("
                    + m.images() + "): choose k ≤ " + m.images()));
        }
        listingDone = true;
        listed = m.images();
        listener.listed(listed, true);
        afterProgress();
        return this;
    }

    private Behavior<CoordinatorCommand> onRequestWork(RequestWork m) {
        if (!workers.containsKey(m.workerId())) {
            workers.put(m.workerId(), m.worker());
            getContext().watchWith(m.worker(), new WorkerGone(m.workerId()));
        }
        idle.add(m);
        dispatch();
        return this;
    }

    /** Pairs waiting pull requests with pending units; a request stays parked until there is work. */
    private void dispatch() {
        while (!idle.isEmpty() && !pending.isEmpty()) {
            RequestWork request = idle.poll();
            int id = pending.poll();
            UnitState unit = units.get(id);
            unit.status = Status.RUNNING;
            unit.attempt++;
            unit.owner = request.workerId();
            List<ImageRef> images = phase == Phase.FEATURES ? unit.images : List.of();
            JobDescription description = phase == Phase.FEATURES ? job : projectJob;
            request.worker().tell(new WorkerCommand.Assign(description, new WorkUnit(id, unit.attempt, phase, images)));
        }
    }

    private Behavior<CoordinatorCommand> onUnitFinished(UnitFinished m) {
        UnitState unit = m.unitId() < units.size() ? units.get(m.unitId()) : null;
        boolean current = unit != null && unit.status == Status.RUNNING && unit.attempt == m.attempt();
        if (phase == Phase.FEATURES) {
            // First finished attempt wins; any other result is dropped with its statistics.
            m.worker().tell(new WorkerCommand.Verdict(m.unitId(), m.attempt(), current));
            if (current) {
                unit.status = Status.ACCEPTED;
                unit.owner = m.workerId();
                unit.report = m.report();
                imagesDone += m.report().rows() + m.report().errors().size();
                errorsSoFar += m.report().errors().size();
                listener.progress(imagesDone, errorsSoFar);
            }
        } else if (current) {
            unit.status = Status.DONE;
        }
        afterProgress();
        return this;
    }

    private Behavior<CoordinatorCommand> onUnitFailed(UnitFailed m) {
        UnitState unit = m.unitId() < units.size() ? units.get(m.unitId()) : null;
        if (unit == null || !m.workerId().equals(unit.owner)) {
            return this;
        }
        boolean runningAttempt = unit.status == Status.RUNNING && unit.attempt == m.attempt();
        boolean lostStatistics = unit.status == Status.ACCEPTED && m.attempt() < 0;
        if (!runningAttempt && !lostStatistics) {
            return this;
        }
        getContext().getLog().warn("Unit {} failed on {}: {}", m.unitId(), m.workerId(), m.reason());
        if (++unit.failures >= settings.maxAttempts()) {
            return fail(new IllegalStateException("Unit " + m.unitId() + " failed " + unit.failures
                    + " times; last reason: " + m.reason()));
        }
        requeue(m.unitId());
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
            getContext().getLog().warn("Ignoring statistics {}: it holds units no longer owned by {}", m.partial(), m.workerId());
            for (int id : ids) {
                if (id < units.size() && units.get(id).status == Status.ACCEPTED && m.workerId().equals(units.get(id).owner)) {
                    requeue(id);
                }
            }
            dispatch();
        } else if (!ids.isEmpty()) {
            ids.forEach(id -> units.get(id).status = Status.DONE);
            statisticsFiles.add(m.partial());
        }
        afterProgress();
        return this;
    }

    private Behavior<CoordinatorCommand> onWorkerGone(WorkerGone m) {
        workers.remove(m.workerId());
        askedToCommit.remove(m.workerId());
        idle.removeIf(r -> r.workerId().equals(m.workerId()));
        for (int id = 0; id < units.size(); id++) {
            UnitState unit = units.get(id);
            if (m.workerId().equals(unit.owner) && (unit.status == Status.RUNNING || unit.status == Status.ACCEPTED)) {
                requeue(id);
            }
        }
        getContext().getLog().info("Worker {} left; its unfinished units are queued again", m.workerId());
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
        pending.addFirst(id);
    }

    /** Moves the job on when a phase has nothing left to do. */
    private void afterProgress() {
        if (!listingDone || !pending.isEmpty() || units.stream().anyMatch(u -> u.status == Status.RUNNING)) {
            return;
        }
        if (phase == Phase.FEATURES) {
            boolean anyAccepted = false;
            for (UnitState unit : units) {
                if (unit.status == Status.ACCEPTED) {
                    anyAccepted = true;
                    if (askedToCommit.add(unit.owner)) {
                        ActorRef<WorkerCommand> worker = workers.get(unit.owner);
                        if (worker != null) {
                            worker.tell(new WorkerCommand.CommitStatistics());
                        }
                    }
                }
            }
            if (!anyAccepted && !solving) {
                solving = true;
                endPhase("features");
                listener.phase("solving PCA");
                BitSet expected = new BitSet();
                expected.set(0, units.size()); // every unit, even one whose images were all bad, is in one file
                getContext().pipeToSelf(CompletableFuture.supplyAsync(() -> {
                    try {
                        return outputs.solvePca(statisticsFiles, expected, settings.pcaK());
                    } catch (Exception e) {
                        throw new java.util.concurrent.CompletionException(e);
                    }
                }), PcaSolved::new);
            }
        } else if (!finishing) {
            finishing = true;
            endPhase("project");
            listener.phase("writing outputs");
            getContext().pipeToSelf(CompletableFuture.runAsync(this::writeOutputs), (ok, failure) -> new OutputsWritten(failure));
        }
    }

    private Behavior<CoordinatorCommand> onPcaSolved(PcaSolved m) {
        if (m.failure() != null) {
            return fail(m.failure().getCause() != null ? m.failure().getCause() : m.failure());
        }
        endPhase("solve");
        pca = m.model();
        projectJob = job.withPcaModel(outputs.pcaModelLocation().toString());
        phase = Phase.PROJECT;
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
            List<String> parts = new ArrayList<>();
            List<ImageError> errors = new ArrayList<>();
            for (int id = 0; id < units.size(); id++) {
                UnitState unit = units.get(id);
                errors.addAll(unit.report.errors());
                if (unit.report.rows() > 0) {
                    parts.add(new WorkUnit(id, 0, Phase.PROJECT, List.of()).partName());
                }
            }
            outputs.writePcaCsv(parts);
            outputs.writeErrors(errors);
            endPhase("finish");
            outputs.writeSuccess(report(errors.size()));
        } catch (Exception e) {
            throw new java.util.concurrent.CompletionException(e);
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
                "featureTensor", job.spec().featureTensor(), "featureDim", pca.dim()));
        double explained = 0;
        for (double r : pca.explainedVarianceRatio()) {
            explained += r;
        }
        report.put("pca", Map.of("k", pca.k(), "explainedVariance", explained));
        Map<String, Object> timings = new LinkedHashMap<>(phaseSeconds);
        timings.put("total", seconds(System.nanoTime() - started));
        report.put("seconds", timings);
        report.put("stageSeconds", Map.of("read", seconds(stages.read()), "decode", seconds(stages.decode()),
                "preprocess", seconds(stages.preprocess()), "infer", seconds(stages.infer()),
                "statistics", seconds(stages.statistics()), "write", seconds(stages.write())));
        report.put("bytesRead", units.stream().mapToLong(u -> u.report.bytesRead()).sum());
        report.put("versions", Versions.all());
        return report;
    }

    private Behavior<CoordinatorCommand> onOutputsWritten(OutputsWritten m) {
        if (m.failure() != null) {
            return fail(m.failure().getCause() != null ? m.failure().getCause() : m.failure());
        }
        workers.values().forEach(w -> w.tell(new WorkerCommand.JobFinished()));
        long rows = units.stream().mapToLong(u -> u.report.rows()).sum();
        long errors = units.stream().mapToLong(u -> u.report.errors().size()).sum();
        double explained = 0;
        for (double r : pca.explainedVarianceRatio()) {
            explained += r;
        }
        listener.finished(new JobSummary(job.output(), listed, rows, errors, seconds(System.nanoTime() - started),
                pca.k(), explained));
        return Behaviors.stopped();
    }

    private Behavior<CoordinatorCommand> fail(Throwable cause) {
        workers.values().forEach(w -> w.tell(new WorkerCommand.JobFinished()));
        listener.failed(cause);
        return Behaviors.stopped();
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
