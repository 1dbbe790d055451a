package dev.orchard.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/** When a worker node leaves its cluster to rejoin afresh: {@link CoordinatorSight}'s rule, on a made-up clock. */
class CoordinatorSightTest {

    private static final long S = 1_000_000_000L;
    private static final BooleanSupplier SETTLED = () -> false;
    private static final BooleanSupplier UNSETTLED = () -> true;

    private final CoordinatorSight sight = new CoordinatorSight(Duration.ofSeconds(5));

    @Test
    void neverLeavesBeforeAFirstCoordinatorShowsUp() {
        sight.listed(false, 0);
        assertFalse(sight.shouldLeave(1_000 * S, SETTLED));
    }

    @Test
    void leavesOnlyOnceTheCoordinatorHasBeenGoneLongerThanRejoinAfter() {
        sight.listed(true, 0);
        assertFalse(sight.shouldLeave(100 * S, SETTLED), "in sight");
        sight.listed(false, 100 * S);
        assertFalse(sight.shouldLeave(105 * S, SETTLED), "gone exactly rejoinAfter");
        assertTrue(sight.shouldLeave(105 * S + 1, SETTLED));
    }

    @Test
    void waitsWhileAMemberIsUnreachableThatIsUntilTheResolverHasDecided() {
        sight.listed(true, 0);
        sight.listed(false, 10 * S);
        assertFalse(sight.shouldLeave(16 * S, UNSETTLED));
        assertFalse(sight.shouldLeave(60 * S, UNSETTLED));
        assertTrue(sight.shouldLeave(61 * S, SETTLED));
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
        assertFalse(sight.shouldLeave(30 * S, SETTLED), "back in sight");
        sight.listed(false, 30 * S);
        assertFalse(sight.shouldLeave(34 * S, SETTLED), "the clock runs from the second loss");
        assertTrue(sight.shouldLeave(36 * S, SETTLED));
    }

    @Test
    void listingsThatStillLackTheCoordinatorDoNotRestartTheClock() {
        sight.listed(true, 0);
        sight.listed(false, 10 * S);
        sight.listed(false, 14 * S);
        assertTrue(sight.shouldLeave(16 * S, SETTLED));
    }
}
