package dev.orchard.cli;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * The rule behind {@link CoordinatorWatch}, with no actor and no clock: whether a worker node should leave its
 * cluster to join its seeds afresh. It leaves once the coordinator it had seen has been out of sight for longer than
 * {@code rejoinAfter}, and only once the split-brain resolver has decided about every unreachable member (see {@link
 * ResolverWait}). Before a first coordinator shows up it leaves only if it is stranded: a member of a cluster that no
 * longer holds any of its seeds (the node it joined through, the coordinator's, has left), for longer than
 * {@code rejoinAfter}. (CI met it: workers rejoined a frozen coordinator's cluster just before it downed itself, and
 * waited in a cluster of two workers, never having seen a coordinator, while the one resumed at the same address
 * waited for workers, for good.) A cluster left with no coordinator node at all as well as none of its seeds (its
 * coordinator stopped, by Ctrl-C or at its job's end, or downed, with no standby) has nothing to wait for: the node
 * leaves after {@link #ALONE_GRACE}, so that the same command run again with {@code --resume} finds its workers at
 * once (they came after {@code --rejoin-after}, 60 s, and the resumed job waited so long: an operator's walk).
 * Times are {@link System#nanoTime()} readings.
 */
final class CoordinatorSight {

    /** How long a node stays in a cluster that holds no coordinator node and none of its seeds. */
    static final Duration ALONE_GRACE = Duration.ofSeconds(2);

    private final long rejoinAfterNanos;
    private final long aloneNanos;
    private boolean inSight;
    private boolean everSeen;
    private long lostAt;
    private long strandedAt = -1;
    private boolean alone; // stranded, and no coordinator node in the cluster either

    CoordinatorSight(Duration rejoinAfter) {
        this.rejoinAfterNanos = rejoinAfter.toNanos();
        this.aloneNanos = Math.min(rejoinAfterNanos, ALONE_GRACE.toNanos());
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
     * The cluster's state at {@code now}: whether this node is a member of a cluster, whether any of its seeds is one
     * too, and whether any coordinator node is (a standby takes the job over: the node stays for {@code rejoinAfter}).
     */
    void seeds(boolean member, boolean seedPresent, boolean coordinatorNodePresent, long now) {
        boolean stranded = member && !seedPresent;
        alone = stranded && !coordinatorNodePresent;
        if (!stranded) {
            strandedAt = -1;
        } else if (strandedAt < 0) {
            strandedAt = now;
        }
    }

    /** Whether the cluster holds no coordinator node and none of this node's seeds (as the last state told). */
    boolean alone() {
        return alone;
    }

    /**
     * Whether the coordinator has been out of sight long enough, and the resolver is not {@code undecided}, to leave
     * at {@code now}. {@code undecided} is asked last, only when the rest holds: it reads the cluster's state.
     */
    boolean shouldLeave(long now, BooleanSupplier undecided) {
        boolean lost = everSeen && !inSight && now - lostAt > rejoinAfterNanos;
        boolean stranded = !inSight && strandedAt >= 0 && now - strandedAt > (alone ? aloneNanos : rejoinAfterNanos);
        return (lost || stranded) && !undecided.getAsBoolean();
    }
}
