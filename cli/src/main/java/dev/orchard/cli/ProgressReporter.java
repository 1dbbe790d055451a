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
    private final long started = System.nanoTime();
    private ProgressBar bar;
    private volatile long listed;
    private volatile boolean listingComplete;
    private volatile long done;
    private volatile long errors;
    private long lastLine;

    ProgressReporter(PrintWriter out, boolean terminal) {
        this.out = out;
        this.terminal = terminal;
    }

    CompletableFuture<JobSummary> result() {
        return result;
    }

    @Override
    public synchronized void listed(long count, boolean complete) {
        listed = count;
        listingComplete = complete;
        if (terminal) {
            bar().maxHint(count);
        }
    }

    @Override
    public synchronized void progress(long imagesDone, long errorCount) {
        done = imagesDone;
        errors = errorCount;
        if (terminal) {
            bar().stepTo(imagesDone);
            bar().setExtraMessage(errorCount > 0 ? errorCount + " errors" : "");
        } else if (System.nanoTime() - lastLine > 5_000_000_000L || (listingComplete && imagesDone == listed)) {
            lastLine = System.nanoTime();
            double s = (lastLine - started) / 1e9;
            out.printf("progress: %d/%s images, %d errors, %.1f images/s%n", imagesDone,
                    listingComplete ? String.valueOf(listed) : listed + "+", errorCount, imagesDone / Math.max(s, 1e-9));
        }
    }

    @Override
    public synchronized void phase(String description) {
        if (!terminal) {
            out.println("phase: " + description);
        } else if (bar != null) {
            bar.setExtraMessage(description);
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

    private ProgressBar bar() {
        if (bar == null) {
            bar = new ProgressBarBuilder().setTaskName("images").setInitialMax(-1)
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
