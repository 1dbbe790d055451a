package dev.orchard.observe;

import dev.orchard.worker.pipeline.PipelineTotals;
import dev.orchard.worker.pipeline.WorkerRuntime;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.jvm.ExecutorServiceMetrics;

/**
 * A worker JVM's pipeline as meters ({@code orchard_worker_*}): images written and failed, seconds per stage (infer
 * is ONNX Runtime's time), bytes read, ONNX batches, units running and finished, inference lanes and how many are
 * busy, free batch buffers, and the fetch, decode and inference pools' queues and threads ({@code executor_*}).
 */
public final class PipelineMeters {

    private PipelineMeters() {
    }

    public static void bind(MeterRegistry registry, WorkerRuntime runtime) {
        PipelineTotals t = runtime.totals();
        FunctionCounter.builder("orchard.worker.images", t, PipelineTotals::imagesWritten).tag("outcome", "written")
                .description("Images this JVM ran through the pipeline (any attempt)").register(registry);
        FunctionCounter.builder("orchard.worker.images", t, PipelineTotals::imagesFailed).tag("outcome", "failed")
                .description("Images this JVM ran through the pipeline (any attempt)").register(registry);
        for (String stage : PipelineTotals.STAGES) {
            FunctionCounter.builder("orchard.worker.stage", t, x -> x.stageNanos(stage) / 1e9).tag("stage", stage)
                    .baseUnit("seconds").description("Seconds per pipeline stage, summed over threads (infer: ONNX Runtime)")
                    .register(registry);
        }
        FunctionCounter.builder("orchard.worker.read", t, PipelineTotals::bytesRead).baseUnit("bytes")
                .description("Image bytes read").register(registry);
        FunctionCounter.builder("orchard.worker.batches", t, PipelineTotals::batches)
                .description("Batches run by ONNX Runtime").register(registry);
        FunctionCounter.builder("orchard.worker.units.finished", t, PipelineTotals::unitsFinished)
                .description("Attempts this JVM finished").register(registry);
        Gauge.builder("orchard.worker.units.running", t, PipelineTotals::unitsRunning)
                .description("Attempts running now").register(registry);
        Gauge.builder("orchard.worker.lanes", runtime, r -> r.settings().inferenceLanes())
                .description("ONNX inference lanes").register(registry);
        Gauge.builder("orchard.worker.lanes.busy", runtime, WorkerRuntime::lanesBusy)
                .description("ONNX runs in progress now").register(registry);
        Gauge.builder("orchard.worker.batch.buffers.free", runtime, WorkerRuntime::batchBuffersFree)
                .description("Input batch buffers free (none: decoding waits for inference)").register(registry);
        runtime.pools().forEach((name, pool) ->
                new ExecutorServiceMetrics(pool, name, "orchard.pool", Tags.empty()).bindTo(registry));
    }
}
