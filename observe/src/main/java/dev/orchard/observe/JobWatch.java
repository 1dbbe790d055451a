package dev.orchard.observe;

import dev.orchard.coordinator.JobListener;
import dev.orchard.coordinator.JobSummary;
import dev.orchard.coordinator.JobTimeline;
import dev.orchard.coordinator.work.WorkState;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * What the status page and {@code /metrics} know about the job this node coordinates: the coordinator's reports
 * (through {@link JobListener}, passed on unchanged to {@code next}) and the rates derived from them — images/s over
 * the last {@value #RATE_SECONDS} s and overall, the ETA from the last {@value #ETA_SECONDS} s, each worker's rate.
 * The coordinator calls it on its thread; pages and scrapes read {@link #view()} on theirs.
 */
public final class JobWatch implements JobListener {
    static final double RATE_SECONDS = 10;
    static final double ETA_SECONDS = 60;

    /** A worker as the page shows it. */
    public record WorkerRow(String id, String host, int lanes, int unitsInFlight, long images,
                            @com.fasterxml.jackson.annotation.JsonIgnore double imagesPerSecond,
                            double lastHeardSeconds, boolean gone, boolean passedOver) {

        /** The rate in status.json: null while unknown (fewer than two samples), as the job's, not the string "NaN". */
        @com.fasterxml.jackson.annotation.JsonProperty("imagesPerSecond")
        public Double imagesPerSecondKnown() {
            return Double.isFinite(imagesPerSecond) ? imagesPerSecond : null;
        }
    }

    /**
     * The job now.
     *
     * @param state         waiting (no coordinator here yet: loading, or a standby), running, finished or failed
     * @param etaSeconds    NaN while unknown (listing not complete, or no progress yet)
     * @param elapsedSeconds since this node began to watch, up to the job's end once it has ended (as the rates)
     * @param snapshot      the coordinator's last status, or null before the first
     * @param statuses      how many statuses the coordinator has sent (one a second and one as each stage starts;
     *                      each is also a sample of the report's images/s plot)
     */
    public record View(String jobId, String input, String output, String state, String stage, String phase,
                       long listed, boolean listingComplete, long imagesDone, long errors, double imagesPerSecondNow,
                       double imagesPerSecondOverall, double etaSeconds, double elapsedSeconds,
                       List<WorkerRow> workers, List<JobTimeline.Sample> timeline, String failure, String summary,
                       WorkState.Snapshot snapshot, long statuses) {

        /** Whether the job has ended here (finished or failed). */
        public boolean ended() {
            return state.equals("finished") || state.equals("failed");
        }

        /** What the running job waits for (workers), as its last status says; null when it waits for none. */
        public WorkState.WorkerWait workerWait() {
            return snapshot == null || !state.equals("running") ? null : snapshot.workerWait();
        }
    }

    private final JobListener next;
    private final LongSupplier clock;
    private final long created;
    // guarded by this
    private final JobTimeline timeline = new JobTimeline(600);
    private final ArrayDeque<double[]> recent = new ArrayDeque<>();
    private final Map<String, ArrayDeque<double[]>> workerRecent = new HashMap<>();
    private long firstStatusNanos = -1;
    /**
     * When the job ended (finished or failed; -1 before): the figures stop there, as the summary's do. A coordinator
     * node serves its page a few seconds past the end, and its elapsed time went on rising and its overall rate falling
     * (45.0 → 38.9 images/s beside a summary of 44.8: an operator's walk).
     */
    private long endedNanos = -1;
    /**
     * When (s on the watch's clock) the count last stood where this run started it: the ETA's rate is taken since then
     * at most, not over a wait for workers before it (a wait in the last minute put a job's end, 20 s away, at 2 min 26 s:
     * a user's walk). NaN until a status.
     */
    private double idleUntil = Double.NaN;
    /** The most images done so far: the rates are of new images, as {@link JobTimeline#rates} says, never below 0. */
    private long mostDone;
    private WorkState.Snapshot last;
    private long statuses;
    private String jobId = "";
    private String input = "";
    private String output = "";
    private String phase = "";
    private String state = "waiting";
    private long listed;
    private boolean listingComplete;
    private long done;
    /** Of {@link #done}, those done before this coordinator started (a resumed job's): not in the overall rate. */
    private long before;
    private long errors;
    private String failure;
    private String summary;

    public JobWatch(JobListener next) {
        this(next, System::nanoTime);
    }

    /** With {@code clock} for {@link System#nanoTime()} (tests replay a job's seconds). */
    JobWatch(JobListener next, LongSupplier clock) {
        this.next = next;
        this.clock = clock;
        this.created = clock.getAsLong();
    }

    /** The job this node runs, once its setup is checked. */
    public synchronized void describe(String job, String in, String out) {
        this.jobId = job;
        this.input = in;
        this.output = out;
    }

    /** Whether this node's coordinator has started the job (and not ended it): the readiness of {@code orchard run}. */
    public synchronized boolean running() {
        return state.equals("running");
    }

    @Override
    public void listed(long count, boolean complete) {
        synchronized (this) {
            listed = count;
            listingComplete = complete;
            state = ended() ? state : "running";
        }
        next.listed(count, complete);
    }

    @Override
    public void progress(long imagesDone, long imagesBefore, long errorCount) {
        synchronized (this) {
            done = imagesDone;
            before = imagesBefore;
            errors = errorCount;
        }
        next.progress(imagesDone, imagesBefore, errorCount);
    }

    @Override
    public void phase(String description) {
        synchronized (this) {
            phase = description;
            state = ended() ? state : "running";
        }
        next.phase(description);
    }

    @Override
    public void status(WorkState.Snapshot snapshot) {
        synchronized (this) {
            long now = clock.getAsLong();
            if (firstStatusNanos < 0) {
                firstStatusNanos = now;
            }
            last = snapshot;
            statuses++;
            state = ended() ? state : "running";
            listed = Math.max(listed, snapshot.listed());
            listingComplete |= snapshot.listingComplete();
            done = snapshot.imagesDone();
            before = snapshot.imagesBefore();
            errors = snapshot.errors();
            double t = seconds(now);
            if (snapshot.imagesDone() <= snapshot.imagesBefore()) {
                idleUntil = t;
            }
            timeline.record(t, snapshot.imagesDone(), snapshot.errors());
            mostDone = Math.max(mostDone, snapshot.imagesDone());
            add(recent, t, mostDone);
            for (WorkState.WorkerSnapshot w : snapshot.workers()) {
                add(workerRecent.computeIfAbsent(w.id(), id -> new ArrayDeque<>()), t, w.imagesDone());
            }
        }
        next.status(snapshot);
    }

    @Override
    public void finished(JobSummary result) {
        synchronized (this) {
            end();
            state = "finished";
            phase = "finished"; // it said "writing outputs" for good
            summary = result.oneLine();
            // What this run computed, of what it listed, as its statuses counted: in an update the result's images
            // are every row and error of the output, and the page said "done 4122 of 42" (a user's walk).
            // A run that found the job finished already (a --resume, a standby) had no status: the output's counts.
            // (One that resumed a job past its publish stage has its stage's first status, whose images done are the
            // journal's: before + 0.)
            done = statuses == 0 ? result.images() : before + result.featurised();
            if (statuses == 0 || result.featurised() == result.images()) {
                errors = result.errors(); // an update's are the output's, kept ones included: its statuses' stand
            }
        }
        next.finished(result);
    }

    @Override
    public void failed(Throwable cause) {
        synchronized (this) {
            end();
            state = "failed";
            phase = "failed";
            failure = cause.getMessage() != null ? cause.getMessage() : cause.toString();
        }
        next.failed(cause);
    }

    /** One worker's images/s over the last {@link #RATE_SECONDS} to now, as {@link #view()} gives it; NaN if unknown. */
    public synchronized double workerImagesPerSecond(String id) {
        ArrayDeque<double[]> samples = workerRecent.get(id);
        return samples == null ? Double.NaN : rate(samples, RATE_SECONDS, seconds(now()));
    }

    /** The job now, or at its end once it has ended. */
    public synchronized View view() {
        double now = seconds(now());
        double rateNow = rate(recent, RATE_SECONDS, now);
        double etaWindow = Double.isNaN(idleUntil) ? ETA_SECONDS : Math.min(ETA_SECONDS, now - idleUntil);
        double rateEta = rate(recent, etaWindow, now);
        double since = firstStatusNanos < 0 ? 0 : now - seconds(firstStatusNanos);
        double overall = since > 0 ? (done - before) / since : Double.NaN;
        double eta = Double.NaN;
        if (state.equals("running") && listingComplete && done < listed && rateEta > 0) {
            eta = (listed - done) / rateEta;
        } else if (state.equals("finished") || (listingComplete && done >= listed && listed > 0)) {
            eta = 0;
        }
        List<WorkerRow> rows = new ArrayList<>();
        if (last != null) {
            for (WorkState.WorkerSnapshot w : last.workers()) {
                rows.add(new WorkerRow(w.id(), w.host(), w.lanes(), w.attemptsHeld(), w.imagesDone(),
                        rate(workerRecent.getOrDefault(w.id(), new ArrayDeque<>()), RATE_SECONDS, now),
                        w.lastHeardMs() / 1000.0, w.gone(), w.passedOver()));
            }
        }
        // Once the job has ended, its stage is how it ended (the last status named the stage before: WRITING).
        String stage = ended() ? state.toUpperCase(java.util.Locale.ROOT) : last == null ? "" : last.stage().name();
        return new View(jobId, input, output, state, stage, phase, listed,
                listingComplete, done, errors, rateNow, overall, eta, now, List.copyOf(rows), timeline.samples(), failure,
                summary, last, statuses);
    }

    private void end() {
        if (endedNanos < 0) {
            endedNanos = clock.getAsLong();
        }
    }

    /** The clock, stopped at the job's end. */
    private long now() {
        return endedNanos >= 0 ? endedNanos : clock.getAsLong();
    }

    private boolean ended() {
        return state.equals("finished") || state.equals("failed");
    }

    private double seconds(long nanos) {
        return (nanos - created) / 1e9;
    }

    /** Keeps the last {@link #ETA_SECONDS} of (seconds, count) samples. */
    private static void add(ArrayDeque<double[]> samples, double t, long count) {
        samples.addLast(new double[] {t, count});
        while (samples.size() > 2 && t - samples.peekFirst()[0] > ETA_SECONDS + 1) {
            samples.removeFirst();
        }
    }

    /**
     * Count per second over about the last {@code window} seconds up to {@code now}; NaN with fewer than two samples.
     * The window ends at {@code now}, not at the newest sample: once statuses stop (after the features phase), the
     * rate falls as the window slides past the last count, to 0 (it kept the features phase's last rate through the
     * solve, the publishing and past the end).
     */
    private static double rate(ArrayDeque<double[]> samples, double window, double now) {
        if (samples.size() < 2) {
            return Double.NaN;
        }
        double[] newest = samples.peekLast();
        double end = Math.max(now, newest[0]);
        double[] from = null;
        double[] before = null;
        for (double[] s : samples) {
            if (end - s[0] <= window + 0.5) {
                from = s;
                break;
            }
            before = s;
        }
        if (from == null) {
            return 0; // no count within the window
        }
        if (from == newest) { // one sample in the window: from the one before it
            if (before == null) {
                return Double.NaN;
            }
            from = before;
        }
        return end > from[0] ? (newest[1] - from[1]) / (end - from[0]) : Double.NaN;
    }
}
