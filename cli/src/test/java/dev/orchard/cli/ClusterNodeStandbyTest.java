package dev.orchard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.cluster.typed.JoinSeedNodes;
import org.junit.jupiter.api.Test;

/**
 * A coordinator node names the other coordinator node of its cluster (a standby) after it has stopped, which is when
 * a signal's line is said (StopNotice): as a node stops, Pekko reports every member removed, and the first version
 * then knew of none, so the standby's name never reached the line (a review, with this test).
 */
class ClusterNodeStandbyTest {

    @Test
    void aStoppedNodeStillNamesTheOtherCoordinatorNode() throws Exception {
        try (ClusterNode first = node(); ClusterNode second = node()) {
            Cluster.get(first.system()).manager().tell(Join.create(Cluster.get(first.system()).selfMember().address()));
            Cluster.get(second.system()).manager().tell(new JoinSeedNodes(
                    List.of(Cluster.get(first.system()).selfMember().address())));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (!second.address().equals(first.otherCoordinatorNode())
                    || !first.address().equals(second.otherCoordinatorNode())) {
                assertThat(System.nanoTime()).as("each sees the other in 60 s").isLessThan(deadline);
                Thread.sleep(50);
            }
            // What a SIGTERM does: the coordinated shutdown (leave, exit, terminate)
            CoordinatedShutdown.get(first.system().classicSystem()).run(CoordinatedShutdown.jvmExitReason());
            first.system().getWhenTerminated().toCompletableFuture().get(90, TimeUnit.SECONDS);
            assertThat(first.otherCoordinatorNode()).isEqualTo(second.address());
        }
    }

    private static ClusterNode node() {
        Config config = ConfigFactory.parseMap(Map.of(
                "pekko.remote.artery.canonical.hostname", "127.0.0.1",
                "pekko.remote.artery.canonical.port", 0,
                "pekko.cluster.seed-nodes", List.of(),
                "pekko.cluster.roles", List.of("coordinator"))).withFallback(ConfigFactory.load());
        return new ClusterNode(config, null, null, 0, null, null);
    }
}
