package dev.orchard.cli;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A worker node leaves its cluster only once the split-brain resolver has decided about every unreachable member.
 * Leaving members sway that decision: Pekko's {@code keep-oldest} checks it a second time without the members that
 * are leaving (they may be exiting already on the other side of a partition), and when the two answers differ it
 * downs every node. With the dead coordinator as the oldest member and every worker leaving, a standby coordinator
 * was counted alone against it, and went down with the rest. The resolver has decided when each unreachable member is
 * down or exiting (Pekko's own test before it decides: it counts neither).
 * <p>Two paths leave: {@link CoordinatorWatch} (a worker that lost its coordinator, to rejoin afresh) asks {@link
 * #undecided(Cluster)}; a stopping node (SIGTERM, the end of the worker command) waits in CoordinatedShutdown's phase
 * before the cluster's, at most that phase's timeout (application.conf), then leaves anyway.
 */
final class ResolverWait {

    private static final Logger LOG = LoggerFactory.getLogger(ResolverWait.class);
    private static final Duration POLL = Duration.ofMillis(200);
    /** Left of the phase's timeout for the task to end by itself, so that the phase does not time out. */
    private static final Duration MARGIN = Duration.ofSeconds(1);

    private ResolverWait() {
    }

    /** Whether an unreachable member, of these statuses, is still to be decided about: neither down nor exiting. */
    static boolean undecided(Collection<MemberStatus> unreachable) {
        return unreachable.stream().anyMatch(s -> s != MemberStatus.down() && s != MemberStatus.exiting());
    }

    /**
     * Whether a stopping node, of status {@code self}, must wait before it leaves: the resolver is {@link
     * #undecided(Collection)}, and has not downed this node already (then leaving is moot).
     */
    static boolean mustWait(MemberStatus self, Collection<MemberStatus> unreachable) {
        return self != MemberStatus.down() && self != MemberStatus.removed() && undecided(unreachable);
    }

    /** Whether the resolver has yet to decide about an unreachable member of this node's cluster. */
    static boolean undecided(Cluster cluster) {
        return undecided(unreachable(cluster));
    }

    /** Makes {@code system}'s CoordinatedShutdown wait, before the node leaves, until the resolver has decided. */
    static void beforeLeaving(ActorSystem<?> system) {
        CoordinatedShutdown shutdown = CoordinatedShutdown.get(system);
        String phase = CoordinatedShutdown.PhaseBeforeClusterShutdown();
        Duration bound = Duration.ofNanos(shutdown.timeout(phase).toNanos()).minus(MARGIN);
        shutdown.addTask(phase, "orchard-wait-for-the-resolver", () -> waitForTheResolver(system, bound));
    }

    private static boolean mustWait(Cluster cluster) {
        return mustWait(cluster.selfMember().status(), unreachable(cluster));
    }

    /** The statuses of the members this node's cluster finds unreachable. */
    private static List<MemberStatus> unreachable(Cluster cluster) {
        return cluster.state().getUnreachable().stream().map(Member::status).toList();
    }

    private static CompletionStage<Done> waitForTheResolver(ActorSystem<?> system, Duration bound) {
        Cluster cluster = Cluster.get(system);
        if (!mustWait(cluster)) {
            return CompletableFuture.completedFuture(Done.getInstance());
        }
        LOG.info("Leaving the cluster once the split-brain resolver has decided about {} (at most {} s)",
                cluster.state().getUnreachable().stream().map(m -> m.address().toString()).sorted().toList(),
                bound.toSeconds());
        long deadline = System.nanoTime() + bound.toNanos();
        CompletableFuture<Done> done = new CompletableFuture<>();
        Cancellable poll = system.scheduler().scheduleAtFixedRate(POLL, POLL, () -> {
            boolean decided = !mustWait(cluster);
            if (decided || System.nanoTime() - deadline > 0) {
                if (!decided) {
                    LOG.warn("The split-brain resolver has not decided within {} s: leaving the cluster anyway",
                            bound.toSeconds());
                }
                done.complete(Done.getInstance());
            }
        }, system.executionContext());
        return done.whenComplete((d, e) -> poll.cancel());
    }
}
