package dev.orchard.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.apache.pekko.cluster.MemberStatus;
import org.junit.jupiter.api.Test;

/** When a stopping node may leave its cluster, by the members' statuses. */
class ResolverWaitTest {

    @Test
    void nothingUnreachableIsDecided() {
        assertFalse(ResolverWait.undecided(List.of()));
    }

    @Test
    void unreachableMembersDownedOrExitingAreDecided() {
        assertFalse(ResolverWait.undecided(List.of(MemberStatus.down(), MemberStatus.exiting())));
    }

    @Test
    void anUnreachableMemberInAnyOtherStatusIsUndecided() {
        for (MemberStatus s : List.of(MemberStatus.up(), MemberStatus.leaving(), MemberStatus.joining(),
                MemberStatus.weaklyUp())) {
            assertTrue(ResolverWait.undecided(List.of(MemberStatus.down(), s)), s.toString());
        }
    }

    @Test
    void aStoppingNodeWaitsWhileTheResolverIsUndecidedUnlessItWasDownedItself() {
        List<MemberStatus> deadOldestUp = List.of(MemberStatus.up());
        assertTrue(ResolverWait.mustWait(MemberStatus.up(), deadOldestUp));
        assertTrue(ResolverWait.mustWait(MemberStatus.leaving(), deadOldestUp));
        assertFalse(ResolverWait.mustWait(MemberStatus.up(), List.of(MemberStatus.down())));
        assertFalse(ResolverWait.mustWait(MemberStatus.down(), deadOldestUp), "downed itself: leaving is moot");
        assertFalse(ResolverWait.mustWait(MemberStatus.removed(), deadOldestUp));
    }

    @Test
    void membersThatCountInTheDecisionMustAnswerDownExitingAndRemovedOnesNeedNot() {
        for (MemberStatus s : List.of(MemberStatus.up(), MemberStatus.weaklyUp(), MemberStatus.joining(),
                MemberStatus.leaving())) {
            assertTrue(ResolverWait.mustAnswer(s), s.toString());
        }
        for (MemberStatus s : List.of(MemberStatus.down(), MemberStatus.exiting(), MemberStatus.removed())) {
            assertFalse(ResolverWait.mustAnswer(s), s.toString());
        }
    }
}
