package dev.orchard.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import dev.orchard.observe.HttpAddress;
import dev.orchard.observe.NodeHttp;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.Test;

/**
 * Where a node serves when its port is taken: the default port gives way to any free one (a second node on the same
 * machine still has its page), a port the user named does not (it is a bad option: exit 2).
 */
class ObservationTest {

    @Test
    void aTakenDefaultPortMovesToAFreeOneATakenNamedPortIsRefused() throws Exception {
        Map<String, Object> config = new HashMap<>(NodeHttp.LOCAL_NODE_CONFIG);
        config.put("pekko.actor.provider", "local");
        config.put("pekko.loglevel", "WARNING");
        ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "observation-test",
                ConfigFactory.parseMap(config).withFallback(ConfigFactory.load()));
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            HttpAddress address = HttpAddress.loopback(taken.getLocalPort());
            StringWriter printed = new StringWriter();
            try (Observation byDefault = new Observation(address, true, null)) {
                byDefault.serve(system, "test node", new PrintWriter(printed, true));
                Matcher m = Pattern.compile("status page (http://127\\.0\\.0\\.1:(\\d+)/)").matcher(printed.toString());
                assertThat(m.find()).as(printed.toString()).isTrue();
                assertThat(Integer.parseInt(m.group(2))).isNotEqualTo(taken.getLocalPort());
                assertThat(ObservedRunTest.get(m.group(1) + "alive").statusCode()).isEqualTo(200);
            }
            try (Observation named = new Observation(address, false, null)) {
                assertThatThrownBy(() -> named.serve(system, "test node", new PrintWriter(new StringWriter(), true)))
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("--http " + address + ": cannot listen there");
            }
        } finally {
            system.terminate();
            system.getWhenTerminated().toCompletableFuture().get();
        }
    }

    /**
     * A worker node rejoining its cluster is a new actor system: when the default port is taken, its page comes back
     * on the port it had (it took a new free port at every rejoin), and is not announced again.
     */
    @Test
    void aRejoinedNodesPageKeepsThePortItHad() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             Observation byDefault = new Observation(HttpAddress.loopback(taken.getLocalPort()), true, null)) {
            keepsItsPortOverRejoins(byDefault);
        }
    }

    /** Likewise with {@code --http HOST:0}: it took a new port at every rejoin (an operator's walk). */
    @Test
    void aRejoinedNodesPageOnPortZeroKeepsThePortItTook() throws Exception {
        try (Observation anyPort = new Observation(HttpAddress.loopback(0), false, null)) {
            keepsItsPortOverRejoins(anyPort);
        }
    }

    /** Three incarnations of a node serve {@code observation}'s page: one address, announced once. */
    private static void keepsItsPortOverRejoins(Observation observation) throws Exception {
        Map<String, Object> config = new HashMap<>(NodeHttp.LOCAL_NODE_CONFIG);
        config.put("pekko.actor.provider", "local");
        config.put("pekko.loglevel", "WARNING");
        {
            StringWriter printed = new StringWriter();
            Pattern announced = Pattern.compile("status page (http://127\\.0\\.0\\.1:\\d+/)");
            String first = null;
            ActorSystem<Void> previous = null;
            try {
                for (int incarnation = 0; incarnation < 3; incarnation++) {
                    // The next incarnation serves while the last one's system still stands: its page is closed first
                    // (it closed with the old system only a moment later, and the new one took another port).
                    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "observation-rejoin-" + incarnation,
                            ConfigFactory.parseMap(config).withFallback(ConfigFactory.load()));
                    observation.serve(system, "worker node", new PrintWriter(printed, true));
                    if (previous != null) {
                        previous.terminate();
                        previous.getWhenTerminated().toCompletableFuture().get();
                    }
                    previous = system;
                    Matcher m = announced.matcher(printed.toString());
                    String last = null;
                    while (m.find()) {
                        last = m.group(1);
                    }
                    assertThat(last).as(printed.toString()).isNotNull();
                    first = first == null ? last : first;
                    assertThat(last).isEqualTo(first);
                    assertThat(ObservedRunTest.get(first + "alive").statusCode()).isEqualTo(200);
                }
            } finally {
                if (previous != null) {
                    previous.terminate();
                    previous.getWhenTerminated().toCompletableFuture().get();
                }
            }
            assertThat(printed.toString().split("status page ", -1)).as("announced once: " + printed).hasSize(2);
        }
    }

    /**
     * The default port free again when the node rejoins (its holder, another worker on the host, rejoining too): the
     * page stays on the port it had, not on the default (two workers on one host swapped pages at every rejoin: a
     * cluster walk).
     */
    @Test
    void aRejoinedNodesPageStaysOnItsPortWhenTheDefaultIsFreeAgain() throws Exception {
        Map<String, Object> config = new HashMap<>(NodeHttp.LOCAL_NODE_CONFIG);
        config.put("pekko.actor.provider", "local");
        config.put("pekko.loglevel", "WARNING");
        ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        int defaultPort = taken.getLocalPort();
        StringWriter printed = new StringWriter();
        ActorSystem<Void> first = null;
        ActorSystem<Void> second = null;
        try (taken; Observation byDefault = new Observation(HttpAddress.loopback(defaultPort), true, null)) {
            first = ActorSystem.create(Behaviors.empty(), "observation-default-free-1",
                    ConfigFactory.parseMap(config).withFallback(ConfigFactory.load()));
            byDefault.serve(first, "worker node", new PrintWriter(printed, true));
            Matcher m = Pattern.compile("status page (http://127\\.0\\.0\\.1:(\\d+)/)").matcher(printed.toString());
            assertThat(m.find()).as(printed.toString()).isTrue();
            String page = m.group(1);
            assertThat(Integer.parseInt(m.group(2))).isNotEqualTo(defaultPort);
            taken.close(); // the default port's holder has left to rejoin
            second = ActorSystem.create(Behaviors.empty(), "observation-default-free-2",
                    ConfigFactory.parseMap(config).withFallback(ConfigFactory.load()));
            byDefault.serve(second, "worker node", new PrintWriter(printed, true));
            assertThat(printed.toString().split("status page ", -1)).as("announced once: " + printed).hasSize(2);
            assertThat(ObservedRunTest.get(page + "alive").statusCode()).isEqualTo(200);
        } finally {
            for (ActorSystem<Void> system : new ActorSystem[] {first, second}) {
                if (system != null) {
                    system.terminate();
                    system.getWhenTerminated().toCompletableFuture().get();
                }
            }
        }
    }
}
