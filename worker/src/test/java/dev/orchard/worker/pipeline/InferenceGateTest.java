package dev.orchard.worker.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

class InferenceGateTest {

    @Test
    void whenDecodingYieldsItWaitsForTheRunningBatchAndResumesAfter() throws Exception {
        InferenceGate gate = new InferenceGate(true);
        gate.beginInference();
        CompletableFuture<Void> decode = turnForCpu(gate);
        try {
            decode.get(300, TimeUnit.MILLISECONDS);
            throw new AssertionError("decoding started while a batch was running");
        } catch (TimeoutException expected) {
            // still waiting, as it should
        }
        gate.endInference();
        decode.get(10, TimeUnit.SECONDS);
        assertThat(decode).isCompleted();
    }

    @Test
    void whenDecodingOverlapsItNeverWaits() throws Exception {
        InferenceGate gate = new InferenceGate(false);
        gate.beginInference();
        turnForCpu(gate).get(10, TimeUnit.SECONDS);
        gate.endInference();
    }

    @Test
    void withSeveralRunsDecodingWaitsForTheLastToEnd() throws Exception {
        InferenceGate gate = new InferenceGate(true);
        gate.beginInference();
        gate.beginInference();
        CompletableFuture<Void> decode = turnForCpu(gate);
        gate.endInference();
        Thread.sleep(200);
        assertThat(decode).isNotDone(); // one run is still going
        gate.endInference();
        decode.get(10, TimeUnit.SECONDS);
    }

    /** A thread that waits for its turn to use the CPU, as a decode thread does before each image. */
    private static CompletableFuture<Void> turnForCpu(InferenceGate gate) {
        return CompletableFuture.runAsync(() -> {
            try {
                gate.awaitTurnForCpu();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
    }
}
