package dev.orchard.cli;

import dev.orchard.coordinator.ClusterMembership;
import dev.orchard.coordinator.OutputLease;
import dev.orchard.store.Location;
import dev.orchard.store.ObjectStore;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;

/** Another coordinator's lease on an output, taken now: what a job running elsewhere (or killed a moment ago) leaves. */
final class HeldLease {
    private HeldLease() {
    }

    /** {@code node} takes the lease now, for 5 minutes, whatever lease file (a released one) is there. */
    static void take(ObjectStore store, Location output, String node) throws IOException {
        Instant now = Instant.now();
        var free = (OutputLease.Claim.Free) OutputLease.claim(store, output, node, ClusterMembership.NONE, now);
        new OutputLease(store, output, "cafe", node, Duration.ofMinutes(5), Duration.ofSeconds(20)).acquire(free, now);
    }
}
