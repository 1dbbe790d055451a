package dev.orchard.cli;

import com.typesafe.config.ConfigFactory;
import dev.orchard.coordinator.ClusterMembership;
import dev.orchard.coordinator.JobFinishedAlready;
import dev.orchard.coordinator.JobListener;
import dev.orchard.coordinator.JobSummary;
import dev.orchard.observe.HttpAddress;
import dev.orchard.worker.pipeline.WorkerRuntime;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code orchard run}: the whole job in this JVM: the coordinator and the workers as local actors ({@link LocalNode}),
 * started while the model loads.
 */
@Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Extract features from every image under --input, fit an exact PCA, and write Parquet to --output.")
final class RunCommand implements Callable<Integer> {

    @Spec
    CommandSpec command;

    @Mixin
    JobOptions job;

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
        PrintWriter err = command.commandLine().getErr();
        workers.validate();
        HttpAddress address = http.address(HttpAddress.loopback(HttpAddress.COORDINATOR_PORT));
        StartupTimes startup = new StartupTimes();
        // A bad --http is refused (exit 2) before anything starts; then the checks and the model's read, hash and
        // ONNX session start first, on their own thread, while the worker runtime, the meters and the actor system
        // start on this one: on 2 cores the two overlap.
        boolean checked = Observation.check(address, !http.given());
        CompletableFuture<JobSetup> prepared = new CompletableFuture<>();
        Thread preparing = new Thread(() -> {
            try {
                JobSetup setup = new JobSetup(job, store, workers.inference());
                startup.mark("model");
                prepared.complete(setup);
            } catch (Throwable e) {
                prepared.completeExceptionally(e);
            }
        }, "orchard-setup");
        preparing.setDaemon(true);
        preparing.start();
        JobSetup setup = null;
        boolean adopted = false;
        StopNotice stopNotice = new StopNotice(err);
        CompletableFuture<Void> coordinatorStarted = new CompletableFuture<>();
        stopNotice.startsWhen(coordinatorStarted);
        try {
            try (WorkerRuntime runtime = new WorkerRuntime(workers.pipeline(), workers.inference(), store.s3());
                 Observation observation = new Observation(address, !http.given(), runtime, checked)) {
                var config = ConfigFactory.load();
                ProgressReporter progress = new ProgressReporter(err, LogSetup.terminal());
                stopNotice.endsWith(progress.result());
                JobListener listener = observation.coordinatorListener(progress);
                try (LocalNode node = new LocalNode(config, runtime, workers.workerCount(), workers.workerSettings())) {
                    stopNotice.waitsFor(node.system().getWhenTerminated());
                    // A signal stops the node without an outcome: the command then ends too, closing the runtime (its
                    // scratch folder) while the stop notice's hook holds the exit, instead of waiting for good.
                    node.system().getWhenTerminated().thenRun(() -> {
                        if (dev.orchard.worker.JvmExit.began()) {
                            progress.result().completeExceptionally(new IllegalStateException("this JVM is exiting"));
                        }
                    });
                    startup.mark("actors");
                    setup = await(prepared);
                    // A signal as the setup ended: start nothing more. The job went on to take the output's lease, which
                    // the exit then left held, and printed its start line under the stop's (a user's walk).
                    JobSetup.requireNotExiting();
                    if (setup.leaseHeldByAnother != null && !setup.finishedAlready) {
                        // This JVM is no cluster's node: it cannot take a job over, so its coordinator would be refused
                        // the lease. A second --update 0.3 s after the first printed "continuing the update of …",
                        // then "job failed: Another coordinator …" (a walk).
                        err.println("orchard: " + dev.orchard.store.Printable.message((setup.update != null ? "--update"
                                : "--resume") + " refused: " + setup.leaseHeldByAnother));
                        return 2;
                    }
                    stopNotice.checks(setup::finishedInOutput);
                    runtime.adopt(setup.job.model(), setup.model, job.batchSize); // the runtime closes it
                    adopted = true;
                    observation.describe(setup);
                    if (setup.finishedAlready) {
                        err.println("orchard: " + JobFinishedAlready.message(setup.output.toString()));
                        return 0;
                    }
                    err.printf("orchard: %s with %s; %d worker(s), %d ONNX lane(s) × %d thread(s), batch %d%s%n",
                            setup.describe(), setup.features(), workers.workerCount(), workers.pipeline().inferenceLanes(),
                            workers.inference().intraOpThreads(), job.batchSize, setup.labelling());
                    runtime.firstInference().thenRun(() -> startup.log("first-batch"));
                    node.hostCoordinator(setup.coordinator(listener, LocalNode.NAME, () -> ClusterMembership.NONE, config, 0, Duration.ZERO));
                    coordinatorStarted.complete(null);
                    // The status page starts once the first batch is in ONNX Runtime (or after PAGE_WAIT, for a job
                    // whose first batch is slow to come), off the first batch's path: 30-60 ms on the JDK's HTTP
                    // server (pekko-http's ~0.5 s of start-up, before, competed with it for the cores). A job that has
                    // ended by then gets no page.
                    awaitFirstBatch(runtime, progress.result());
                    if (!progress.result().isDone()) {
                        observation.serve(node.system(), "orchard run (pid " + ProcessHandle.current().pid() + ")", err);
                    }
                    int exit = report(progress, err);
                    if (exit == 0 && setup.update != null) {
                        noteStaleClassifyOutputs(setup, err);
                    }
                    return exit;
                }
            }
        } finally {
            stopNotice.close();
            if (setup != null && adopted) {
                setup.close();
            } else if (setup != null) {
                closeQuietly(setup); // its model too: no runtime took it
            } else {
                prepared.thenAccept(RunCommand::closeQuietly); // something failed to start while it was loading
            }
        }
    }

    /**
     * After an update: what {@code orchard classify} wrote into the output was made from the rows before it, and an
     * update neither redoes nor deletes it (a user's trained classifier is not Orchard's to throw away); say so.
     */
    private static void noteStaleClassifyOutputs(JobSetup setup, PrintWriter err) {
        try {
            if (setup.update.changes().isEmpty() && !changedRows(setup)) {
                return; // the same rows under the same options: what classify made from them still holds
            }
            List<String> stale = OutputCheck.classifyOutputs(setup.outStore, setup.output);
            if (!stale.isEmpty()) {
                err.println("orchard: note: " + dev.orchard.store.Printable.joined(stale) + " in "
                        + dev.orchard.store.Printable.escaped(setup.output.toString()) + " were made by"
                        + " orchard classify from the output as it was before this update: run orchard classify again (with --overwrite)"
                        + " to bring them up to date, or delete them.");
            }
        } catch (IOException | RuntimeException e) {
            org.slf4j.LoggerFactory.getLogger(RunCommand.class).debug("Could not look for orchard classify's outputs in {}: {}", setup.output, e.toString());
        }
    }

    /** Whether the update added, changed, removed or retried an image (its counts in {@code _SUCCESS}). */
    private static boolean changedRows(JobSetup setup) throws IOException {
        var update = new com.fasterxml.jackson.databind.ObjectMapper().readTree(setup.outStore.read(
                new dev.orchard.store.OutputLayout(setup.output).success())).path("update");
        return update.isMissingNode() || update.path("added").asLong() + update.path("changed").asLong()
                + update.path("removed").asLong() + update.path("retried").asLong() > 0;
    }

    /** How long the status page waits for the first batch to reach ONNX Runtime. */
    private static final Duration PAGE_WAIT = Duration.ofSeconds(2);

    /** Until the first batch is in ONNX Runtime, the job ends (however), or {@link #PAGE_WAIT} has passed. */
    private static void awaitFirstBatch(WorkerRuntime runtime, CompletableFuture<?> job) throws InterruptedException {
        try {
            CompletableFuture.anyOf(runtime.firstInference().toCompletableFuture(), job)
                    .get(PAGE_WAIT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            // the job failed (report() says so), or no batch yet: serve now
        }
    }

    /** The setup's result, or the exception it failed with (as JobSetup threw it: a bad option stays exit 2). */
    private static JobSetup await(CompletableFuture<JobSetup> prepared) throws Exception {
        try {
            return prepared.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception cause) {
                throw cause;
            }
            throw (Error) e.getCause();
        }
    }

    private static void closeQuietly(JobSetup setup) {
        try {
            setup.model.close();
            setup.close();
        } catch (Exception ignored) {
            // nothing more to report: the job already failed
        }
    }

    static int report(ProgressReporter progress, PrintWriter err) throws InterruptedException {
        try {
            JobSummary summary = progress.result().get();
            System.out.println(dev.orchard.store.Printable.escaped(summary.oneLine()));
            return 0;
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof JobFinishedAlready) {
                // another coordinator node finished it: not a failure
                err.println("orchard: " + dev.orchard.store.Printable.message(cause.getMessage()));
                return 0;
            }
            if (Orchard.reportedStop(err)) {
                return 1;
            }
            err.println("orchard: job failed: " + dev.orchard.store.Printable.message(String.valueOf(cause.getMessage())));
            return cause instanceof IllegalArgumentException || cause instanceof dev.orchard.store.DamagedFileException
                    ? 2 : 1;
        }
    }
}
