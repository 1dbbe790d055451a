package dev.orchard.cli;

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
        assertFalse(sight.shouldLeave(1_000 * S, DECIDED));
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
}
