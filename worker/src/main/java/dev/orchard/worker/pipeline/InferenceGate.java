package dev.orchard.worker.pipeline;

import java.util.concurrent.Semaphore;

/**
 * Who gets the cores while ONNX Runtime runs a batch. At most {@code lanes} runs at once. When decoding yields,
 * the pipeline's other CPU work (decoding an image; projecting, folding into statistics and writing a finished
 * batch) does not start while a run is in progress, and catches up between runs.
 *
 * <p>Why yield: ONNX Runtime splits each operator across its intra-op threads and waits for all of them at the
 * end of it. When those threads already take every core, a decode thread that preempts one of them stalls the
 * others at that barrier, so the run loses more time than the decode takes. Decoding a batch between runs costs
 * the same CPU time without the stalls (measured in bench/RESULTS.md). When ONNX Runtime leaves cores free,
 * decoding should overlap instead, and the gate lets it.
 */
final class InferenceGate {
    private final Semaphore lanes;
    private final boolean decodeYields;
    private int running; // guarded by this

    InferenceGate(int lanes, boolean decodeYields) {
        this.lanes = new Semaphore(lanes, true);
        this.decodeYields = decodeYields;
    }

    /** Waits for a free lane; decode threads then hold back until {@link #endInference()}. */
    void beginInference() throws InterruptedException {
        lanes.acquire();
        synchronized (this) {
            running++;
        }
    }

    void endInference() {
        synchronized (this) {
            if (--running == 0) {
                notifyAll();
            }
        }
        lanes.release();
    }

    /** Called before each piece of CPU work outside ONNX: returns at once unless it yields to a run in progress. */
    void awaitTurnForCpu() throws InterruptedException {
        if (!decodeYields) {
            return;
        }
        synchronized (this) {
            while (running > 0) {
                wait();
            }
        }
    }
}
