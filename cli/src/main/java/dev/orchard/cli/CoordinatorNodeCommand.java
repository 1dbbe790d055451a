package dev.orchard.cli;

import dev.orchard.coordinator.Build;
import dev.orchard.coordinator.JobFinishedAlready;
import dev.orchard.observe.HttpAddress;
import dev.orchard.store.Location;
import dev.orchard.store.OutputLayout;
import dev.orchard.worker.model.InferenceSettings;
import dev.orchard.worker.pipeline.WorkerRuntime;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code orchard coordinator}: a node with the coordinator role. The oldest such node runs the job's coordinator
 * (a cluster singleton); another one started with the same options and {@code --resume} is a standby that takes
 * over, from the journal, if the first goes. The process ends when the job has finished (0), failed (1, or 2 for
 * bad input), or when this node lost the cluster (1): downed after a partition, it stops listing and writing and
 * exits, and the same command with {@code --resume} finishes the job.
 */
@Command(name = "coordinator", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Run a job's coordinator node; workers join it with 'orchard worker --join HOST:PORT'.")
final class CoordinatorNodeCommand implements Callable<Integer> {

    @Spec
    CommandSpec command;

    @Mixin
    JobOptions job;

    @Mixin
    ClusterOptions cluster;

    @Option(names = "--local-workers", defaultValue = "0", description = "Worker actors in this JVM too (default ${DEFAULT-VALUE}).")
    int localWorkers;

    @Option(names = "--min-workers", defaultValue = "0",
            description = "Hand out work only once this many workers have joined (default ${DEFAULT-VALUE}: start with the first).")
    int minWorkers;

    @Option(names = "--min-workers-timeout", defaultValue = "PT10M",
            description = "How long to wait for --min-workers before the job fails (90s, 10m, 2h or ISO-8601; default ${DEFAULT-VALUE}).")
    Duration minWorkersTimeout;

    @Mixin
    WorkerOptions workers;

    @Mixin
    StoreOptions store;

    @Mixin
    HttpOptions http;

    @Mixin
    LogOptions log;

    /**
     * Marks the worker options in the coordinator's help: they serve only its own workers (--local-workers N), and
     * without them are refused, while the help listed them with their defaults as the coordinator's (a user's walk).
     */
    static void markWorkerOptions(picocli.CommandLine coordinator) {
        var spec = coordinator.getCommandSpec();
        var mixin = spec.mixins().get("workers");
        for (var option : mixin.options()) {
            var own = spec.findOption(option.longestName());
            if (own == null || option.longestName().equals("--workers")) { // its own help says so already
                continue;
            }
            String[] description = own.description();
            String[] marked = java.util.Arrays.copyOf(description, description.length + 1);
            marked[description.length] = "(On a coordinator node, for its --local-workers only; give it to each"
                    + " 'orchard worker'.)";
            spec.remove(own);
            spec.addOption(own.toBuilder().description(marked).build());
        }
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter err = command.commandLine().getErr();
        if (workers.workers != null) {
            throw new IllegalArgumentException("orchard coordinator runs no workers unless given --local-workers N;"
                    + " --workers is for orchard run and orchard worker");
        }
        refuseWorkerOptionsWithoutWorkers();
        if (localWorkers < 0) {
            throw new IllegalArgumentException("--local-workers must be 0 or more, was " + localWorkers);
        }
        if (minWorkers < 0) {
            throw new IllegalArgumentException("--min-workers must be 0 or more, was " + minWorkers);
        }
        if (minWorkersTimeout.isNegative() || minWorkersTimeout.isZero()) {
            throw new IllegalArgumentException("--min-workers-timeout must be positive, was " + minWorkersTimeout);
        }
        workers.validate();
        HttpAddress address = http.address(HttpAddress.loopback(HttpAddress.COORDINATOR_PORT));
        Build.prefetch(); // the jar this JVM started from, read while the job is set up (the node waits for it)
        var pekko = cluster.pekkoConfig(localWorkers > 0 ? List.of("coordinator", "worker") : List.of("coordinator"));
        // The ports before the job's checks: those write the output's marker, and a retry after a busy port was then
        // told the output "holds an Orchard job".
        boolean checked = Observation.check(address, !http.given());
        cluster.requireBindable(pekko, true);
        // The coordinator only loads the model to check it: one ONNX thread is plenty.
        InferenceSettings inference = localWorkers > 0 ? workers.inference() : new InferenceSettings(1, false);
        try (StopNotice stopNotice = new StopNotice(err);
             JobSetup setup = new JobSetup(job, store, inference);
             WorkerRuntime runtime = localWorkers > 0 ? new WorkerRuntime(workers.pipeline(), inference, store.s3()) : null;
             Observation observation = new Observation(address, !http.given(), runtime, checked)) {
            // Until this node has its address (below), the lease this process may hold is its setup's: a standby
            // stopped as its node started was told "--resume continues the job" of a job going on elsewhere (a walk).
            stopNotice.asks(() -> setup.runningElsewhere(dev.orchard.coordinator.OutputLease.thisProcess()));
            if (runtime != null) {
                runtime.adopt(setup.job.model(), setup.model, job.batchSize); // the runtime closes it
            } else {
                setup.model.close(); // checked; this node runs no inference
            }
            JobSetup.requireNotExiting(); // a signal as the setup ended: no node, no lease
            if (setup.finishedAlready) {
                err.println("orchard: " + JobFinishedAlready.message(setup.output.toString()));
                return 0;
            }
            ProgressReporter progress = new ProgressReporter(err, LogSetup.terminal());
            stopNotice.endsWith(progress.result());
            var listener = observation.coordinatorListener(progress);
            observation.describe(setup);
            try (ClusterNode node = new ClusterNode(pekko, n -> setup.coordinator(listener, n.address(), n::membership,
                    n.system().settings().config(), minWorkers, minWorkersTimeout),
                    runtime, localWorkers, workers.workerSettings(), null)) {
                stopNotice.waitsFor(node.system().getWhenTerminated());
                stopNotice.checks(setup::finishedInOutput);
                String self = node.address();
                stopNotice.asks(() -> setup.runningElsewhere(self));
                stopNotice.handsOverTo(node::otherCoordinatorNode);
                err.printf("orchard: coordinator node on %s%s, %s with %s%s%n", self, ClusterOptions.transport(pekko),
                        setup.describe(), setup.features(), setup.labelling());
                if (!node.ownSeed()) {
                    // A standby's first line read as the active one's, and a takeover then showed only Pekko's lines
                    // for the resolver's wait (an operator's walk: 47 s). Not a node among its own seeds (deploy-ec2
                    // joins the coordinator to itself and the workers): it starts or leads its cluster.
                    err.printf("orchard: standby: joining the cluster at %s; while a coordinator node there runs the"
                            + " job, this node takes it over (\"Resuming\" in its log) once that node has stopped, or once"
                            + " the split-brain resolver has downed it, %d s after it stopped answering (stable-after)"
                            + " and the seconds the cluster takes to find that%n", String.join(", ", cluster.join),
                            node.system().settings().config()
                                    .getDuration("pekko.cluster.split-brain-resolver.stable-after").toSeconds());
                }
                observation.serve(node.system(), "coordinator node " + self, err);
                var terminated = node.system().getWhenTerminated().toCompletableFuture();
                // A standby node's singleton never starts while the active one runs: it learns that the job is
                // over from _SUCCESS in the output.
                while (!progress.result().isDone()) {
                    boolean nodeEnded = terminated.isDone();
                    if (nodeEnded) {
                        Thread.sleep(LAST_REPORT_MS); // a job that ended as the node stopped reports first
                        if (progress.result().isDone()) {
                            continue;
                        }
                        if (dev.orchard.worker.JvmExit.began()) {
                            return 1; // a signal: the stop notice says what became of the job
                        }
                        if (node.refusedAtJoin()) {
                            err.println(node.refusal(cluster.join, "The job did not start here (the output may"
                                    + " hold its marker, which this same command takes again). Run the same"
                                    + " orchard.jar on every node, then this command again."));
                            return 2;
                        }
                    }
                    boolean finished = setup.finishedInOutput(); // read once a round
                    if (nodeEnded && !finished) {
                        String standby = node.otherCoordinatorNode(); // as the node's shutdown began, reachable
                        // If another node finished the job, that is said below, as when _SUCCESS is seen before the
                        // node's end: which came first decided the exit code (a review).
                        err.println("orchard: this coordinator node left the cluster (it was downed after a network"
                                + " partition, or by the split-brain resolver: also when every worker was lost at"
                                + " once, or, for a standby, when the other coordinator node went while no worker"
                                + " was in the cluster, which it cannot tell from a partition); the job stopped here."
                                + (standby == null ? " Run the same command with --resume to finish it."
                                : " The coordinator node on " + standby + ", reachable in the cluster when this node"
                                        + " left it, takes the job over if it still runs; if it does not, run the same"
                                        + " command with --resume to finish it."));
                        return 1;
                    }
                    if (finished) {
                        // Let an active singleton in this JVM report first: one that writes the final files reports
                        // once its lease is released after _SUCCESS (1.35 s on a loaded machine: a user saw "the job
                        // finished on another coordinator node" of its own job, and no summary on stdout).
                        awaitOwnResult(progress.result(), terminated,
                                progress.writingOutputs() ? OWN_RESULT_WAIT_MS : 1000);
                        if (!progress.result().isDone()) {
                            stopNotice.finished();
                            node.awaitJoinOutcome(Duration.ofSeconds(5));
                            boolean refused = node.refusedAtJoin();
                            if (refused) {
                                // A standby of another build, started as the job ended: refused, which it said
                                // nowhere when the job's end came first (the operator's walk). Exit 2, as when it is
                                // refused while the job runs: its command was wrong, whatever the job's end.
                                err.println(node.refusal(cluster.join, "This node took no part in the job. Run the"
                                        + " same orchard.jar on every node."));
                            }
                            node.downUnreachableWorkers(); // the job is over: none holds this node's exit
                            err.println("orchard: the job finished on another coordinator node; outputs in "
                                    + dev.orchard.store.Printable.escaped(setup.output.toString()));
                            return refused ? 2 : 0;
                        }
                    }
                    try { // the node's end too: a signal's exit waits for this command to close (StopNotice)
                        java.util.concurrent.CompletableFuture.anyOf(progress.result(), terminated).get(2, TimeUnit.SECONDS);
                    } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
                        // keep waiting; a failure is reported below
                    }
                }
                if (!dev.orchard.worker.JvmExit.began()) { // ended here, not stopped by a signal
                    node.downUnreachableWorkers(); // none holds this node's exit now
                }
                return RunCommand.report(progress, err);
            }
        }
    }

    /**
     * How long a node whose coordinator was writing the final files waits for its result once {@code _SUCCESS} is
     * there: the lease's release follows, which on S3 a slow store's retries may hold up.
     */
    private static final long OWN_RESULT_WAIT_MS = 60_000;

    /** How long a stopped node still waits for its coordinator's report: a job that ended as the node stopped. */
    private static final long LAST_REPORT_MS = 500;

    /**
     * Waits at most {@code limitMs} for this node's own {@code result}, and only {@link #LAST_REPORT_MS} past the
     * node's end: a node downed meanwhile (a coordinator frozen while writing the final files, which the standby then
     * wrote) has no coordinator left to report, and waited the whole minute (CI's soak, seed 6720, counted it a hang).
     */
    static void awaitOwnResult(CompletableFuture<?> result, CompletableFuture<?> terminated, long limitMs)
            throws InterruptedException {
        try {
            CompletableFuture.anyOf(result, terminated).get(limitMs, TimeUnit.MILLISECONDS);
            if (!result.isDone()) {
                result.get(LAST_REPORT_MS, TimeUnit.MILLISECONDS);
            }
        } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
            // not here, or not yet: the caller says which
        }
    }

    /**
     * A worker's option (--commit-every, --max-pixels, --onnx-threads, …) on a node that runs no worker would be taken
     * and never used: the workers that join read their own command line. Refused, naming where it belongs.
     */
    private void refuseWorkerOptionsWithoutWorkers() {
        if (localWorkers > 0) {
            return;
        }
        var parsed = command.commandLine().getParseResult();
        List<String> given = command.mixins().get("workers").options().stream()
                .map(o -> o.longestName()).filter(parsed::hasMatchedOption).toList(); // by name: the help's copies
        if (!given.isEmpty()) {
            throw new IllegalArgumentException(String.join(", ", given) + (given.size() == 1 ? " is an option" : " are"
                    + " options") + " of the workers, and this coordinator runs none: give " + (given.size() == 1 ? "it"
                    : "them") + " to each 'orchard worker', or add --local-workers N to run workers in this JVM too");
        }
    }
}
