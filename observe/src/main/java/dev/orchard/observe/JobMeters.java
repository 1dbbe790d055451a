package dev.orchard.observe;

import dev.orchard.coordinator.JobListener;
import dev.orchard.coordinator.JobSummary;
import dev.orchard.coordinator.work.WorkState;
import dev.orchard.protocol.UnitReport;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.DoubleAccumulator;
import java.util.function.ToDoubleFunction;
import java.util.function.ToLongFunction;

/**
 * The job's figures as meters, from the coordinator's once-a-second status ({@code orchard_job_*} in Prometheus):
 * images processed and failed, units by state, queue depth, attempts, speculative copies, timeouts, per-stage seconds
 * of the units done, images/s and ETA, and per worker its images, units in flight, lanes and heartbeat age. It is a
 * {@link JobListener} that passes every report on to the {@link JobWatch}.
 *
 * <p>Every meter is registered once and reads the last status (so a scrape can lag the progress line and
 * status.json, which follow each unit's progress report, by up to a second): re-registering the per-worker and per-state gauges at
 * each status (Micrometer's {@code MultiGauge} with overwrite) raced with scrapes, which then failed now and then with
 * Prometheus's "duplicate labels". A counter never goes back: work a lost worker had finished is no longer counted
 * by the coordinator until it is redone, and a counter that fell is read by Prometheus as a reset (its rate a
 * spike); so each counts the most it has reached, and stays there while the lost work is redone.
 */
public final class JobMeters implements JobListener {
    private final MeterRegistry registry;
    private final JobListener next;
    private final JobWatch watch;
    private final Map<String, List<Meter>> workerMeters = new ConcurrentHashMap<>();
    /** Each counter's most so far, raised at every status (not only at scrapes: a fall between two is no fall). */
    private final List<Runnable> raiseCounters = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile Map<String, WorkState.WorkerSnapshot> workersNow = Map.of();
    private volatile WorkState.Snapshot last;
    private volatile WorkState.Stage ended; // FINISHED or FAILED: no status follows the last one

    /** Registers the meters; {@code watch} gets every report first (the rates are its), then the meters update. */
    public JobMeters(MeterRegistry registry, JobWatch watch) {
        this.registry = registry;
        this.next = watch;
        this.watch = watch;
        // Rows written: the images of the units done less their errors (the listing's errors are no unit's images;
        // counted in, the figure was -1 while a dangling link was the only thing done, and the scrape failed).
        counter("orchard.job.images.processed", "Images whose rows were written",
                s -> s.imagesDone() - (s.errors() - s.listingErrors()));
        // processed + failed = the images done, so = listed at the end; what the listing skipped is counted apart (it
        // was in failed, and a dashboard's (processed + failed) / listed went past 100 %: an observability walk).
        counter("orchard.job.images.failed", "Listed images that could not be featurised (in errors.csv)",
                s -> s.errors() - s.listingErrors());
        counter("orchard.job.listing.skipped", "Files the listing could not take: dangling links, unreadable folders"
                + " (in errors.csv too)", WorkState.Snapshot::listingErrors);
        counter("orchard.job.attempts", "Attempts handed out (first tries, retries and copies)", WorkState.Snapshot::attempts);
        counter("orchard.job.attempts.speculative", "Speculative copies of slow units", WorkState.Snapshot::speculative);
        counter("orchard.job.unit.timeouts", "--unit-timeout periods that ended with no attempt of a unit finished, each"
                + " counted whether or not a copy could be handed out (3 failures of one unit, these and failed"
                + " attempts together, end the job)",
                WorkState.Snapshot::timeouts);
        counter("orchard.job.assignments.lost", "Assignments a worker never received", WorkState.Snapshot::lostAssignments);
        counter("orchard.job.workers.lost", "Workers that left or went silent holding work", WorkState.Snapshot::workersLost);
        gauge("orchard.job.images.listed", "Images listed so far", s -> s.listed());
        gauge("orchard.job.listing.complete", "1 once the listing has finished", s -> s.listingComplete() ? 1 : 0);
        gauge("orchard.job.queue.depth", "Units and publish parts waiting for a worker (a unit past --unit-timeout"
                + " waits for a copy while its attempt still runs: it is counted running too)", s -> s.queued());
        gauge("orchard.job.units.running", "Units and publish parts with an attempt out (a losing copy of one done"
                + " elsewhere included)", s -> s.running());
        gauge("orchard.job.parts", "Output parts planned", s -> s.parts());
        gauge("orchard.job.parts.open", "Output parts not yet published", s -> s.partsOpen());
        for (String name : List.of("read", "decode", "preprocess", "infer", "statistics", "write")) {
            DoubleAccumulator most = new DoubleAccumulator(Math::max, 0);
            raiseCounters.add(() -> most.accumulate(seconds(last, name)));
            FunctionCounter.builder("orchard.job.stage", most, DoubleAccumulator::get)
                    .description("Seconds per pipeline stage in the units done, summed over threads and workers")
                    .baseUnit("seconds").tag("stage", name).register(registry);
        }
        // One family, one HELP: Prometheus shows the first sample's description for both windows.
        String perSecond = "Images per second: window=\"10s\" over the last 10 s, window=\"overall\" since the first"
                + " status";
        Gauge.builder("orchard.job.images.per.second", watch, w -> w.view().imagesPerSecondNow())
                .description(perSecond).tag("window", "10s").register(registry);
        Gauge.builder("orchard.job.images.per.second", watch, w -> w.view().imagesPerSecondOverall())
                .description(perSecond).tag("window", "overall").register(registry);
        Gauge.builder("orchard.job.eta", watch, w -> w.view().etaSeconds())
                .description("Seconds until the features phase ends at the last minute's rate (NaN while unknown)")
                .baseUnit("seconds").register(registry);
        for (String state : WorkState.UNIT_STATES) {
            Gauge.builder("orchard.job.units", this, m -> m.last == null ? 0 : m.last.units().getOrDefault(state, 0))
                    .description("Units by state").tag("state", state).register(registry);
        }
        for (WorkState.Stage stage : WorkState.Stage.values()) {
            Gauge.builder("orchard.job.stage.active", this, m -> m.stage() == stage ? 1 : 0)
                    .description("1 for the stage the job is in").tag("stage", stage.name()).register(registry);
        }
    }

    /** The job's stage: the last status's, FINISHED or FAILED once the job has ended (no status follows the last). */
    private WorkState.Stage stage() {
        return ended != null ? ended : last == null ? null : last.stage();
    }

    @Override
    public void listed(long listed, boolean complete) {
        next.listed(listed, complete);
    }

    @Override
    public void progress(long imagesDone, long imagesBefore, long errors) {
        next.progress(imagesDone, imagesBefore, errors);
    }

    @Override
    public void phase(String description) {
        next.phase(description);
    }

    @Override
    public void status(WorkState.Snapshot snapshot) {
        next.status(snapshot); // the watch first: the rates below read it
        last = snapshot;
        raiseCounters.forEach(Runnable::run);
        Map<String, WorkState.WorkerSnapshot> now = new HashMap<>();
        for (WorkState.WorkerSnapshot w : snapshot.workers()) {
            if (!w.gone()) {
                now.put(w.id(), w);
            }
        }
        workersNow = now;
        now.forEach((id, w) -> workerMeters.computeIfAbsent(id, i -> registerWorker(w)));
        workerMeters.keySet().removeIf(id -> {
            if (now.containsKey(id)) {
                return false;
            }
            workerMeters.get(id).forEach(registry::remove);
            return true;
        });
    }

    /** A worker's gauges, once: they read the last status, and are removed when it no longer lists the worker. */
    private List<Meter> registerWorker(WorkState.WorkerSnapshot first) {
        String id = first.id();
        Tags tags = Tags.of("worker", id, "host", first.host());
        return List.of(
                workerGauge("orchard.job.worker.images", "Images a worker has finished since it started, in every attempt (redone after a loss, speculative copies)", null, tags,
                        w -> w.imagesDone()),
                workerGauge("orchard.job.worker.units.in.flight", "Attempts a worker holds", null, tags,
                        w -> w.attemptsHeld()),
                workerGauge("orchard.job.worker.lanes", "A worker's ONNX inference lanes", null, tags, w -> w.lanes()),
                workerGauge("orchard.job.worker.heartbeat.age", "Seconds since a worker's last status", "seconds", tags,
                        w -> w.lastHeardMs() / 1000.0),
                Gauge.builder("orchard.job.worker.images.per.second", watch, w -> w.workerImagesPerSecond(id))
                        .description("A worker's images per second over the last 10 s").tags(tags).register(registry));
    }

    private Meter workerGauge(String name, String description, String unit, Tags tags,
                              ToDoubleFunction<WorkState.WorkerSnapshot> f) {
        String id = tags.stream().filter(t -> t.getKey().equals("worker")).findFirst().orElseThrow().getValue();
        return Gauge.builder(name, this, m -> {
                    WorkState.WorkerSnapshot w = m.workersNow.get(id);
                    return w == null ? Double.NaN : f.applyAsDouble(w);
                })
                .description(description).baseUnit(unit).tags(tags).register(registry);
    }

    @Override
    public void finished(JobSummary summary) {
        ended = WorkState.Stage.FINISHED;
        next.finished(summary);
    }

    @Override
    public void failed(Throwable cause) {
        ended = WorkState.Stage.FAILED;
        next.failed(cause);
    }

    /** A counter of {@code f} over the statuses that never goes back (see the class's comment). */
    private void counter(String name, String description, ToLongFunction<WorkState.Snapshot> f) {
        AtomicLong most = new AtomicLong();
        raiseCounters.add(() -> most.accumulateAndGet(Math.max(0, f.applyAsLong(last)), Math::max));
        FunctionCounter.builder(name, most, AtomicLong::get).description(description).register(registry);
    }

    private void gauge(String name, String description, ToDoubleFunction<WorkState.Snapshot> f) {
        Gauge.builder(name, this, m -> m.last == null ? 0 : f.applyAsDouble(m.last)).description(description)
                .register(registry);
    }

    private static double seconds(WorkState.Snapshot s, String stage) {
        if (s == null) {
            return 0;
        }
        UnitReport.StageNanos n = s.stages();
        long nanos = switch (stage) {
            case "read" -> n.read();
            case "decode" -> n.decode();
            case "preprocess" -> n.preprocess();
            case "infer" -> n.infer();
            case "statistics" -> n.statistics();
            default -> n.write();
        };
        return nanos / 1e9;
    }
}
