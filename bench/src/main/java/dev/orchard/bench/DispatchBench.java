package dev.orchard.bench;

import dev.orchard.coordinator.Coordinator;
import dev.orchard.coordinator.JobJournal;
import dev.orchard.coordinator.JobListener;
import dev.orchard.coordinator.JobSummary;
import dev.orchard.coordinator.outputs.JobOutputs;
import dev.orchard.coordinator.work.WorkState;
import dev.orchard.protocol.MessageLimits;
import dev.orchard.protocol.ImageRef;
import dev.orchard.protocol.JobDescription;
import dev.orchard.protocol.ModelSpec;
import dev.orchard.store.LocalObjectStore;
import dev.orchard.store.Location;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * How many images per second one coordinator can hand out, with synthetic inference: the real Coordinator actor
 * (listing, journal, dispatch, verdicts, commits) and {@code workers} simulated workers with a fixed cost per
 * image, on {@code keys} synthetic S3 keys. Also reports the heap in use once every key is planned.
 * <pre>java -Xmx1g -cp bench/target/orchard-bench.jar dev.orchard.bench.DispatchBench KEYS WORKERS [MICROS_PER_IMAGE] [UNIT_SIZE] [--plan-only]</pre>
 */
public final class DispatchBench {

    public static void main(String[] args) throws Exception {
        long keys = Long.parseLong(args[0]);
        int workers = Integer.parseInt(args[1]);
        Duration cost = Duration.ofNanos(args.length > 2 ? (long) (Double.parseDouble(args[2]) * 1000) : 0);
        int unitSize = args.length > 3 ? Integer.parseInt(args[3]) : 256;
        boolean planOnly = args.length > 4 && args[4].equals("--plan-only");
        Path dir = Files.createTempDirectory("orchard-dispatch");
        Location output = Location.local(dir.resolve("out"));
        JobDescription job = new JobDescription("bench", output.toString(), "/model.onnx", "0".repeat(64),
                ModelSpec.mobileNetV2(), 32);
        CompletableFuture<Long> planned = new CompletableFuture<>();
        CompletableFuture<Long> featuresDone = new CompletableFuture<>();
        long[] startedAt = new long[1];
        JobListener listener = new JobListener() {
            @Override
            public void listed(long listed, boolean complete) {
                if (complete) {
                    planned.complete(System.nanoTime());
                }
            }

            @Override
            public void progress(long imagesDone, long imagesBefore, long errors) {
                if (imagesDone == keys) {
                    featuresDone.complete(System.nanoTime());
                }
            }

            @Override
            public void finished(JobSummary summary) {
            }

            @Override
            public void failed(Throwable cause) {
                featuresDone.completeExceptionally(cause);
                planned.completeExceptionally(cause);
            }
        };
        var store = new dev.orchard.coordinator.LeasedStore(new LocalObjectStore());
        var settings = new WorkState.Settings(unitSize, MessageLimits.unitImageBytes(256 * 1024), 3, 3,
                Duration.ofMinutes(30).toMillis(), 5_000, 30_000, 2_000, 10_000, 0, 0, 0, 128L << 20, 4096);
        var setup = new Coordinator.Setup(job, (after, skipped) -> images(keys), new JobOutputs(store, output),
                new JobJournal(store, output), store, output, settings, Duration.ofSeconds(30), Duration.ofSeconds(20), "bench",
                () -> dev.orchard.coordinator.ClusterMembership.NONE, listener, java.util.Map.of(), null, null);
        var config = com.typesafe.config.ConfigFactory.parseString("pekko.remote.artery.canonical.port = 0")
                .withFallback(com.typesafe.config.ConfigFactory.load());
        startedAt[0] = System.nanoTime();
        ActorSystem<Void> system = ActorSystem.create(Behaviors.setup(context -> {
            context.spawn(Coordinator.create(setup), "coordinator");
            if (!planOnly) {
                for (int i = 0; i < workers; i++) {
                    context.spawn(SimulatedWorker.create("sim-" + i, cost, output, 32), "worker-" + i);
                }
            }
            return Behaviors.empty();
        }), "orchard-dispatch-bench", config);
        try {
            long plannedAt = planned.get(30, TimeUnit.MINUTES);
            System.gc();
            Thread.sleep(500);
            System.gc();
            long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
            System.out.printf("planned %,d keys in %.1f s; heap in use after GC: %.0f MiB (max %.0f MiB)%n", keys,
                    (plannedAt - startedAt[0]) / 1e9, heap / 1048576.0, Runtime.getRuntime().maxMemory() / 1048576.0);
            if (!planOnly) {
                long doneAt = featuresDone.get(30, TimeUnit.MINUTES);
                double seconds = (doneAt - startedAt[0]) / 1e9;
                System.out.printf("| %,d keys | %d workers | %.0f µs/image | unit %d | %.1f s | %,.0f images/s dispatched |%n",
                        keys, workers, cost.toNanos() / 1000.0, unitSize, seconds, keys / seconds);
            }
        } finally {
            system.terminate();
            system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** Synthetic keys like an S3 listing of a big data set: 1,000 class folders. */
    private static Stream<ImageRef> images(long keys) {
        return LongStream.range(0, keys).mapToObj(i -> new ImageRef(
                String.format("s3://bench-bucket/train/class_%03d/img_%09d.jpg", i % 1000, i), "class_" + (i % 1000)));
    }
}
