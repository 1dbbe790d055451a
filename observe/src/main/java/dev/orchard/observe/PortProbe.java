package dev.orchard.observe;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/**
 * Whether this process can listen on an address now: binds a plain socket there and closes it at once (a millisecond,
 * without starting the server meant to listen there), so that a busy or foreign address is refused before a job
 * writes anything. The port is free only at this moment: a server that loses it before it binds still fails there.
 */
public final class PortProbe {

    private PortProbe() {
    }

    /** @throws IOException (a {@link java.net.BindException} for a busy port or a foreign host) where it cannot */
    public static void listen(String host, int port) throws IOException {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true); // as the servers that will listen there: a port in TIME_WAIT is free to them
            socket.bind(new InetSocketAddress(host, port));
        }
    }
}
