package dev.orchard.coordinator.work;

import dev.orchard.protocol.Phase;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * What {@link WorkState} hands out: a unit of images ({@link Unit}), a part to publish ({@link Part}) or a base part
 * to regroup ({@link Regroup}). What they share: live attempts, failures (and on which workers), a place in the
 * pending queue, a winner.
 */
abstract class Task {

    /** A live attempt: where it runs, since when, its assignment number there, and when that was last sent. */
    static final class Live {
        final String worker;
        final long startedMs;
        final long assignSeq;
        long sentMs;

        Live(String worker, long startedMs, long assignSeq) {
            this.worker = worker;
            this.startedMs = startedMs;
            this.assignSeq = assignSeq;
            this.sentMs = startedMs;
        }

        String worker() {
            return worker;
        }

        long startedMs() {
            return startedMs;
        }

        long assignSeq() {
            return assignSeq;
        }
    }

    final int id;
    final Phase phase;
    final Map<Integer, Live> live = new LinkedHashMap<>(); // attempt → where it runs
    int failures;
    private Set<String> failedOn; // workers where an attempt of it failed, timed out or lost its statistics; or null
    long lastTimeoutMs = Long.MIN_VALUE / 2;
    /** Of {@link #failures}, the timeout periods: each counts, whether or not a copy could be handed out. */
    int timeouts;
    /** The attempts that were live at those periods: one alone says no worker was free to take a copy. */
    private Set<Integer> lateAttempts;
    boolean queued;
    int winner = -1;
    String owner;

    Task(int id, Phase phase) {
        this.id = id;
        this.phase = phase;
    }

    /** An attempt of it failed on {@code worker} (or timed out there, or lost its statistics with it). */
    final void failedOn(String worker) {
        if (failedOn == null) {
            failedOn = new HashSet<>(2);
        }
        failedOn.add(worker);
    }

    /** A {@code --unit-timeout} period ended with none of its attempts finished (all live ones late). */
    final void timedOut() {
        failures++;
        timeouts++;
        if (lateAttempts == null) {
            lateAttempts = new HashSet<>(2);
        }
        lateAttempts.addAll(live.keySet());
        live.values().forEach(l -> failedOn(l.worker()));
    }

    /** How many attempts ran through its timeout periods: 1 where no copy could be handed out beside the first. */
    final int lateAttempts() {
        return lateAttempts == null ? 0 : lateAttempts.size();
    }

    /** Whether an attempt of it failed on {@code worker}. */
    final boolean hasFailedOn(String worker) {
        return failedOn != null && failedOn.contains(worker);
    }

    /** Whether an attempt of it runs on {@code worker}. */
    final boolean runsOn(String worker) {
        return live.values().stream().anyMatch(l -> l.worker().equals(worker));
    }

    /** Whether it is still to be done: no attempt of it has won, or a loss sent it back. */
    abstract boolean isPending();

    /** Whether it wants an attempt now: pending, with no winner. */
    final boolean wantsAttempt() {
        return isPending() && winner < 0;
    }

    /** "unit 3", "part 0", "regroup of base part 2": how messages name it. */
    abstract String describe();
}
