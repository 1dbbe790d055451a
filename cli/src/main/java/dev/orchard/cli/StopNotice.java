package dev.orchard.cli;

import java.io.PrintWriter;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * While a command runs a job ({@code orchard run}, {@code orchard coordinator}), a signal (SIGTERM, Ctrl-C) gets the line
 * that says the job stopped before it ended and how to continue ({@link Orchard#sayStopped}), whether or not the job's
 * failure reaches the thread that reports it before the JVM halts: it did not, and a SIGTERM left no line at all.
 * Closed once the command has its own outcome (the job's end, or a failure of its own): quiet from then on.
 */
final class StopNotice implements AutoCloseable {
    private final AtomicBoolean settled = new AtomicBoolean();
    private final Thread hook;

    StopNotice(PrintWriter err) {
        hook = new Thread(() -> {
            if (!settled.get()) {
                Orchard.sayStopped(err);
            }
        }, "orchard-stop-notice");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    @Override
    public void close() {
        if (dev.orchard.worker.JvmExit.began()) {
            return; // the exit's doing: the hook says so
        }
        settled.set(true);
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException exiting) {
            // the exit began just now: the hook runs, and is quiet
        }
    }
}
