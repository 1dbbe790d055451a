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
 * under the summary (seen by a reviewer, twice in two tries). The tests read what the hook says ({@code say}); the hook
 * itself then holds the exit up to {@code CLOSE_WAIT} (10 s) for the command to close, which made this class take 83 s.
 */
class StopNoticeTest {

    @org.junit.jupiter.api.BeforeEach
    void noStopSaidYet() {
        Orchard.STOP_SAID.set(false); // said once per JVM: each test is a JVM's exit
    }

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

    /**
     * A SIGTERM while the job wrote its last files said "stopped before the job ended ... --resume" at once, and the
     * stop then let the job finish ({@code _SUCCESS} written; a reviewer's harness, 0.04 s after "writing outputs").
     * The line waits for the job's outcome or its node's stop; until one comes it says nothing, whatever the timing.
     */
    @Test
    void aSignalAsTheJobWritesItsLastFilesWaitsForItsOutcome() throws Exception {
        CompletableFuture<String> result = new CompletableFuture<>();
        assertThat(saidOnceReleased(result, new CompletableFuture<Void>(), () -> result.complete("600 images, 600 rows")))
                .contains("it had finished").doesNotContain("stopped before the job ended");
    }

    /**
     * A signal before the command started the job's coordinator said "stopped before the job ended: --resume continues
     * the job … keeping the units whose statistics were committed" where no output folder existed yet (a README walk).
     */
    @Test
    void aSignalAsTheJobStartsSaysTheSameCommandStartsIt() {
        StringWriter said = new StringWriter();
        CompletableFuture<Void> started = new CompletableFuture<>();
        try (StopNotice notice = new StopNotice(new PrintWriter(said, true))) {
            notice.endsWith(new CompletableFuture<String>());
            notice.startsWhen(started);
            notice.say();
        }
        assertThat(said.toString()).contains("stopped as the job was starting").contains("the same command starts the job")
                .doesNotContain("keeping the units");
        Orchard.STOP_SAID.set(false);
        StringWriter later = new StringWriter();
        started.complete(null);
        try (StopNotice notice = new StopNotice(new PrintWriter(later, true))) {
            notice.endsWith(new CompletableFuture<String>());
            notice.startsWhen(started);
            notice.say();
        }
        assertThat(later.toString()).contains("stopped before the job ended").contains("--resume continues the job");
    }

    @Test
    void aSignalThatStopsTheNodeBeforeTheJobEndsSaysSoOnceItHasStopped() throws Exception {
        CompletableFuture<Void> stopped = new CompletableFuture<>();
        assertThat(saidOnceReleased(new CompletableFuture<String>(), stopped, () -> stopped.complete(null)))
                .contains("stopped before the job ended").doesNotContain("it had finished");
    }

    /**
     * What a signal's notice says: its hook, on its own thread, waits (for {@code outcome} or {@code stopped}) and says
     * nothing until {@code release} completes one of them. Once it has said its line, the notice is closed, as the
     * command closes it once its node has stopped: the hook's exit waits for that ({@code CLOSE_WAIT}, 10 s, which
     * joining the hook before the close made each of these tests take).
     */
    private static String saidOnceReleased(CompletableFuture<String> outcome, CompletableFuture<Void> stopped,
                                           Runnable release) throws Exception {
        StringWriter said = new StringWriter();
        Thread signal;
        try (StopNotice notice = new StopNotice(new PrintWriter(said, true))) {
            notice.endsWith(outcome);
            notice.waitsFor(stopped);
            signal = waiting(notice);
            assertThat(said.toString()).as("nothing said while the job may still finish").isEmpty();
            release.run();
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.MINUTES.toNanos(1);
            while (said.toString().isEmpty()) {
                assertThat(System.nanoTime()).as("the hook says its line once released").isLessThan(deadline);
                Thread.sleep(5);
            }
        }
        signal.join(60_000);
        assertThat(signal.isAlive()).as("the hook's exit ends once the command has closed").isFalse();
        return said.toString();
    }

    /** A store that does not answer (S3 retrying as the JVM exits) holds the exit up for OUTPUT_WAIT at most. */
    @Test
    void anOutputThatDoesNotAnswerLeavesWhatTheOutcomeSaid() throws Exception {
        StringWriter said = new StringWriter();
        try (StopNotice notice = new StopNotice(new PrintWriter(said, true))) {
            notice.endsWith(new CompletableFuture<String>());
            notice.waitsFor(CompletableFuture.completedFuture(null));
            notice.checks(() -> {
                new java.util.concurrent.CountDownLatch(1).await(); // never answers
                return true;
            });
            long start = System.nanoTime();
            notice.say();
            assertThat(java.time.Duration.ofNanos(System.nanoTime() - start)).isLessThan(StopNotice.OUTPUT_WAIT.plusSeconds(30));
        }
        assertThat(said.toString()).contains("stopped before the job ended");
    }

    /** The notice's hook run on its own thread, once it waits (for the outcome or the node's stop). */
    private static Thread waiting(StopNotice notice) throws InterruptedException {
        Thread signal = new Thread(notice::exiting, "a-signal");
        signal.start();
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.MINUTES.toNanos(1);
        while (signal.getState() != Thread.State.TIMED_WAITING && signal.getState() != Thread.State.WAITING) {
            assertThat(System.nanoTime()).as("the hook waits").isLessThan(deadline);
            Thread.sleep(5);
        }
        return signal;
    }

    /** Its _SUCCESS landed as the node stopped, before the coordinator heard so: the output says the job finished. */
    @Test
    void aNodeThatStoppedWithoutAnOutcomeOverAFinishedOutputSaysItHadFinished() throws Exception {
        StringWriter said = new StringWriter();
        try (StopNotice notice = new StopNotice(new PrintWriter(said, true))) {
            notice.endsWith(new CompletableFuture<String>());
            notice.waitsFor(CompletableFuture.completedFuture(null));
            notice.checks(() -> true);
            notice.say();
        }
        assertThat(said.toString()).contains("it had finished").doesNotContain("stopped before the job ended");
    }

    /**
     * A standby node stopped while the active coordinator runs the job said "stopped before the job ended: the same
     * command with --resume continues the job" of a job that went on and finished (a user's walk): the output's lease
     * says another node holds it (hedged: one killed a moment ago still has a fresh lease, the diff's review).
     */
    @Test
    void aNodeStoppedWhileAnotherRunsTheJobSaysItGoesOnThere() throws Exception {
        StringWriter said = new StringWriter();
        try (StopNotice notice = new StopNotice(new PrintWriter(said, true))) {
            notice.endsWith(new CompletableFuture<String>());
            notice.waitsFor(CompletableFuture.completedFuture(null));
            notice.checks(() -> false);
            notice.asks(() -> "10.0.0.5:17355 (its lease renewed 2 s ago)");
            notice.say();
        }
        assertThat(said.toString()).contains("while the coordinator on 10.0.0.5:17355 (its lease renewed 2 s ago) holds the"
                + " output's lease: if it runs, the job goes on there; if it has stopped too, the same command with"
                + " --resume continues the job").doesNotContain("stopped before the job ended");
    }

    /**
     * The active coordinator node stopped with a standby in its cluster: it gives the lease up before the standby takes
     * it, so no holder is found; it said "--resume continues the job", which was then refused while the standby
     * finished the job (a chaos walk).
     */
    @Test
    void aNodeStoppedWithAStandbySaysTheStandbyTakesOver() {
        StringWriter said = new StringWriter();
        try (StopNotice notice = new StopNotice(new PrintWriter(said, true))) {
            notice.endsWith(new CompletableFuture<String>());
            notice.waitsFor(CompletableFuture.completedFuture(null));
            notice.checks(() -> false);
            notice.asks(() -> null);
            notice.handsOverTo(() -> "127.0.0.1:17396");
            notice.say();
        }
        assertThat(said.toString()).contains("with another coordinator node in its cluster, on 127.0.0.1:17396: that node"
                + " takes the job over; if it has stopped too, the same command with --resume continues the job")
                .doesNotContain("stopped before the job ended");
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
            notice.say();
        }
        return said.toString();
    }
}
