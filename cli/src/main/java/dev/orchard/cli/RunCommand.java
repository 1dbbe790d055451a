package dev.orchard.cli;

import com.typesafe.config.ConfigFactory;
import dev.orchard.coordinator.JobSummary;
import dev.orchard.worker.pipeline.WorkerRuntime;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code orchard run}: the whole job in this JVM, as a one-node cluster with both roles. */
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

    @Override
    public Integer call() throws Exception {
        PrintWriter err = command.commandLine().getErr();
        workers.validate();
        try (JobSetup setup = new JobSetup(job, store, workers.inference());
             WorkerRuntime runtime = new WorkerRuntime(workers.pipeline(), workers.inference(), store.s3())) {
            runtime.adopt(setup.job.model(), setup.model, job.batchSize);
            if (setup.finishedAlready) {
                err.println("orchard: the job in " + setup.output + " has finished already (see its _SUCCESS): nothing to resume");
                return 0;
            }
            err.printf("orchard: %s → %s with %s; %d worker(s), %d ONNX lane(s) × %d thread(s), batch %d%n", setup.input,
                    setup.output, setup.model, workers.workerCount(), workers.pipeline().inferenceLanes(),
                    workers.inference().intraOpThreads(), job.batchSize);
            ProgressReporter progress = new ProgressReporter(err, System.console() != null);
            var config = ConfigFactory.parseMap(Map.of(
                            "pekko.cluster.roles", List.of("coordinator", "worker"),
                            "pekko.remote.artery.canonical.hostname", "127.0.0.1",
                            "pekko.remote.artery.canonical.port", 0,
                            "pekko.cluster.seed-nodes", List.of()))
                    .withFallback(ConfigFactory.load());
            try (ClusterNode node = new ClusterNode(config,
                    n -> setup.coordinator(progress, n, 0, Duration.ZERO), runtime,
                    workers.workerCount(), workers.workerSettings(), null)) {
                var cluster = org.apache.pekko.cluster.typed.Cluster.get(node.system());
                cluster.manager().tell(org.apache.pekko.cluster.typed.Join.create(cluster.selfMember().address()));
                return report(progress, err);
            }
        }
    }

    static int report(ProgressReporter progress, PrintWriter err) throws InterruptedException {
        try {
            JobSummary summary = progress.result().get();
            System.out.println(summary.oneLine());
            return 0;
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            err.println("orchard: job failed: " + cause.getMessage());
            return cause instanceof IllegalArgumentException ? 2 : 1;
        }
    }
}
