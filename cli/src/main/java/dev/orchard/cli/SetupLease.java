package dev.orchard.cli;

import dev.orchard.coordinator.ClusterMembership;
import dev.orchard.coordinator.LeasedStore;
import dev.orchard.coordinator.OutputLease;
import dev.orchard.store.Location;
import dev.orchard.store.ObjectStore;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

/**
 * The output's lease, taken for the writes a job makes to an existing output before its coordinator starts —
 * {@code --overwrite}'s deletion of an earlier job's results and the new marker, the identity a {@code --resume} or
 * {@code --update} records — and released as soon as they are made; the coordinator then takes it as it always
 * does. Checked before, not held, the lease let a {@code --resume} that started in between take the output and commit
 * units, whose rows the {@code --overwrite} then deleted: that output could never finish (a reviewer's schedule). Held,
 * one of the two is refused before it changes anything, and a setup frozen past its lease's trust deletes nothing
 * more once another coordinator has taken the output (its writes go through the lease's fence, as a coordinator's).
 */
final class SetupLease {
    /** As a coordinator's default {@code lease-ttl}: how long another waits for a setup that died holding it. */
    static final Duration TTL = Duration.ofSeconds(30);

    /** Writes to the output, through a store that makes them only while the lease is held. */
    interface Writes {
        void run(ObjectStore store) throws IOException;
    }

    private SetupLease() {
    }

    /**
     * Takes the lease on {@code output} for this process, makes {@code writes} under it, and releases it. Refuses
     * (exit 2, nothing written) while another coordinator holds it.
     */
    static void write(ObjectStore store, Location output, Writes writes) throws IOException {
        String node = OutputLease.thisProcess();
        OutputLease.Claim claim = OutputLease.claim(store, output, node, ClusterMembership.NONE, Instant.now());
        if (claim instanceof OutputLease.Claim.Refused refused) {
            throw new IllegalArgumentException(refused.message() + " Nothing was changed.");
        }
        OutputLease lease = new OutputLease(store, output, "setup-" + UUID.randomUUID(), node, TTL);
        try {
            lease.acquire((OutputLease.Claim.Free) claim, Instant.now()); // Leaving needs a cluster: outside one, never
        } catch (OutputLease.Taken e) {
            // The compare-and-set lost: another took the lease between the look and the write (its message advised
            // --resume, wrong for an --overwrite or an --update: the review of the change).
            throw new IllegalArgumentException("Another command took the lease on " + output + " as this one was"
                    + " taking it. Nothing was changed. Let that job end, or, if it has died, run this command again.", e);
        }
        LeasedStore leased = new LeasedStore(store);
        leased.writeUnder(lease);
        try {
            writes.run(leased);
        } catch (IOException | RuntimeException e) {
            try {
                lease.release();
            } catch (IOException | RuntimeException releasing) {
                e.addSuppressed(releasing); // the lease then lapses after its time-to-live
            }
            throw e;
        }
        lease.release();
    }
}
