package dev.orchard.predict;

import ai.onnxruntime.OrtEnvironment;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the JVM's exit from freeing ONNX Runtime under a thread that is still inside it.
 *
 * <p>ONNX Runtime's Java API releases its native environment from a JVM shutdown hook of its own, and the JVM runs
 * shutdown hooks beside the threads still working: a SIGTERM, a Ctrl-C or a {@code System.exit} while a batch is in
 * {@code OrtSession.run} freed the environment under that run and crashed the JVM in {@code libonnxruntime.so}
 * (SIGSEGV, an {@code hs_err} file; reproduced every time by exiting just after a 64-image run started). Upstream
 * says this cannot be prevented from within its Java API (microsoft/onnxruntime#10670, #31352). So:
 * <ul>
 *   <li>every call into ONNX Runtime that can take long (making a session, running it, closing it) is made within a
 *       {@link Call};</li>
 *   <li>once the JVM begins to exit, no new call starts ({@link #enter} throws) and the exit waits, up to
 *       {@link #EXIT_WAIT}, for the calls already inside to return;</li>
 *   <li>the environment holds a second reference, taken here, so ONNX Runtime's own hook only drops its reference
 *       (the native environment is counted) instead of freeing it mid-run; the process's end frees it.</li>
 * </ul>
 */
public final class OnnxRuntimeCalls {
    /** How long an exit waits for runs in ONNX Runtime to return (a batch takes well under a second). */
    static final Duration EXIT_WAIT = Duration.ofSeconds(30);

    private static final Logger log = LoggerFactory.getLogger(OnnxRuntimeCalls.class);

    private int inside;
    private boolean exiting;

    OnnxRuntimeCalls() {
    }

    /** A call into ONNX Runtime; closing it says the call has returned. */
    public interface Call extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Begins a call into ONNX Runtime.
     *
     * @throws IllegalStateException when the JVM is exiting: the call must not start
     */
    public static Call enter() {
        Call call = jvm().begin();
        if (call == null) {
            throw new IllegalStateException("The JVM is exiting: no new ONNX Runtime call starts");
        }
        return call;
    }

    /** Begins a call into ONNX Runtime, or returns null when the JVM is exiting (for a close: the exit frees it). */
    public static Call enterUnlessExiting() {
        return jvm().begin();
    }

    /** The JVM's one instance: made on first use (the holder's class initialisation, once, without a lock after). */
    static OnnxRuntimeCalls jvm() {
        return Jvm.CALLS;
    }

    private static final class Jvm {
        static final OnnxRuntimeCalls CALLS = install();

        /** Pins ONNX Runtime's environment and installs the exit's wait. */
        private static OnnxRuntimeCalls install() {
            OnnxRuntimeCalls calls = new OnnxRuntimeCalls();
            pinEnvironment();
            try {
                Runtime.getRuntime().addShutdownHook(new Thread(() -> calls.awaitQuiet(EXIT_WAIT), "orchard-onnx-exit"));
            } catch (IllegalStateException shuttingDown) {
                calls.awaitQuiet(Duration.ZERO); // already exiting: start nothing
            }
            return calls;
        }
    }

    /** Begins a call, or returns null when {@link #awaitQuiet} has begun. */
    synchronized Call begin() {
        if (exiting) {
            return null;
        }
        inside++;
        java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();
        return () -> {
            if (closed.compareAndSet(false, true)) { // a call counts once, however often it is closed
                leave();
            }
        };
    }

    private synchronized void leave() {
        inside--;
        if (inside == 0) {
            notifyAll();
        }
    }

    /** Starts no more calls, then waits up to {@code limit} for those inside to return; true if they all did. */
    synchronized boolean awaitQuiet(Duration limit) {
        exiting = true;
        long deadline = System.nanoTime() + limit.toNanos();
        while (inside > 0) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            try {
                wait(Math.max(1, left / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    /** Calls inside ONNX Runtime now. */
    synchronized int inside() {
        return inside;
    }

    /**
     * Takes a second reference on ONNX Runtime's native environment ({@code CreateEnv} counts its callers and returns
     * the one environment), through the Java API's private {@code createHandle}: it has no public way to. Checked: the
     * handle must be the environment's own. Where that is not possible (another ONNX Runtime version), the exit still
     * waits for the calls inside, and a warning says what is left.
     */
    private static void pinEnvironment() {
        OnnxRuntimeNatives.useCache();
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try {
            Field api = Class.forName("ai.onnxruntime.OnnxRuntime").getDeclaredField("ortApiHandle");
            api.setAccessible(true);
            Field own = OrtEnvironment.class.getDeclaredField("nativeHandle");
            own.setAccessible(true);
            Method create = OrtEnvironment.class.getDeclaredMethod("createHandle", long.class, int.class, String.class);
            create.setAccessible(true);
            long handle = (Long) create.invoke(null, api.getLong(null),
                    ai.onnxruntime.OrtLoggingLevel.ORT_LOGGING_LEVEL_WARNING.getValue(), "orchard");
            if (handle != own.getLong(env)) {
                log.warn("ONNX Runtime returned a second environment, not a reference to its one: a JVM that exits"
                        + " while a batch runs may still crash in ONNX Runtime");
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            log.warn("Cannot hold ONNX Runtime's environment open until the JVM's end ({}): a JVM that exits while a"
                    + " batch runs may crash in ONNX Runtime", e.toString());
        }
    }
}
