package dev.orchard.observe;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orchard.coordinator.JobListener;
import dev.orchard.coordinator.JobSummary;
import dev.orchard.coordinator.work.WorkState;
import dev.orchard.protocol.UnitReport;
import io.micrometer.core.instrument.Meter;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The job's meters as Prometheus scrapes them, through statuses an observability helper met in real jobs. */
class JobMetersTest {
    private final NodeMetrics metrics = new NodeMetrics();
    private final JobMeters meters = new JobMeters(metrics.registry(), new JobWatch(new JobListener() {
        @Override
        public void finished(JobSummary summary) {
        }

        @Override
        public void failed(Throwable cause) {
        }
    }));

    private static WorkState.Snapshot status(WorkState.Stage stage, long done, long errors, long listingErrors,
                                             double inferSeconds, List<WorkState.WorkerSnapshot> workers) {
        return new WorkState.Snapshot(stage, 1000, true, done, 0, errors, listingErrors, Map.of("DONE", 3), 1, 1, 0, 0,
                0, 0, 0, 0, 0, workers, new UnitReport.StageNanos(0, 0, 0, (long) (inferSeconds * 1e9), 0, 0), null);
    }

    private static WorkState.WorkerSnapshot worker(String id, long images) {
        return new WorkState.WorkerSnapshot(id, "host-" + id, 2, 1, 3, 2, images, 400, false, false);
    }

    /**
     * A dangling link recorded before any image was done made the rows figure -1, and every scrape failed ("counters
     * cannot have a negative value") until images caught up; the rows counted the listing's errors as images.
     */
    @Test
    void rowsWrittenLeaveOutTheListingsErrorsAndAScrapeNeverFails() {
        meters.status(status(WorkState.Stage.FEATURES, 0, 1, 1, 0, List.of()));
        String scrape = metrics.scrape();
        assertThat(value(scrape, "orchard_job_images_processed_total")).isZero();
        assertThat(value(scrape, "orchard_job_images_failed_total")).isZero();
        assertThat(value(scrape, "orchard_job_listing_skipped_total")).isEqualTo(1);
        meters.status(status(WorkState.Stage.FEATURES, 300, 3, 1, 10, List.of()));
        String later = metrics.scrape();
        assertThat(value(later, "orchard_job_images_processed_total")).isEqualTo(298);
        // Processed and failed make the images done: the listing's skipped files are neither (a walk's dashboard,
        // (processed + failed) / listed, went past 100 %).
        assertThat(value(later, "orchard_job_images_failed_total")).isEqualTo(2);
        assertThat(value(later, "orchard_job_listing_skipped_total")).isEqualTo(1);
    }

    /**
     * Work a killed worker had finished is counted again only once redone: the coordinator's figures fell (2,488 →
     * 1,023 rows), and Prometheus reads a counter that falls as a reset. The counters hold their most, then go on.
     */
    @Test
    void countersNeverGoBackWhenALostWorkersWorkIsRedone() {
        meters.status(status(WorkState.Stage.FEATURES, 2496, 8, 0, 41.6, List.of(worker("w1", 2496))));
        meters.status(status(WorkState.Stage.FEATURES, 960, 1, 0, 20.1, List.of(worker("w2", 0))));
        String fallen = metrics.scrape();
        assertThat(value(fallen, "orchard_job_images_processed_total")).isEqualTo(2488);
        assertThat(value(fallen, "orchard_job_images_failed_total")).isEqualTo(8);
        assertThat(value(fallen, "orchard_job_stage_seconds_total{stage=\"infer\"}")).isEqualTo(41.6);
        assertThat(fallen).doesNotContain("worker=\"w1\"");
        meters.status(status(WorkState.Stage.FEATURES, 3049, 8, 0, 60, List.of(worker("w2", 2100))));
        String after = metrics.scrape();
        assertThat(value(after, "orchard_job_images_processed_total")).isEqualTo(3041);
        assertThat(value(after, "orchard_job_stage_seconds_total{stage=\"infer\"}")).isEqualTo(60);
        assertThat(value(after, "orchard_job_worker_images{host=\"host-w2\",worker=\"w2\"}")).isEqualTo(2100);
    }

    /**
     * The per-worker and per-state gauges were registered again at every status, which raced with scrapes ("Duplicate
     * labels for metric orchard_job_worker_heartbeat_age_seconds", 1-3 scrapes in 50 failed). Each is registered
     * once: the same meter serves every later status, and a worker's go when it leaves.
     */
    @Test
    void gaugesAreRegisteredOnceAndReadTheLastStatus() {
        meters.status(status(WorkState.Stage.FEATURES, 10, 0, 0, 1, List.of(worker("w1", 10))));
        List<Meter> first = metrics.registry().getMeters();
        meters.status(status(WorkState.Stage.FEATURES, 20, 0, 0, 2, List.of(worker("w1", 20))));
        assertThat(metrics.registry().getMeters()).containsExactlyInAnyOrderElementsOf(first);
        String scrape = metrics.scrape();
        assertThat(value(scrape, "orchard_job_worker_images{host=\"host-w1\",worker=\"w1\"}")).isEqualTo(20);
        assertThat(value(scrape, "orchard_job_units{state=\"DONE\"}")).isEqualTo(3);
        assertThat(value(scrape, "orchard_job_units{state=\"PENDING\"}")).isZero();
        assertThat(value(scrape, "orchard_job_stage_active{stage=\"FEATURES\"}")).isEqualTo(1);
        meters.finished(new JobSummary("/out", 20, 20, 0, 1.0, 0, 0));
        String done = metrics.scrape();
        assertThat(value(done, "orchard_job_stage_active{stage=\"FINISHED\"}")).isEqualTo(1);
        assertThat(value(done, "orchard_job_stage_active{stage=\"FEATURES\"}")).isZero();
    }

    /** A job that failed (at its solve, say) showed SOLVING 1 for good. */
    @Test
    void aFailedJobShowsFailed() {
        meters.status(status(WorkState.Stage.SOLVING, 20, 0, 0, 2, List.of()));
        meters.failed(new IllegalArgumentException("PCA needs at least 2 readable images"));
        String scrape = metrics.scrape();
        assertThat(value(scrape, "orchard_job_stage_active{stage=\"FAILED\"}")).isEqualTo(1);
        assertThat(value(scrape, "orchard_job_stage_active{stage=\"SOLVING\"}")).isZero();
    }

    /** The family's HELP said "over the last 10 s" for its window="overall" sample too (an operator's walk). */
    @Test
    void theRatesHelpNamesBothWindows() {
        meters.status(status(WorkState.Stage.FEATURES, 10, 0, 0, 1, List.of()));
        String scrape = metrics.scrape();
        assertThat(scrape).contains("orchard_job_images_per_second{window=\"10s\"}",
                "orchard_job_images_per_second{window=\"overall\"}");
        Matcher help = Pattern.compile("(?m)^# HELP orchard_job_images_per_second (.*)$").matcher(scrape);
        assertThat(help.find()).as(scrape).isTrue();
        assertThat(help.group(1)).contains("window=\"10s\"", "window=\"overall\"");
    }

    private static double value(String scrape, String series) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(scrape);
        assertThat(m.find()).as(series + " in\n" + scrape).isTrue();
        return Double.parseDouble(m.group(1));
    }
}
