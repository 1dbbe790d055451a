package dev.orchard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** A worker node refuses what it cannot use before it loads its model or joins, with exit 2 and what to do. */
class WorkerNodeOptionsTest {

    /** It exited 1 with Pekko's bind failure, after loading the model, where a coordinator's exits 2. */
    @Test
    void aBusyClusterPortIsRefusedAsACoordinatorsIs() throws Exception {
        try (java.net.ServerSocket held = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            String busy = "127.0.0.1:" + held.getLocalPort();
            JobRun worker = JobRun.of(null, "worker", "--join", "127.0.0.1:" + dev.orchard.store.LoopbackPorts.pick(),
                    "--bind", busy, "--no-http");
            assertThat(worker.exitCode()).as(worker.messages()).isEqualTo(2);
            assertThat(worker.messages()).contains("--bind " + busy + ": cannot listen on " + busy)
                    .contains("give this node a free one with --bind HOST:PORT (HOST:0 takes any free port).");
        }
    }

    @Test
    void aWorkerWithoutACoordinatorToJoinIsToldToGiveOne() {
        JobRun worker = JobRun.of(null, "worker", "--no-http");
        assertThat(worker.exitCode()).as(worker.messages()).isEqualTo(2);
        assertThat(worker.messages()).contains("orchard worker needs --join HOST:PORT of a coordinator node");
    }

    /**
     * The decode limits are the job's, sent by its coordinator: a worker's own made a unit's rows depend on the worker
     * that took it (one with --max-pixels 5000 put 150 fruit images in errors.csv that the other made rows of, a
     * user's walk). Given to a worker, refused naming where they go.
     */
    @Test
    void theJobsDecodeLimitsAreRefusedOnAWorker() {
        JobRun worker = JobRun.of(null, "worker", "--join", "127.0.0.1:17355", "--no-http", "--max-pixels", "5000",
                "--no-reduced-decode");
        assertThat(worker.exitCode()).as(worker.messages()).isEqualTo(2);
        assertThat(worker.messages()).contains("--max-pixels, --no-reduced-decode are the job's, not a worker's")
                .contains("Give them to 'orchard coordinator' (or 'orchard run')");
        // So is the bound on a file's size, a worker's own option until a later walk.
        JobRun size = JobRun.of(null, "worker", "--join", "127.0.0.1:17355", "--no-http", "--max-object-bytes", "1000");
        assertThat(size.exitCode()).as(size.messages()).isEqualTo(2);
        assertThat(size.messages()).contains("--max-object-bytes is the job's, not a worker's");
        JobRun listing = JobRun.of(null, "worker", "--join", "127.0.0.1:17355", "--no-http", "--list-parallelism", "4");
        assertThat(listing.exitCode()).as(listing.messages()).isEqualTo(2);
        assertThat(listing.messages()).contains("--list-parallelism is the job's, not a worker's");
    }

    /**
     * The job's other options given to a worker (its model, input, PCA) say so and where they go: the worker was told
     * "Unknown options" only, and for --input picocli guessed --inference-lanes (an operator's walk).
     */
    @Test
    void theJobsOptionsOnAWorkerSayWhereTheyGo() {
        JobRun model = JobRun.of(null, "worker", "--join", "127.0.0.1:17355", "--no-http", "--model", "other.onnx");
        assertThat(model.exitCode()).as(model.messages()).isEqualTo(2);
        assertThat(model.messages()).contains("orchard: --model is the job's, not a worker's: a worker runs the units its"
                        + " coordinator hands it, with the coordinator's model")
                .contains("Give it to 'orchard coordinator' (or 'orchard run').")
                .contains("See 'orchard worker --help' for its options.")
                .doesNotContain("Unknown option").doesNotContain("Possible solutions");
        JobRun two = JobRun.of(null, "worker", "--join", "127.0.0.1:17355", "--input=/data", "--pca-k", "5", "--lanes", "2");
        assertThat(two.exitCode()).as(two.messages()).isEqualTo(2);
        assertThat(two.messages()).contains("--input, --pca-k are the job's, not a worker's")
                .contains("Give them to 'orchard coordinator' (or 'orchard run'). Not a worker's option either: --lanes.")
                .doesNotContain("Possible solutions");
        JobRun typo = JobRun.of(null, "worker", "--join", "127.0.0.1:17355", "--lanes", "2");
        assertThat(typo.exitCode()).as(typo.messages()).isEqualTo(2);
        assertThat(typo.messages()).contains("orchard: Unknown options: '--lanes', '2'").doesNotContain("the job's");
    }

    /**
     * A worker stopped by a signal before its node starts starts none: one started then came too late for Pekko's JVM
     * hook ("Could not addJvmShutdownHook, due to: Shutdown in progress"), joined on for the worker's stop bound (20 s),
     * and its JVM exited only then (a walk: SIGTERM at 1.3 s; 1.5 s to the exit now). Here the signal's hook has run.
     */
    @Test
    void aWorkerStoppedBeforeItsNodeStartsStartsNone() throws Exception {
        WorkerNodeCommand worker = new WorkerNodeCommand();
        new picocli.CommandLine(worker).parseArgs("--join", "127.0.0.1:" + dev.orchard.store.LoopbackPorts.pick(),
                "--bind", "127.0.0.1:0", "--no-http");
        java.io.StringWriter said = new java.io.StringWriter();
        var address = worker.http.address(dev.orchard.observe.HttpAddress.loopback(dev.orchard.observe.HttpAddress.WORKER_PORT));
        int exit = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(60),
                () -> worker.serve(address, new java.io.PrintWriter(said, true),
                        worker.cluster.pekkoConfig(java.util.List.of("worker")), new java.util.concurrent.CountDownLatch(0)));
        assertThat(exit).isZero();
        assertThat(said.toString()).doesNotContain("joining");
    }
}
