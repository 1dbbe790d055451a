package dev.orchard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orchard.coordinator.JobSummary;
import dev.orchard.coordinator.work.WorkState;
import dev.orchard.protocol.UnitReport;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The plain progress lines a job prints when its output is not a terminal. */
class ProgressReporterTest {

    @Test
    void aResumedJobsRateCountsOnlyWhatThisRunDid() {
        assertThat(ProgressReporter.line(300, 200, "600", 1, 2.0))
                .isEqualTo("progress: 300/600 images (200 done before this run), 1 error, 50.0 images/s");
        assertThat(ProgressReporter.line(300, 0, "600+", 0, 2.0)).isEqualTo("progress: 300/600+ images, 0 errors, 150.0 images/s");
    }

    /**
     * The rate counts from this JVM's coordinator's first report, not from the JVM's start: a standby that waited 80 s
     * before it took the job over said 26.4 images/s where its summary said 80.6 (a chaos walk).
     */
    @Test
    void theRateCountsFromTheFirstReportNotTheJvmsStart() {
        for (long origin : new long[] {0, -1_000_000_000_000L}) { // System.nanoTime() may be negative: no sentinels
            StringWriter text = new StringWriter();
            long[] nanos = {origin};
            ProgressReporter progress = new ProgressReporter(new PrintWriter(text, true), false, () -> nanos[0]);
            progress.listed(2000, true);
            nanos[0] = origin + 80_000_000_000L; // the standby's wait
            progress.progress(1000, 1000, 0); // it takes over: 1,000 images done before it
            nanos[0] = origin + 90_000_000_000L;
            progress.progress(1800, 1000, 0);
            assertThat(text.toString().lines()).as("clock from %d", origin).containsExactly(
                    "progress: 1000/2000 images (1000 done before this run), 0 errors, 0.0 images/s",
                    "progress: 1800/2000 images (1000 done before this run), 0 errors, 80.0 images/s");
        }
    }

    /**
     * A coordinator node that finds _SUCCESS waits for its own coordinator's result when that one was writing the
     * final files (it said "the job finished on another coordinator node" of its own job, a user's report).
     */
    @Test
    void knowsWhetherTheCoordinatorHereWritesTheFinalFiles() {
        ProgressReporter progress = new ProgressReporter(new PrintWriter(new StringWriter(), true), false);
        progress.phase("publishing 3 part(s)");
        assertThat(progress.writingOutputs()).isFalse();
        progress.phase(dev.orchard.coordinator.work.WorkState.WRITING_OUTPUTS);
        assertThat(progress.writingOutputs()).isTrue();
    }

    @Test
    void theLastLineOfAResumeNamesWhatWasDoneBefore() {
        StringWriter text = new StringWriter();
        ProgressReporter progress = new ProgressReporter(new PrintWriter(text, true), false);
        progress.listed(600, true);
        progress.progress(450, 450, 0); // the resumed coordinator's start: 450 from the journal
        progress.progress(600, 450, 2);
        progress.finished(new JobSummary("out", 600, 150, 598, 2, 3.0, 0, 0));
        assertThat(text.toString().lines().filter(l -> l.startsWith("progress: ")).reduce((a, b) -> b).orElseThrow())
                .startsWith("progress: 600/600 images (450 done before this run), 2 errors, ");
    }

    /**
     * A coordinator waiting for --min-workers said "progress: 0/0+ images" and nothing more (an operator's walk): it
     * now says what it waits for once the wait has lasted 5 s, and again only as the number joined changes.
     */
    @Test
    void aWaitForWorkersIsSaidAfterItsGraceAndAsItChanges() {
        StringWriter text = new StringWriter();
        long[] nanos = {-7_000_000_000L};
        ProgressReporter progress = new ProgressReporter(new PrintWriter(text, true), false, () -> nanos[0]);
        progress.listed(0, false);
        progress.progress(0, 0, 0); // the coordinator's start: nothing listed yet
        progress.status(waiting(0, 2, 600_000));
        nanos[0] += 4_000_000_000L;
        progress.status(waiting(0, 2, 596_000));
        assertThat(text.toString()).as("nothing within the grace").isEmpty();
        nanos[0] += 1_000_000_000L;
        progress.status(waiting(0, 2, 595_000));
        nanos[0] += 1_000_000_000L;
        progress.status(waiting(0, 2, 594_000)); // only the deadline moved: said already
        progress.status(waiting(1, 2, 594_000));
        progress.status(waiting(2, 2, 594_000)); // not yet in the snapshot as met
        progress.status(waiting(-1, 0, 0)); // no wait
        assertThat(text.toString().lines()).containsExactly(
                "orchard: Waiting for workers: 0 of the 2 asked for (--min-workers) have joined, and no work is handed"
                        + " out until they have; the job fails in 595 s without them (--min-workers-timeout).",
                "orchard: Waiting for workers: 1 of the 2 asked for (--min-workers) have joined, and no work is handed"
                        + " out until they have; the job fails in 594 s without them (--min-workers-timeout).",
                "orchard: Waiting for workers: 2 of the 2 asked for (--min-workers) have joined, and no work is handed"
                        + " out until they have; the job fails in 594 s without them (--min-workers-timeout).");
        progress.status(waiting(0, 0, -1)); // later, every worker lost: a new wait, with its own grace
        nanos[0] += 5_000_000_000L;
        progress.status(waiting(0, 0, -1));
        assertThat(lastLine(text))
                .isEqualTo("orchard: Waiting for a worker: work waits and none is live.");
    }

    /**
     * The rate counts from the wait's end where nothing was done before it: after a minute's wait for --min-workers,
     * the first lines said a tenth of the job's pace (an operator's walk). A wait after work began (every worker lost)
     * leaves it over the whole run.
     */
    @Test
    void theRateCountsFromTheEndOfAWaitForWorkers() {
        StringWriter text = new StringWriter();
        long[] nanos = {0};
        ProgressReporter progress = new ProgressReporter(new PrintWriter(text, true), false, () -> nanos[0]);
        progress.listed(100, true);
        progress.progress(0, 0, 0);
        progress.status(waiting(0, 2, 600_000));
        nanos[0] += 60_000_000_000L;
        progress.status(waiting(-1, 0, 0)); // both joined: work is handed out
        nanos[0] += 10_000_000_000L;
        progress.progress(50, 0, 0);
        assertThat(lastLine(text))
                .isEqualTo("progress: 50/100 images, 0 errors, 5.0 images/s");
        progress.status(waiting(0, 0, -1, 50)); // every worker lost: a wait after work began
        nanos[0] += 10_000_000_000L;
        progress.status(waiting(-1, 0, 0, 50));
        progress.progress(100, 0, 0);
        assertThat(lastLine(text))
                .isEqualTo("progress: 100/100 images, 0 errors, 5.0 images/s");
    }

    /** A snapshot whose wait is {@code live} of {@code minWorkers} (none if {@code live} < 0). */
    private static WorkState.Snapshot waiting(int live, int minWorkers, long failsInMs) {
        return waiting(live, minWorkers, failsInMs, 0);
    }

    /** As above, with {@code done} images done. */
    private static WorkState.Snapshot waiting(int live, int minWorkers, long failsInMs, long done) {
        return snapshot(0, false, done, live < 0 ? null : new WorkState.WorkerWait(live, minWorkers, failsInMs));
    }

    /**
     * A job waiting for workers showed its first line's total, "0/16+", for the whole wait, the listing long done (an
     * operator's walk, 8 runs of 8): the line is said again, once, when the listing ends with nothing done since.
     */
    @Test
    void theTotalIsSaidAgainWhenTheListingEndsWhileNothingIsDone() {
        StringWriter text = new StringWriter();
        long[] nanos = {0};
        ProgressReporter progress = new ProgressReporter(new PrintWriter(text, true), false, () -> nanos[0]);
        progress.listed(16, false);
        progress.progress(0, 0, 0);
        progress.status(listing(10, false, 0));
        progress.listed(150, true); // a report with nothing new done prints no line (the walk's runs)
        progress.progress(0, 0, 0);
        nanos[0] += 1_000_000_000L;
        progress.status(listing(150, true, 0));
        progress.status(listing(150, true, 0));
        assertThat(text.toString().lines()).containsExactly("progress: 0/16+ images, 0 errors, 0.0 images/s",
                "progress: 0/150 images, 0 errors, 0.0 images/s");
    }

    private static WorkState.Snapshot listing(long listed, boolean complete, long done) {
        return snapshot(listed, complete, done, null);
    }

    /** A FEATURES snapshot with four units pending: {@code listed} images ({@code complete} or not), {@code done} done. */
    private static WorkState.Snapshot snapshot(long listed, boolean complete, long done, WorkState.WorkerWait wait) {
        return new WorkState.Snapshot(WorkState.Stage.FEATURES, listed, complete, done, 0, 0, 0, Map.of("PENDING", 4), 0,
                0, 4, 0, 0, 0, 0, 0, 0, List.of(), UnitReport.StageNanos.ZERO, wait);
    }

    /** The last line {@code text} holds. */
    private static String lastLine(StringWriter text) {
        return text.toString().lines().reduce((a, b) -> b).orElseThrow();
    }
}
