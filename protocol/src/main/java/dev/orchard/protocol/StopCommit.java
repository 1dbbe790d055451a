package dev.orchard.protocol;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * The wait of a stopping node for its finished units to be journalled, shared by the worker and the coordinator: a
 * task in CoordinatedShutdown's first phase ({@code before-service-unbind}) that starts the commit ({@code begin}) and
 * holds the phase until {@code settled} completes, at most the phase's timeout less a second, so that the phase
 * itself never times out; past that bound, {@code ranOut} is told it (in ms) and the stop goes on.
 */
public final class StopCommit {

    /** Left of the phase's timeout for the wait to end by itself. */
    private static final long MARGIN_MS = 1_000;

    private StopCommit() {
    }

    public static void register(ActorSystem<?> system, String name, Runnable begin, CompletableFuture<Done> settled,
                                LongConsumer ranOut) {
        CoordinatedShutdown shutdown = CoordinatedShutdown.get(system);
        String phase = CoordinatedShutdown.PhaseBeforeServiceUnbind();
        long bound = Math.max(0, shutdown.timeout(phase).toMillis() - MARGIN_MS);
        shutdown.addTask(phase, name, () -> {
            begin.run();
            CompletableFuture.delayedExecutor(bound, TimeUnit.MILLISECONDS).execute(() -> {
                if (settled.complete(Done.getInstance())) {
                    ranOut.accept(bound);
                }
            });
            return settled;
        });
    }
}
