package dev.orchard.observe;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.management.HealthCheckSettings;
import org.apache.pekko.management.javadsl.CheckResult;
import org.apache.pekko.management.javadsl.HealthChecks;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's HTTP endpoint: {@code /} the status page, {@code /status.json}, {@code /metrics} (Prometheus text),
 * {@code /ready} and {@code /alive} (Pekko Management's health checks, as its own routes answer them: 200 "OK", or 500
 * naming the failing checks; on a cluster node {@link ClusterReadiness}, in {@code orchard run} {@link Readiness}) and,
 * on cluster nodes, the read-only {@code /cluster/members} ({@link ClusterMembersJson}).
 * Everything is GET (or HEAD) and read-only and shows no secret (no credentials exist in Orchard's memory beyond the
 * AWS SDK's). It listens on loopback unless {@code --http} names another address; it stops with the actor system, or
 * on {@link #close()}.
 *
 * <p>On the JDK's own HTTP server ({@code jdk.httpserver}) rather than pekko-http with Pekko Management's routes:
 * starting those took ~1 s of CPU (0.4 s of it on one thread: pekko-http's settings, its stream materializer and
 * parsers, the JDK's default TLS context for a plain-HTTP placebo stage, and their compilation), during the job's
 * first seconds, on the cores ONNX Runtime needs. In 5 alternated pairs of 600-image {@code orchard run}s, this
 * server's build took 0.4-0.7 s less wall time and ~1 s less CPU than pekko-http's (bench/README.md).
 */
public final class NodeHttp implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(NodeHttp.class);
    private static final String TEXT = "text/plain; charset=utf-8";
    private static final String HTML = "text/html; charset=utf-8";
    private static final String JSON = "application/json";
    /** Requests served at once; a scrape or a page is a few milliseconds of work. */
    private static final int THREADS = 2;
    private static final AtomicInteger SERVERS = new AtomicInteger();

    /**
     * Pekko Management's health-check settings for a node without a cluster ({@code orchard run}): no membership
     * check (it needs a cluster), and {@link Readiness} as the readiness check.
     */
    public static final Map<String, Object> LOCAL_NODE_CONFIG = Map.of(
            "pekko.management.health-checks.readiness-checks.cluster-membership", "",
            "pekko.management.health-checks.readiness-checks.orchard-job", Readiness.class.getName());

    private final HttpServer server;
    private final ExecutorService executor;
    private final String url;
    private volatile boolean closed;

    private NodeHttp(HttpServer server, ExecutorService executor, String url) {
        this.server = server;
        this.executor = executor;
        this.url = url;
    }

    /**
     * Listens on {@code address} (port 0: any free one) until the system stops.
     *
     * @throws IllegalArgumentException when it cannot listen there (the port is taken, the address is not this
     *                                  machine's), naming {@code --http}
     */
    public static NodeHttp start(org.apache.pekko.actor.typed.ActorSystem<?> system, HttpAddress address, StatusPage page,
                                 NodeMetrics metrics) {
        ExtendedActorSystem classic = (ExtendedActorSystem) system.classicSystem();
        HealthCheckSettings settings = HealthCheckSettings.create(
                system.settings().config().getConfig("pekko.management.health-checks"));
        HealthChecks health = new HealthChecks(classic, settings);
        ClusterMembersJson members = "cluster".equals(system.settings().config().getString("pekko.actor.provider"))
                ? new ClusterMembersJson(classic) : null;
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(address.host(), address.port()), 0);
        } catch (IOException | UnresolvedAddressException | SecurityException e) {
            throw address.cannotListen(e);
        }
        int id = SERVERS.incrementAndGet();
        AtomicInteger threads = new AtomicInteger();
        ExecutorService executor = Executors.newFixedThreadPool(THREADS, r -> {
            Thread t = new Thread(r, "orchard-http-" + id + "-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        long timeoutMillis = settings.getCheckTimeout().toMillis();
        server.createContext("/", exchange -> {
            try (exchange) {
                serve(exchange, page, metrics, health, timeoutMillis, members);
            } catch (IOException e) {
                LOG.debug("HTTP request {} not answered: {}", exchange.getRequestURI(), e.toString());
            } catch (RuntimeException e) {
                LOG.warn("HTTP request {} failed", exchange.getRequestURI(), e);
            }
        });
        server.setExecutor(executor);
        server.start();
        int port = server.getAddress().getPort();
        String host = address.host().contains(":") ? "[" + address.host() + "]" : address.host();
        NodeHttp http = new NodeHttp(server, executor, "http://" + host + ":" + port + "/");
        system.getWhenTerminated().thenRun(http::close);
        if (!address.isLoopback()) {
            LOG.warn("The status page and /metrics are open to the network on {} (--http {}): anyone who can reach it sees"
                    + " the job's paths and figures", http.url, address);
        }
        return http;
    }

    /** How a route answers a GET (or, without the body, a HEAD). */
    private interface Answer {
        void send(HttpExchange exchange, boolean head) throws IOException;
    }

    /** One request: the route for its path (404 if none), GET or HEAD only (405 otherwise). */
    private static void serve(HttpExchange exchange, StatusPage page, NodeMetrics metrics, HealthChecks health,
                              long timeoutMillis, ClusterMembersJson members) throws IOException {
        Answer answer = switch (exchange.getRequestURI().getRawPath()) {
            case "/" -> (e, head) -> page(e, HTML, page.html().getBytes(StandardCharsets.UTF_8), head);
            case "/status.json" -> (e, head) -> page(e, JSON, page.json(), head);
            case "/metrics" -> (e, head) -> page(e, NodeMetrics.CONTENT_TYPE,
                    metrics.scrape().getBytes(StandardCharsets.UTF_8), head);
            case "/ready" -> (e, head) -> check(e, health.readyResult().toCompletableFuture(), timeoutMillis, head);
            case "/alive" -> (e, head) -> check(e, health.aliveResult().toCompletableFuture(), timeoutMillis, head);
            case "/cluster/members" -> members == null ? null : (e, head) -> respond(e, 200, JSON, members.json(), head);
            default -> null;
        };
        String method = exchange.getRequestMethod();
        if (answer == null) {
            respond(exchange, 404, TEXT, "The requested resource could not be found.", method.equals("HEAD"));
        } else if (method.equals("GET") || method.equals("HEAD")) {
            answer.send(exchange, method.equals("HEAD"));
        } else {
            exchange.getResponseHeaders().set("Allow", "GET, HEAD");
            respond(exchange, 405, TEXT, "HTTP method not allowed, supported methods: GET, HEAD", false);
        }
    }

    /** A page of Orchard's own: never cached, never sniffed as another type. */
    private static void page(HttpExchange exchange, String type, byte[] body, boolean head) throws IOException {
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        exchange.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        respond(exchange, 200, type, body, head);
    }

    /** A health check's answer, as Pekko Management's routes give it. */
    private static void check(HttpExchange exchange, java.util.concurrent.CompletableFuture<CheckResult> result,
                              long timeoutMillis, boolean head) throws IOException {
        String failure;
        try {
            CheckResult r = result.get(timeoutMillis, TimeUnit.MILLISECONDS);
            failure = r.isSuccess() ? null : "Not Healthy: " + r.failure().orElse("");
        } catch (TimeoutException e) {
            failure = "Health Check Failed: no answer within " + timeoutMillis + " ms";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failure = "Health Check Failed: interrupted";
        } catch (java.util.concurrent.ExecutionException e) {
            failure = "Health Check Failed: " + (e.getCause() != null ? e.getCause().getMessage() : e.getMessage());
        }
        respond(exchange, failure == null ? 200 : 500, TEXT, failure == null ? "OK" : failure, head);
    }

    private static void respond(HttpExchange exchange, int status, String type, String body, boolean head) throws IOException {
        respond(exchange, status, type, body.getBytes(StandardCharsets.UTF_8), head);
    }

    private static void respond(HttpExchange exchange, int status, String type, byte[] body, boolean head) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", type);
        if (head) {
            exchange.getResponseHeaders().set("Content-Length", Integer.toString(body.length));
            exchange.sendResponseHeaders(status, -1);
            return;
        }
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    /** {@code http://HOST:PORT/}, with the port actually bound. */
    public String url() {
        return url;
    }

    /** The port actually bound. */
    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        server.stop(0);
        executor.shutdownNow();
    }
}
