package dev.orchard.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.orchard.coordinator.JobListener;
import dev.orchard.coordinator.JobSummary;
import dev.orchard.coordinator.work.WorkState;
import dev.orchard.protocol.UnitReport;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The rates, ETA and states the status page shows, from a replayed sequence of coordinator statuses. */
class JobWatchTest {
    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    private final List<String> passedOn = new ArrayList<>();
    private final JobWatch watch = new JobWatch(new JobListener() {
        @Override
        public void status(WorkState.Snapshot snapshot) {
            passedOn.add("status " + snapshot.imagesDone());
        }

        @Override
        public void finished(JobSummary summary) {
            passedOn.add("finished");
        }

        @Override
        public void failed(Throwable cause) {
            passedOn.add("failed");
        }
    }, nanos::get);

    @Test
    void ratesOverTheLastSecondsOverallAndTheEtaFromTheLastMinute() {
        assertThat(watch.view().state()).isEqualTo("waiting");
        assertThat(watch.running()).isFalse();
        // 100 images/s for 30 s, then 50 images/s for 20 s; one status a second; 10,000 images listed.
        long done = 0;
        for (int s = 0; s <= 50; s++) {
            watch.status(snapshot(done, 10_000, true, List.of(worker("w1", done / 2), worker("w2", done - done / 2))));
            nanos.addAndGet(1_000_000_000L);
            done += s < 30 ? 100 : 50;
        }
        nanos.addAndGet(-1_000_000_000L); // "now" is the last status
        JobWatch.View v = watch.view();
        assertThat(v.state()).isEqualTo("running");
        assertThat(watch.running()).isTrue();
        assertThat(v.imagesDone()).isEqualTo(4000);
        assertThat(v.imagesPerSecondNow()).isCloseTo(50, within(1e-9));
        assertThat(v.imagesPerSecondOverall()).isCloseTo(4000 / 50.0, within(1e-9));
        // the last 60 s of samples hold the whole run here: 4,000 images in 50 s, 6,000 to go
        assertThat(v.etaSeconds()).isCloseTo(6000 / (4000 / 50.0), within(1e-6));
        assertThat(v.workers()).extracting(JobWatch.WorkerRow::id).containsExactly("w1", "w2");
        assertThat(v.workers().get(0).imagesPerSecond()).isCloseTo(25, within(1e-9));
        assertThat(passedOn).hasSize(51).last().isEqualTo("status 4000");
        assertThat(v.statuses()).isEqualTo(51);
    }

    /**
     * A coordinator that waited a minute for its workers: the ETA's rate is not taken over the wait (it put a job's
     * end, 20 s away, at 2 min 26 s: a user's walk).
     */
    @Test
    void theEtaIsNotSlowedByAWaitBeforeTheFirstImage() {
        for (int s = 0; s < 60; s++) { // waiting for workers: nothing done
            watch.status(snapshot(0, 3000, true, List.of()));
            nanos.addAndGet(1_000_000_000L);
        }
        for (int s = 0; s <= 10; s++) { // then 100 images/s
            watch.status(snapshot(100L * s, 3000, true, List.of()));
            nanos.addAndGet(1_000_000_000L);
        }
        nanos.addAndGet(-1_000_000_000L);
        assertThat(watch.view().etaSeconds()).isCloseTo((3000 - 1000) / 100.0, within(1e-6));
    }

    /**
     * An update's page said "done 4122 of 42" once it finished: the result counts every row and error of the output,
     * its statuses the images this run computed. Finished, it stays with the run's own count, and its errors.
     */
    @Test
    void aFinishedUpdateCountsTheImagesItComputed() {
        watch.status(snapshot(0, 42, true, List.of()));
        nanos.addAndGet(2_000_000_000L);
        watch.status(snapshot(40, 42, true, List.of()));
        watch.finished(new JobSummary("/out", 4122, 42, 4120, 7, 2, 5, 0.5));
        JobWatch.View v = watch.view();
        assertThat(v.imagesDone()).isEqualTo(42);
        assertThat(v.imagesPerSecondOverall()).isCloseTo(42 / 2.0, within(1e-9));
        assertThat(v.errors()).isZero(); // the statuses' (this run's), not the output's 7
    }

    /** A --resume that found the job finished (no status, nothing featurised) shows the output's counts, not 0. */
    @Test
    void aRunThatFoundTheJobFinishedShowsTheOutputsCounts() {
        watch.finished(new JobSummary("/out", 4122, 0, 4120, 2, 0.1, 5, 0.5));
        assertThat(watch.view().imagesDone()).isEqualTo(4122);
        assertThat(watch.view().errors()).isEqualTo(2);
    }

    @Test
    void noEtaWhileListingAndNoneNeededOnceFinished() {
        watch.status(snapshot(0, 500, false, List.of()));
        nanos.addAndGet(2_000_000_000L);
        watch.status(snapshot(100, 900, false, List.of()));
        JobWatch.View listing = watch.view();
        assertThat(listing.etaSeconds()).isNaN();
        assertThat(listing.listingComplete()).isFalse();
        assertThat(listing.listed()).isEqualTo(900);
        watch.finished(new JobSummary("/out", 900, 900, 0, 9, 5, 0.5));
        JobWatch.View done = watch.view();
        assertThat(done.state()).isEqualTo("finished");
        assertThat(done.etaSeconds()).isZero();
        assertThat(done.summary()).contains("900 images");
        assertThat(watch.running()).isFalse();
        assertThat(passedOn).last().isEqualTo("finished");
    }

    /**
     * After the features phase the page kept its last rate (78.5 images/s) through the solve, the publishing and past
     * the end, and said "writing outputs" and WRITING once the job had finished (an observability helper's watch).
     */
    @Test
    void theRateFallsWhenImagesStopAndAnEndedJobSaysHowItEnded() {
        watch.status(snapshot(0, 900, true, List.of()));
        nanos.addAndGet(1_000_000_000L);
        watch.status(snapshot(100, 900, true, List.of()));
        assertThat(watch.view().imagesPerSecondNow()).isCloseTo(100, within(1e-9));
        watch.phase("writing outputs");
        nanos.addAndGet(1_000_000_000L); // no status since: the rate falls as the window slides
        assertThat(watch.view().imagesPerSecondNow()).isCloseTo(50, within(1e-9));
        nanos.addAndGet(10_000_000_000L); // the count has not moved for 11 s
        assertThat(watch.view().imagesPerSecondNow()).isZero();
        watch.finished(new JobSummary("/out", 900, 900, 0, 9, 5, 0.5));
        JobWatch.View done = watch.view();
        assertThat(done.phase()).isEqualTo("finished");
        assertThat(done.stage()).isEqualTo("FINISHED");
    }

    /**
     * A lost worker's finished units are taken back and the images done fall (2,176 → 1,920 in a walk): the rate now
     * went below 0. It is the rate of new images: 0 while the lost work is redone, as the report's plot says.
     */
    @Test
    void theRateNowNeverGoesBelowZeroWhenALostWorkersUnitsAreTakenBack() {
        long[] done = {1000, 1100, 1200, 1300, 1400, 900, 900, 1100, 1300, 1500, 1700};
        for (int s = 0; s < done.length; s++) {
            watch.status(snapshot(done[s], 10_000, true, List.of()));
            if (s == 5) { // 400 new images in 5 s, then a fall: nothing new (it was -20 images/s)
                assertThat(watch.view().imagesPerSecondNow()).isCloseTo(400 / 5.0, within(1e-9));
            }
            assertThat(watch.view().imagesPerSecondNow()).as("at %d s", s).isNotNegative();
            nanos.addAndGet(1_000_000_000L);
        }
        nanos.addAndGet(-1_000_000_000L);
        assertThat(watch.view().imagesPerSecondNow()).isCloseTo((1700 - 1000) / 10.0, within(1e-9));
    }

    /**
     * A coordinator node serves its page a few seconds past the job's end: its elapsed time went on rising (71.8 →
     * 82.2 s) and its overall rate falling (45.0 → 38.9 images/s, beside a summary of 44.8). They stop at the end.
     */
    @Test
    void theFiguresStopAtTheJobsEnd() {
        for (int s = 0; s <= 10; s++) {
            watch.status(snapshot(100L * s, 1000, true, List.of(worker("w1", 100L * s))));
            nanos.addAndGet(1_000_000_000L);
        }
        watch.finished(new JobSummary("/out", 1000, 1000, 0, 11, 5, 0.5));
        JobWatch.View atEnd = watch.view();
        nanos.addAndGet(10_000_000_000L);
        JobWatch.View later = watch.view();
        assertThat(later.elapsedSeconds()).isEqualTo(atEnd.elapsedSeconds()).isEqualTo(11);
        assertThat(later.imagesPerSecondOverall()).isEqualTo(atEnd.imagesPerSecondOverall()).isCloseTo(1000 / 11.0,
                within(1e-9));
        assertThat(later.imagesPerSecondNow()).isEqualTo(atEnd.imagesPerSecondNow()).isPositive();
        assertThat(watch.workerImagesPerSecond("w1")).isEqualTo(atEnd.workers().get(0).imagesPerSecond());
    }

    @Test
    void aFailureIsShownAndEndsReadiness() {
        watch.phase("listing and extracting features");
        assertThat(watch.running()).isTrue();
        watch.failed(new IllegalStateException("unit 3 failed 3 times: disk full"));
        assertThat(watch.view().state()).isEqualTo("failed");
        assertThat(watch.view().failure()).isEqualTo("unit 3 failed 3 times: disk full");
        assertThat(watch.running()).isFalse();
        watch.phase("late message"); // a late report does not bring it back
        assertThat(watch.view().state()).isEqualTo("failed");
    }

    @Test
    void aResumedJobsOverallRateCountsOnlyTheImagesThisRunDid() {
        // 3,000 of 10,000 were done before the resume; then 100 images/s for 20 s.
        for (int s = 0; s <= 20; s++) {
            watch.status(resumed(3000 + 100L * s, 3000));
            nanos.addAndGet(1_000_000_000L);
        }
        nanos.addAndGet(-1_000_000_000L);
        JobWatch.View v = watch.view();
        assertThat(v.imagesDone()).isEqualTo(5000);
        assertThat(v.imagesPerSecondOverall()).isCloseTo(100, within(1e-9));
        assertThat(v.imagesPerSecondNow()).isCloseTo(100, within(1e-9));
        assertThat(v.etaSeconds()).isCloseTo(5000 / 100.0, within(1e-6));
    }

    private static WorkState.Snapshot resumed(long done, long before) {
        return new WorkState.Snapshot(WorkState.Stage.FEATURES, 10_000, true, done, before, 0, 0, Map.of(), 0, 0, 0, 0,
                0, 0, 0, 0, 0, List.of(), UnitReport.StageNanos.ZERO, null);
    }

    static WorkState.WorkerSnapshot worker(String id, long images) {
        return new WorkState.WorkerSnapshot(id, "host-" + id, 2, 1, 3, 2, images, 400, false, false);
    }

    static WorkState.Snapshot snapshot(long done, long listed, boolean complete, List<WorkState.WorkerSnapshot> workers) {
        return new WorkState.Snapshot(WorkState.Stage.FEATURES, listed, complete, done, 0, 0, 0, Map.of("DONE", (int) (done / 100)),
                0, 0, 3, 2, done / 100 + 2, 0, 0, 0, 0, workers, UnitReport.StageNanos.ZERO, null);
    }
}
