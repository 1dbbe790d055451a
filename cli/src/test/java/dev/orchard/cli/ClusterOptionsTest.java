package dev.orchard.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** How --bind and --join become a node's Pekko address and seeds. */
class ClusterOptionsTest {

    private static ClusterOptions parse(String... args) {
        return OptionsParsing.parse(new ClusterOptions(), args);
    }

    @Test
    void aNodeWithoutSeedsSeedsItsOwnCluster() {
        var config = parse("--bind", "10.0.0.5:17355").pekkoConfig(List.of("coordinator"));
        assertThat(config.getInt("pekko.remote.artery.canonical.port")).isEqualTo(17355);
        assertThat(config.getStringList("pekko.cluster.seed-nodes")).containsExactly("pekko://orchard@10.0.0.5:17355");
    }

    @Test
    void aWorkerMayTakeAnyFreePort() {
        var config = parse("--bind", "127.0.0.1:0", "--join", "127.0.0.1:17355").pekkoConfig(List.of("worker"));
        assertThat(config.getInt("pekko.remote.artery.canonical.port")).isZero();
        assertThat(config.getStringList("pekko.cluster.seed-nodes")).containsExactly("pekko://orchard@127.0.0.1:17355");
    }

    @Test
    void aNodeThatSeedsItsOwnClusterNeedsAPortOthersCanFind() {
        // Its seed would be port 0, which it never has: it would knock on it forever instead of forming a cluster.
        assertThatThrownBy(() -> parse("--bind", "127.0.0.1:0").pekkoConfig(List.of("coordinator")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--bind 127.0.0.1:0 with no --join")
                .hasMessageContaining("Give it a port");
    }

    /** A seed no node can have was taken, and a worker knocked on it forever. */
    @Test
    void aSeedOrBindOutsideThePortRangeIsRefused() {
        for (String seed : List.of("127.0.0.1:99999", "127.0.0.1:-1", ":17355")) {
            assertThatThrownBy(() -> parse("--bind", "127.0.0.1:0", "--join", seed).pekkoConfig(List.of("worker")))
                    .as(seed).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("--join '" + seed + "' is not host:port");
        }
        assertThatThrownBy(() -> parse("--bind", "127.0.0.1:70000").pekkoConfig(List.of("coordinator")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--bind '127.0.0.1:70000'");
    }
}
