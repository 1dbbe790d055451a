package dev.orchard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The ports the multi-JVM tests give their coordinators. */
class NodesTest {

    @Test
    void freePortsAreBindableDistinctAndOutOfTheKernelsReach() throws Exception {
        int ephemeral = Nodes.ephemeralPortsFrom();
        Set<Integer> ports = new HashSet<>();
        for (int i = 0; i < 50; i++) {
            int port = Nodes.freePort();
            assertThat(ports.add(port)).as("port %d handed out twice", port).isTrue();
            if (ephemeral > 11_000) {
                assertThat(port).as("below the ephemeral range (from %d)", ephemeral).isBetween(10_000, ephemeral - 1);
            }
            try (ServerSocket socket = new ServerSocket()) {
                socket.bind(new InetSocketAddress("127.0.0.1", port));
            }
        }
    }
}
