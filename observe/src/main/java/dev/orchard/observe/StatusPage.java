package dev.orchard.observe;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.orchard.coordinator.JobTimeline;
import dev.orchard.coordinator.work.WorkState;
import dev.orchard.report.HtmlPage;
import dev.orchard.report.HtmlPage.Fact;
import dev.orchard.report.Markup;
import dev.orchard.report.Palette;
import dev.orchard.report.XyChart;
import dev.orchard.worker.pipeline.PipelineTotals;
import dev.orchard.worker.pipeline.WorkerRuntime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The page at {@code /} (and the same facts at {@code /status.json}): where the job stands — stage, images done of
 * the total, errors, images/s now and overall, ETA, units by state and the coordinator's counters, each worker with
 * its host, lanes, units in flight, rate and last heartbeat — and, on a node that runs workers, this JVM's pipeline.
 * It reloads itself every {@value #REFRESH_SECONDS} s; it has no script and fetches nothing.
 */
public final class StatusPage {
    static final int REFRESH_SECONDS = 2;
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

    private final String node;
    private final JobWatch watch;
    private final WorkerRuntime runtime;
    private final java.util.function.Supplier<java.util.Set<String>> unreachable;

    /**
     * @param node    what this node is, in words (e.g. "orchard run", "coordinator node 10.0.0.5:17355")
     * @param watch   the job this node coordinates, or null on a worker node
     * @param runtime this JVM's pipeline, or null on a node without workers
     */
    public StatusPage(String node, JobWatch watch, WorkerRuntime runtime) {
        this(node, watch, runtime, java.util.Set::of);
    }

    /**
     * @param unreachable the cluster's members that its failure detector finds unreachable now ({@code host:port}):
     *                    a worker there is shown unreachable at once, where the coordinator counts it live until it
     *                    is downed or its heartbeat times out (a killed worker was shown live for ~20-27 s, a user's
     *                    report)
     */
    public StatusPage(String node, JobWatch watch, WorkerRuntime runtime,
                      java.util.function.Supplier<java.util.Set<String>> unreachable) {
        this.node = node;
        this.watch = watch;
        this.runtime = runtime;
        this.unreachable = unreachable;
    }

    /** Whether a worker ({@code host:port-…}: its node's address first) runs on one of the {@code unreachable} nodes. */
    static boolean onUnreachableNode(String workerId, java.util.Set<String> unreachable) {
        for (String node : unreachable) {
            if (workerId.startsWith(node + "-")) {
                return true;
            }
        }
        return false;
    }

    public String html() {
        HtmlPage page = new HtmlPage("Orchard status — " + node, REFRESH_SECONDS);
        page.h1("Orchard status");
        if (watch != null) {
            job(page, watch.view(), unreachable.get());
        }
        if (runtime != null) {
            pipeline(page, runtime);
        }
        page.note(node + " — reloads every " + REFRESH_SECONDS + " s. Also: /metrics (Prometheus), /status.json, /ready, /alive.");
        return page.render();
    }

    /** The page's facts as JSON, for scripts. */
    public byte[] json() {
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("node", node);
        if (watch != null) {
            JobWatch.View v = watch.view();
            Map<String, Object> job = new LinkedHashMap<>();
            job.put("jobId", v.jobId());
            job.put("input", v.input());
            job.put("output", v.output());
            job.put("state", v.state());
            job.put("stage", v.stage());
            job.put("phase", v.phase());
            job.put("imagesListed", v.listed());
            job.put("listingComplete", v.listingComplete());
            job.put("imagesDone", v.imagesDone());
            job.put("errors", v.errors());
            job.put("imagesPerSecondNow", finite(v.imagesPerSecondNow()));
            job.put("imagesPerSecondOverall", finite(v.imagesPerSecondOverall()));
            job.put("etaSeconds", finite(v.etaSeconds()));
            job.put("elapsedSeconds", v.elapsedSeconds());
            job.put("statusReports", v.statuses());
            job.put("failure", v.failure());
            job.put("summary", v.summary());
            job.put("workers", v.workers());
            java.util.Set<String> away = unreachable.get();
            job.put("waitingForWorkers", v.workerWait() == null ? null : waitingJson(v.workerWait()));
            job.put("unreachableWorkers", v.workers().stream().filter(w -> !w.gone() && onUnreachableNode(w.id(), away))
                    .map(JobWatch.WorkerRow::id).toList());
            if (v.snapshot() != null) {
                WorkState.Snapshot s = v.snapshot();
                job.put("units", s.units());
                job.put("queued", s.queued());
                job.put("attempts", s.attempts());
                job.put("speculative", s.speculative());
                job.put("timeouts", s.timeouts());
                job.put("lostAssignments", s.lostAssignments());
                job.put("workersLost", s.workersLost());
            }
            status.put("job", job);
        }
        if (runtime != null) {
            PipelineTotals t = runtime.totals();
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("imagesWritten", t.imagesWritten());
            p.put("imagesFailed", t.imagesFailed());
            p.put("unitsRunning", t.unitsRunning());
            p.put("lanes", runtime.settings().inferenceLanes());
            p.put("lanesBusy", runtime.lanesBusy());
            Map<String, Double> stages = new LinkedHashMap<>();
            for (String stage : PipelineTotals.STAGES) {
                stages.put(stage, t.stageNanos(stage) / 1e9);
            }
            p.put("stageSeconds", stages);
            status.put("pipeline", p);
        }
        try {
            return JSON.writeValueAsBytes(status);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, Object> waitingJson(WorkState.WorkerWait w) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("live", w.live());
        json.put("minWorkers", w.minWorkers());
        json.put("failsInSeconds", w.failsInMs() < 0 ? null : w.failsInMs() / 1000.0);
        json.put("message", w.describe());
        return json;
    }

    private static void job(HtmlPage page, JobWatch.View v, java.util.Set<String> unreachable) {
        page.subtitle(v.jobId().isEmpty() ? "No job here yet." : "Job " + v.jobId() + ": "
                + dev.orchard.store.Printable.escaped(String.valueOf(v.input())) + " → "
                + dev.orchard.store.Printable.escaped(String.valueOf(v.output())));
        String stage = switch (v.state()) {
            case "waiting" -> "waiting (loading the model, or a standby for another coordinator)";
            case "finished" -> "finished";
            case "failed" -> "failed";
            default -> v.phase().isEmpty() ? v.stage().toLowerCase(Locale.ROOT) : v.phase();
        };
        List<Fact> facts = new ArrayList<>(List.of(
                new Fact("phase", "phase", stage),
                new Fact("images-done", "images done", String.valueOf(v.imagesDone())),
                new Fact("images-total", "images in all", v.listed() + (v.listingComplete() ? "" : "+ (listing)")),
                new Fact("errors", "errors", String.valueOf(v.errors())),
                new Fact("rate-now", "images/s now (10 s)", rate(v.imagesPerSecondNow())),
                new Fact("rate-overall", "images/s overall", rate(v.imagesPerSecondOverall())),
                new Fact("eta", "ETA (features)", duration(v.etaSeconds())),
                new Fact("elapsed", "elapsed", duration(v.elapsedSeconds())),
                new Fact("workers-live", "workers", workers(v.workers(), unreachable))));
        page.facts(facts);
        if (v.workerWait() != null) {
            page.note(v.workerWait().describe());
        }
        if (v.failure() != null) {
            page.note("Failed: " + dev.orchard.store.Printable.escaped(v.failure())); // it names files of the input
        }
        if (v.summary() != null) {
            page.note(dev.orchard.store.Printable.escaped(v.summary())); // "outputs in" the output's name
        }
        if (v.ended()) {
            // The node serves its page a few seconds more: a killed worker still "live", "units running 1" beside
            // every unit done, read as now (an operator's walk).
            page.note("The job has ended (" + v.state() + "): the figures are as at its end, the workers and units as"
                    + " at the coordinator's last status.");
        }
        double[][] rates = JobTimeline.rates(v.timeline(), 5);
        if (rates[0].length >= 2) { // from 0: a flat 0 while it waited for workers was drawn from -1 to 1
            page.chart(new XyChart("status-throughput", "Images per second (5 s average)", "seconds",
                    "images/s").size(560, 180).xFrom(0).yFrom(0)
                    .add(new XyChart.Series("images/s", rates[0], rates[1], XyChart.Style.LINE, Palette.colour(0))).svg());
        }
        page.h2("workers", "Workers");
        List<List<String>> rows = new ArrayList<>();
        for (JobWatch.WorkerRow w : v.workers()) {
            rows.add(List.of(w.id(), dev.orchard.store.Printable.escaped(w.host()), String.valueOf(w.lanes()), String.valueOf(w.unitsInFlight()),
                    String.valueOf(w.images()), rate(w.imagesPerSecond()),
                    String.format(Locale.ROOT, "%.1f s", w.lastHeardSeconds()),
                    w.gone() ? "gone" : onUnreachableNode(w.id(), unreachable) ? "unreachable"
                            : w.passedOver() ? "passed over after failures in a row" : "live"));
        }
        if (rows.isEmpty()) {
            page.note("No worker has reported yet.");
        } else {
            page.table("workers-table", List.of("worker", "host", "lanes", "units in flight", "images done", "images/s",
                    "last heartbeat", "state"), rows);
        }
        WorkState.Snapshot s = v.snapshot();
        if (s != null) {
            page.h2("units", "Units and attempts");
            List<List<String>> units = new ArrayList<>();
            s.units().forEach((state, count) -> units.add(List.of(state.toLowerCase(Locale.ROOT), String.valueOf(count))));
            page.table("units-table", List.of("unit state", "units"), units);
            page.table("counters-table", List.of("counter", "value"), List.of(
                    List.of("queued (a unit past --unit-timeout, waiting for a copy, is running too)",
                            String.valueOf(s.queued())),
                    List.of("units and parts with an attempt out (losing copies included)",
                            String.valueOf(s.running())),
                    List.of("attempts handed out", String.valueOf(s.attempts())),
                    List.of("speculative copies", String.valueOf(s.speculative())),
                    List.of("unit timeout periods (each counts, copy or not)", String.valueOf(s.timeouts())),
                    List.of("lost assignments", String.valueOf(s.lostAssignments())),
                    List.of("workers lost", String.valueOf(s.workersLost())),
                    List.of("parts (open)", s.parts() + " (" + s.partsOpen() + ")")));
        }
    }

    /** The workers not gone, and how many of them are on unreachable nodes: "3", or "3 (1 unreachable)". */
    private static String workers(List<JobWatch.WorkerRow> rows, java.util.Set<String> unreachable) {
        long live = rows.stream().filter(w -> !w.gone()).count();
        long away = rows.stream().filter(w -> !w.gone() && onUnreachableNode(w.id(), unreachable)).count();
        return away == 0 ? String.valueOf(live) : live + " (" + away + " unreachable)";
    }

    private static void pipeline(HtmlPage page, WorkerRuntime runtime) {
        PipelineTotals t = runtime.totals();
        page.h2("pipeline", "This JVM's pipeline");
        page.facts(List.of(
                new Fact("pipeline-images", "images written", String.valueOf(t.imagesWritten())),
                new Fact("pipeline-failed", "images failed", String.valueOf(t.imagesFailed())),
                new Fact("pipeline-units", "units running", String.valueOf(t.unitsRunning())),
                new Fact("pipeline-lanes", "ONNX lanes busy", runtime.lanesBusy() + " of " + runtime.settings().inferenceLanes()),
                new Fact("pipeline-buffers", "batch buffers free", String.valueOf(runtime.batchBuffersFree()))));
        List<List<String>> stages = new ArrayList<>();
        for (String stage : PipelineTotals.STAGES) {
            stages.add(List.of(stage, Markup.number(t.stageNanos(stage) / 1e9, 2)));
        }
        page.table("stages-table", List.of("stage", "seconds (summed over threads)"), stages);
    }

    private static String rate(double r) {
        return Double.isFinite(r) ? String.format(Locale.ROOT, "%.1f", r) : "–";
    }

    private static String duration(double seconds) {
        if (!Double.isFinite(seconds)) {
            return "–";
        }
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%d h %02d min", s / 3600, s / 60 % 60)
                : s >= 60 ? String.format(Locale.ROOT, "%d min %02d s", s / 60, s % 60) : s + " s";
    }

    private static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }
}
