package dev.orchard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * What a signal's line says once the job has an outcome (StopNoticeIT signals jobs that cannot end). A SIGTERM that
 * came as a finished job printed its summary made it say "stopped before the job ended ... --resume continues the job"
 * under the summary (seen by a reviewer, twice in two tries).
 */
class StopNoticeTest {

    @Test
    void aSignalAfterTheJobFinishedSaysItHadFinished() {
        assertThat(signalledAfter(outcome -> outcome.complete("600 images, 600 rows, 0 errors")))
                .contains("as the job ended; it had finished: its outputs are complete")
                .doesNotContain("stopped before the job ended");
    }

    @Test
    void aSignalAfterAnotherNodeFinishedTheJobSaysItHadFinished() {
        assertThat(signalledAfter(outcome -> outcome.completeExceptionally(
                new dev.orchard.coordinator.JobFinishedAlready("/out"))))
                .contains("it had finished").doesNotContain("stopped before the job ended");
    }

    @Test
    void aSignalAfterTheJobFailedSaysNothingFinished() {
        assertThat(signalledAfter(outcome -> outcome.completeExceptionally(new IllegalStateException("the job failed"))))
                .doesNotContain("it had finished").contains("stopped before the job ended");
    }

    @Test
    void onceTheCommandHasItsOutcomeASignalAddsNothing() {
        StringWriter said = new StringWriter();
        StopNotice notice = new StopNotice(new PrintWriter(said, true));
        notice.close();
        notice.exiting();
        assertThat(said.toString()).isEmpty();
    }

    /** What the notice says when the JVM exits after the job's {@code outcome} came. */
    private static String signalledAfter(Consumer<CompletableFuture<String>> outcome) {
        StringWriter said = new StringWriter();
        CompletableFuture<String> result = new CompletableFuture<>();
        try (StopNotice notice = new StopNotice(new PrintWriter(said, true))) {
            notice.endsWith(result);
            outcome.accept(result);
            notice.exiting();
        }
        return said.toString();
    }
}
