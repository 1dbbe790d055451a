package dev.orchard.store.s3;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * An HTTP proxy on 127.0.0.1 between an S3 client and an S3 server that fails a fraction of requests the way S3 and
 * networks fail: 503 SlowDown, 500 InternalError, a connection reset before any answer, or (GET/HEAD only) a reset
 * after the response headers, mid-answer. The decisions come from a seeded random generator, and no single request
 * (method and target) is failed more than {@code maxFaultsPerRequest} times, so a client that retries at least that
 * many times always gets through: tests stay bounded and never flaky. Each decision depends only on the seed, the
 * request line and how often that line was seen before, not on the order in which concurrent requests arrive, so a
 * test that makes the same requests meets the same faults.
 *
 * <p>Injected faults other than the mid-answer reset happen before the request reaches the server, so a retried write
 * is never applied twice by the proxy itself. The proxy forwards one request per connection (it asks the server to
 * close the connection after answering), which keeps it simple: no HTTP framing beyond the request head is parsed.
 *
 * <p>{@link #failAlways} adds a permanent answer for matching requests (for "access denied" or a multipart upload
 * that cannot finish); {@link #injectNext} forces a given fault on the next matching requests.
 */
public final class FaultInjectingProxy implements AutoCloseable {

    /**
     * The ways a request fails. {@code LOST_ANSWER} (the server did what was asked, and its answer never came back: a
     * connection reset after it) is only ever {@link #injectNext forced}: a write so lost is applied once and then
     * retried, which the random faults keep away from.
     */
    public enum Fault { SLOW_DOWN, INTERNAL_ERROR, RESET, RESET_MID_RESPONSE, LOST_ANSWER }

    /** What the seeded draws choose from (an order the seeds of earlier tests and soaks depend on). */
    private static final Fault[] DRAWN = {Fault.SLOW_DOWN, Fault.INTERNAL_ERROR, Fault.RESET, Fault.RESET_MID_RESPONSE};

    private static final int MAX_HEAD = 64 * 1024;
    private static final int SOCKET_TIMEOUT_MS = 30_000;

    private final int backendPort;
    private final ServerSocket server;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "fault-proxy");
        t.setDaemon(true);
        return t;
    });
    private final long seed;
    private final int maxFaultsPerRequest;
    private final Map<String, int[]> seenAndFaulted = new HashMap<>();
    private final Map<Fault, AtomicInteger> injected = new EnumMap<>(Fault.class);
    private final AtomicInteger forwarded = new AtomicInteger();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger maxInFlight = new AtomicInteger();
    private volatile double faultRate;
    private volatile Rule rule;
    private volatile Forced forced;
    private volatile long latencyMillis;
    private volatile Predicate<String> delayed = line -> true;
    private volatile Predicate<String> counting = line -> true;

    private record Rule(Predicate<String> requestLine, int status, String code) {
    }

    private record Forced(Predicate<String> requestLine, Fault fault, AtomicInteger remaining) {
    }

    private FaultInjectingProxy(int backendPort, double faultRate, long seed, int maxFaultsPerRequest) throws IOException {
        this.backendPort = backendPort;
        this.faultRate = faultRate;
        this.seed = seed;
        this.maxFaultsPerRequest = maxFaultsPerRequest;
        for (Fault f : Fault.values()) {
            injected.put(f, new AtomicInteger());
        }
        this.server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
        threads.execute(this::acceptLoop);
    }

    /**
     * @param backendPort         the S3 server's port on 127.0.0.1
     * @param faultRate           fraction of requests to fail, 0 to 1
     * @param seed                seed of the fault decisions
     * @param maxFaultsPerRequest most faults for one request (method and target); keep it below the client's attempts
     */
    public static FaultInjectingProxy start(int backendPort, double faultRate, long seed, int maxFaultsPerRequest)
            throws IOException {
        return new FaultInjectingProxy(backendPort, faultRate, seed, maxFaultsPerRequest);
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getLocalPort());
    }

    public void setFaultRate(double rate) {
        this.faultRate = rate;
    }

    /** Answers every request whose request line ("PUT /bucket/key?x=y HTTP/1.1") matches with an S3 error. */
    public void failAlways(Predicate<String> requestLine, int status, String code) {
        this.rule = new Rule(requestLine, status, code);
    }

    /** Delays every forwarded request, as a distant server would (makes concurrency visible in tests and benches). */
    public void setLatency(java.time.Duration latency) {
        setLatency(latency, line -> true);
    }

    /** Delays the forwarded requests whose request line matches ("GET /bucket/key HTTP/1.1"). */
    public void setLatency(java.time.Duration latency, Predicate<String> requestLine) {
        this.delayed = requestLine;
        this.latencyMillis = latency.toMillis();
    }

    /** Injects {@code fault} into the next {@code times} requests whose request line matches, whatever the rate. */
    public void injectNext(Predicate<String> requestLine, Fault fault, int times) {
        this.forced = new Forced(requestLine, fault, new AtomicInteger(times));
    }

    public void clearRules() {
        this.rule = null;
        this.forced = null;
    }

    public int injected(Fault fault) {
        return injected.get(fault).get();
    }

    public int injectedTotal() {
        return injected.values().stream().mapToInt(AtomicInteger::get).sum();
    }

    /** Requests passed on to the server. */
    public int forwarded() {
        return forwarded.get();
    }

    /** Counts in {@link #maxInFlight} only the requests whose request line matches (by default, all). */
    public void countInFlight(Predicate<String> requestLine) {
        this.counting = requestLine;
    }

    /** The most forwarded requests (of those counted) that were waiting for the server's answer at the same moment. */
    public int maxInFlight() {
        return maxInFlight.get();
    }

    @Override
    public void close() throws IOException {
        server.close();
        threads.shutdownNow();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                threads.execute(() -> handle(client));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void handle(Socket client) {
        try (client) {
            client.setSoTimeout(SOCKET_TIMEOUT_MS);
            InputStream in = new BufferedInputStream(client.getInputStream());
            byte[] head = readHead(in);
            if (head == null) {
                return;
            }
            String headText = new String(head, StandardCharsets.ISO_8859_1);
            String requestLine = headText.substring(0, headText.indexOf("\r\n"));
            Rule r = rule;
            if (r != null && r.requestLine().test(requestLine)) {
                answer(client, r.status(), r.code());
                return;
            }
            Fault fault = decide(requestLine);
            if (fault != null) {
                injected.get(fault).incrementAndGet();
            }
            if (fault == Fault.SLOW_DOWN) {
                answer(client, 503, "SlowDown");
            } else if (fault == Fault.INTERNAL_ERROR) {
                answer(client, 500, "InternalError");
            } else if (fault == Fault.RESET) {
                reset(client);
            } else {
                forward(client, in, headText, fault);
            }
        } catch (IOException e) {
            // The client gave up on this connection (e.g. after a timeout): nothing to do.
        }
    }

    private Fault decide(String requestLine) {
        Forced f = forced;
        if (f != null && f.requestLine().test(requestLine) && f.remaining().getAndDecrement() > 0) {
            return f.fault();
        }
        synchronized (seenAndFaulted) {
            int[] counts = seenAndFaulted.computeIfAbsent(requestLine, k -> new int[2]);
            // SplittableRandom mixes its seed well: neighbouring seeds give unrelated draws (java.util.Random's don't).
            SplittableRandom random = new SplittableRandom(
                    seed * 0x9E3779B97F4A7C15L + requestLine.hashCode() * 0xBF58476D1CE4E5B9L + counts[0]++);
            double draw = random.nextDouble();
            Fault fault = DRAWN[random.nextInt(DRAWN.length)];
            if (draw >= faultRate || counts[1] >= maxFaultsPerRequest) {
                return null;
            }
            counts[1]++;
            boolean readOnly = requestLine.startsWith("GET ") || requestLine.startsWith("HEAD ");
            return fault == Fault.RESET_MID_RESPONSE && !readOnly ? Fault.RESET : fault;
        }
    }

    private void forward(Socket client, InputStream clientIn, String headText, Fault fault) throws IOException {
        forwarded.incrementAndGet();
        // "In flight" runs until the server's answer starts: the client cannot send its next request before then,
        // so this counts the requests the client really has outstanding.
        String requestLine = headText.substring(0, Math.max(0, headText.indexOf('\r')));
        boolean counted = counting.test(requestLine);
        if (counted) {
            maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
        }
        try (Socket backend = new Socket(InetAddress.getLoopbackAddress(), backendPort)) {
            if (latencyMillis > 0 && delayed.test(requestLine)) {
                Thread.sleep(latencyMillis);
            }
            backend.setSoTimeout(SOCKET_TIMEOUT_MS);
            OutputStream backendOut = backend.getOutputStream();
            backendOut.write(withConnectionClose(headText).getBytes(StandardCharsets.ISO_8859_1));
            backendOut.flush();
            // The request body (if any) flows on another thread while this one relays the answer.
            threads.execute(() -> {
                try {
                    clientIn.transferTo(backendOut);
                    backend.shutdownOutput();
                } catch (IOException e) {
                    // either side closed: the answer decides what the client sees
                }
            });
            InputStream backendIn = new BufferedInputStream(backend.getInputStream());
            OutputStream clientOut = client.getOutputStream();
            byte[] responseHead = readHead(backendIn);
            if (counted) {
                inFlight.decrementAndGet();
                counted = false;
            }
            if (fault == Fault.LOST_ANSWER) {
                backendIn.transferTo(OutputStream.nullOutputStream()); // the server has answered: it is done
                reset(client);
                return;
            }
            if (responseHead != null) {
                clientOut.write(responseHead);
                clientOut.flush();
            }
            if (fault == Fault.RESET_MID_RESPONSE) {
                reset(client);
                return;
            }
            backendIn.transferTo(clientOut);
            clientOut.flush();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (counted) {
                inFlight.decrementAndGet();
            }
        }
    }

    private static String withConnectionClose(String headText) {
        StringBuilder out = new StringBuilder();
        for (String line : headText.split("\r\n")) {
            String lower = line.toLowerCase(java.util.Locale.ROOT);
            if (!line.isEmpty() && !lower.startsWith("connection:") && !lower.startsWith("keep-alive:")) {
                out.append(line).append("\r\n");
            }
        }
        return out.append("Connection: close\r\n\r\n").toString();
    }

    private static void answer(Socket client, int status, String code) throws IOException {
        byte[] body = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>" + code + "</Code><Message>Injected by "
                + "FaultInjectingProxy</Message><RequestId>fault</RequestId></Error>").getBytes(StandardCharsets.UTF_8);
        String head = "HTTP/1.1 " + status + " " + code + "\r\nContent-Type: application/xml\r\nContent-Length: "
                + body.length + "\r\nConnection: close\r\n\r\n";
        OutputStream out = client.getOutputStream();
        out.write(head.getBytes(StandardCharsets.ISO_8859_1));
        out.write(body);
        out.flush();
        client.shutdownOutput();
    }

    /** An abortive close: the peer sees "connection reset". */
    private static void reset(Socket socket) throws SocketException, IOException {
        socket.setSoLinger(true, 0);
        socket.close();
    }

    /** The bytes up to and including the blank line that ends an HTTP head; null at end of stream. */
    private static byte[] readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (head.size() < MAX_HEAD) {
            int b = in.read();
            if (b < 0) {
                return head.size() == 0 ? null : head.toByteArray();
            }
            head.write(b);
            matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
            if (matched == 4) {
                return head.toByteArray();
            }
        }
        throw new IOException("HTTP head longer than " + MAX_HEAD + " bytes");
    }
}
