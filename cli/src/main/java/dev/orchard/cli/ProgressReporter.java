package dev.orchard.cli;

import dev.orchard.coordinator.JobListener;
import dev.orchard.coordinator.JobSummary;
import java.io.PrintWriter;
import java.util.concurrent.CompletableFuture;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Shows a job's progress: a live bar (images done/total, images/s, ETA) on a terminal, or a plain line every
 * few seconds when output goes to a file or CI log. Completes {@link #result()} when the job ends.
 */
final class ProgressReporter implements JobListener {
    private final CompletableFuture<JobSummary> result = new CompletableFuture<>();
    private final PrintWriter out;
    private final boolean terminal;
    private final java.util.function.LongSupplier nanoClock;
    /**
     * When this JVM's coordinator first reported progress: the rate counts from there, as the bar's does. A standby
     * counted from its own start, its wait for the job included: 26.4 images/s where its summary said 80.6 (a chaos
     * walk).
     */
    private long started;
    private boolean reported;
    private boolean lineSaid;
    private ProgressBar bar;
    private volatile long listed;
    private volatile boolean listingComplete;
    private volatile long done;
    private volatile long errors;
    private volatile boolean writing;
    private long lastLine;
    /** The total the last plain line gave ({@code 600}, or {@code 16+} while the listing went on). */
    private String totalSaid;
    /** The job waits for workers; since when ({@link #nanoClock}), and how many of how many were said last (or null). */
    private boolean waiting;
    private long waitSeen;
    private String waitSaid;

    ProgressReporter(PrintWriter out, boolean terminal) {
        this(out, terminal, System::nanoTime);
    }

    ProgressReporter(PrintWriter out, boolean terminal, java.util.function.LongSupplier nanoClock) {
        this.out = out;
        this.terminal = terminal;
        this.nanoClock = nanoClock;
    }

    CompletableFuture<JobSummary> result() {
        return result;
    }

    @Override
    public synchronized void listed(long count, boolean complete) {
        listed = count;
        listingComplete = complete;
        if (bar != null) {
            bar.maxHint(count);
        }
    }

    /** The rate counts the images this run did: a resumed job's earlier ones ({@code imagesBefore}) are not its work. */
    @Override
    public synchronized void progress(long imagesDone, long imagesBefore, long errorCount) {
        done = imagesDone;
        errors = errorCount;
        long now = nanoClock.getAsLong();
        if (!reported) { // flags, not sentinels: System.nanoTime() may be any long, negative or 0
            reported = true;
            started = now;
        }
        if (terminal) {
            bar(imagesBefore).stepTo(imagesDone);
            bar.setExtraMessage(errorCount > 0 ? " " + errorCount + (errorCount == 1 ? " error" : " errors") : "");
        } else if (imagesDone == 0 && listed == 0 && !listingComplete) {
            // nothing to count yet: "progress: 0/0+ images" said nothing (a coordinator waiting for --min-workers)
        } else if (!lineSaid || now - lastLine > 5_000_000_000L || (listingComplete && imagesDone == listed)) {
            lineSaid = true;
            lastLine = now;
            totalSaid = total();
            out.println(line(imagesDone, imagesBefore, totalSaid, errorCount, (lastLine - started) / 1e9));
        }
    }

    /** The total a progress line gives: {@code 600}, or {@code 16+} while the listing goes on. */
    private String total() {
        return listingComplete ? String.valueOf(listed) : listed + "+";
    }

    /** Where the job stands, about once a second: what the progress reports alone leave unsaid while nothing is done. */
    @Override
    public synchronized void status(dev.orchard.coordinator.work.WorkState.Snapshot snapshot) {
        listingEndedIdle(snapshot);
        waitingForWorkers(snapshot);
    }

    /**
     * The listing ended with nothing done since the last report (a job waiting for workers): the first line's "0/16+"
     * stayed up for the whole wait (an operator's walk, 8 runs of 8). The total is said again, once; the bar gets it.
     */
    private void listingEndedIdle(dev.orchard.coordinator.work.WorkState.Snapshot snapshot) {
        if (!snapshot.listingComplete() || snapshot.imagesDone() != done
                || String.valueOf(snapshot.listed()).equals(totalSaid)) {
            return;
        }
        listed = snapshot.listed();
        listingComplete = true;
        if (terminal) {
            if (bar != null) {
                bar.maxHint(listed);
            }
        } else if (lineSaid) {
            totalSaid = total();
            out.println(line(done, snapshot.imagesBefore(), totalSaid, errors, (nanoClock.getAsLong() - started) / 1e9));
        }
    }

    /**
     * A job that has waited for workers {@link #WAIT_GRACE_NANOS} says so, and again as the number joined changes: a
     * coordinator waiting for --min-workers showed "listing and extracting features" and nothing more (its log said
     * so after 30 s). Not at once: workers join within a second or two of most starts.
     */
    private void waitingForWorkers(dev.orchard.coordinator.work.WorkState.Snapshot snapshot) {
        dev.orchard.coordinator.work.WorkState.WorkerWait wait = snapshot.workerWait();
        if (wait == null) {
            if (waiting) {
                waiting = false;
                waitEnded(snapshot);
            }
            return;
        }
        long now = nanoClock.getAsLong();
        String which = wait.live() + " of " + wait.minWorkers();
        if (!waiting) { // flags, not sentinels (see progress)
            waiting = true;
            waitSeen = now;
            waitSaid = null;
        }
        if (now - waitSeen < WAIT_GRACE_NANOS || which.equals(waitSaid)) {
            return;
        }
        waitSaid = which;
        if (terminal && bar != null) {
            bar.setExtraMessage(" " + wait.describe());
        } else {
            out.println("orchard: " + wait.describe());
        }
    }

    /**
     * The wait for workers is over. Where this run has done nothing yet, its rate counts from now: it counted the wait
     * too, and after a minute's wait for --min-workers the first lines' images/s (and the bar's ETA) were a fraction
     * of the job's pace (an operator's walk). The bar, whose clock cannot be set again, is closed where it showed the
     * wait, and a fresh one starts now.
     */
    private void waitEnded(dev.orchard.coordinator.work.WorkState.Snapshot snapshot) {
        if (snapshot.imagesDone() != snapshot.imagesBefore()) {
            return; // a wait after work began (every worker lost): the rate goes on over the whole run
        }
        started = nanoClock.getAsLong();
        if (terminal && bar != null && waitSaid != null) {
            closeBar();
            bar(snapshot.imagesBefore()); // its clock from now: at the next report it counted from there
        }
    }

    /** How long a wait for workers goes unsaid. */
    static final long WAIT_GRACE_NANOS = 5_000_000_000L;

    /** One plain progress line: {@code progress: 300/600 images (200 done before this run), 0 errors, 45.2 images/s}. */
    static String line(long done, long before, String total, long errors, double seconds) {
        return String.format(java.util.Locale.ROOT, "progress: %d/%s images%s, %d error%s, %.1f images/s", done, total,
                before > 0 ? " (" + before + " done before this run)" : "", errors, errors == 1 ? "" : "s",
                seconds < 0.001 ? 0.0 : (done - before) / seconds); // no rate at the first report yet
    }

    /**
     * Whether the coordinator in this JVM has begun to write the job's final files: once {@code _SUCCESS} is there,
     * its own result follows (its lease released after the file), and no other node's coordinator finished the job.
     */
    boolean writingOutputs() {
        return writing;
    }

    @Override
    public synchronized void phase(String description) {
        writing |= description.equals(dev.orchard.coordinator.work.WorkState.WRITING_OUTPUTS);
        if (!terminal) {
            out.println("phase: " + description);
        } else if (bar != null) {
            bar.setExtraMessage(" " + description); // the bar writes it right after its speed
        }
    }

    @Override
    public synchronized void finished(JobSummary summary) {
        closeBar();
        result.complete(summary);
    }

    @Override
    public synchronized void failed(Throwable cause) {
        closeBar();
        result.completeExceptionally(cause);
    }

    /** The bar, made at the first progress: its speed and ETA count from the images done before this run. */
    private ProgressBar bar(long imagesBefore) {
        if (bar == null) {
            bar = new ProgressBarBuilder().setTaskName("images").setInitialMax(listed > 0 ? listed : -1)
                    .startsFrom(imagesBefore, java.time.Duration.ZERO)
                    .setStyle(ProgressBarStyle.COLORFUL_UNICODE_BAR).setUpdateIntervalMillis(250)
                    .showSpeed().setSpeedUnit(java.time.temporal.ChronoUnit.SECONDS).setUnit(" img", 1)
                    .setConsumer(new me.tongfei.progressbar.ConsoleProgressBarConsumer(System.err))
                    .build();
        }
        return bar;
    }

    private void closeBar() {
        if (bar != null) {
            bar.stepTo(done);
            bar.close();
            bar = null;
        }
    }

}
