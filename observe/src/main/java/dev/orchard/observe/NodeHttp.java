package dev.orchard.observe;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.concat;
import static org.apache.pekko.http.javadsl.server.Directives.get;
import static org.apache.pekko.http.javadsl.server.Directives.path;
import static org.apache.pekko.http.javadsl.server.Directives.pathSingleSlash;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.management.javadsl.PekkoManagement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's HTTP endpoint, on pekko-http in the node's own actor system: {@code /} the status page,
 * {@code /status.json}, {@code /metrics} (Prometheus text), and Pekko Management's routes — {@code /ready},
 * {@code /alive} and, on cluster nodes, the read-only {@code /cluster/members}. Everything is GET and read-only and
 * shows no secret (no credentials exist in Orchard's memory beyond the AWS SDK's). It listens on loopback unless
 * {@code --http} names another address; it stops with the actor system, or on {@link #close()}.
 */
public final class NodeHttp implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(NodeHttp.class);

    /**
     * Pekko HTTP values, made when the endpoint first starts rather than when this class loads: {@code orchard run}
     * reads {@link #LOCAL_NODE_CONFIG} while it starts, and initialising this class then loaded Pekko HTTP's model
     * (35 samples of 2 ms on the main thread in a JFR of a start, where JFR itself slows the start).
     */
    private static final class Responses {
        static final ContentType METRICS = ContentTypes.parse(NodeMetrics.CONTENT_TYPE);
        static final List<HttpHeader> HEADERS = List.of(RawHeader.create("Cache-Control", "no-store"),
                RawHeader.create("X-Content-Type-Options", "nosniff"));
    }

    /**
     * Pekko Management settings for a node without a cluster ({@code orchard run}): no cluster routes or membership
     * check (they need a cluster), and {@link Readiness} as the readiness check.
     */
    public static final Map<String, Object> LOCAL_NODE_CONFIG = Map.of(
            "pekko.management.http.routes.cluster-management", "",
            "pekko.management.health-checks.readiness-checks.cluster-membership", "",
            "pekko.management.health-checks.readiness-checks.orchard-job", Readiness.class.getName());

    private final ServerBinding binding;
    private final String url;

    private NodeHttp(ServerBinding binding, String url) {
        this.binding = binding;
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
        Route ours = concat(
                pathSingleSlash(() -> get(() -> ok(ContentTypes.TEXT_HTML_UTF8, page::html))),
                path("status.json", () -> get(() -> complete(HttpResponse.create().addHeaders(Responses.HEADERS)
                        .withEntity(ContentTypes.APPLICATION_JSON, page.json())))),
                path("metrics", () -> get(() -> ok(Responses.METRICS, metrics::scrape))));
        Route all = concat(ours, PekkoManagement.get(system).getRoutes());
        ServerBinding binding;
        try {
            binding = Http.get(system).newServerAt(address.host(), address.port()).bind(all)
                    .toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw address.cannotListen(cause);
        } catch (TimeoutException e) {
            throw new IllegalStateException("--http " + address + ": the HTTP endpoint did not start within 30 s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting the HTTP endpoint", e);
        }
        int port = binding.localAddress().getPort();
        String host = address.host().contains(":") ? "[" + address.host() + "]" : address.host();
        String url = "http://" + host + ":" + port + "/";
        if (!address.isLoopback()) {
            LOG.warn("The status page and /metrics are open to the network on {} (--http {}): anyone who can reach it sees"
                    + " the job's paths and figures", url, address);
        }
        return new NodeHttp(binding, url);
    }

    /** {@code http://HOST:PORT/}, with the port actually bound. */
    public String url() {
        return url;
    }

    private static Route ok(ContentType type, Supplier<String> body) {
        return complete(HttpResponse.create().addHeaders(Responses.HEADERS)
                .withEntity(type, body.get().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }

    @Override
    public void close() {
        try {
            binding.unbind().toCompletableFuture().get(Duration.ofSeconds(10).toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            // the actor system's shutdown closes it anyway
        }
    }
}
