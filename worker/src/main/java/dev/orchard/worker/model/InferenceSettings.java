package dev.orchard.worker.model;

/**
 * How ONNX Runtime may use the CPU. {@code intraOpThreads} threads work on each run; with {@code spinning} off
 * they sleep between runs instead of busy-waiting, leaving the cores to image decoding.
 */
public record InferenceSettings(int intraOpThreads, boolean spinning) {

    public static InferenceSettings forCores(int cores) {
        return new InferenceSettings(Math.max(1, cores), false);
    }
}
