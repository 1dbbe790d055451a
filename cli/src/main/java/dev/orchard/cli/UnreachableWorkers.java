package dev.orchard.cli;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Down;

/**
 * On a coordinator node: downs a worker node that has been unreachable for {@code after} (10 s by default, half the
 * split-brain resolver's {@code stable-after}), before the resolver decides about it. The resolver decides about
 * every unreachable member at once: with two workers lost a few seconds apart, the second had reported the first
 * unreachable before it went, Pekko's {@code keep-oldest} took that for an indirectly connected node, and its safety
 * net downed every node, the coordinator and the healthy workers included; the job stopped for a {@code --resume} (a
 * user's walk, 3 times of 3, two kill -9 eight seconds apart). Worker nodes on EC2 spot instances are reclaimed so.
 * <p>Only what the resolver would decide itself: only the oldest coordinator node acts (the singleton's, on the side
 * {@code keep-oldest} keeps), only while another member is reachable from it (cut off from all, it is the node the
 * resolver downs, with {@code down-if-alone}), and only worker nodes are downed, never a coordinator node. A worker
 * node that is downed but alive (a partition, a pause longer than the failure detector's) starts a fresh node and
 * joins again, as it does when the resolver downs it; its units are handed out again, as they are then.
 */
final class UnreachableWorkers {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(UnreachableWorkers.class);

    /** A member as the rule sees it: its address, roles, whether it is up, and its age (lower: older). */
    record Node(String address, boolean worker, boolean coordinator, boolean up, int age) {
    }

    private enum Check { INSTANCE }

    private UnreachableWorkers() {
    }

    /**
     * The worker nodes to down now: unreachable for at least {@code afterNanos} (by {@code since}, when each was
     * first seen unreachable), if {@code self} is the oldest coordinator node that is up and another member is
     * reachable from it.
     */
    static List<String> toDown(List<Node> members, Set<String> unreachable, String self, Map<String, Long> since,
                               long now, long afterNanos) {
        Node oldest = null;
        boolean otherReachable = false;
        for (Node n : members) {
            if (n.coordinator() && n.up() && (oldest == null || n.age() < oldest.age())) {
                oldest = n;
            }
            otherReachable |= !n.address().equals(self) && !unreachable.contains(n.address());
        }
        List<String> down = new ArrayList<>();
        if (oldest == null || !oldest.address().equals(self) || unreachable.contains(self) || !otherReachable) {
            return down;
        }
        for (Node n : members) {
            Long from = since.get(n.address());
            if (n.worker() && !n.coordinator() && unreachable.contains(n.address()) && from != null
                    && now - from >= afterNanos) {
                down.add(n.address());
            }
        }
        return down;
    }

    static Behavior<Check> create(Duration after) {
        return Behaviors.setup(context -> Behaviors.withTimers(timers -> {
            timers.startTimerWithFixedDelay(Check.INSTANCE, Duration.ofSeconds(1));
            Cluster cluster = Cluster.get(context.getSystem());
            Map<String, Long> since = new HashMap<>();
            Set<String> downed = new HashSet<>();
            return Behaviors.receiveMessage(check -> {
                long now = System.nanoTime();
                var state = cluster.state();
                Set<String> unreachable = new HashSet<>();
                for (Member m : state.getUnreachable()) {
                    unreachable.add(m.address().toString());
                }
                since.keySet().retainAll(unreachable);
                downed.retainAll(unreachable);
                unreachable.forEach(a -> since.putIfAbsent(a, now));
                List<Member> members = new ArrayList<>();
                state.getMembers().forEach(members::add);
                members.sort(Member.ageOrdering());
                List<Node> nodes = new ArrayList<>();
                for (int i = 0; i < members.size(); i++) {
                    Member m = members.get(i);
                    nodes.add(new Node(m.address().toString(), m.hasRole("worker"), m.hasRole("coordinator"),
                            m.status() == MemberStatus.up(), i));
                }
                String self = cluster.selfMember().address().toString();
                for (String address : toDown(nodes, unreachable, self, since, now, after.toNanos())) {
                    if (downed.add(address)) {
                        LOG.warn("Worker node {} has been unreachable for {} s: downing it (its units are handed out"
                                + " again; alive, it joins afresh)", address, Duration.ofNanos(now - since.get(address))
                                .toSeconds());
                        members.stream().filter(m -> m.address().toString().equals(address)).findFirst()
                                .ifPresent(m -> cluster.manager().tell(new Down(m.address())));
                    }
                }
                return Behaviors.same();
            });
        }));
    }
}
