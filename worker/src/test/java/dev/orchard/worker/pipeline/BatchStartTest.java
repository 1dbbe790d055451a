package dev.orchard.worker.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.FloatBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A unit waiting for its oldest batch starts more of its batches as buffers come free meanwhile
 * ({@link FeatureUnit#awaitStartingMore}): before, a buffer another unit gave back lay unused until the waiting unit's
 * oldest batch ended, while a lane had nothing to run. Each step below is an event the test makes (a buffer given
 * back, the batch completed) and waits for the waiter's answer to; no step depends on how long anything takes.
 */
class BatchStartTest {
    private static final Duration LONG = Duration.ofMinutes(5); // no look for overdue steps in these tests

    @Test
    void aBufferGivenBackWhileTheOldestBatchRunsGetsABatchAtOnce() throws Exception {
        BatchBuffers buffers = new BatchBuffers(2, 4);
        FloatBuffer another = buffers.take(); // another unit's batch
        FloatBuffer own = buffers.take();     // this unit's oldest batch
        CompletableFuture<Void> oldest = new CompletableFuture<>();
        LinkedBlockingQueue<FloatBuffer> started = new LinkedBlockingQueue<>();
        CompletableFuture<Void> waiter = waitFor(oldest, buffers, () -> {
            FloatBuffer got = buffers.poll();
            if (got != null) {
                started.add(got);
            }
            return true; // more batches to start
        });

        buffers.give(another);
        assertThat(started.poll(1, TimeUnit.MINUTES)).as("the freed buffer, started while the oldest batch runs").isSameAs(another);
        assertThat(waiter).isNotDone();

        // The oldest batch ends: its buffer comes back just before it completes, as a PendingBatch's does.
        buffers.give(own);
        oldest.complete(null);
        waiter.get(1, TimeUnit.MINUTES);
    }

    @Test
    void aUnitWithNothingLeftToStartOnlyWaits() throws Exception {
        BatchBuffers buffers = new BatchBuffers(3, 4);
        FloatBuffer first = buffers.take();
        FloatBuffer second = buffers.take();
        FloatBuffer own = buffers.take();
        CompletableFuture<Void> oldest = new CompletableFuture<>();
        AtomicInteger calls = new AtomicInteger();
        LinkedBlockingQueue<Integer> answered = new LinkedBlockingQueue<>();
        CompletableFuture<Void> waiter = waitFor(oldest, buffers, () -> {
            answered.add(calls.incrementAndGet());
            return false; // its last batch is started: nothing more to start
        });

        buffers.give(first);
        assertThat(answered.poll(1, TimeUnit.MINUTES)).isEqualTo(1);
        buffers.give(second); // wakes the waiter, which has nothing to start: it waits on
        buffers.give(own);
        oldest.complete(null);
        waiter.get(1, TimeUnit.MINUTES);
        assertThat(calls).as("asked to start more only until it said there is none").hasValue(1);
        assertThat(buffers.free()).as("buffers it had nothing for stay free for other units").isEqualTo(3);
    }

    @Test
    void theOldestBatchDoneAlreadyReturnsAtOnce() throws Exception {
        BatchBuffers buffers = new BatchBuffers(1, 4);
        List<Integer> calls = new CopyOnWriteArrayList<>();
        FeatureUnit.awaitStartingMore(CompletableFuture.completedFuture(null), buffers, () -> {
            calls.add(1);
            return true;
        }, LONG, () -> { });
        assertThat(calls).as("a finished batch's unit takes its results first").isEmpty();
    }

    @Test
    void aWaitWithNothingNewLooksForOverdueStepsEachPeriod() throws Exception {
        BatchBuffers buffers = new BatchBuffers(1, 4);
        FloatBuffer own = buffers.take();
        CompletableFuture<Void> oldest = new CompletableFuture<>();
        LinkedBlockingQueue<Integer> looks = new LinkedBlockingQueue<>();
        AtomicInteger count = new AtomicInteger();
        CompletableFuture<Void> waiter = CompletableFuture.runAsync(() -> {
            try {
                FeatureUnit.awaitStartingMore(oldest, buffers, () -> true, Duration.ofMillis(20),
                        () -> looks.add(count.incrementAndGet()));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        assertThat(looks.poll(1, TimeUnit.MINUTES)).isEqualTo(1);
        assertThat(looks.poll(1, TimeUnit.MINUTES)).isEqualTo(2);
        buffers.give(own);
        oldest.complete(null);
        waiter.get(1, TimeUnit.MINUTES);
    }

    private static CompletableFuture<Void> waitFor(CompletableFuture<Void> oldest, BatchBuffers buffers,
                                                   FeatureUnit.StartMore startMore) {
        return CompletableFuture.runAsync(() -> {
            try {
                FeatureUnit.awaitStartingMore(oldest, buffers, startMore, LONG, () -> { });
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }, r -> {
            Thread t = new Thread(r, "unit-waiter");
            t.setDaemon(true);
            t.start();
        });
    }
}
