package dev.orchard.cli;

import java.time.Duration;

/**
 * How long a worker waits before its next node joins the cluster again: 1 s, doubled after each node that did no
 * work (a refused join, a port not yet free, a cluster without a coordinator), up to a minute. A node that finished a
 * unit, or was a member for five minutes, was a working cluster's: the next one joins after 1 s again. (The pause
 * went back to 1 s only after five minutes, so a worker serving jobs of a minute or two waited 1, 2, 4 … 60 s between
 * them, and each new coordinator a minute or more for it: a user's walk.)
 */
final class RejoinPause {
    static final Duration FIRST = Duration.ofSeconds(1);
    static final Duration LONGEST = Duration.ofMinutes(1);
    private static final Duration LONG_MEMBERSHIP = Duration.ofMinutes(5);

    private Duration next = FIRST;

    /** The pause before the next try, after a node that finished {@code units} units and lived {@code lived}. */
    Duration after(long units, Duration lived) {
        if (units > 0 || lived.compareTo(LONG_MEMBERSHIP) > 0) {
            next = FIRST;
        }
        Duration pause = next;
        next = next.multipliedBy(2).compareTo(LONGEST) > 0 ? LONGEST : next.multipliedBy(2);
        return pause;
    }

    /** The pause before trying again to start a node whose port was taken (no node ran). */
    Duration afterPortTaken() {
        return after(0, Duration.ZERO);
    }
}
