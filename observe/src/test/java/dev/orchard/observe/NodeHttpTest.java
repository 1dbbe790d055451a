package dev.orchard.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import dev.orchard.coordinator.JobListener;
import dev.orchard.coordinator.JobSummary;
import dev.orchard.store.s3.S3Settings;
import dev.orchard.worker.model.InferenceSettings;
import dev.orchard.worker.pipeline.PipelineSettings;
import dev.orchard.worker.pipeline.WorkerRuntime;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A node's HTTP endpoint in a local actor system (as in {@code orchard run}): the page, the JSON, {@code /metrics}
 * moving with the job, {@code /ready} following the job, {@code /alive}, and nothing but GET.
 */
class NodeHttpTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private ActorSystem<Void> system;
    private NodeMetrics metrics;
    private WorkerRuntime runtime;

    @BeforeEach
    void start() throws Exception {
        Map<String, Object> config = new HashMap<>(NodeHttp.LOCAL_NODE_CONFIG);
        config.put("pekko.actor.provider", "local");
        config.put("pekko.loglevel", "WARNING");
        system = ActorSystem.create(Behaviors.empty(), "node-http-test",
                ConfigFactory.parseMap(config).withFallback(ConfigFactory.load()));
        metrics = new NodeMetrics();
        runtime = new WorkerRuntime(PipelineSettings.forCores(1), new InferenceSettings(1, false), S3Settings.defaults());
    }

    @AfterEach
    void stop() throws Exception {
        system.terminate();
        system.getWhenTerminated().toCompletableFuture().get();
        metrics.close();
        runtime.close();
    }

    @Test
    void servesThePageTheMetricsAndReadinessOfTheJob() throws Exception {
        JobWatch watch = new JobWatch(new JobListener() {
            @Override
            public void finished(JobSummary summary) {
            }

            @Override
            public void failed(Throwable cause) {
            }
        });
        JobListener coordinatorSees = new JobMeters(metrics.registry(), watch);
        PipelineMeters.bind(metrics.registry(), runtime);
        watch.describe("job-7", "/in", "/out");
        Readiness.set(system.classicSystem(), watch::running);
        NodeHttp http = NodeHttp.start(system, HttpAddress.loopback(0), new StatusPage("test node", watch, runtime), metrics);
        String url = http.url();
        assertThat(url).matches("http://127\\.0\\.0\\.1:\\d+/");

        assertThat(get(url + "ready").statusCode()).as("not ready before the job runs").isEqualTo(500);
        assertThat(get(url + "alive").statusCode()).isEqualTo(200);
        String before = get(url + "metrics").body();
        assertThat(value(before, "orchard_job_images_processed_total")).isZero();
        assertThat(value(before, "orchard_worker_images_total{outcome=\"written\"}")).isZero();
        assertThat(before).contains("jvm_memory_used_bytes", "jvm_gc_", "process_uptime_seconds", "orchard_pool_executor_queued_tasks");

        coordinatorSees.phase("listing and extracting features");
        coordinatorSees.status(JobWatchTest.snapshot(300, 1000, true, List.of(JobWatchTest.worker("w1", 300))));
        HttpResponse<String> scrape = get(url + "metrics");
        assertThat(scrape.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).isEqualToIgnoringCase(NodeMetrics.CONTENT_TYPE));
        assertThat(value(scrape.body(), "orchard_job_images_processed_total")).isEqualTo(300);
        assertThat(value(scrape.body(), "orchard_job_images_listed")).isEqualTo(1000);
        assertThat(value(scrape.body(), "orchard_job_units{state=\"DONE\"}")).isEqualTo(3);
        assertThat(value(scrape.body(), "orchard_job_worker_images{host=\"host-w1\",worker=\"w1\"}")).isEqualTo(300);
        assertThat(get(url + "ready").statusCode()).as("ready while the job runs").isEqualTo(200);

        HttpResponse<String> page = get(url);
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/html"));
        assertThat(page.headers().firstValue("Cache-Control")).hasValue("no-store");
        assertThat(page.body()).contains("id=\"images-done\">300<", "id=\"images-total\">1000<", "job-7", "host-w1",
                "This JVM&#39;s pipeline", "http-equiv=\"refresh\"");
        String json = get(url + "status.json").body();
        assertThat(json).contains("\"imagesDone\" : 300", "\"jobId\" : \"job-7\"", "\"imagesWritten\" : 0");
        // One status: no rate yet for the worker, null as the job's own, not the string "NaN".
        assertThat(json).contains("\"id\" : \"w1\"", "\"imagesPerSecond\" : null").doesNotContain("NaN");

        coordinatorSees.finished(new JobSummary("/out", 1000, 1000, 0, 10, 5, 0.5));
        assertThat(get(url + "ready").statusCode()).as("not ready once the job ended").isEqualTo(500);

        HttpResponse<String> post = HTTP.send(HttpRequest.newBuilder(URI.create(url + "metrics"))
                .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).as("read-only").isEqualTo(405);
        assertThat(get(url + "no-such-page").statusCode()).isEqualTo(404);
        assertThat(get(url + "cluster/members").statusCode()).as("no cluster here").isEqualTo(404);
        HttpResponse<String> head = HTTP.send(HttpRequest.newBuilder(URI.create(url + "status.json"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.body()).isEmpty();
        assertThat(head.headers().firstValue("Content-Type")).hasValue("application/json");

        int port = URI.create(url).getPort();
        assertThatThrownBy(() -> NodeHttp.start(system, HttpAddress.loopback(port), new StatusPage("again", null, runtime), metrics))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--http 127.0.0.1:" + port + ": cannot listen there")
                .hasMessageContaining("--no-http");
        http.close();
    }

    /**
     * On a cluster node (here a one-node cluster in this JVM): {@code /cluster/members} in Pekko Management's fields, and
     * {@code /ready} from {@link ClusterReadiness}, ready once the node is an Up member.
     */
    @Test
    void aClusterNodeServesItsMembersAndIsReadyWhenUp() throws Exception {
        Map<String, Object> config = new HashMap<>();
        config.put("pekko.actor.provider", "cluster");
        config.put("pekko.remote.artery.canonical.hostname", "127.0.0.1");
        config.put("pekko.remote.artery.canonical.port", 0);
        config.put("pekko.cluster.roles", List.of("coordinator"));
        config.put("pekko.loglevel", "WARNING");
        ActorSystem<Void> node = ActorSystem.create(Behaviors.empty(), "node-http-cluster-test",
                ConfigFactory.parseMap(config).withFallback(ConfigFactory.load()));
        try {
            NodeHttp http = NodeHttp.start(node, HttpAddress.loopback(0), new StatusPage("cluster node", null, runtime), metrics);
            String url = http.url();
            org.apache.pekko.cluster.Cluster cluster = org.apache.pekko.cluster.Cluster.get(node.classicSystem());
            assertThat(get(url + "ready").statusCode()).as("not a member yet").isEqualTo(500);
            cluster.join(cluster.selfAddress());
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (get(url + "ready").statusCode() != 200) {
                assertThat(System.nanoTime()).as("/ready once the node is Up").isLessThan(deadline);
                Thread.sleep(50);
            }
            // The node's view takes the member's Up and the leader's election (and so the oldest) as separate events:
            // once, the page was read between them (a null where the node's address belonged). Read until it has all.
            String self = cluster.selfAddress().toString();
            com.fasterxml.jackson.databind.JsonNode members = new com.fasterxml.jackson.databind.ObjectMapper()
                    .readTree(get(url + "cluster/members").body());
            while (!(members.path("leader").asText().equals(self) && members.path("oldest").asText().equals(self)
                    && members.path("oldestPerRole").path("coordinator").asText().equals(self))) {
                assertThat(System.nanoTime()).as("the node's view names its leader: " + members).isLessThan(deadline);
                Thread.sleep(50);
                members = new com.fasterxml.jackson.databind.ObjectMapper().readTree(get(url + "cluster/members").body());
            }
            assertThat(members.path("selfNode").asText()).isEqualTo(self);
            assertThat(members.path("members")).hasSize(1);
            assertThat(members.path("members").get(0).path("node").asText()).isEqualTo(self);
            assertThat(members.path("members").get(0).path("status").asText()).isEqualTo("Up");
            assertThat(members.path("members").get(0).path("nodeUid").asText())
                    .isEqualTo(Long.toString(cluster.selfUniqueAddress().longUid()));
            assertThat(members.path("members").get(0).path("roles").toString()).contains("\"coordinator\"");
            assertThat(members.path("unreachable")).isEmpty();
            assertThat(members.path("leader").asText()).isEqualTo(self);
            assertThat(members.path("oldest").asText()).isEqualTo(self);
            assertThat(members.path("oldestPerRole").path("coordinator").asText()).isEqualTo(self);
            assertThat(get(url + "alive").statusCode()).isEqualTo(200);
        } finally {
            node.terminate();
            node.getWhenTerminated().toCompletableFuture().get();
        }
    }

    private static HttpResponse<String> get(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static double value(String scrape, String series) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(scrape);
        assertThat(m.find()).as(series + " in\n" + scrape).isTrue();
        return Double.parseDouble(m.group(1));
    }
}
