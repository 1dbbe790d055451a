package dev.orchard.observe;

import dev.orchard.coordinator.JobListener;
import dev.orchard.coordinator.JobSummary;
import dev.orchard.coordinator.work.WorkState;
import dev.orchard.protocol.UnitReport;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;
import java.util.function.ToLongFunction;

/**
 * The job's figures as meters, from the coordinator's once-a-second status ({@code orchard_job_*} in Prometheus):
 * images processed and failed, units by state, queue depth, attempts, speculative copies, timeouts, per-stage seconds
 * of the units done, images/s and ETA, and per worker its images, units in flight, lanes and heartbeat age. It is a
 * {@link JobListener} that passes every report on to the {@link JobWatch}.
 */
public final class JobMeters implements JobListener {
    private final JobListener next;
    private final JobWatch watch;
    private final MultiGauge units;
    private final MultiGauge stage;
    private final MultiGauge workerImages;
    private final MultiGauge workerInFlight;
    private final MultiGauge workerLanes;
    private final MultiGauge workerHeartbeat;
    private final MultiGauge workerRate;
    private volatile WorkState.Snapshot last;

    /** Registers the meters; {@code watch} gets every report first (the rates are its), then the meters update. */
    public JobMeters(MeterRegistry registry, JobWatch watch) {
        this.next = watch;
        this.watch = watch;
        counter(registry, "orchard.job.images.processed", "Images whose rows were written", s -> s.imagesDone() - s.errors());
        counter(registry, "orchard.job.images.failed", "Images recorded in errors.csv", WorkState.Snapshot::errors);
        counter(registry, "orchard.job.attempts", "Attempts handed out (first tries, retries and copies)", WorkState.Snapshot::attempts);
        counter(registry, "orchard.job.attempts.speculative", "Speculative copies of slow units", WorkState.Snapshot::speculative);
        counter(registry, "orchard.job.unit.timeouts", "Attempts that ran past --unit-timeout", WorkState.Snapshot::timeouts);
        counter(registry, "orchard.job.assignments.lost", "Assignments a worker never received", WorkState.Snapshot::lostAssignments);
        counter(registry, "orchard.job.workers.lost", "Workers that left or went silent holding work", WorkState.Snapshot::workersLost);
        gauge(registry, "orchard.job.images.listed", "Images listed so far", s -> s.listed());
        gauge(registry, "orchard.job.listing.complete", "1 once the listing has finished", s -> s.listingComplete() ? 1 : 0);
        gauge(registry, "orchard.job.queue.depth", "Units waiting for a worker", s -> s.queued());
        gauge(registry, "orchard.job.units.running", "Units with an attempt running", s -> s.running());
        gauge(registry, "orchard.job.parts", "Output parts planned", s -> s.parts());
        gauge(registry, "orchard.job.parts.open", "Output parts not yet published", s -> s.partsOpen());
        for (String name : List.of("read", "decode", "preprocess", "infer", "statistics", "write")) {
            FunctionCounter.builder("orchard.job.stage", this, m -> seconds(m.last, name))
                    .description("Seconds per pipeline stage in the units done, summed over threads and workers")
                    .baseUnit("seconds").tag("stage", name).register(registry);
        }
        Gauge.builder("orchard.job.images.per.second", watch, w -> w.view().imagesPerSecondNow())
                .description("Images per second over the last 10 s").tag("window", "10s").register(registry);
        Gauge.builder("orchard.job.images.per.second", watch, w -> w.view().imagesPerSecondOverall())
                .description("Images per second since the first status").tag("window", "overall").register(registry);
        Gauge.builder("orchard.job.eta", watch, w -> w.view().etaSeconds())
                .description("Seconds until the features phase ends at the last minute's rate (NaN while unknown)")
                .baseUnit("seconds").register(registry);
        this.units = MultiGauge.builder("orchard.job.units").description("Units by state").register(registry);
        this.stage = MultiGauge.builder("orchard.job.stage.active").description("1 for the stage the job is in").register(registry);
        this.workerImages = MultiGauge.builder("orchard.job.worker.images")
                .description("Images a worker has finished since it started").register(registry);
        this.workerInFlight = MultiGauge.builder("orchard.job.worker.units.in.flight")
                .description("Attempts a worker holds").register(registry);
        this.workerLanes = MultiGauge.builder("orchard.job.worker.lanes").description("A worker's ONNX inference lanes").register(registry);
        this.workerHeartbeat = MultiGauge.builder("orchard.job.worker.heartbeat.age").baseUnit("seconds")
                .description("Seconds since a worker's last status").register(registry);
        this.workerRate = MultiGauge.builder("orchard.job.worker.images.per.second")
                .description("A worker's images per second over the last 10 s").register(registry);
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
        List<MultiGauge.Row<?>> rows = new ArrayList<>();
        snapshot.units().forEach((state, count) -> rows.add(MultiGauge.Row.of(Tags.of("state", state), count)));
        units.register(rows, true);
        List<MultiGauge.Row<?>> stages = new ArrayList<>();
        for (WorkState.Stage s : WorkState.Stage.values()) {
            stages.add(MultiGauge.Row.of(Tags.of("stage", s.name()), s == snapshot.stage() ? 1 : 0));
        }
        stage.register(stages, true);
        List<MultiGauge.Row<?>> images = new ArrayList<>();
        List<MultiGauge.Row<?>> inFlight = new ArrayList<>();
        List<MultiGauge.Row<?>> lanes = new ArrayList<>();
        List<MultiGauge.Row<?>> heartbeat = new ArrayList<>();
        for (WorkState.WorkerSnapshot w : snapshot.workers()) {
            if (w.gone()) {
                continue;
            }
            Tags tags = Tags.of("worker", w.id(), "host", w.host());
            images.add(MultiGauge.Row.of(tags, w.imagesDone()));
            inFlight.add(MultiGauge.Row.of(tags, w.attemptsHeld()));
            lanes.add(MultiGauge.Row.of(tags, w.lanes()));
            heartbeat.add(MultiGauge.Row.of(tags, w.lastHeardMs() / 1000.0));
        }
        List<MultiGauge.Row<?>> rates = new ArrayList<>();
        for (JobWatch.WorkerRow w : watch.view().workers()) {
            if (!w.gone()) {
                rates.add(MultiGauge.Row.of(Tags.of("worker", w.id(), "host", w.host()), w.imagesPerSecond()));
            }
        }
        workerImages.register(images, true);
        workerInFlight.register(inFlight, true);
        workerLanes.register(lanes, true);
        workerHeartbeat.register(heartbeat, true);
        workerRate.register(rates, true);
    }

    @Override
    public void finished(JobSummary summary) {
        next.finished(summary);
    }

    @Override
    public void failed(Throwable cause) {
        next.failed(cause);
    }

    private void counter(MeterRegistry registry, String name, String description, ToLongFunction<WorkState.Snapshot> f) {
        FunctionCounter.builder(name, this, m -> m.last == null ? 0 : f.applyAsLong(m.last))
                .description(description).register(registry);
    }

    private void gauge(MeterRegistry registry, String name, String description, ToDoubleFunction<WorkState.Snapshot> f) {
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
