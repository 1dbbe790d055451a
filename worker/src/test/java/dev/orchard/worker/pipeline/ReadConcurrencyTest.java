package dev.orchard.worker.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.orchard.store.s3.S3Settings;
import dev.orchard.worker.model.InferenceSettings;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ReadConcurrencyTest {
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    @Test
    void startsWithAFewReadsOrFewerWhenTheMaximumIsLower() {
        assertThat(ReadConcurrency.upTo(32).reads()).isEqualTo(ReadConcurrency.INITIAL);
        assertThat(ReadConcurrency.upTo(32).max()).isEqualTo(32);
        assertThat(ReadConcurrency.upTo(2).reads()).isEqualTo(2);
        assertThatThrownBy(() -> new ReadConcurrency(0, 4)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ReadConcurrency(8, 4)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void lanesThatNeverWaitKeepTheReadsAsTheyAre() {
        ReadConcurrency reads = ReadConcurrency.upTo(32);
        for (int batch = 0; batch < 1000; batch++) {
            assertThat(reads.batchRan(0, 150 * MS)).isEqualTo(4);
        }
    }

    @Test
    void lanesWaitingMoreThanTheirShareDoubleTheReadsUpToTheMaximum() {
        ReadConcurrency reads = ReadConcurrency.upTo(24);
        // A lane waits 20 ms for each batch it runs in 150 ms: 13 %, over the 5 % share.
        assertThat(reads.batchRan(20 * MS, 150 * MS)).as("one batch is a hint, not a pace").isEqualTo(4);
        assertThat(reads.batchRan(20 * MS, 150 * MS)).isEqualTo(8);
        assertThat(reads.batchRan(20 * MS, 150 * MS)).as("counted afresh after a step").isEqualTo(8);
        assertThat(reads.batchRan(20 * MS, 150 * MS)).isEqualTo(16);
        reads.batchRan(20 * MS, 150 * MS);
        assertThat(reads.batchRan(20 * MS, 150 * MS)).isEqualTo(24);
        for (int batch = 0; batch < 100; batch++) {
            assertThat(reads.batchRan(1000 * MS, 150 * MS)).isEqualTo(24);
        }
    }

    @Test
    void waitsUnderTheShareDoNotAddReads() {
        ReadConcurrency reads = ReadConcurrency.upTo(32);
        // 7 ms per 150 ms batch: 4.7 %.
        for (int batch = 0; batch < 1000; batch++) {
            assertThat(reads.batchRan(7 * MS, 150 * MS)).isEqualTo(4);
        }
    }

    @Test
    void waitsAreForgottenAfterAWindow() {
        ReadConcurrency reads = ReadConcurrency.upTo(32);
        // One long wait early (start-up), then a window's worth of batches at a 4 % share: no step, however the
        // first wait would have weighed had it been kept.
        reads.batchRan(0, 150 * MS);
        reads.batchRan(6 * MS, 150 * MS);
        for (int batch = 2; batch < ReadConcurrency.WINDOW; batch++) {
            assertThat(reads.batchRan(6 * MS, 150 * MS)).isEqualTo(4);
        }
        ReadConcurrency remembering = ReadConcurrency.upTo(32);
        remembering.batchRan(0, 150 * MS);
        assertThat(remembering.batchRan(6 * MS + 2 * 150 * MS * 5 / 100, 150 * MS)).as("the same waits, in one window")
                .isEqualTo(8);
        // A window of small waits, then a lane waiting 10 % of a window of runs: the step comes from the new waits.
        for (int batch = 0; batch < ReadConcurrency.WINDOW; batch++) {
            reads.batchRan(0, 150 * MS);
        }
        reads.batchRan(15 * MS, 150 * MS);
        assertThat(reads.batchRan(15 * MS, 150 * MS)).isEqualTo(8);
    }

    @Test
    void negativeTimesAreRefused() {
        assertThatThrownBy(() -> ReadConcurrency.upTo(32).batchRan(-1, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    /**
     * The worker's wiring: a lane's wait counts from when it finished its previous batch or when the next batch's
     * reads began, whichever is later; the fetch pool grows when the rule says so, and only then.
     */
    @Test
    void theWorkerAddsFetchThreadsWhenItsLanesWaitForReads() throws Exception {
        try (WorkerRuntime runtime = new WorkerRuntime(PipelineSettings.forCores(2), InferenceSettings.forCores(2),
                S3Settings.defaults())) {
            assertThat(runtime.fetchThreads()).isEqualTo(4);
            long t = 1_000_000 * MS;
            // The first batch of a lane: nothing to have waited for, however long ago its reads began.
            runtime.laneEnds(t - 500 * MS, t, t + 150 * MS);
            t += 150 * MS;
            // The next batch's reads began 100 ms before the lane finished, and were done 1 ms after: 1 ms waited.
            for (int batch = 0; batch < 10; batch++) {
                long started = t + MS;
                runtime.laneEnds(t - 100 * MS, started, started + 150 * MS);
                t = started + 150 * MS;
            }
            assertThat(runtime.fetchThreads()).as("lanes waiting < 1 %% of their time").isEqualTo(4);
            // Reads that began after the lane finished (its buffer freed them) and took 100 ms: waited 100 ms. With
            // the 10 ms before, 110 ms against 12 batches × 150 ms: 6 %, over the share.
            long started = t + 102 * MS;
            runtime.laneEnds(t + 2 * MS, started, started + 150 * MS);
            assertThat(runtime.fetchThreads()).isEqualTo(8);
            // The pool runs that many reads at once now.
            java.util.concurrent.CountDownLatch running = new java.util.concurrent.CountDownLatch(8);
            java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
            for (int i = 0; i < 8; i++) {
                runtime.fetchPool().execute(() -> {
                    running.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
            }
            assertThat(running.await(30, TimeUnit.SECONDS)).as("8 reads at once").isTrue();
            release.countDown();
        }
    }
}
