package dev.orchard.observe;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orchard.coordinator.JobListener;
import dev.orchard.coordinator.JobSummary;
import dev.orchard.coordinator.work.WorkState;
import dev.orchard.protocol.UnitReport;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A killed worker was shown live on the coordinator's page for ~20-27 s (until it was downed, or its heartbeat timed
 * out), though the failure detector had found its node unreachable within seconds (a user's kill -9).
 */
class StatusPageTest {
    @Test
    void aWorkerOnAnUnreachableNodeIsShownUnreachable() {
        JobWatch watch = watchingFeatures();
        watch.status(JobWatchTest.snapshot(300, 1000, true, List.of(
                JobWatchTest.worker("10.0.0.6:17355-1a2b3c4d-w1", 200), JobWatchTest.worker("10.0.0.7:17355-5e6f7a8b-w1", 100))));
        StatusPage page = new StatusPage("coordinator node", watch, null, () -> Set.of("10.0.0.6:17355"));
        String html = page.html();
        assertThat(html).contains("id=\"workers-live\">2 (1 unreachable)<");
        assertThat(html).containsSubsequence("10.0.0.6:17355-1a2b3c4d-w1", "unreachable", "10.0.0.7:17355-5e6f7a8b-w1", "live");
        assertThat(new String(page.json(), StandardCharsets.UTF_8))
                .contains("\"unreachableWorkers\" : [ \"10.0.0.6:17355-1a2b3c4d-w1\" ]");
        assertThat(new StatusPage("coordinator node", watch, null).html()).contains("id=\"workers-live\">2<");
        assertThat(StatusPage.onUnreachableNode("10.0.0.6:173550-x-w1", Set.of("10.0.0.6:17355"))).isFalse();
    }

    /** A worker passed over after failures in a row is shown so, in the table and in status.json. */
    @Test
    void aWorkerPassedOverIsShownSo() {
        JobWatch watch = watchingFeatures();
        var broken = new dev.orchard.coordinator.work.WorkState.WorkerSnapshot("10.0.0.6:17355-1a2b3c4d-w1", "host-a",
                4, 0, 12, 0, 0, 400, false, true);
        watch.status(JobWatchTest.snapshot(300, 1000, true, List.of(broken,
                JobWatchTest.worker("10.0.0.7:17355-5e6f7a8b-w1", 100))));
        StatusPage page = new StatusPage("coordinator node", watch, null);
        assertThat(page.html()).containsSubsequence("10.0.0.6:17355-1a2b3c4d-w1", "passed over after failures in a row",
                "10.0.0.7:17355-5e6f7a8b-w1", "live");
        assertThat(new String(page.json(), StandardCharsets.UTF_8)).contains("\"passedOver\" : true")
                .contains("\"passedOver\" : false");
    }

    /**
     * Past the job's end a coordinator node's page read as now: a killed worker live, "units running 1" beside every
     * unit done (a losing copy still out). It says the job has ended and what its figures are.
     */
    @Test
    void anEndedJobsPageSaysItHasEndedAndWhatTheFiguresAre() {
        JobWatch watch = watchingFeatures();
        watch.status(JobWatchTest.snapshot(300, 300, true, List.of(JobWatchTest.worker("10.0.0.7:17355-5e6f7a8b-w1", 300))));
        watch.finished(new JobSummary("/out", 300, 300, 0, 9, 5, 0.5));
        String html = new StatusPage("coordinator node", watch, null).html();
        assertThat(html).contains("The job has ended (finished): the figures are as at its end, the workers and units as"
                + " at the coordinator&#39;s last status.", "units and parts with an attempt out (losing copies included)");
    }

    /**
     * Waiting for --min-workers the page said "listing and extracting features", "No worker has reported yet", and
     * drew a flat 0 on a -1 to 1 axis (an operator's walk). It says what it waits for and until when, and the axis
     * starts at 0.
     */
    @Test
    void aJobWaitingForWorkersSaysSoAndItsRateAxisStartsAtZero() {
        JobWatch watch = watchingFeatures();
        for (int s = 0; s < 8; s++) {
            watch.status(waitingFor(2, 20_000 - 1_000 * s));
        }
        StatusPage page = new StatusPage("coordinator node", watch, null);
        String waiting = "Waiting for workers: 0 of the 2 asked for (--min-workers) have joined, and no work is handed"
                + " out until they have; the job fails in 13 s without them (--min-workers-timeout).";
        String html = page.html();
        assertThat(html).contains(waiting);
        String chart = html.substring(html.indexOf("id=\"status-throughput\""));
        assertThat(java.util.regex.Pattern.compile("class=\"tick\">([^<]*)<").matcher(chart.substring(0,
                chart.indexOf("</svg>"))).results().map(r -> r.group(1)).toList()).as("the images/s plot's ticks")
                .contains("0").noneMatch(tick -> tick.startsWith("-"));
        assertThat(new String(page.json(), StandardCharsets.UTF_8)).contains("\"minWorkers\" : 2",
                "\"failsInSeconds\" : 13.0", waiting);
    }

    private static WorkState.Snapshot waitingFor(int minWorkers, long failsInMs) {
        return new WorkState.Snapshot(WorkState.Stage.FEATURES, 1000, true, 0, 0, 0, 0, Map.of("PENDING", 4), 0, 0, 4,
                0, 0, 0, 0, 0, 0, List.of(), UnitReport.StageNanos.ZERO, new WorkState.WorkerWait(0, minWorkers, failsInMs));
    }

    private static JobWatch watchingFeatures() {
        JobWatch watch = new JobWatch(new JobListener() {
            @Override
            public void finished(JobSummary summary) {
            }

            @Override
            public void failed(Throwable cause) {
            }
        });
        watch.describe("job-1", "/in", "/out");
        watch.phase("listing and extracting features");
        return watch;
    }
}
