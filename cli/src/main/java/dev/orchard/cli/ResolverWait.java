package dev.orchard.cli;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.stream.IntStream;
import java.util.stream.StreamSupport;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.cluster.ClusterEvent.CurrentClusterState;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.pattern.Patterns;
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
 * <p>Two paths leave. A stopping node (SIGTERM, the end of the worker command) waits in CoordinatedShutdown's phase
 * before the cluster's, at most that phase's timeout (application.conf), then leaves anyway: a shutdown once begun
 * cannot be called off. {@link CoordinatorWatch} (a worker that lost its coordinator, to rejoin afresh) asks {@link
 * #undecided(Cluster)} once a second before it starts to leave, and so may change its mind (the coordinator it lost
 * is unreachable already; it need not be asked).
 */
final class ResolverWait {

    private static final Logger LOG = LoggerFactory.getLogger(ResolverWait.class);
    private static final Duration POLL = Duration.ofMillis(200);
    /** How long a member has to answer; a live one on loopback or a LAN answers in milliseconds. */
    private static final Duration ANSWER = Duration.ofSeconds(1);
    /** Left of the phase's timeout for the task to end by itself, so that the phase does not time out. */
    private static final Duration MARGIN = Duration.ofSeconds(1);
    private static final CompletionStage<Done> DONE = CompletableFuture.completedFuture(Done.getInstance());

    private ResolverWait() {
    }

    /**
     * Whether the resolver counts a member of this status in its decision: neither down nor exiting (removed members
     * have left the state). An unreachable member it counts is one it has yet to decide about; a reachable one must
     * answer before this node leaves.
     */
    static boolean counted(MemberStatus status) {
        return status != MemberStatus.down() && status != MemberStatus.exiting();
    }

    /** Whether the resolver has yet to decide about an unreachable member of this node's cluster. */
    static boolean undecided(Cluster cluster) {
        return cluster.state().getUnreachable().stream().anyMatch(m -> counted(m.status()));
    }

    /** Whether this node, of status {@code self}, has been downed or removed already: then leaving is moot. */
    static boolean gone(MemberStatus self) {
        return self == MemberStatus.down() || self == MemberStatus.removed();
    }

    /** Makes {@code system}'s CoordinatedShutdown wait, before the node leaves, until it may leave. */
    static void beforeLeaving(ActorSystem<?> system) {
        CoordinatedShutdown shutdown = CoordinatedShutdown.get(system);
        String phase = CoordinatedShutdown.PhaseBeforeClusterShutdown();
        Duration bound = Duration.ofNanos(shutdown.timeout(phase).toNanos()).minus(MARGIN);
        shutdown.addTask(phase, "orchard-leave-once-settled", () -> new Settling(system, bound).next());
    }

    /** One stopping node's wait: checks, asks the members, and checks again until it may leave or the bound is out. */
    private static final class Settling {
        private final ActorSystem<?> system;
        private final Cluster cluster;
        private final Duration bound;
        private final long deadline;
        private boolean logged;

        Settling(ActorSystem<?> system, Duration bound) {
            this.system = system;
            this.cluster = Cluster.get(system);
            this.bound = bound;
            this.deadline = System.nanoTime() + bound.toNanos();
        }

        CompletionStage<Done> next() {
            if (gone(cluster.selfMember().status())) {
                return DONE;
            }
            CurrentClusterState state = cluster.state();
            List<Member> undecided = state.getUnreachable().stream().filter(m -> counted(m.status())).toList();
            if (!undecided.isEmpty()) {
                return again("the split-brain resolver's decision about " + addresses(undecided));
            }
            List<Member> toAsk = StreamSupport.stream(state.getMembers().spliterator(), false)
                    .filter(m -> !m.equals(cluster.selfMember()) && counted(m.status())).toList();
            return silent(toAsk).thenCompose(silent -> silent.isEmpty() ? DONE
                    : again(addresses(silent) + ", which did not answer within " + ANSWER.toMillis() + " ms"));
        }

        private CompletionStage<Done> again(String waitingFor) {
            if (System.nanoTime() - deadline > 0) {
                LOG.warn("Leaving the cluster without {} after {} s", waitingFor, bound.toSeconds());
                return DONE;
            }
            if (!logged) {
                logged = true;
                LOG.info("Leaving the cluster once it is settled; waiting for {} (at most {} s)", waitingFor,
                        bound.toSeconds());
            }
            return Patterns.after(POLL, system, this::next);
        }

        /**
         * Asks each member's system guardian who it is (Pekko's Identify); completes with those that did not answer
         * in time.
         */
        private CompletionStage<List<Member>> silent(List<Member> members) {
            var classic = Adapter.toClassic(system);
            List<CompletableFuture<Boolean>> answered = members.stream()
                    .map(m -> classic.actorSelection(m.address() + "/system").resolveOne(ANSWER).toCompletableFuture()
                            .handle((ref, e) -> e == null))
                    .toList();
            return CompletableFuture.allOf(answered.toArray(CompletableFuture[]::new)).thenApply(v ->
                    IntStream.range(0, members.size()).filter(i -> !answered.get(i).join()).mapToObj(members::get).toList());
        }

        private static List<String> addresses(List<Member> members) {
            return members.stream().map(m -> m.address().toString()).sorted().toList();
        }
    }
}
