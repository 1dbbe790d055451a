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
    private final boolean anyPortIfTaken;
    private final NodeMetrics metrics;
    private final WorkerRuntime runtime;
    private JobWatch watch;
    private NodeHttp http;
    /** The status page's address as last printed (null before the first): printed again when it changed. */
    private String announced;
    /**
     * The free port the page took when {@link #address}'s was taken, or when it named port 0 (0 before): tried first
     * at the next serve.
     */
    private int fallbackPort;
    /** Whether {@link #check} found the address free before the job started. */
    private final boolean checked;

    /**
     * @param address        where to serve, or null for nothing
     * @param anyPortIfTaken whether another free port will do when that one is taken (the default port: a second
     *                       node on the same machine still serves its page; a port the user named must be that one)
     * @param runtime        this JVM's workers' pipeline, or null
     */
    Observation(HttpAddress address, boolean anyPortIfTaken, WorkerRuntime runtime) {
        this(address, anyPortIfTaken, runtime, false);
    }

    /** As above, for an address {@link #check} found free before the job started ({@code checked}). */
    Observation(HttpAddress address, boolean anyPortIfTaken, WorkerRuntime runtime, boolean checked) {
        this.checked = checked;
        this.address = address;
        this.anyPortIfTaken = anyPortIfTaken;
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
     * Refuses a {@code --http} address this process cannot listen on (exit 2), before anything starts; {@link #serve}
     * may then come later, off the job's path. (The default port, when taken, gives way to a free one there.) Returns
     * whether the address was found free; give that to the constructor. Cheap: it loads nothing of Pekko HTTP.
     *
     * @param address where to serve, or null for nothing
     */
    static boolean check(HttpAddress address, boolean anyPortIfTaken) {
        if (address == null) {
            return false;
        }
        try {
            address.requireListenable();
        } catch (IllegalArgumentException e) {
            if (!anyPortIfTaken || address.port() == 0) {
                throw e;
            }
        }
        return true;
    }

    /**
     * Serves on {@code system} (each incarnation of a worker node is a new system) and prints the address the first
     * time and whenever it changed. With a coordinator listener taken first, {@code /ready} of a node without a
     * cluster means "the job runs".
     */
    void serve(ActorSystem<?> system, String node, PrintWriter err) {
        if (metrics == null) {
            return;
        }
        if (watch != null) {
            Readiness.set(system.classicSystem(), watch::running);
        }
        StatusPage page = new StatusPage(node, watch, runtime, () -> unreachable(system));
        if (http != null) {
            http.close(); // the last incarnation's page, closed with its system too: its port free now, not soon
        }
        try {
            http = start(system, page);
        } catch (IllegalArgumentException e) {
            if (announced == null && !checked) {
                throw e; // at start: a bad --http is the user's to fix (exit 2)
            }
            // checked before the job started, and taken since; or a worker node rejoining its cluster: the work
            // matters more than the page
            org.slf4j.LoggerFactory.getLogger(Observation.class).warn("No status page this time: {}", e.getMessage());
            return;
        }
        String url = http.url();
        if (!url.equals(announced)) {
            err.println("orchard: status page " + url + " (also /metrics, /status.json, /ready, /alive)");
            announced = url;
        }
    }

    /** The members this node's failure detector finds unreachable now, as {@code host:port} (none outside a cluster). */
    private static java.util.Set<String> unreachable(ActorSystem<?> system) {
        if (system.settings().config().getString("pekko.actor.provider").equals("local")) { // orchard run
            return java.util.Set.of();
        }
        java.util.Set<String> nodes = new java.util.HashSet<>();
        for (org.apache.pekko.cluster.Member m : org.apache.pekko.cluster.typed.Cluster.get(system).state().getUnreachable()) {
            nodes.add(m.address().getHost().orElse("") + ":" + m.address().getPort().orElse(0));
        }
        return nodes;
    }

    /**
     * On the port this process's page had last, when it was not {@link #address}'s (a rejoined worker's page stays where
     * its user found it: it took a new port at every rejoin, and two workers on one host swapped pages when the default
     * port's holder rejoined a moment after the other: a cluster walk); else on {@link #address}, or, when that is
     * taken and that is allowed, on any free port.
     */
    private NodeHttp start(ActorSystem<?> system, StatusPage page) {
        if (fallbackPort > 0) {
            try {
                return NodeHttp.start(system, new HttpAddress(address.host(), fallbackPort), page, metrics);
            } catch (IllegalArgumentException takenSince) {
                // the default, else any free port, announced as a new address
            }
        }
        try {
            NodeHttp onAddress = NodeHttp.start(system, address, page, metrics);
            // --http HOST:0 took a new port at every rejoin (an operator's walk): the one it took first is kept.
            fallbackPort = address.port() == 0 ? onAddress.port() : 0;
            return onAddress;
        } catch (IllegalArgumentException e) {
            if (!anyPortIfTaken || address.port() == 0) {
                throw e;
            }
            org.slf4j.LoggerFactory.getLogger(Observation.class).info("{}; the status page takes any free port instead",
                    e.getMessage().substring(0, e.getMessage().indexOf(')') + 1));
            NodeHttp any = NodeHttp.start(system, new HttpAddress(address.host(), 0), page, metrics);
            fallbackPort = any.port();
            return any;
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
