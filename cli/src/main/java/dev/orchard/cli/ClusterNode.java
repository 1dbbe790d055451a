package dev.orchard.cli;

import com.typesafe.config.Config;
import dev.orchard.protocol.CoordinatorCommand;
import dev.orchard.worker.Worker;
import dev.orchard.worker.pipeline.WorkerRuntime;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.ClusterSingleton;
import org.apache.pekko.cluster.typed.ClusterSingletonSettings;
import org.apache.pekko.cluster.typed.SingletonActor;

/**
 * One Orchard node: an actor system in the cluster named "orchard". With a coordinator behaviour it may host
 * the coordinator singleton (it runs on the oldest coordinator node and moves when that node goes); with a
 * runtime it starts worker actors. The embedded mode is a node with both.
 */
final class ClusterNode implements AutoCloseable {
    private final ActorSystem<Void> system;

    ClusterNode(Config config, Supplier<Behavior<CoordinatorCommand>> coordinator, WorkerRuntime runtime, int workers,
                Worker.Settings workerSettings) {
        this.system = ActorSystem.create(Behaviors.<Void>setup(context -> {
            Cluster cluster = Cluster.get(context.getSystem());
            if (coordinator != null) {
                ClusterSingleton.get(context.getSystem()).init(
                        SingletonActor.of(Behaviors.<CoordinatorCommand>setup(c -> coordinator.get()), "coordinator")
                                .withSettings(ClusterSingletonSettings.create(context.getSystem()).withRole("coordinator")));
            }
            // A unique id per incarnation: statistics files of a restarted worker never overwrite its earlier ones.
            String node = cluster.selfMember().address().hostPort() + "-" + UUID.randomUUID().toString().substring(0, 8);
            for (int i = 1; i <= workers; i++) {
                context.spawn(Worker.create(node + "-w" + i, runtime, workerSettings), "worker-" + i);
            }
            return Behaviors.empty();
        }), "orchard", config);
    }

    ActorSystem<Void> system() {
        return system;
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
