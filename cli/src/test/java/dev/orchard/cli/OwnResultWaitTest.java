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
 * The limits here are an hour: returning at all is what is asserted. A future completed "while waiting" is completed
 * once the wait has registered on it, so that each test replays the same order of events.
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
        completeOnceAwaited(terminated, null);
        assertTimeoutPreemptively(Duration.ofSeconds(30),
                () -> CoordinatorNodeCommand.awaitOwnResult(result, terminated, HOUR_MS));
        assertThat(result).isNotDone();
    }

    @Test
    void aReportThatComesWhileWaitingIsTaken() {
        CompletableFuture<Integer> result = new CompletableFuture<>();
        CompletableFuture<Void> terminated = new CompletableFuture<>();
        completeOnceAwaited(result, 0);
        assertTimeoutPreemptively(Duration.ofSeconds(30),
                () -> CoordinatorNodeCommand.awaitOwnResult(result, terminated, HOUR_MS));
        assertThat(result).isCompletedWithValue(0);
    }

    @Test
    void theWaitStillEndsAtItsLimit() {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> CoordinatorNodeCommand.awaitOwnResult(
                new CompletableFuture<>(), new CompletableFuture<>(), 100));
    }

    /** Completes {@code future} with {@code value} on another thread once something waits on it. */
    private static <T> void completeOnceAwaited(CompletableFuture<T> future, T value) {
        Thread t = new Thread(() -> {
            while (future.getNumberOfDependents() == 0) {
                Thread.onSpinWait();
            }
            future.complete(value);
        });
        t.setDaemon(true);
        t.start();
    }
}
