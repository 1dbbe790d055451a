package dev.orchard.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orchard.store.Location;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The lease rule, one case per answer ({@link OutputLease#claim}): what a coordinator starting on an output may do
 * about the lease another one holds.
 */
class OutputLeaseTest {
    private static final Instant NOW = Instant.parse("2026-12-03T02:00:00Z");
    private static final Location OUT = Location.local(Path.of("/data/out"));
    private static final String HOLDER = "10.0.0.5:17355";
    private static final String SELF = "10.0.0.9:17355";
    /** Renewed 3 s ago, for 30 s. */
    private static final OutputLease.Holder FRESH = new OutputLease.Holder("cafe", HOLDER,
            NOW.minusSeconds(3).toEpochMilli(), Duration.ofSeconds(30).toMillis());

    @Test
    void noLeaseAStaleOneOrOnesOwnMayBeTaken() {
        assertThat(claim(null, ClusterMembership.NONE)).isInstanceOf(OutputLease.Claim.Free.class);
        assertThat(OutputLease.claim(FRESH, OUT, SELF, ClusterMembership.NONE, NOW.plusSeconds(60)))
                .isInstanceOf(OutputLease.Claim.Free.class);
        assertThat(OutputLease.claim(FRESH, OUT, HOLDER, ClusterMembership.NONE, NOW))
                .as("the same command restarted on the holder's address").isInstanceOf(OutputLease.Claim.Free.class);
    }

    @Test
    void aHolderGoneFromThisClusterIsTakenOverAndOneStillInItIsWaitedFor() {
        assertThat(claim(FRESH, new ClusterMembership(Set.of(SELF), Set.of(HOLDER))))
                .isInstanceOf(OutputLease.Claim.Free.class);
        assertThat(claim(FRESH, new ClusterMembership(Set.of(SELF, HOLDER), Set.of())))
                .isEqualTo(new OutputLease.Claim.Leaving(HOLDER));
        assertThat(claim(FRESH, new ClusterMembership(Set.of(SELF, HOLDER), Set.of(HOLDER))))
                .as("removed once, back at the same address: its old lease is the gone one's")
                .isInstanceOf(OutputLease.Claim.Free.class);
    }

    @Test
    void aFreshLeaseHeldOutsideThisClusterIsRefusedNamingItsHolder() {
        assertThat(claim(FRESH, new ClusterMembership(Set.of(SELF), Set.of())))
                .isInstanceOfSatisfying(OutputLease.Claim.Refused.class, r -> assertThat(r.message())
                        .contains("Another coordinator (on " + HOLDER + ")", "3 s ago", "retry in 27 s"));
        assertThat(claim(FRESH, ClusterMembership.NONE)).isInstanceOf(OutputLease.Claim.Refused.class);
    }

    private static OutputLease.Claim claim(OutputLease.Holder h, ClusterMembership cluster) {
        return OutputLease.claim(h, OUT, SELF, cluster, NOW);
    }
}
