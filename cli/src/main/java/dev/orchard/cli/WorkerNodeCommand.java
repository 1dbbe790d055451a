package dev.orchard.cli;

import dev.orchard.coordinator.Build;
import dev.orchard.observe.HttpAddress;
import dev.orchard.worker.pipeline.WorkerRuntime;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code orchard worker}: a node with the worker role, a long-lived service. It finds the coordinator through the
 * receptionist and pulls units, serving one job after another. It outlives its cluster: when its node is downed
 * (a partition, the split-brain resolver) or has seen no coordinator for {@code --rejoin-after}, it starts a fresh
 * node that joins its seeds again, with a growing pause between tries, so a coordinator restarted on its address
 * gathers it back. Only Ctrl-C or SIGTERM stop it (leaving the cluster cleanly; its units are handed out again).
 */
@Command(name = "worker", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Run a worker node that joins a cluster and pulls work from its coordinator.")
final class WorkerNodeCommand implements Callable<Integer> {
    /** How long a signal's exit waits for the node to leave and the runtime to close (Pekko's own stop: up to ~10 s). */
    private static final Duration STOP_BOUND = Duration.ofSeconds(20);

    @Spec
    CommandSpec command;

    @Mixin
    ClusterOptions cluster;

    @Option(names = "--rejoin-after", defaultValue = "PT60S",
            description = "Rejoin the seeds after this long without a coordinator (ISO-8601 duration, default ${DEFAULT-VALUE}).")
    Duration rejoinAfter;

    @Mixin
    WorkerOptions workers;

    @Mixin
    StoreOptions store;

    @Mixin
    HttpOptions http;

    @Mixin
    LogOptions log;

    @Override
    public Integer call() throws Exception {
        if (cluster.join.isEmpty()) {
            throw new IllegalArgumentException("orchard worker needs --join HOST:PORT of a coordinator node");
        }
        if (rejoinAfter.isNegative() || rejoinAfter.isZero()) {
            throw new IllegalArgumentException("--rejoin-after must be positive, was " + rejoinAfter);
        }
        workers.validate();
        Build.prefetch(); // the jar this JVM started from, read while the model loads (the node waits for it)
        HttpAddress address = http.address(HttpAddress.loopback(HttpAddress.WORKER_PORT));
        PrintWriter err = command.commandLine().getErr();
        var config = cluster.pekkoConfig(List.of("worker"));
        cluster.requireBindable(config, false); // exit 2 with what to do, as a coordinator's, before the model is loaded
        // Counted down by a signal's hook: the flag, and what the pauses between two joins wait on (a stop ends them).
        java.util.concurrent.CountDownLatch stopping = new java.util.concurrent.CountDownLatch(1);
        // A worker node is a service: it ends by a signal, which it said nothing about, or by a failure, which the
        // command reports as it returns (the hook is quiet then).
        java.util.concurrent.CountDownLatch closed = new java.util.concurrent.CountDownLatch(1); // the command returned
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stopping.countDown();
            if (closed.getCount() > 0) {
                // What it does with its units is the worker's log line next (where it holds any): this line said the
                // same words before it (an operator's walk).
                err.println("orchard: worker node stopping (a signal): it settles its units (up to 9 s), then leaves"
                        + " the cluster");
                // Holds the JVM until the node has left and the runtime closed (its scratch folder deleted): the JVM
                // halted as soon as Pekko's hook ended, and every stopped worker left its folder for the next worker
                // on the host to clear as one "that ended without closing" (a cluster walk). Bounded, should the
                // close hang; a node between two joins ends its pause at once.
                try {
                    closed.await(STOP_BOUND.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }, "orchard-worker-stop"));
        try {
            return serve(address, err, config, stopping);
        } finally {
            closed.countDown();
        }
    }

    /** Runs the node, and a fresh one each time it leaves its cluster, until the JVM stops. */
    int serve(HttpAddress address, PrintWriter err, com.typesafe.config.Config config,
                      java.util.concurrent.CountDownLatch stopping)
            throws Exception {
        try (WorkerRuntime runtime = new WorkerRuntime(workers.pipeline(), workers.inference(), store.s3());
             Observation observation = new Observation(address, !http.given(), runtime)) {
            RejoinPause pauses = new RejoinPause();
            boolean first = true; // no node of this command has held the port yet
            while (true) {
                long started = System.nanoTime();
                long unitsBefore = runtime.totals().unitsFinished();
                String refused = null; // what the node says when it was refused at its join
                if (stopping.getCount() == 0) {
                    return 0; // a signal as the command started: no node (one started now would run without Pekko's hook)
                }
                ClusterNode fresh;
                try {
                    fresh = new ClusterNode(config, null, runtime, workers.workerCount(), workers.workerSettings(),
                            rejoinAfter);
                } catch (IllegalStateException e) {
                    return 0; // the JVM is shutting down: no new node
                } catch (RuntimeException e) {
                    if (!ClusterNode.portTaken(e) || stopping.getCount() == 0) {
                        throw e;
                    }
                    if (first) {
                        // Free when the command looked (requireBindable), taken before its first node bound it: by
                        // another node started at the same moment with the same --bind (a walk: the second of two
                        // retried every 60 s for good, where one started seconds later exits 2 with this).
                        throw new IllegalArgumentException("--bind " + cluster.bind + ": cannot listen on its port ("
                                + e.getMessage() + "): another node (or program) took it as this one started. Give"
                                + " this node a free one with --bind HOST:PORT (HOST:0 takes any free port).", e);
                    }
                    // Its last node has not let go of the port yet, or another program took it since (a walk: exit 1
                    // "Address already in use", once).
                    Duration pause = pauses.afterPortTaken();
                    err.printf("orchard: this worker node cannot listen on its port (%s); trying again in %d s%n",
                            e.getMessage(), pause.toSeconds());
                    if (stopping.await(pause.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
                        return 0;
                    }
                    continue;
                }
                first = false;
                try (ClusterNode node = fresh) {
                    // A signal as the node started: its actor system may have come too late to add Pekko's hook
                    // ("Could not addJvmShutdownHook"), and the node joined on for the hook's whole bound (a walk).
                    if (stopping.getCount() == 0) {
                        return 0;
                    }
                    String self = node.address(); // with the port the OS picked, for --bind HOST:0
                    err.printf("orchard: worker node on %s joining %s%s; %d worker(s), %d ONNX lane(s) × %d thread(s)%n",
                            self, cluster.join, ClusterOptions.transport(config), workers.workerCount(), workers.pipeline().inferenceLanes(),
                            workers.inference().intraOpThreads());
                    observation.serve(node.system(), "worker node " + self, err);
                    node.system().getWhenTerminated().toCompletableFuture().join();
                    refused = node.refusedAtJoin()
                            ? node.refusal(cluster.join, "Run the same orchard.jar on every node. Trying again in ") : null;
                } catch (IllegalStateException e) {
                    return 0; // the JVM is shutting down: no new node
                }
                if (stopping.await(200, java.util.concurrent.TimeUnit.MILLISECONDS)) { // a SIGTERM's hook, as the node stops
                    return 0;
                }
                Duration pause = pauses.after(runtime.totals().unitsFinished() - unitsBefore,
                        Duration.ofNanos(System.nanoTime() - started));
                if (refused != null) {
                    err.println(refused + pause.toSeconds() + " s");
                } else {
                    // Its job's end is the common case: the causes listed failures first and read as one (a walk).
                    err.printf("orchard: this worker left its cluster: its coordinator node went (its job ended, or it"
                            + " stopped or was lost) with no other in the cluster, or no coordinator was seen for %d s,"
                            + " or the cluster downed this node; joining %s again in %d s, for the next coordinator"
                            + " there%n", rejoinAfter.toSeconds(), cluster.join, pause.toSeconds());
                }
                if (stopping.await(pause.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
                    return 0; // stopped between two joins: at once, not after the pause
                }
            }
        }
    }

    /**
     * For options a worker does not know: where any is one of the job's ({@link JobOptions}: a coordinator's, and
     * {@code orchard run}'s), the words that say so and where it goes; otherwise null. A worker given the job's
     * {@code --model} was told "Unknown options" only, and {@code --input} got picocli's guess {@code --inference-lanes}
     * (an operator's walk): a worker runs whatever its coordinator hands it, model and all. The decode limits above all:
     * each worker's own made a unit's rows depend on the worker that took it (one with --max-pixels 5000 put 150 fruit
     * images in errors.csv that the other made rows of: a user's walk). (They were hidden worker options refused on
     * their own, with their own words, before this covered every option of the job.)
     */
    static String jobsOptionsNote(List<String> unmatched) {
        java.util.Set<String> jobs = new java.util.HashSet<>();
        for (java.lang.reflect.Field field : JobOptions.class.getDeclaredFields()) {
            Option option = field.getAnnotation(Option.class);
            if (option != null) {
                jobs.addAll(List.of(option.names()));
            }
        }
        List<String> options = unmatched.stream().filter(a -> a.startsWith("-"))
                .map(a -> a.contains("=") ? a.substring(0, a.indexOf('=')) : a).distinct().toList();
        List<String> given = options.stream().filter(jobs::contains).toList();
        if (given.isEmpty()) {
            return null;
        }
        List<String> unknown = options.stream().filter(o -> !jobs.contains(o)).toList();
        return String.join(", ", given) + (given.size() == 1 ? " is" : " are") + " the job's, not a worker's: a worker"
                + " runs the units its coordinator hands it, with the coordinator's model, decode limits, batch size and"
                + " other job settings, so that the same images give the same rows whichever worker takes them. Give "
                + (given.size() == 1 ? "it" : "them") + " to 'orchard coordinator' (or 'orchard run')."
                + (unknown.isEmpty() ? "" : " Not a worker's option either: " + String.join(", ", unknown) + ".");
    }
}
