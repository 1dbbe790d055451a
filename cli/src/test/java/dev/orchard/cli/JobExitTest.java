package dev.orchard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orchard.coordinator.JobFinishedAlready;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/**
 * The exit code a command gives for how its coordinator ended ({@link RunCommand#report}): a job that another
 * coordinator node finished is not a failure (a standby meets it whenever the first node finishes and leaves, and
 * exited 2 with "job failed" before), bad input is 2, anything else 1.
 */
class JobExitTest {
    @Test
    void aJobFinishedByAnotherCoordinatorNodeExitsWithZero() throws Exception {
        StringWriter err = new StringWriter();
        assertThat(exitAfter(new JobFinishedAlready("/data/out"), err)).isZero();
        assertThat(err.toString()).contains("the job in /data/out has finished already").doesNotContain("failed");
    }

    @Test
    void badInputExitsWithTwoAndAnythingElseWithOne() throws Exception {
        StringWriter err = new StringWriter();
        assertThat(exitAfter(new IllegalArgumentException("no images under /data/in"), err)).isEqualTo(2);
        assertThat(exitAfter(new IllegalStateException("disk full"), err)).isEqualTo(1);
        assertThat(err.toString()).contains("job failed: no images under /data/in", "job failed: disk full");
    }

    private static int exitAfter(Throwable cause, StringWriter err) throws InterruptedException {
        PrintWriter writer = new PrintWriter(err, true);
        ProgressReporter progress = new ProgressReporter(new PrintWriter(new StringWriter(), true), false);
        progress.failed(cause);
        return RunCommand.report(progress, writer);
    }
}
