package dev.orchard.bench.s3;

import dev.orchard.store.Location;
import dev.orchard.store.ObjectStore;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Reads objects from a store at a fixed rate, round and round, on 32 threads, until closed: S3Proxy then serves as
 * many GETs a second as it serves an S3 job, and does the same work (TLS included), while the job beside it reads
 * a local folder. What that job's CPU gains over a local job alone is the cost of sharing the cores with a server
 * and a client, none of which is Orchard's (the control arm of {@link S3CpuBench}). This JVM's own CPU is not
 * counted.
 */
final class PacedReader implements AutoCloseable {
    private final ScheduledExecutorService clock = Executors.newSingleThreadScheduledExecutor();
    private final ExecutorService readers = Executors.newFixedThreadPool(32);
    private final AtomicLong next = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();

    PacedReader(ObjectStore store, List<Location> objects, double perSecond) {
        if (!(perSecond > 0) || objects.isEmpty()) {
            throw new IllegalArgumentException("a paced reader needs objects and a rate above 0, had " + objects.size()
                    + " objects at " + perSecond + "/s");
        }
        long periodNanos = Math.max(1, Math.round(1e9 / perSecond));
        clock.scheduleAtFixedRate(() -> {
            Location object = objects.get((int) (next.getAndIncrement() % objects.size()));
            readers.execute(() -> {
                try {
                    store.read(object);
                } catch (IOException | RuntimeException e) {
                    failures.incrementAndGet();
                }
            });
        }, 0, periodNanos, TimeUnit.NANOSECONDS);
    }

    /** GETs started so far. */
    long reads() {
        return next.get();
    }

    long failures() {
        return failures.get();
    }

    @Override
    public void close() throws InterruptedException {
        clock.shutdownNow();
        readers.shutdownNow();
        readers.awaitTermination(10, TimeUnit.SECONDS);
    }
}
