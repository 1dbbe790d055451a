package dev.orchard.store.s3;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
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

    /**
     * Answers every request on every connection with {@code answer}'s text for it (requests counted from 1 across
     * connections), or with nothing when that is null: the connection then waits for the client's next request.
     */
    static void answerEach(ServerSocket server, java.util.function.IntFunction<String> answer) {
        AtomicInteger requests = new AtomicInteger();
        acceptEach(server, new AtomicInteger(), socket -> {
            try (socket; java.io.OutputStream out = socket.getOutputStream()) {
                while (readHead(socket.getInputStream()) != null) {
                    String response = answer.apply(requests.incrementAndGet());
                    if (response != null) {
                        out.write(response.getBytes(StandardCharsets.US_ASCII));
                        out.flush();
                    }
                }
            } catch (IOException e) {
                // the client went away
            }
        });
    }

    /**
     * Answers the first request of every connection with {@code answer}'s text for it (requests counted from 1 across
     * connections), then closes the connection; closes it unanswered where that text is null.
     */
    static void answerOncePerConnection(ServerSocket server, java.util.function.IntFunction<String> answer) {
        AtomicInteger requests = new AtomicInteger();
        acceptEach(server, new AtomicInteger(), socket -> {
            try (socket) {
                if (readHead(socket.getInputStream()) == null) {
                    return;
                }
                String response = answer.apply(requests.incrementAndGet());
                if (response != null) {
                    socket.getOutputStream().write(response.getBytes(StandardCharsets.US_ASCII));
                }
            } catch (IOException e) {
                // the client went away
            }
        });
    }

    /** S3's answer to a request it throttles: 503 SlowDown, the connection then closed. */
    static String slowDown() {
        String body = "<Error><Code>SlowDown</Code><Message>Reduce your request rate.</Message></Error>";
        return "HTTP/1.1 503 Slow Down\r\nContent-Type: application/xml\r\nContent-Length: " + body.length()
                + "\r\nConnection: close\r\n\r\n" + body;
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

    /**
     * Closes a served connection and waits until the client's end of it has taken in the close: its state is
     * CLOSE_WAIT in the kernel's table, which is what a client's check of an idle connection can see. On loopback the
     * FIN usually arrives before {@code close()} returns, but a kernel may defer that work under load; this makes the
     * idle-connection tests wait for the fact they rely on instead of for that timing. Where there is no such table
     * (not Linux), it only closes.
     */
    static void closeAndAwaitClientSawIt(Socket served) throws IOException, InterruptedException {
        String client = String.format(Locale.ROOT, ":%04X", served.getPort());
        String server = String.format(Locale.ROOT, ":%04X", served.getLocalPort());
        served.close();
        List<Path> tables = List.of(Path.of("/proc/net/tcp"), Path.of("/proc/net/tcp6"));
        if (!Files.isReadable(tables.get(0))) {
            return;
        }
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (true) {
            for (Path table : tables) {
                for (String line : Files.isReadable(table) ? Files.readAllLines(table) : List.<String>of()) {
                    String[] f = line.trim().split("\\s+"); // sl local remote state ...
                    if (f.length > 3 && f[1].endsWith(client) && f[2].endsWith(server) && f[3].equals("08")) {
                        return; // CLOSE_WAIT: the FIN has reached the client's socket
                    }
                }
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("the client's end (port " + served.getPort() + ") never saw the server close it");
            }
            Thread.sleep(1);
        }
    }
}
