package dev.orchard.cli;

import dev.orchard.worker.Worker;
import dev.orchard.worker.pipeline.WorkerRuntime;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code orchard worker}: a node with the worker role. It finds the coordinator through the receptionist, pulls
 * units until stopped (Ctrl-C or SIGTERM leaves the cluster cleanly; its units are handed out again), and serves
 * one job after another.
 */
@Command(name = "worker", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Run a worker node that joins a cluster and pulls work from its coordinator.")
final class WorkerNodeCommand implements Callable<Integer> {

    @Spec
    CommandSpec command;

    @Mixin
    ClusterOptions cluster;

    @Mixin
    WorkerOptions workers;

    @Mixin
    StoreOptions store;

    @Override
    public Integer call() throws Exception {
        if (cluster.join.isEmpty()) {
            throw new IllegalArgumentException("orchard worker needs --join HOST:PORT of a coordinator node");
        }
        PrintWriter err = command.commandLine().getErr();
        try (WorkerRuntime runtime = new WorkerRuntime(workers.pipeline(), workers.inference(), store.s3());
             ClusterNode node = new ClusterNode(cluster.pekkoConfig(List.of("worker")), null, runtime,
                     workers.workerCount(), workers.workerSettings())) {
            err.printf("orchard: worker node on %s joining %s; %d worker(s), %d ONNX thread(s)%n", cluster.bind,
                    cluster.join, workers.workerCount(), workers.inference().intraOpThreads());
            node.system().getWhenTerminated().toCompletableFuture().join();
            return 0;
        }
    }
}
