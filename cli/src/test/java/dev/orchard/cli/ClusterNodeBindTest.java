package dev.orchard.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.typesafe.config.ConfigFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A worker node that starts again after it left its cluster binds its port anew: where the port is taken (its last
 * node's socket not yet let go, or another program), Pekko's start fails, and the worker tries again with its pause
 * rather than exiting ({@link ClusterNode#portTaken}). Seen once in a walk: "Address already in use", exit 1.
 */
class ClusterNodeBindTest {

    @Test
    void aNodeOnATakenPortFailsToStartWithAFailureToldApartFromOthers() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            var config = ConfigFactory.parseMap(Map.of(
                    "pekko.remote.artery.canonical.hostname", "127.0.0.1",
                    "pekko.remote.artery.canonical.port", taken.getLocalPort(),
                    "pekko.cluster.seed-nodes", List.of(),
                    "pekko.cluster.roles", List.of("worker"))).withFallback(ConfigFactory.load());
            Throwable failed = catchThrowable(() -> new ClusterNode(config, null, null, 0, null, null).close());
            assertThat(failed).as("a node on a taken port").isNotNull();
            assertThat(ClusterNode.portTaken(failed)).as("%s", failed).isTrue();
        }
        assertThat(ClusterNode.portTaken(new IllegalStateException("the JVM is shutting down"))).isFalse();
        assertThat(ClusterNode.portTaken(new RuntimeException("wrapped", new java.net.BindException("Address already in use"))))
                .isTrue();
    }
}
