package dev.orchard.worker.pipeline;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * What this worker JVM's pipeline has done since it started, over every unit and job: the figures its
 * {@code /metrics} shows. Counters only grow; attempts that lose or are cancelled count too (it is work this JVM did).
 * Updated by the pipeline's threads as they go, read by whoever scrapes.
 */
public final class PipelineTotals {
    final LongAdder imagesWritten = new LongAdder();
    final LongAdder imagesFailed = new LongAdder();
    final LongAdder bytesRead = new LongAdder();
    final LongAdder readNanos = new LongAdder();
    final LongAdder decodeNanos = new LongAdder();
    final LongAdder preprocessNanos = new LongAdder();
    final LongAdder inferNanos = new LongAdder();
    final LongAdder statisticsNanos = new LongAdder();
    final LongAdder writeNanos = new LongAdder();
    final LongAdder publishNanos = new LongAdder();
    final LongAdder batches = new LongAdder();
    final LongAdder unitsFinished = new LongAdder();
    final AtomicInteger unitsRunning = new AtomicInteger();

    /**
     * Runs one unit, counted: among the running units while it runs, among the finished ones once it returns; a
     * publish unit's whole time is the publish stage's.
     */
    public <T> T unit(boolean publish, java.util.concurrent.Callable<T> run) throws Exception {
        long started = System.nanoTime();
        unitsRunning.incrementAndGet();
        try {
            T outcome = run.call();
            unitsFinished.increment();
            return outcome;
        } finally {
            unitsRunning.decrementAndGet();
            if (publish) {
                publishNanos.add(System.nanoTime() - started);
            }
        }
    }

    /** Images whose rows were written (in any attempt). */
    public long imagesWritten() {
        return imagesWritten.sum();
    }

    /** Images that could not be used (recorded as errors by an attempt). */
    public long imagesFailed() {
        return imagesFailed.sum();
    }

    public long bytesRead() {
        return bytesRead.sum();
    }

    /** ONNX Runtime batches run. */
    public long batches() {
        return batches.sum();
    }

    public long unitsFinished() {
        return unitsFinished.sum();
    }

    public int unitsRunning() {
        return unitsRunning.get();
    }

    /** Nanoseconds spent in a stage, summed over threads: read, decode, preprocess, infer, statistics, write, publish. */
    public long stageNanos(String stage) {
        return switch (stage) {
            case "read" -> readNanos.sum();
            case "decode" -> decodeNanos.sum();
            case "preprocess" -> preprocessNanos.sum();
            case "infer" -> inferNanos.sum();
            case "statistics" -> statisticsNanos.sum();
            case "write" -> writeNanos.sum();
            case "publish" -> publishNanos.sum();
            default -> throw new IllegalArgumentException("no stage " + stage);
        };
    }

    public static final java.util.List<String> STAGES =
            java.util.List.of("read", "decode", "preprocess", "infer", "statistics", "write", "publish");
}
