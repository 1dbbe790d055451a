package dev.orchard.store;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Loopback ports for servers in other processes that others must find (a coordinator, a seed, an S3 server), for the
 * multi-JVM tests and the benchmarks; here, in the test-jar both use. A node nobody has to find binds port 0 instead.
 */
public final class LoopbackPorts {
    /** The lowest port {@link #pick()} hands out: above the well-known services. */
    private static final int LOWEST_PORT = 10_000;
    /** The ports {@link #pick()} has handed out in this JVM: each goes to one server only. */
    private static final Set<Integer> HANDED_OUT = new HashSet<>();
    /** Where Linux says which ports it picks from for port 0 and outgoing connections: "FIRST LAST". */
    static final String EPHEMERAL_RANGE = "/proc/sys/net/ipv4/ip_local_port_range";

    private LoopbackPorts() {
    }

    /**
     * A port for a server others must find: free now, and below the range the kernel picks from for port 0 and for
     * outgoing connections ({@link #EPHEMERAL_RANGE}), so that no socket takes it before the server binds it unless
     * bound to it by number. A port that a bind to port 0 found free is only free when asked: another node's status
     * page, bound to port 0 meanwhile, may take it (two such binds in a row gave the same port 2 times in 20,000 on
     * one host), and a node that cannot bind exits. Where that range starts too low to leave room, the kernel picks
     * (each port still handed out once).
     */
    public static synchronized int pick() throws IOException {
        int below = ephemeralPortsFrom();
        boolean roomBelow = below - LOWEST_PORT >= 1_000;
        for (int tries = 0; tries < 1_000; tries++) {
            int port = roomBelow ? LOWEST_PORT + ThreadLocalRandom.current().nextInt(below - LOWEST_PORT) : anyPort();
            if (HANDED_OUT.add(port) && bindable(port)) {
                return port;
            }
        }
        throw new IOException("no free port found " + (roomBelow ? "between " + LOWEST_PORT + " and " + below
                : "from the kernel") + " in 1,000 tries");
    }

    /**
     * The first port of the kernel's ephemeral range (Linux's default, 32768, where it cannot be read). Read as a
     * stream: {@code Files.readString} gave "3" for "32768 60999". It reads a file of size 0, as {@code /proc}'s are,
     * a byte first, and a sysctl read again after that byte gives nothing (checked with two {@code read}s).
     */
    public static int ephemeralPortsFrom() {
        try (InputStream in = new FileInputStream(EPHEMERAL_RANGE)) {
            String range = new String(in.readAllBytes(), StandardCharsets.US_ASCII).trim();
            return Integer.parseInt(range.split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return 32_768;
        }
    }

    private static int anyPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static boolean bindable(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress("127.0.0.1", port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
