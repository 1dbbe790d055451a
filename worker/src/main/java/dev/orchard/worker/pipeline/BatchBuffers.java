package dev.orchard.worker.pipeline;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * A fixed set of direct input-tensor buffers (a 32-image MobileNetV2 batch is 19 MB), reused batch after batch.
 * Taking one blocks when all are in use: that is the pipeline's back-pressure, and what bounds a worker's memory
 * whatever the number of images or units.
 */
public final class BatchBuffers {
    private final BlockingQueue<FloatBuffer> free;

    public BatchBuffers(int count, int floatsEach) {
        free = new ArrayBlockingQueue<>(count);
        for (int i = 0; i < count; i++) {
            free.add(ByteBuffer.allocateDirect(floatsEach * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer());
        }
    }

    public FloatBuffer take() throws InterruptedException {
        return free.take();
    }

    /** A free buffer, or null when all are in use. */
    public FloatBuffer poll() {
        return free.poll();
    }

    /** Buffers not in use now. */
    public int free() {
        return free.size();
    }

    public void give(FloatBuffer buffer) {
        free.add(buffer);
    }
}
