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
    private long changes; // guarded by this

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
        changed();
    }

    /** Counts a change a waiter may care about (a buffer given back, a batch done) and wakes {@link #awaitChange}. */
    public synchronized void changed() {
        changes++;
        notifyAll();
    }

    /** Changes counted so far: what {@link #awaitChange} waits for a change from. */
    public synchronized long changes() {
        return changes;
    }

    /** Waits until the count of changes is no longer {@code seen}, at most {@code timeout}; says whether it changed. */
    public synchronized boolean awaitChange(long seen, java.time.Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (changes == seen) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            java.util.concurrent.TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return true;
    }
}
