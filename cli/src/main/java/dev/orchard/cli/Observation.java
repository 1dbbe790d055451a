package dev.orchard.cli;

import dev.orchard.coordinator.JobListener;
import dev.orchard.observe.HttpAddress;
import dev.orchard.observe.JobMeters;
import dev.orchard.observe.JobWatch;
import dev.orchard.observe.NodeHttp;
import dev.orchard.observe.NodeMetrics;
import dev.orchard.observe.PipelineMeters;
import dev.orchard.observe.Readiness;
import dev.orchard.observe.StatusPage;
import dev.orchard.worker.pipeline.WorkerRuntime;
import java.io.PrintWriter;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * What a command serves about itself over HTTP (see {@link NodeHttp}): the meters of this process, the job it
 * coordinates (if any) and its workers' pipeline (if any). Off with {@code --no-http}: then nothing is measured or
 * served, and the coordinator reports to the progress reporter alone.
 */
final class Observation implements AutoCloseable {
    private final HttpAddress address;
    private final NodeMetrics metrics;
    private final WorkerRuntime runtime;
    private JobWatch watch;
    private NodeHttp http;
    /** The status page's address as last printed (null before the first): a rejoined worker on port 0 gets a new one. */
    private String announced;

    /** @param address where to serve, or null for nothing; @param runtime this JVM's workers' pipeline, or null */
    Observation(HttpAddress address, WorkerRuntime runtime) {
        this.address = address;
        this.runtime = runtime;
        this.metrics = address == null ? null : new NodeMetrics();
        if (metrics != null && runtime != null) {
            PipelineMeters.bind(metrics.registry(), runtime);
        }
    }

    /**
     * The listener a coordinator on this node reports to: {@code progress}, after the status page and the meters
     * have seen each report (just {@code progress} with --no-http).
     */
    JobListener coordinatorListener(JobListener progress) {
        if (metrics == null) {
            return progress;
        }
        if (watch == null) {
            watch = new JobWatch(progress);
        }
        return new JobMeters(metrics.registry(), watch);
    }

    /** The job the coordinator here runs, for the page. */
    void describe(JobSetup setup) {
        if (watch != null) {
            watch.describe(setup.job.jobId(), setup.input.toString(), setup.output.toString());
        }
    }

    /**
     * Serves on {@code system} (each incarnation of a worker node is a new system) and prints the address the first
     * time. With a coordinator listener taken first, {@code /ready} of a node without a cluster means "the job runs".
     */
    void serve(ActorSystem<?> system, String node, PrintWriter err) {
        if (metrics == null) {
            return;
        }
        if (watch != null) {
            Readiness.set(system.classicSystem(), watch::running);
        }
        try {
            http = NodeHttp.start(system, address, new StatusPage(node, watch, runtime), metrics);
        } catch (IllegalArgumentException e) {
            if (announced == null) {
                throw e; // at start: a bad --http is the user's to fix (exit 2)
            }
            // a worker node rejoining its cluster: the work matters more than the page
            org.slf4j.LoggerFactory.getLogger(Observation.class).warn("No status page this time: {}", e.getMessage());
            return;
        }
        String url = http.url();
        if (!url.equals(announced)) {
            err.println("orchard: status page " + url + " (also /metrics, /status.json, /ready, /alive)");
            announced = url;
        }
    }

    @Override
    public void close() {
        if (http != null) {
            http.close();
        }
        if (metrics != null) {
            metrics.close();
        }
    }
}
