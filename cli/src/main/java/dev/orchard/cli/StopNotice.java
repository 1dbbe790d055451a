package dev.orchard.cli;

import java.io.PrintWriter;
import dev.orchard.coordinator.JobFinishedAlready;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * While a command runs a job ({@code orchard run}, {@code orchard coordinator}), a signal (SIGTERM, Ctrl-C) gets the line
 * that says the job stopped before it ended and how to continue ({@link Orchard#sayStopped}), whether or not the job's
 * failure reaches the thread that reports it before the JVM halts: it did not, and a SIGTERM left no line at all.
 * Once the job has finished ({@link #endsWith}), a signal gets a line that says so instead: one that came as the
 * summary was printed said "stopped before the job ended" under it, of a job that had finished. A signal while the job
 * writes its last files waits for the node to stop ({@link #waitsFor}) before it says anything: the stop lets those
 * writes land, and the job then finishes (it said "stopped … --resume" of a job that went on to write {@code _SUCCESS}).
 * Closed once the command has its own outcome: quiet from then on.
 */
final class StopNotice implements AutoCloseable {
    /** Notices whose command has no outcome of its own yet: during an exit, theirs is the only line ({@link #speaks}). */
    private static final java.util.concurrent.atomic.AtomicInteger OPEN = new java.util.concurrent.atomic.AtomicInteger();

    private final AtomicBoolean settled = new AtomicBoolean();
    private final AtomicBoolean finished = new AtomicBoolean();
    /** Completed once the job's outcome is known (after {@link #finished} is set). */
    private final CompletableFuture<Void> outcomeKnown = new CompletableFuture<>();
    private volatile CompletableFuture<?> nodeStopped;
    private volatile java.util.concurrent.Callable<Boolean> finishedInOutput;
    private volatile java.util.concurrent.Callable<String> runningElsewhere;
    private volatile CompletableFuture<?> jobStarted;
    private volatile java.util.function.Supplier<String> otherCoordinator;
    private final Thread hook;
    /** Completed as the command closes this notice: its node and workers' runtime (its scratch folder) closed before. */
    private final CompletableFuture<Void> commandClosed = new CompletableFuture<>();

    private final PrintWriter err;

    StopNotice(PrintWriter err) {
        this.err = err;
        hook = new Thread(this::exiting, "orchard-stop-notice");
        Runtime.getRuntime().addShutdownHook(hook);
        OPEN.incrementAndGet();
    }

    /**
     * Whether, as this JVM exits, a notice's hook says what became of the job: a command's own line would come before
     * the node has stopped and might contradict the hook's ("stopped … --resume" over a job whose last file landed).
     */
    static boolean speaks() {
        return OPEN.get() > 0;
    }

    /**
     * The JVM exits (the hook): says what became of the job, unless the command has said it already, then holds the exit
     * until the command has closed what it opened ({@link #CLOSE_WAIT} at most): the JVM halted as soon as the hooks
     * ended, and a stopped job's worker runtime left its scratch folder for the next worker on the host to clear as
     * one "that ended without closing" (a cluster walk).
     */
    void exiting() {
        if (settled.get()) {
            return;
        }
        try {
            say();
        } finally {
            try {
                commandClosed.get(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException e) {
                // exit without: the next worker on the host clears the folder
            }
        }
    }

    /** The longest the exit waits, once its line is said, for the command to close its node and runtime. */
    static final java.time.Duration CLOSE_WAIT = java.time.Duration.ofSeconds(10);

    /** What the hook says, once what it waits for has come ({@link #exiting} then holds the exit for the command). */
    void say() {
        CompletableFuture<?> stopping = nodeStopped;
        if (stopping != null) {
            try { // the node's stop is bounded (its phases' timeouts); this only guards against a stop that hangs
                CompletableFuture.anyOf(outcomeKnown, stopping).get(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException e) {
                // say what is known now
            }
        }
        // The last file landed as the node stopped, before the coordinator heard so: the output says. A store that
        // does not answer soon (S3 retrying, or closing with the JVM) leaves what the outcome said.
        if (!finished.get() && Boolean.TRUE.equals(answered(finishedInOutput))) {
            finished();
        }
        if (finished.get()) {
            Orchard.sayOnce(err, "orchard: this JVM began to exit (a signal, Ctrl-C, or a fatal error logged above) as"
                    + " the job ended; it had finished: its outputs are complete (the exit code, not 0, is the signal's or the error's)");
            return;
        }
        CompletableFuture<?> started = jobStarted;
        if (started != null && !started.isDone()) {
            // Stopped as it was starting: it said "stopped before the job ended: --resume continues the job … keeping
            // the units whose statistics were committed" where there was no output folder yet (a README walk).
            Orchard.sayOnce(err, "orchard: stopped as the job was starting: this JVM began to exit (a signal, Ctrl-C,"
                    + " or a fatal error logged above) before its coordinator started; the same command starts the job"
                    + " (an --update: the same command as it was; a --resume: the same --resume)");
            return;
        }
        String holder = answered(runningElsewhere);
        String standby = holder == null ? otherCoordinatorNode() : null;
        if (holder != null) {
            // A standby stopped while the active coordinator runs (or the active one, after a standby took over): it
            // said "stopped before the job ended: --resume continues the job" of a job that went on (a user's walk).
            // Hedged: a holder killed a moment ago still has a fresh lease (the diff's review).
            Orchard.sayOnce(err, "orchard: this coordinator node began to exit (a signal, Ctrl-C, or a fatal error"
                    + " logged above) while the"
                    + " coordinator on " + holder + " holds the output's lease: if it runs, the job goes on there;"
                    + " if it has stopped too, the same command with --resume continues the job");
        } else if (standby != null) {
            // A coordinator node that stops hands the job to a standby: it released the lease before the standby took
            // it, so no holder is found, and it said "--resume continues the job", which was then refused while the
            // standby finished the job by itself (a chaos walk).
            Orchard.sayOnce(err, "orchard: this coordinator node began to exit (a signal, Ctrl-C, or a fatal error"
                    + " logged above) with another coordinator node in its cluster, on " + standby
                    + ": that node takes the job over; if it has stopped too, the same command with --resume continues"
                    + " the job");
        } else {
            Orchard.sayStopped(err);
        }
    }

    /** What {@code question} answers within {@link #OUTPUT_WAIT}; null when it is not asked, fails or does not answer. */
    private static <T> T answered(java.util.concurrent.Callable<T> question) {
        if (question == null) {
            return null;
        }
        try {
            return CompletableFuture.supplyAsync(() -> {
                try {
                    return question.call();
                } catch (Exception e) {
                    throw new CompletionException(e);
                }
            }).get(OUTPUT_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (ExecutionException | TimeoutException e) {
            return null;
        }
    }

    /** The longest the hook waits for the store to say whether {@code _SUCCESS} is there. */
    static final java.time.Duration OUTPUT_WAIT = java.time.Duration.ofSeconds(3);

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
            outcomeKnown.complete(null);
        });
    }

    /** The job's node: a signal's line waits until it has stopped, or the job's outcome is known, whichever is first. */
    void waitsFor(java.util.concurrent.CompletionStage<?> stopped) {
        nodeStopped = stopped.toCompletableFuture();
    }

    /**
     * Where a node that stopped without an outcome finds whether the job finished: its {@code _SUCCESS} can land as the
     * node stops, before the coordinator hears that it did (seen: "stopped … --resume" over a finished output).
     */
    void checks(java.util.concurrent.Callable<Boolean> outputFinished) {
        finishedInOutput = outputFinished;
    }

    /**
     * The longest a signal's line waits for the node to stop, past which it says what it knows: the node's own stop
     * is bounded by CoordinatedShutdown's phase timeouts (cli's application.conf: 10 s to commit, up to 30 s to leave
     * the cluster), and the JVM waits for that stop anyway, so the wait adds nothing to an exit that ends in time.
     */
    static final java.time.Duration STOP_WAIT = java.time.Duration.ofSeconds(60);

    /**
     * Where a coordinator node that stops before the job ended finds whether another coordinator node runs the job:
     * the holder of the output's lease, other than this node, or null.
     */
    void asks(java.util.concurrent.Callable<String> elsewhere) {
        runningElsewhere = elsewhere;
    }

    /** Another coordinator node of the cluster (a standby), as {@link #handsOverTo} finds it; null: none. */
    private String otherCoordinatorNode() {
        java.util.function.Supplier<String> other = otherCoordinator;
        return other == null ? null : other.get();
    }

    /** Where a coordinator node that stops finds another coordinator node of its cluster (null: none). */
    void handsOverTo(java.util.function.Supplier<String> other) {
        otherCoordinator = other;
    }

    /**
     * Completed once the command has started the job's coordinator: a signal before then stopped the job as it was
     * starting, with nothing of it done.
     */
    void startsWhen(CompletableFuture<?> started) {
        jobStarted = started;
    }

    /** The job has finished (found so in its output, say). */
    void finished() {
        finished.set(true);
    }

    @Override
    public void close() {
        commandClosed.complete(null);
        if (dev.orchard.worker.JvmExit.began()) {
            return; // the exit's doing: the hook says so
        }
        if (!settled.getAndSet(true)) {
            OPEN.decrementAndGet();
        }
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException exiting) {
            // the exit began just now: the hook runs, and is quiet
        }
    }
}
