package dev.orchard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orchard.coordinator.JobSummary;
import java.io.PrintWriter;
import java.io.StringWriter;
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
}
