package dev.orchard.store.s3;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/** What the scripted servers of {@link HttpExchangesTest} and {@link HttpExchangesTlsTest} share. */
final class ScriptedServers {
    private ScriptedServers() {
    }

    /** Accepts connections on a daemon thread until {@code server} closes: counts each, and serves each on its own. */
    static void acceptEach(ServerSocket server, AtomicInteger connections, Consumer<Socket> serve) {
        Thread acceptor = new Thread(() -> {
            while (true) {
                Socket socket;
                try {
                    socket = server.accept();
                } catch (IOException e) {
                    return;
                }
                connections.incrementAndGet();
                Thread serving = new Thread(() -> serve.accept(socket));
                serving.setDaemon(true);
                serving.start();
            }
        });
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** The next request head, up to and with its blank line, or null when the client closed the connection first. */
    static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1) {
            head.write(b);
            String text = head.toString(StandardCharsets.ISO_8859_1);
            if (text.endsWith("\r\n\r\n")) {
                return text;
            }
        }
        return null;
    }
}
