package dev.orchard.cli;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * The rule behind {@link CoordinatorWatch}, with no actor and no clock: whether a worker node should leave its
 * cluster to join its seeds afresh. It leaves once the coordinator it had seen has been out of sight for longer than
 * {@code rejoinAfter}, and only once the split-brain resolver has decided about every unreachable member (see {@link
 * ResolverWait}). Before a first coordinator shows up it never leaves. Times are {@link System#nanoTime()} readings.
 */
final class CoordinatorSight {

    private final long rejoinAfterNanos;
    private boolean inSight;
    private boolean everSeen;
    private long lostAt;

    CoordinatorSight(Duration rejoinAfter) {
        this.rejoinAfterNanos = rejoinAfter.toNanos();
    }

    /** The receptionist's listing changed: a coordinator is {@code listed} or not, at {@code now}. */
    void listed(boolean listed, long now) {
        if (inSight && !listed) {
            lostAt = now;
        }
        inSight = listed;
        everSeen |= listed;
    }

    /**
     * Whether the coordinator has been out of sight long enough, and the resolver is not {@code undecided}, to leave
     * at {@code now}. {@code undecided} is asked last, only when the rest holds: it reads the cluster's state.
     */
    boolean shouldLeave(long now, BooleanSupplier undecided) {
        return everSeen && !inSight && now - lostAt > rejoinAfterNanos && !undecided.getAsBoolean();
    }
}
