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
