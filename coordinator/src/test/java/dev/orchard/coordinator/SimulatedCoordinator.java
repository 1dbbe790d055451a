package dev.orchard.coordinator;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.function.LongSupplier;

/**
 * One coordinator node of {@link LeaseSimulation}: its clocks (wall skewed, monotonic drifting), its view of the
 * store, its lease, its pause watcher, and whether it is frozen, downed or gone. Its steps run on a thread of its own
 * when the world's loop hands it the turn ({@link #go}); it gives the turn back on {@link #back}.
 */
final class SimulatedCoordinator {
    /** The world's wall clock starts here. */
    static final Instant EPOCH = Instant.parse("2026-12-04T12:00:00Z");
    /** A coordinator that exited is gone from the others' view this much later (it left the cluster). */
    static final long LEAVE_MS = 1_000;

    final int index;
    final String name;
    final String owner;
    final long skewMs;
    final double drift;
    final JvmPauses pauses;
    final dev.orchard.store.ObjectStore store;
    /** Runs this coordinator's steps, one at a time, when the world's loop hands it the turn. */
    final Thread thread;
    final Semaphore go = new Semaphore(0);
    Runnable step;
    boolean stepDone;
    Throwable failure;
    /** Steps due while it was in the middle of one: they run after it. */
    final List<Runnable> deferred = new ArrayList<>();
    OutputLease lease;
    /** Its journal, once it took the lease ({@link LeaseSimulation}'s journal campaign), and what it counts in it. */
    JobJournal journal;
    final java.util.Set<Integer> committed = new java.util.HashSet<>();
    final java.util.Set<String> commits = new java.util.HashSet<>();
    int commitSeq;
    boolean busy;
    boolean stopped;
    long stoppedAt;
    long frozenUntil;
    /** A freeze between steps not yet seen by the pause watcher: its start, by this node's monotonic clock. */
    long unseenPauseFrom = -1;
    /** When the others' resolver downed it (it was frozen long enough), if it was. */
    long downedAt = Long.MAX_VALUE;
    boolean downedWhileFrozen;
    long stopAt = Long.MAX_VALUE;
    private final LongSupplier now;
    private final Semaphore back;

    /**
     * @param now   the world's time, in milliseconds
     * @param back  released when this coordinator gives the turn back to the world's loop
     * @param store the simulated store, reached through the world's requests
     */
    SimulatedCoordinator(int index, long skewMs, double drift, LongSupplier now, Semaphore back,
                         SimulatedLeaseStore store, SimulatedLeaseStore.Requests requests) {
        this.index = index;
        this.name = "10.0.0." + (index + 1) + ":17355";
        this.owner = "c" + index;
        this.skewMs = skewMs;
        this.drift = drift;
        this.now = now;
        this.back = back;
        this.pauses = new JvmPauses(this::nanos);
        this.store = store.viewOf(this, requests);
        this.thread = new Thread(this::serve, "lease-sim-" + owner);
        thread.setDaemon(true);
        thread.start();
    }

    private void serve() {
        while (true) {
            try {
                go.acquire();
            } catch (InterruptedException e) {
                return;
            }
            try {
                seen();
                step.run();
            } catch (Halt e) {
                return;
            } catch (Throwable t) {
                failure = t;
            }
            stepDone = true;
            back.release();
        }
    }

    /** Its monotonic clock, in nanoseconds: the world's time, drifting. */
    long nanos() {
        return (long) (now.getAsLong() * 1_000_000.0 * (1 + drift));
    }

    /** Its wall clock: the world's time, skewed. */
    Instant wall() {
        return EPOCH.plusMillis(now.getAsLong() + skewMs);
    }

    /** Whether the others see it gone from the cluster at {@code t}: downed, or left after it exited. */
    boolean goneAt(long t) {
        return t >= downedAt || stopped && t >= stoppedAt + LEAVE_MS;
    }

    /** The pause watcher ticks while its JVM runs: a freeze it has not yet reported, it reports now. */
    void seen() {
        if (unseenPauseFrom >= 0) {
            pauses.woke(unseenPauseFrom - JvmPauses.TICK_NANOS, nanos());
            unseenPauseFrom = -1;
        }
        pauses.asleep(nanos());
    }

    /** Ends a coordinator thread left waiting when the schedule ends. */
    static final class Halt extends RuntimeException {
        Halt() {
            super(null, null, false, false);
        }
    }

    @Override
    public String toString() {
        return owner;
    }
}
