package dev.orchard.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.orchard.protocol.CoordinatorCommand;
import dev.orchard.worker.Worker;
import dev.orchard.worker.pipeline.WorkerRuntime;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * The actors of {@code orchard run}: the coordinator and the workers in one local actor system, with no cluster,
 * no remoting and no TCP port. Workers find the coordinator through the receptionist exactly as in a cluster,
 * and neither the coordinator nor the workers use cluster APIs, so the same actors run here. Inside one JVM the
 * cluster brought nothing (no other node to hand the singleton to or to lose) and cost seconds before the first
 * unit: Artery's start, the cluster's first leader actions (after a 1 s initial delay), the singleton manager,
 * and the receptionist's replicated registry, which tells subscribers about a new registration only every 500 ms.
 */
final class LocalNode implements AutoCloseable {
    /**
     * This process, as the output lease names its holder: {@code host/pid:N}. A run restarted on the same host
     * after this process died may take the lease at once (see OutputLease).
     */
    static final String NAME = dev.orchard.coordinator.OutputLease.thisProcess();

    /** What the guardian is told: host the job's coordinator (once the job's checks and model are ready). */
    private record HostCoordinator(Behavior<CoordinatorCommand> coordinator) {
    }

    private final ActorSystem<HostCoordinator> system;

    LocalNode(Config config, WorkerRuntime runtime, int workers, Worker.Settings workerSettings) {
        Map<String, Object> overrides = new java.util.HashMap<>(dev.orchard.observe.NodeHttp.LOCAL_NODE_CONFIG);
        overrides.put("pekko.actor.provider", "local");
        Config local = ConfigFactory.parseMap(overrides).withFallback(config);
        this.system = ActorSystem.create(Behaviors.setup(context -> {
            // A unique id per run: statistics files of a rerun never overwrite earlier ones.
            String node = "local-" + UUID.randomUUID().toString().substring(0, 8);
            for (int i = 1; i <= workers; i++) {
                context.spawn(Worker.create(node + "-w" + i, "local", runtime, workerSettings), "worker-" + i);
            }
            return Behaviors.receive(HostCoordinator.class)
                    .onMessage(HostCoordinator.class, m -> {
                        context.spawn(m.coordinator(), "coordinator");
                        return Behaviors.same();
                    })
                    .build();
        }), "orchard", local);
    }

    ActorSystem<?> system() {
        return system;
    }

    void hostCoordinator(Behavior<CoordinatorCommand> coordinator) {
        system.tell(new HostCoordinator(coordinator));
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
