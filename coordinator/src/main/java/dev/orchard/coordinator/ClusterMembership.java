package dev.orchard.coordinator;

import java.util.Set;

/**
 * What a coordinator's node knows of its cluster's members, as {@code host:port}, in one snapshot: those in it now
 * (whatever their status: joining, up, leaving, down) and those that have been removed from it since the node
 * started. The output lease asks both (see {@link OutputLease}): a holder that is gone may be taken over, one that is
 * still a member is leaving and is waited for. One snapshot, so no member is in neither set while it moves.
 */
public record ClusterMembership(Set<String> members, Set<String> gone) {
    /** A coordinator outside any cluster ({@code orchard run}). */
    public static final ClusterMembership NONE = new ClusterMembership(Set.of(), Set.of());

    public ClusterMembership {
        members = Set.copyOf(members);
        gone = Set.copyOf(gone);
    }
}
