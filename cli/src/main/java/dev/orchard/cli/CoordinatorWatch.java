package dev.orchard.cli;

import dev.orchard.protocol.ServiceKeys;
import java.time.Duration;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Leave;

/**
 * On a worker node: when the coordinator it had found has been out of sight for {@code rejoinAfter} (it was killed,
 * its node was downed, or the job ended), leave the cluster. (Before a first coordinator shows up there is nothing to
 * gain: the node joins through the coordinator's address, and keeps trying until it is up.) The worker command then
 * starts a fresh node that joins its seeds again — the coordinator's address — so a coordinator restarted there (the
 * same command with {@code --resume}) gathers its workers without anyone restarting them. Workers are long-lived
 * services: they never exit on their own.
 * <p>It never leaves while the split-brain resolver has yet to decide about an unreachable member: leaving members
 * sway its decision (see {@link ResolverWait}; CI met it: {@code ClusterIT}'s standby test, whose workers give up
 * after 1 s, replays it). Once the resolver has downed the coordinator's node, the worker leaves.
 * <p>The rule itself is {@link CoordinatorSight}'s; this actor feeds it the receptionist's listings, a check a second
 * and the resolver's progress, and carries out its answer.
 */
final class CoordinatorWatch {

    /** Orchard's own logger: the actor's context logs under Pekko's behaviour classes, which log at WARN only. */
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(CoordinatorWatch.class);

    private enum Check { INSTANCE }

    private record Listing(Receptionist.Listing listing) {
    }

    /**
     * A coordinator was found by a worker node of this JVM. A worker command's nodes follow one another in one JVM:
     * once one has found a coordinator at its seeds, the --join is right, and a fresh node waiting after that job's end
     * told the idle worker to check its --join and TLS, every 30 s to 16 min (an operator's walk, 3 workers of 3).
     */
    private static final java.util.concurrent.atomic.AtomicBoolean FOUND_IN_THIS_JVM =
            new java.util.concurrent.atomic.AtomicBoolean();

    private CoordinatorWatch() {
    }

    /**
     * What a worker node that has seen no coordinator for {@code waited} seconds says: where a node of this JVM found
     * one before ({@code foundBefore}), that it waits for the next; otherwise what to check, with the TLS words only
     * where TLS is on ({@code tls}): a worker without it, joining a port where nothing listened, read Pekko's
     * handshake timeout and went looking for a TLS mismatch (the walk).
     */
    static String noCoordinatorNote(boolean foundBefore, boolean tls, java.util.List<String> seeds, long waited) {
        if (foundBefore) {
            return "No coordinator at " + seeds + " for " + waited + " s since this worker's last one went (its job"
                    + " ended, or its node stopped or was lost): waiting for the next one there";
        }
        return "No coordinator found in " + waited + " s at " + seeds + ": check that a coordinator node runs there,"
                + " that --join names its --bind address, that this node can reach it, and that both use TLS"
                + " (--tls-keystore, --tls-truststore) or neither (Pekko's warnings above say why it could not connect"
                + (tls ? ": a TLS mismatch shows as a handshake that did not complete"
                        : ", \"Connection refused\" where nothing listens at that address")
                + "); still trying";
    }

    static Behavior<Object> create(Duration rejoinAfter) {
        return Behaviors.setup(context -> Behaviors.withTimers(timers -> {
            var adapter = context.messageAdapter(Receptionist.Listing.class, Listing::new);
            context.getSystem().receptionist().tell(Receptionist.subscribe(ServiceKeys.COORDINATOR, adapter));
            timers.startTimerWithFixedDelay(Check.INSTANCE, Duration.ofSeconds(1));
            Cluster cluster = Cluster.get(context.getSystem());
            CoordinatorSight sight = new CoordinatorSight(rejoinAfter);
            java.util.Set<String> seeds = java.util.Set.copyOf(
                    context.getSystem().settings().config().getStringList("pekko.cluster.seed-nodes"));
            long started = System.nanoTime();
            long[] noted = {started};
            long[] gap = {context.getSystem().settings().config().getDuration("orchard.worker.no-coordinator-note").toNanos()};
            boolean[] seen = {false};
            return Behaviors.receiveMessage(message -> {
                if (message instanceof Listing l) {
                    boolean listed = !l.listing().getServiceInstances(ServiceKeys.COORDINATOR).isEmpty();
                    seen[0] |= listed;
                    if (listed) {
                        FOUND_IN_THIS_JVM.set(true);
                    }
                    sight.listed(listed, System.nanoTime());
                } else if (message == Check.INSTANCE && !seen[0] && System.nanoTime() - noted[0] >= gap[0]) {
                    // Only Pekko's connection warnings said so, a stream of them, in its own words. Then less and less
                    // often (a worker service between jobs waits so for hours): 30 s, 1, 2, 4 ... up to 16 min.
                    noted[0] = System.nanoTime();
                    gap[0] = Math.min(gap[0] * 2, Duration.ofMinutes(16).toNanos());
                    LOG.info(noCoordinatorNote(FOUND_IN_THIS_JVM.get(), "tls-tcp".equals(context.getSystem().settings()
                                    .config().getString("pekko.remote.artery.transport")),
                            context.getSystem().settings().config().getStringList("pekko.cluster.seed-nodes"),
                            Duration.ofNanos(noted[0] - started).toSeconds()));
                }
                if (message == Check.INSTANCE) {
                    org.apache.pekko.cluster.MemberStatus self = cluster.selfMember().status();
                    boolean member = self == org.apache.pekko.cluster.MemberStatus.up()
                            || self == org.apache.pekko.cluster.MemberStatus.weaklyUp();
                    boolean seedPresent = false;
                    boolean coordinatorNodePresent = false;
                    for (org.apache.pekko.cluster.Member m : cluster.state().getMembers()) {
                        boolean present = m.status() != org.apache.pekko.cluster.MemberStatus.down()
                                && m.status() != org.apache.pekko.cluster.MemberStatus.removed();
                        seedPresent |= present && seeds.contains(m.address().toString());
                        coordinatorNodePresent |= present && m.hasRole("coordinator");
                    }
                    sight.seeds(member, seedPresent, coordinatorNodePresent, System.nanoTime());
                }
                if (message == Check.INSTANCE
                        && sight.shouldLeave(System.nanoTime(), () -> ResolverWait.undecided(cluster))) {
                    var seedNodes = context.getSystem().settings().config().getStringList("pekko.cluster.seed-nodes");
                    if (sight.alone()) {
                        LOG.info("The cluster holds no coordinator node and none of {}: leaving it to join them afresh",
                                seedNodes);
                    } else {
                        LOG.info("No coordinator for {} s: leaving the cluster to join {} afresh", // it was never seen
                                rejoinAfter.toSeconds(), seedNodes);
                    }
                    cluster.manager().tell(Leave.create(cluster.selfMember().address()));
                    return Behaviors.stopped();
                }
                return Behaviors.same();
            });
        }));
    }
}
