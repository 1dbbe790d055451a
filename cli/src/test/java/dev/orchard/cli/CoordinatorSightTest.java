package dev.orchard.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/** When a worker node leaves its cluster to rejoin afresh: {@link CoordinatorSight}'s rule, on a made-up clock. */
class CoordinatorSightTest {

    private static final long S = 1_000_000_000L;
    private static final BooleanSupplier DECIDED = () -> false;
    private static final BooleanSupplier UNDECIDED = () -> true;

    private final CoordinatorSight sight = new CoordinatorSight(Duration.ofSeconds(5));

    @Test
    void neverLeavesBeforeAFirstCoordinatorShowsUp() {
        sight.listed(false, 0);
        sight.seeds(false, false, false, 0); // still joining its seeds
        assertFalse(sight.shouldLeave(1_000 * S, DECIDED));
        sight.seeds(true, true, true, 1_000 * S); // a member beside its seed: the coordinator's node, not registered yet
        assertFalse(sight.shouldLeave(2_000 * S, DECIDED));
    }

    /**
     * CI's ClusterIT (the frozen coordinator whose workers rejoin): the workers' fresh nodes joined the frozen
     * coordinator's cluster just before it downed itself, and waited in a cluster of two workers, never having seen a
     * coordinator, while the coordinator resumed at the same address waited for workers, for good. A member of a
     * cluster without any of its seeds leaves once that has lasted rejoinAfter, as one that lost its coordinator does,
     * where another coordinator node (a standby that is no seed) is in the cluster.
     */
    @Test
    void aMemberOfAClusterWithoutItsSeedsLeavesThoughItNeverSawACoordinator() {
        sight.listed(false, 0);
        sight.seeds(true, true, true, 0);
        sight.seeds(true, false, true, 10 * S); // the seed's node left; a standby is there
        assertFalse(sight.shouldLeave(15 * S, DECIDED), "stranded exactly rejoinAfter");
        assertFalse(sight.shouldLeave(15 * S + 1, UNDECIDED), "the resolver first");
        assertTrue(sight.shouldLeave(15 * S + 1, DECIDED));
        sight.seeds(true, true, true, 16 * S); // a seed back in the cluster stops the clock
        assertFalse(sight.shouldLeave(30 * S, DECIDED));
    }

    /**
     * A cluster with no coordinator node and none of its seeds (the coordinator stopped by Ctrl-C, with no standby)
     * has nothing to wait for: the node leaves after ALONE_GRACE, and the coordinator run again with --resume finds
     * its workers at once (they came after rejoinAfter, 60 s by default: an operator's walk).
     */
    @Test
    void aClusterWithoutACoordinatorNodeOrASeedIsLeftAtOnce() {
        CoordinatorSight sight = new CoordinatorSight(Duration.ofSeconds(60));
        sight.listed(true, 0);
        sight.seeds(true, true, true, 0);
        sight.listed(false, 10 * S); // the coordinator stopped
        sight.seeds(true, false, false, 11 * S); // its node gone from the cluster, no standby
        long grace = CoordinatorSight.ALONE_GRACE.toNanos();
        assertTrue(sight.alone());
        assertFalse(sight.shouldLeave(11 * S + grace, DECIDED), "alone exactly the grace");
        assertFalse(sight.shouldLeave(11 * S + grace + 1, UNDECIDED), "the resolver first");
        assertTrue(sight.shouldLeave(11 * S + grace + 1, DECIDED));
        sight.seeds(true, false, true, 12 * S); // a standby joins: it may take the job over
        assertFalse(sight.alone());
        assertFalse(sight.shouldLeave(13 * S + grace, DECIDED), "rejoinAfter again");
        assertTrue(sight.shouldLeave(70 * S + 1, DECIDED));
    }

    @Test
    void leavesOnlyOnceTheCoordinatorHasBeenGoneLongerThanRejoinAfter() {
        sight.listed(true, 0);
        assertFalse(sight.shouldLeave(100 * S, DECIDED), "in sight");
        sight.listed(false, 100 * S);
        assertFalse(sight.shouldLeave(105 * S, DECIDED), "gone exactly rejoinAfter");
        assertTrue(sight.shouldLeave(105 * S + 1, DECIDED));
    }

    @Test
    void waitsUntilTheResolverHasDecided() {
        sight.listed(true, 0);
        sight.listed(false, 10 * S);
        assertFalse(sight.shouldLeave(16 * S, UNDECIDED));
        assertFalse(sight.shouldLeave(60 * S, UNDECIDED));
        assertTrue(sight.shouldLeave(61 * S, DECIDED));
    }

    @Test
    void asksTheClusterOnlyWhenTheCoordinatorHasBeenGoneLongEnough() {
        BooleanSupplier mustNotBeAsked = () -> {
            throw new AssertionError("the cluster's state was read while the coordinator was in sight or just lost");
        };
        sight.listed(true, 0);
        assertFalse(sight.shouldLeave(1 * S, mustNotBeAsked));
        sight.listed(false, 2 * S);
        assertFalse(sight.shouldLeave(3 * S, mustNotBeAsked));
    }

    @Test
    void aCoordinatorSeenAgainStopsTheClockAndALaterLossRestartsIt() {
        sight.listed(true, 0);
        sight.listed(false, 10 * S);
        sight.listed(true, 14 * S);
        assertFalse(sight.shouldLeave(30 * S, DECIDED), "back in sight");
        sight.listed(false, 30 * S);
        assertFalse(sight.shouldLeave(34 * S, DECIDED), "the clock runs from the second loss");
        assertTrue(sight.shouldLeave(36 * S, DECIDED));
    }

    @Test
    void listingsThatStillLackTheCoordinatorDoNotRestartTheClock() {
        sight.listed(true, 0);
        sight.listed(false, 10 * S);
        sight.listed(false, 14 * S);
        assertTrue(sight.shouldLeave(16 * S, DECIDED));
    }

    /**
     * An idle worker whose last job had ended was told, every 30 s to 16 min, to check its --join and TLS; a worker
     * without TLS joining a port where nothing listened was pointed at a TLS mismatch (an operator's walk).
     */
    @Test
    void theNoCoordinatorNoteFitsWhatTheWorkerHasSeen() {
        java.util.List<String> seeds = java.util.List.of("pekko://orchard@10.0.0.5:17355");
        assertThat(CoordinatorWatch.noCoordinatorNote(true, false, seeds, 30)).isEqualTo("No coordinator at"
                + " [pekko://orchard@10.0.0.5:17355] for 30 s since this worker's last one went (its job ended, or its"
                + " node stopped or was lost): waiting for the next one there");
        assertThat(CoordinatorWatch.noCoordinatorNote(false, false, seeds, 30)).startsWith("No coordinator found in 30 s")
                .contains("check that a coordinator node runs there").contains("\"Connection refused\" where nothing"
                        + " listens").doesNotContain("TLS mismatch");
        assertThat(CoordinatorWatch.noCoordinatorNote(false, true, seeds, 60))
                .contains("a TLS mismatch shows as a handshake that did not complete").doesNotContain("Connection refused");
    }
}
