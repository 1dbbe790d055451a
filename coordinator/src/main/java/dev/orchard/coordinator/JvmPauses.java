package dev.orchard.coordinator;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Tells whether this JVM stood still — a long GC pause, a stopped process (SIGSTOP), a suspended VM — in the manner
 * of Hadoop's {@code JvmPauseMonitor}: a daemon thread sleeps a short tick again and again, and a wake-up far later
 * than the tick means that nothing in the JVM ran meanwhile. {@link OutputLease} asks it whether a slow renewal was
 * a store that was slow (harmless) or a JVM that stood still between reading its lease and writing it (when another
 * coordinator may have taken the output over). A thread starved of CPU for as long looks the same, and is taken
 * for a pause: the safe side. One watcher serves the whole JVM ({@link #watching()}).
 */
final class JvmPauses {
    /** How long the watcher sleeps between looks at the clock. */
    static final long TICK_NANOS = Duration.ofMillis(100).toNanos();
    /** Pauses shorter than this are not kept (scheduling noise). */
    static final long KEPT_NANOS = Duration.ofMillis(200).toNanos();
    /**
     * How long a pause is kept after it ended: longer than any renewal takes (the store's retries give up within
     * minutes). Kept by age rather than by count, so that many short pauses cannot push a long one out.
     */
    static final long KEPT_FOR_NANOS = Duration.ofHours(1).toNanos();

    private static JvmPauses shared;

    private final LongSupplier nanoClock;
    /** The pauses of the last {@link #KEPT_FOR_NANOS}, oldest first: when each ended and how long it was. */
    private final java.util.ArrayDeque<long[]> kept = new java.util.ArrayDeque<>();
    /** When the watcher's current sleep began. */
    private long sleepingSince;

    JvmPauses(LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
        this.sleepingSince = nanoClock.getAsLong();
    }

    /** The JVM's watcher, started on first use. */
    static synchronized JvmPauses watching() {
        if (shared == null) {
            shared = new JvmPauses(System::nanoTime);
            Thread watcher = new Thread(shared::watch, "orchard-jvm-pauses");
            watcher.setDaemon(true);
            watcher.start();
        }
        return shared;
    }

    private void watch() {
        while (true) {
            long from = nanoClock.getAsLong();
            asleep(from);
            try {
                Thread.sleep(TICK_NANOS / 1_000_000);
            } catch (InterruptedException e) {
                return;
            }
            woke(from, nanoClock.getAsLong());
        }
    }

    /** The watcher begins a tick's sleep at {@code from}. */
    synchronized void asleep(long from) {
        sleepingSince = from;
    }

    /** The watcher slept from {@code from} and woke at {@code to}: anything beyond the tick was a pause. */
    synchronized void woke(long from, long to) {
        long pause = to - from - TICK_NANOS;
        if (pause >= KEPT_NANOS) {
            kept.addLast(new long[] {to, pause});
        }
        while (!kept.isEmpty() && to - kept.peekFirst()[0] > KEPT_FOR_NANOS) {
            kept.removeFirst();
        }
    }

    /**
     * Whether the JVM stood still for {@code atLeast} nanoseconds or more at some time after {@code since} (by the
     * same clock), counting one the watcher has yet to wake from.
     */
    synchronized boolean stoodStillSince(long since, long atLeast) {
        if (nanoClock.getAsLong() - sleepingSince - TICK_NANOS >= atLeast) {
            return true;
        }
        for (long[] pause : kept) {
            if (pause[0] > since && pause[1] >= atLeast) {
                return true;
            }
        }
        return false;
    }
}
