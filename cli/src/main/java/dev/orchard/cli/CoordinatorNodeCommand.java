package dev.orchard.cli;

import dev.orchard.store.Location;
import dev.orchard.worker.Worker;
import dev.orchard.worker.model.InferenceSettings;
import dev.orchard.worker.pipeline.WorkerRuntime;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code orchard coordinator}: a node with the coordinator role. The oldest such node runs the job's coordinator
 * (a cluster singleton); another one started with the same options and {@code --resume} is a standby that takes
 * over, from the journal, if the first goes. The process ends when the job has finished.
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

    @Mixin
    WorkerOptions workers;

    @Mixin
    StoreOptions store;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = command.commandLine().getErr();
        if (workers.workers != null) {
            throw new IllegalArgumentException("orchard coordinator runs no workers unless given --local-workers N;"
                    + " --workers is for orchard run and orchard worker");
        }
        // The coordinator only loads the model to check it: one ONNX thread is plenty.
        InferenceSettings inference = localWorkers > 0 ? workers.inference() : new InferenceSettings(1, false);
        try (JobSetup setup = new JobSetup(job, store, inference);
             WorkerRuntime runtime = localWorkers > 0 ? new WorkerRuntime(workers.pipeline(), inference, store.s3()) : null) {
            if (runtime != null) {
                runtime.adopt(setup.job.model(), setup.model, job.batchSize); // the runtime closes it
            } else {
                setup.model.close(); // checked; this node runs no inference
            }
            List<String> roles = new ArrayList<>(List.of("coordinator"));
            if (localWorkers > 0) {
                roles.add("worker");
            }
            err.printf("orchard: coordinator node on %s for %s → %s with %s%n", cluster.bind, setup.input, setup.output, setup.model);
            ProgressReporter progress = new ProgressReporter(err, System.console() != null);
            try (ClusterNode node = new ClusterNode(cluster.pekkoConfig(roles), () -> setup.coordinator(progress), runtime,
                    localWorkers, workers.workerSettings())) {
                // A standby node's singleton never starts while the active one runs: it learns that the job is
                // over from _SUCCESS in the output.
                Location success = new dev.orchard.store.OutputLayout(setup.output).success();
                while (!progress.result().isDone()) {
                    if (setup.outStore.exists(success)) {
                        Thread.sleep(1000); // let an active singleton in this JVM report first
                        if (!progress.result().isDone()) {
                            err.println("orchard: the job finished on another coordinator node; outputs in " + setup.output);
                            return 0;
                        }
                    }
                    try {
                        progress.result().get(2, TimeUnit.SECONDS);
                    } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
                        // keep waiting; a failure is reported below
                    }
                }
                return RunCommand.report(progress, err);
            }
        }
    }
}
