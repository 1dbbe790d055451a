package dev.orchard.observe;

import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.cluster.Cluster;
import org.apache.pekko.cluster.MemberStatus;

/**
 * A cluster node's readiness check for Pekko Management's {@code /ready}: ready while this node is an Up (or
 * WeaklyUp) member, as Pekko Management's own {@code ClusterMembershipCheck} decides by default. That check lives in
 * pekko-management-cluster-http, which also brings pekko-http, cluster sharding and persistence into the jar and
 * their serializers and health check into every start; Orchard uses none of them. Configured in this module's
 * {@code reference.conf}; {@code orchard run}, which has no cluster, turns it off ({@link NodeHttp#LOCAL_NODE_CONFIG}).
 */
public final class ClusterReadiness implements Supplier<CompletionStage<Boolean>> {
    private static final Set<MemberStatus> READY = Set.of(MemberStatus.up(), MemberStatus.weaklyUp());
    private final Cluster cluster;

    /** Called by Pekko Management, with the node's actor system. */
    public ClusterReadiness(ActorSystem system) {
        this.cluster = Cluster.get(system);
    }

    @Override
    public CompletionStage<Boolean> get() {
        return CompletableFuture.completedFuture(READY.contains(cluster.selfMember().status()));
    }
}
