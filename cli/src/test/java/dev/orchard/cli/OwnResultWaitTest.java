package dev.orchard.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * A coordinator node that finds {@code _SUCCESS} while its own coordinator was writing the final files waits for its
 * own report, but not past its node's end. CI's soak (seed 6720) froze a coordinator as it wrote them; the standby
 * took over and finished, the woken node was downed, and it waited its full minute for a report that could not come.
 * The limits here are an hour: returning at all is what is asserted.
 */
class OwnResultWaitTest {
    private static final long HOUR_MS = 3_600_000;

    @Test
    void aNodeThatEndedWaitsNoLongerForItsCoordinatorsReport() {
        CompletableFuture<Integer> result = new CompletableFuture<>();
        CompletableFuture<Void> terminated = CompletableFuture.completedFuture(null);
        assertTimeoutPreemptively(Duration.ofSeconds(30),
                () -> CoordinatorNodeCommand.awaitOwnResult(result, terminated, HOUR_MS));
        assertThat(result).isNotDone();
    }

    @Test
    void aNodeThatEndsWhileWaitingStopsWaiting() {
        CompletableFuture<Integer> result = new CompletableFuture<>();
        CompletableFuture<Void> terminated = new CompletableFuture<>();
        Thread downed = new Thread(() -> terminated.complete(null));
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            downed.start();
            CoordinatorNodeCommand.awaitOwnResult(result, terminated, HOUR_MS);
        });
        assertThat(terminated).isDone();
    }

    @Test
    void aRunningNodeWaitsForItsReport() throws Exception {
        CompletableFuture<Integer> result = new CompletableFuture<>();
        CompletableFuture<Void> terminated = new CompletableFuture<>();
        Thread reporter = new Thread(() -> result.complete(0));
        reporter.start();
        assertTimeoutPreemptively(Duration.ofSeconds(30),
                () -> CoordinatorNodeCommand.awaitOwnResult(result, terminated, HOUR_MS));
        assertThat(result).isCompletedWithValue(0);
        assertThat(terminated).isNotDone();
    }
}
