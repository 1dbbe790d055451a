package dev.orchard.worker.pipeline;

/**
 * Who gets the cores while ONNX Runtime runs a batch. When decoding yields, the pipeline's other CPU work
 * (decoding an image; projecting, folding into statistics and writing a finished batch) does not start while a
 * run is in progress, and catches up between runs. How many runs go at once is the inference pool's size.
 *
 * <p>Why yield: ONNX Runtime splits each operator across its intra-op threads and waits for all of them at the
 * end of it. When those threads already take every core, a decode thread that preempts one of them stalls the
 * others at that barrier, so the run loses more time than the decode takes. Decoding a batch between runs costs
 * the same CPU time without the stalls (measured in bench/RESULTS.md). When ONNX Runtime leaves cores free, or
 * runs single-threaded lanes, decoding should overlap instead, and the gate lets it.
 */
final class InferenceGate {
    private final boolean decodeYields;
    private int running; // guarded by this

    InferenceGate(boolean decodeYields) {
        this.decodeYields = decodeYields;
    }

    /** A run starts: work that yields holds back until every run has ended. */
    synchronized void beginInference() {
        running++;
    }

    /** Runs in progress now. */
    synchronized int running() {
        return running;
    }

    synchronized void endInference() {
        if (--running == 0) {
            notifyAll();
        }
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
