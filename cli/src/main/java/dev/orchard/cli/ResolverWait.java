package dev.orchard.cli;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.stream.StreamSupport;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A worker node leaves its cluster only once the split-brain resolver has decided about every unreachable member, and
 * every other member answers. Leaving members sway the resolver's decision: Pekko's {@code keep-oldest} checks it a
 * second time without the members that are leaving (they may be exiting already on the other side of a partition),
 * and when the two answers differ it downs every node. With the dead coordinator as the oldest member and every
 * worker leaving, a standby coordinator was counted alone against it, and went down with the rest. The resolver has
 * decided when each unreachable member is down or exiting (Pekko's own test before it decides: it counts neither).
 * A member that died a moment ago is not unreachable yet (the failure detector takes a few seconds): it is found by
 * asking every member for its system guardian's identity; one that does not answer within {@link #ANSWER} is waited
 * for, until it answers, or is found unreachable and decided about.
 * <p>Two paths leave: {@link CoordinatorWatch} (a worker that lost its coordinator, to rejoin afresh) asks {@link
 * #undecided(Cluster)}; a stopping node (SIGTERM, the end of the worker command) waits in CoordinatedShutdown's phase
 * before the cluster's, at most that phase's timeout (application.conf), then leaves anyway.
 */
final class ResolverWait {

    private static final Logger LOG = LoggerFactory.getLogger(ResolverWait.class);
    private static final Duration POLL = Duration.ofMillis(200);
    /** How long a member has to answer; a live one on loopback or a LAN answers in milliseconds. */
    private static final Duration ANSWER = Duration.ofSeconds(1);
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

    /** Whether a reachable member of this status must answer before this node leaves: it counts in the decision. */
    static boolean mustAnswer(MemberStatus status) {
        return status == MemberStatus.up() || status == MemberStatus.weaklyUp() || status == MemberStatus.joining()
                || status == MemberStatus.leaving();
    }

    /** Whether the resolver has yet to decide about an unreachable member of this node's cluster. */
    static boolean undecided(Cluster cluster) {
        return undecided(unreachable(cluster));
    }

    /** Makes {@code system}'s CoordinatedShutdown wait, before the node leaves, until it may leave. */
    static void beforeLeaving(ActorSystem<?> system) {
        CoordinatedShutdown shutdown = CoordinatedShutdown.get(system);
        String phase = CoordinatedShutdown.PhaseBeforeClusterShutdown();
        Duration bound = Duration.ofNanos(shutdown.timeout(phase).toNanos()).minus(MARGIN);
        shutdown.addTask(phase, "orchard-leave-once-settled",
                () -> new Settling(system, System.nanoTime() + bound.toNanos(), bound).next());
    }

    /** The statuses of the members this node's cluster finds unreachable. */
    private static List<MemberStatus> unreachable(Cluster cluster) {
        return cluster.state().getUnreachable().stream().map(Member::status).toList();
    }

    /** One stopping node's wait: checks, asks the members, and checks again until it may leave or the bound is out. */
    private static final class Settling {
        private final ActorSystem<?> system;
        private final Cluster cluster;
        private final long deadline;
        private final Duration bound;
        private boolean logged;

        Settling(ActorSystem<?> system, long deadline, Duration bound) {
            this.system = system;
            this.cluster = Cluster.get(system);
            this.deadline = deadline;
            this.bound = bound;
        }

        CompletionStage<Done> next() {
            MemberStatus self = cluster.selfMember().status();
            if (!mustWait(self, unreachable(cluster))) {
                if (self == MemberStatus.down() || self == MemberStatus.removed()) {
                    return CompletableFuture.completedFuture(Done.getInstance());
                }
                return silent(reachableOthers()).thenCompose(silent -> silent.isEmpty()
                        ? CompletableFuture.completedFuture(Done.getInstance())
                        : again(silent + ", which did not answer within " + ANSWER.toMillis() + " ms"));
            }
            return again("the split-brain resolver's decision about " + cluster.state().getUnreachable().stream()
                    .map(m -> m.address().toString()).sorted().toList());
        }

        private CompletionStage<Done> again(String waitingFor) {
            if (System.nanoTime() - deadline > 0) {
                LOG.warn("Leaving the cluster without {} after {} s", waitingFor, bound.toSeconds());
                return CompletableFuture.completedFuture(Done.getInstance());
            }
            if (!logged) {
                logged = true;
                LOG.info("Leaving the cluster once it is settled; waiting for {} (at most {} s)", waitingFor,
                        bound.toSeconds());
            }
            CompletableFuture<Done> later = new CompletableFuture<>();
            system.scheduler().scheduleOnce(POLL, () -> next().whenComplete((d, e) -> {
                if (e != null) {
                    later.completeExceptionally(e);
                } else {
                    later.complete(d);
                }
            }), system.executionContext());
            return later;
        }

        private List<Member> reachableOthers() {
            var unreachable = cluster.state().getUnreachable();
            return StreamSupport.stream(cluster.state().getMembers().spliterator(), false)
                    .filter(m -> !m.equals(cluster.selfMember()) && !unreachable.contains(m) && mustAnswer(m.status()))
                    .toList();
        }

        /**
         * Asks each member's system guardian who it is (Pekko's Identify); completes with the addresses of those that
         * did not answer in time.
         */
        private CompletionStage<List<String>> silent(List<Member> members) {
            var classic = Adapter.toClassic(system);
            List<CompletableFuture<String>> answers = members.stream()
                    .map(m -> classic.actorSelection(m.address() + "/system").resolveOne(ANSWER).toCompletableFuture()
                            .handle((ref, e) -> e == null ? "" : m.address().toString()))
                    .toList();
            return CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new))
                    .thenApply(v -> answers.stream().map(CompletableFuture::join).filter(a -> !a.isEmpty()).toList());
        }
    }
}
