package dev.orchard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.orchard.store.LoopbackPorts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A coordinator node and a worker node (separate JVMs, the jar) with {@code --http} and {@code --log-format json}:
 * both serve {@code /ready}, {@code /alive} (Pekko Management's checks) and {@code /cluster/members}; the
 * coordinator's page and metrics show the job waiting for its worker, the worker's {@code /metrics} count the images
 * it processed; every log line is a JSON object, and the lines of the work carry the job, the unit and the worker in
 * their MDC.
 */
class ObserveIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path temp;

    @Test
    void clusterNodesServeReadinessMembersAndMetricsAndLogJson() throws Exception {
        List<String> images = new ArrayList<>();
        try (Stream<Path> labels = Files.list(JobRun.shared().resolve("data/fruits360-sample"))) {
            for (Path label : labels.filter(Files::isDirectory).sorted().toList()) {
                try (Stream<Path> files = Files.list(label)) {
                    files.sorted().limit(2).forEach(f -> images.add(f.toString()));
                }
            }
        }
        Path manifest = Files.write(temp.resolve("manifest.txt"), images);
        Path out = temp.resolve("out");
        int port = LoopbackPorts.pick();
        try (Nodes nodes = new Nodes(temp.resolve("logs"))) {
            Process coordinator = nodes.start("coordinator", "coordinator", "--input-manifest", manifest.toString(),
                    "--output", out.toString(), "--model", JobRun.model(), "--pca-k", "4", "--unit-size", "6",
                    "--batch-size", "6", "--bind", "127.0.0.1:" + port, "--min-workers", "1",
                    "--http", "127.0.0.1:0", "--log-format", "json");
            String coordinatorUrl = nodes.statusPage("coordinator");
            // Waiting for its worker: alive, ready (an Up member), and its page says so.
            nodes.await("the coordinator's /ready", Duration.ofMinutes(1),
                    () -> status(coordinatorUrl + "ready") == 200);
            assertThat(ObservedRunTest.get(coordinatorUrl + "alive").statusCode()).isEqualTo(200);
            JsonNode members = JSON.readTree(ObservedRunTest.get(coordinatorUrl + "cluster/members").body());
            assertThat(members.path("members")).hasSize(1);
            assertThat(members.path("members").get(0).path("roles").toString()).contains("coordinator");
            nodes.await("the coordinator's first status", Duration.ofMinutes(1),
                    () -> body(coordinatorUrl + "metrics").contains("orchard_job_images_listed"));
            assertThat(ObservedRunTest.counter(body(coordinatorUrl + "metrics"), "orchard_job_images_processed_total", null)).isZero();

            nodes.start("worker", "worker", "--join", "127.0.0.1:" + port, "--bind", Nodes.ANY_PORT,
                    "--onnx-threads", "1", "--decode-threads", "1", "--http", "127.0.0.1:0", "--log-format", "json");
            String workerUrl = nodes.statusPage("worker");
            // Bound to port 0, it says which port the OS gave it.
            assertThat(nodes.log("worker")).containsPattern("orchard: worker node on 127\\.0\\.0\\.1:[1-9]\\d* joining");
            assertThat(nodes.exitCode(coordinator, Duration.ofMinutes(3))).as(nodes.log("coordinator")).isZero();
            JsonNode success = JSON.readTree(out.resolve("_SUCCESS").toFile());
            assertThat(success.path("counts").path("images").asInt()).isEqualTo(images.size());
            assertThat(out.resolve("report.html")).isNotEmptyFile();

            // The worker outlives the job: its counters hold what it did.
            String scrape = body(workerUrl + "metrics");
            assertThat(ObservedRunTest.counter(scrape, "orchard_worker_images_total", "outcome=\"written\""))
                    .isGreaterThanOrEqualTo(images.size());
            assertThat(ObservedRunTest.counter(scrape, "orchard_worker_units_finished_total", null)).isPositive();
            assertThat(scrape).contains("orchard_worker_lanes ", "orchard_worker_stage_seconds_total{stage=\"infer\"}",
                    "jvm_threads_live_threads");
            assertThat(status(workerUrl + "alive")).isEqualTo(200);
            assertThat(JSON.readTree(ObservedRunTest.get(workerUrl + "cluster/members").body()).path("selfNode").asText())
                    .contains("127.0.0.1");

            String job = success.path("job").asText();
            List<JsonNode> workerLines = jsonLines(nodes.log("worker"));
            assertThat(workerLines).anySatisfy(line -> {
                assertThat(line.path("mdc").path("jobId").asText()).isEqualTo(job);
                assertThat(line.path("mdc").path("unitId").asText()).matches("\\d+");
                assertThat(line.path("mdc").path("workerId").asText()).startsWith("127.0.0.1:");
                assertThat(line.path("formattedMessage").asText()).matches("FEATURES unit \\d+ \\(attempt id \\d+\\): \\d+ rows, 0 errors");
            });
            assertThat(jsonLines(nodes.log("coordinator"))).anySatisfy(line -> {
                assertThat(line.path("mdc").path("jobId").asText()).isEqualTo(job);
                assertThat(line.path("loggerName").asText()).isEqualTo("dev.orchard.coordinator.Coordinator");
            });
        }
    }

    /** Every log line that is not a plain "orchard:"/"progress:"/"phase:" message to the user parses as JSON. */
    private static List<JsonNode> jsonLines(String log) throws Exception {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : log.split("\n")) {
            if (line.isBlank() || line.startsWith("orchard: ") || line.startsWith("progress: ") || line.startsWith("phase: ")
                    || line.matches("\\d+ images?, .*")) {
                continue;
            }
            assertThat(line).as("a log line").startsWith("{");
            lines.add(JSON.readTree(line));
        }
        assertThat(lines).isNotEmpty();
        return lines;
    }

    private static int status(String url) {
        try {
            return ObservedRunTest.get(url).statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    private static String body(String url) {
        try {
            return ObservedRunTest.get(url).body();
        } catch (Exception e) {
            return "";
        }
    }
}
