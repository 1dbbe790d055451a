package dev.orchard.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.orchard.protocol.CoordinatorCommand;
import dev.orchard.worker.Worker;
import dev.orchard.worker.pipeline.WorkerRuntime;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.ClusterSingleton;
import org.apache.pekko.cluster.typed.ClusterSingletonSettings;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.cluster.typed.SingletonActor;

/**
 * The laptop mode: a one-node Pekko cluster in this JVM with both roles, the coordinator as cluster singleton
 * and {@code workers} worker actors, all talking through the same protocol as on a real cluster.
 */
final class EmbeddedCluster implements AutoCloseable {
    private final ActorSystem<Void> system;

    EmbeddedCluster(Supplier<Behavior<CoordinatorCommand>> coordinator, WorkerRuntime runtime, int workers,
                    Worker.Settings workerSettings) {
        Config config = ConfigFactory.parseMap(Map.of(
                        "pekko.cluster.roles", java.util.List.of("coordinator", "worker"),
                        "pekko.remote.artery.canonical.hostname", "127.0.0.1",
                        "pekko.remote.artery.canonical.port", 0))
                .withFallback(ConfigFactory.load());
        this.system = ActorSystem.create(Behaviors.<Void>setup(context -> {
            Cluster cluster = Cluster.get(context.getSystem());
            cluster.manager().tell(Join.create(cluster.selfMember().address()));
            ClusterSingleton.get(context.getSystem()).init(
                    SingletonActor.of(Behaviors.<CoordinatorCommand>setup(c -> coordinator.get()), "coordinator")
                            .withSettings(ClusterSingletonSettings.create(context.getSystem()).withRole("coordinator")));
            String host = cluster.selfMember().address().hostPort();
            for (int i = 1; i <= workers; i++) {
                context.spawn(Worker.create(host + "/w" + i, runtime, workerSettings), "worker-" + i);
            }
            return Behaviors.empty();
        }), "orchard", config);
    }

    @Override
    public void close() {
        system.terminate();
        try {
            system.getWhenTerminated().toCompletableFuture().get(30, java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception e) {
            // the job's outcome is already decided; a slow shutdown is not worth failing it
        }
    }
}
