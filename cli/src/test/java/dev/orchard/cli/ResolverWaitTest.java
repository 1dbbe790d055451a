package dev.orchard.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.apache.pekko.cluster.MemberStatus;
import org.junit.jupiter.api.Test;

/** When a node may leave its cluster, by the members' statuses. */
class ResolverWaitTest {

    @Test
    void theResolverCountsEveryMemberButThoseDownOrExiting() {
        for (MemberStatus s : List.of(MemberStatus.up(), MemberStatus.weaklyUp(), MemberStatus.joining(),
                MemberStatus.leaving())) {
            assertTrue(ResolverWait.counted(s), s.toString());
        }
        for (MemberStatus s : List.of(MemberStatus.down(), MemberStatus.exiting())) {
            assertFalse(ResolverWait.counted(s), s.toString());
        }
    }

    @Test
    void aNodeDownedOrRemovedAlreadyIsGoneAndNeedNotWait() {
        assertTrue(ResolverWait.gone(MemberStatus.down()));
        assertTrue(ResolverWait.gone(MemberStatus.removed()));
        for (MemberStatus s : List.of(MemberStatus.up(), MemberStatus.leaving(), MemberStatus.joining(),
                MemberStatus.weaklyUp(), MemberStatus.exiting())) {
            assertFalse(ResolverWait.gone(s), s.toString());
        }
    }
}
