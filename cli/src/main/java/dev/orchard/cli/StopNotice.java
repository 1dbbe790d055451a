package dev.orchard.cli;

import java.io.PrintWriter;
import dev.orchard.coordinator.JobFinishedAlready;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * While a command runs a job ({@code orchard run}, {@code orchard coordinator}), a signal (SIGTERM, Ctrl-C) gets the line
 * that says the job stopped before it ended and how to continue ({@link Orchard#sayStopped}), whether or not the job's
 * failure reaches the thread that reports it before the JVM halts: it did not, and a SIGTERM left no line at all.
 * Once the job has finished ({@link #endsWith}), a signal gets a line that says so instead: one that came as the
 * summary was printed said "stopped before the job ended" under it, of a job that had finished. Closed once the command
 * has its own outcome: quiet from then on.
 */
final class StopNotice implements AutoCloseable {
    private final AtomicBoolean settled = new AtomicBoolean();
    private final AtomicBoolean finished = new AtomicBoolean();
    private final Thread hook;

    private final PrintWriter err;

    StopNotice(PrintWriter err) {
        this.err = err;
        hook = new Thread(this::exiting, "orchard-stop-notice");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** The JVM exits (the hook): says what became of the job, unless the command has said it already. */
    void exiting() {
        if (settled.get()) {
            return;
        }
        if (finished.get()) {
            err.println("orchard: this JVM was asked to exit (a signal, Ctrl-C) as the job ended; it had finished: its"
                    + " outputs are complete (the exit code is the signal's)");
        } else {
            Orchard.sayStopped(err);
        }
    }

    /**
     * The job's outcome: once it has finished (its summary, or {@link JobFinishedAlready}: another coordinator node
     * finished it), a signal no longer stops it.
     */
    void endsWith(CompletableFuture<?> outcome) {
        outcome.whenComplete((summary, failure) -> {
            Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause()
                                                                                                  : failure;
            if (cause == null || cause instanceof JobFinishedAlready) {
                finished();
            }
        });
    }

    /** The job has finished (found so in its output, say). */
    void finished() {
        finished.set(true);
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
