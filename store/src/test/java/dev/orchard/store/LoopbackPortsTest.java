package dev.orchard.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The ports the multi-JVM tests and the soak give their coordinators. */
class LoopbackPortsTest {

    @Test
    void theKernelsRangeIsReadWhole() {
        assumeTrue(Files.isReadable(Path.of(LoopbackPorts.EPHEMERAL_RANGE)), "no " + LoopbackPorts.EPHEMERAL_RANGE);
        // Read a byte at a time, "32768 60999" gave 3, and every port then came from the kernel's own range.
        assertThat(LoopbackPorts.ephemeralPortsFrom()).isBetween(1_024, 65_535);
    }

    @Test
    void portsAreBindableDistinctAndOutOfTheKernelsReach() throws Exception {
        int ephemeral = LoopbackPorts.ephemeralPortsFrom();
        Set<Integer> ports = new HashSet<>();
        for (int i = 0; i < 50; i++) {
            int port = LoopbackPorts.pick();
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
