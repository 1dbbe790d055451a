package dev.orchard.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.orchard.coordinator.Build;
import dev.orchard.coordinator.ClusterMembership;
import dev.orchard.protocol.CoordinatorCommand;
import dev.orchard.worker.Worker;
import dev.orchard.worker.pipeline.WorkerRuntime;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.ClusterSingleton;
import org.apache.pekko.cluster.typed.ClusterSingletonSettings;
import org.apache.pekko.cluster.typed.SingletonActor;
import org.apache.pekko.cluster.typed.Subscribe;

/**
 * One Orchard node: an actor system in the cluster named "orchard". With a coordinator behaviour it may host
 * the coordinator singleton (it runs on the oldest coordinator node and moves when that node goes); with a
 * runtime it starts worker actors. The embedded mode is a node with both. A node remembers the members that left
 * its cluster (a standby coordinator may take over the output lease of one of them), and a worker node given
 * {@code rejoinAfter} leaves the cluster when it has seen no coordinator for that long, so that its command can
 * start a fresh node that joins its seeds again (see {@link CoordinatorWatch}); stopped, it leaves only once the
 * split-brain resolver has decided about every unreachable member (see {@link ResolverWait}).
 */
final class ClusterNode implements AutoCloseable {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ClusterNode.class);
    private final ActorSystem<Void> system;
    /** The job has ended here ({@link #downUnreachableWorkers}): worker nodes found unreachable from then on are downed. */
    private volatile boolean jobEnded;
    /** The cluster's members and those removed, kept by one subscriber so that a snapshot has each member once. */
    private final Set<String> members = new HashSet<>();
    private final Set<String> goneMembers = new HashSet<>();
    /** The members with the coordinator role (this node's too, where it has it), kept by the same subscriber. */
    private final Set<String> coordinatorNodes = new java.util.TreeSet<>();
    /** The members this node's failure detector finds unreachable now. */
    private final Set<String> unreachable = new HashSet<>();
    /**
     * {@link #otherCoordinatorNode} as the node's coordinated shutdown began: as a node stops, Pekko reports every
     * member removed, and the node then knew of none (a review: the standby's name never reached the stop's line).
     */
    private volatile java.util.Optional<String> otherAtShutdown;

    ClusterNode(Config config, Function<ClusterNode, Behavior<CoordinatorCommand>> coordinator, WorkerRuntime runtime,
                int workers, Worker.Settings workerSettings, Duration rejoinAfter) {
        this.system = ActorSystem.create(Behaviors.<Void>setup(context -> {
            Cluster cluster = Cluster.get(context.getSystem());
            ActorRef<ClusterEvent.ClusterDomainEvent> membership = context.spawn(
                    Behaviors.receiveMessage((ClusterEvent.ClusterDomainEvent e) -> {
                        synchronized (members) {
                            if (e instanceof ClusterEvent.MemberEvent m) {
                                String member = hostPort(m.member());
                                if (m instanceof ClusterEvent.MemberRemoved) {
                                    members.remove(member);
                                    goneMembers.add(member);
                                    coordinatorNodes.remove(member);
                                } else {
                                    members.add(member);
                                    if (m.member().hasRole("coordinator")) {
                                        coordinatorNodes.add(member);
                                    }
                                }
                            } else if (e instanceof ClusterEvent.ReachabilityEvent r) {
                                if (r instanceof ClusterEvent.UnreachableMember) {
                                    unreachable.add(hostPort(r.member()));
                                    if (jobEnded) {
                                        downIfWorker(cluster, r.member());
                                    }
                                } else {
                                    unreachable.remove(hostPort(r.member()));
                                }
                            }
                        }
                        return Behaviors.same();
                    }), "membership");
            cluster.subscriptions().tell(Subscribe.create(membership.<ClusterEvent.MemberEvent>narrow(),
                    ClusterEvent.MemberEvent.class));
            cluster.subscriptions().tell(Subscribe.create(membership.<ClusterEvent.ReachabilityEvent>narrow(),
                    ClusterEvent.ReachabilityEvent.class));
            org.apache.pekko.actor.CoordinatedShutdown.get(context.getSystem()).addTask(
                    org.apache.pekko.actor.CoordinatedShutdown.PhaseBeforeServiceUnbind(), "orchard-other-coordinator",
                    () -> {
                        otherAtShutdown = java.util.Optional.ofNullable(currentOtherCoordinatorNode());
                        return java.util.concurrent.CompletableFuture.completedFuture(org.apache.pekko.Done.getInstance());
                    });
            if (coordinator != null) {
                context.spawn(UnreachableWorkers.create(context.getSystem().settings().config()
                        .getDuration("orchard.coordinator.down-unreachable-workers-after")), "unreachable-workers");
                ClusterSingleton.get(context.getSystem()).init(
                        SingletonActor.of(Behaviors.<CoordinatorCommand>setup(c -> coordinator.apply(this)), "coordinator")
                                .withSettings(ClusterSingletonSettings.create(context.getSystem()).withRole("coordinator")));
            }
            // A unique id per incarnation: statistics files of a restarted worker never overwrite its earlier ones.
            String address = address(cluster);
            String node = address + "-" + UUID.randomUUID().toString().substring(0, 8);
            for (int i = 1; i <= workers; i++) {
                context.spawn(Worker.create(node + "-w" + i, address, runtime, workerSettings), "worker-" + i);
            }
            if (rejoinAfter != null) {
                context.spawn(CoordinatorWatch.create(rejoinAfter), "coordinator-watch");
                ResolverWait.beforeLeaving(context.getSystem());
            }
            return Behaviors.empty();
        }), "orchard", withBuild(config));
    }

    /** The node's settings with this JVM's build, which {@link SameBuildCheck} compares, unless they name one. */
    private static Config withBuild(Config config) {
        return config.hasPath(SameBuildCheck.KEY) ? config
                : ConfigFactory.parseMap(Map.of(SameBuildCheck.KEY, Build.id())).withFallback(config);
    }

    /** The build this node says it runs ({@link SameBuildCheck}): this JVM's, unless its settings name another. */
    String build() {
        return system.settings().config().getString(SameBuildCheck.KEY);
    }

    /** What a node refused at its join ({@link #refusedAtJoin}) says, joining {@code seeds}; {@code then}: what next. */
    String refusal(java.util.List<String> seeds, String then) {
        return "orchard: this " + (system.settings().config().getStringList("pekko.cluster.roles").contains("coordinator")
                ? "coordinator" : "worker") + " node and the cluster at " + String.join(", ", seeds) + " refused each"
                + " other: they run different Orchard builds (this node's is " + build() + "), or differ in a Pekko"
                + " setting that must match; the log of the node that refused says which. " + then;
    }

    /**
     * Whether this node stopped because it was refused as it joined, or refused the cluster it was joining: the two
     * run different Orchard builds ({@link SameBuildCheck}), or differ in a Pekko setting that must match.
     */
    boolean refusedAtJoin() {
        return CoordinatedShutdown.get(system).getShutdownReason()
                .filter(CoordinatedShutdown.incompatibleConfigurationDetectedReason()::equals).isPresent();
    }

    /**
     * Waits at most {@code limit} until this node is a member of its cluster or has stopped (a refusal at its join
     * stops it: {@link #refusedAtJoin}), so that a node that learns of the job's end as it joins can say which.
     */
    void awaitJoinOutcome(Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        var terminated = system.getWhenTerminated().toCompletableFuture();
        while (!terminated.isDone() && System.nanoTime() < deadline) {
            var status = Cluster.get(system).selfMember().status();
            if (status != org.apache.pekko.cluster.MemberStatus.removed()
                    && status != org.apache.pekko.cluster.MemberStatus.joining()) {
                return; // a member (or one leaving after it was): not refused
            }
            Thread.sleep(100);
        }
    }

    /**
     * Whether a node failed to start because its port is taken: Pekko's transport could not bind it (an earlier node
     * of this JVM not yet let go of it, or another program holds it).
     */
    static boolean portTaken(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof java.net.BindException
                    || t.getMessage() != null && t.getMessage().contains("Address already in use")) {
                return true;
            }
        }
        return false;
    }

    /** A member's {@code host:port}, as the membership's sets hold it. */
    private static String hostPort(org.apache.pekko.cluster.Member member) {
        var a = member.address();
        return a.getHost().orElse("") + ":" + a.getPort().orElse(0);
    }

    private static String address(Cluster cluster) {
        var a = cluster.selfMember().address();
        return a.getHost().orElse("localhost") + ":" + a.getPort().orElse(0);
    }

    ActorSystem<Void> system() {
        return system;
    }

    /** This node's {@code host:port}. */
    String address() {
        return address(Cluster.get(system));
    }

    /**
     * Whether this node is among the seeds it joins (a first coordinator, or one deploy-ec2 joins to itself and the
     * workers), as Pekko reads them: such a node may start or lead its cluster; one that is not joins another node's.
     */
    boolean ownSeed() {
        return system.settings().config().getStringList("pekko.cluster.seed-nodes")
                .contains(Cluster.get(system).selfMember().address().toString());
    }

    /**
     * Another coordinator node in this node's cluster, reachable, as far as it knows (a standby, or the active one for a
     * standby), or null: what a coordinator node that stops tells its user takes the job over. Once the node's
     * coordinated shutdown has begun, the one it knew of then. An unreachable one is none: a standby downed after the
     * other node died named that node (a review).
     */
    String otherCoordinatorNode() {
        java.util.Optional<String> atShutdown = otherAtShutdown;
        return atShutdown != null ? atShutdown.orElse(null) : currentOtherCoordinatorNode();
    }

    private String currentOtherCoordinatorNode() {
        String self = address();
        synchronized (members) {
            return coordinatorNodes.stream().filter(n -> !n.equals(self) && !unreachable.contains(n)).findFirst()
                    .orElse(null);
        }
    }

    /**
     * Downs the worker nodes this node finds unreachable now; for a node whose job has ended, before it stops. A node
     * leaves its cluster only once every other member has seen it leave, or is down: a worker frozen or cut off in a
     * job's last seconds, not yet downed by {@link UnreachableWorkers} (10 s), held the coordinator's exit for Pekko's
     * cluster-exiting timeout, 11.4 s after {@code _SUCCESS} (a chaos walk; reproduced with a worker stopped by
     * SIGSTOP 7 s before the end). With the job over, no unit waits for such a worker; downed but alive, it starts a
     * fresh node and looks for a coordinator, as after any coordinator has gone. Coordinator nodes are not downed.
     * From this call on, a worker node found unreachable later is downed too: one killed as the job published its last
     * part was not yet found unreachable at the end, and held the exit 10 s (an operator's walk, 2 runs of 2).
     */
    void downUnreachableWorkers() {
        jobEnded = true; // and any found unreachable from now on, as this node leaves (the membership actor)
        Cluster cluster = Cluster.get(system);
        for (org.apache.pekko.cluster.Member member : cluster.state().getUnreachable()) {
            downIfWorker(cluster, member);
        }
    }

    private static void downIfWorker(Cluster cluster, org.apache.pekko.cluster.Member member) {
        if (member.hasRole("worker") && !member.hasRole("coordinator")) {
            LOG.info("Downing worker node {}, unreachable as the job ended, so that this node can leave the cluster",
                    hostPort(member));
            cluster.manager().tell(new org.apache.pekko.cluster.typed.Down(member.address()));
        }
    }

    /** This node's cluster as far as it knows: its members, and those that have left it since the node started. */
    ClusterMembership membership() {
        synchronized (members) {
            return new ClusterMembership(members, goneMembers);
        }
    }

    @Override
    public void close() {
        system.terminate();
        try {
            system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            // the job's outcome is already decided; a slow shutdown is not worth failing it
        }
    }
}
