package dev.orchard.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Watching a real {@code orchard run} in a real browser: the status page and {@code /metrics} while it runs, then
 * {@code report.html} and classify's {@code report.html}, each against the JSON the job wrote.
 * <p>The run is held still where the test needs it, with no timing luck: two of its images are named pipes (FIFOs),
 * the first and the last image of the first unit, whose bytes the test writes only when it is ready. With one worker
 * holding one unit at a time, that unit's first batch cannot be counted before the test opens the first pipe, its
 * second batch (and so the job) cannot end before the test opens the second; in between, the first batch is counted
 * while nothing else can finish the job.
 */
class ObservedRunTest {
    private static final int PER_LABEL = 6;
    private static final Pattern URL = Pattern.compile("status page (http://\\S+/)");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private static final ExecutorService THREADS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "observed-run-test");
        t.setDaemon(true);
        return t;
    });

    @TempDir
    static Path temp;

    @AfterAll
    static void stopThreads() {
        THREADS.shutdownNow();
    }

    @Test
    void statusPageAndMetricsWhileItRunsThenTheReportsMatchTheJson() throws Exception {
        Chromium chromium = Chromium.require(temp);
        Path sample = JobRun.shared().resolve("data/fruits360-sample");
        Path gates = Files.createDirectories(temp.resolve("gates/Apple Braeburn"));
        Path gateA = fifo(gates.resolve("gate-a.jpg"));
        Path gateB = fifo(gates.resolve("gate-b.jpg"));
        Path broken = Files.createDirectories(temp.resolve("broken/Banana")).resolve("broken.jpg");
        Files.writeString(broken, "not a JPEG");
        List<Path> images = new ArrayList<>();
        try (Stream<Path> labels = Files.list(sample)) {
            for (Path label : labels.filter(Files::isDirectory).sorted().toList()) {
                try (Stream<Path> files = Files.list(label)) {
                    files.sorted().limit(PER_LABEL).forEach(images::add);
                }
            }
        }
        // Unit 0 (8 images, batches of 4): gate A, 6 images, gate B.
        List<String> lines = new ArrayList<>();
        lines.add(gateA.toString());
        images.subList(0, 6).forEach(p -> lines.add(p.toString()));
        lines.add(gateB.toString());
        images.subList(6, images.size()).forEach(p -> lines.add(p.toString()));
        lines.add(broken.toString());
        Path manifest = Files.write(temp.resolve("manifest.txt"), lines);
        int total = lines.size();
        Path out = temp.resolve("observed out");

        StringWriter messages = new StringWriter();
        PrintWriter err = new PrintWriter(messages, true);
        CompletableFuture<Integer> run = CompletableFuture.supplyAsync(() -> Orchard.execute(err, "run",
                "--input-manifest", manifest.toString(), "--output", out.toString(), "--model", JobRun.model(),
                "--pca-k", "5", "--unit-size", "8", "--batch-size", "4", "--workers", "1", "--units-in-flight", "1",
                "--http", "127.0.0.1:0"), THREADS);
        try {
            String url = awaitUrl(messages, run);
            byte[] jpeg = Files.readAllBytes(images.get(0));

            // The worker has reached gate A: unit 0's first batch is not counted yet.
            OutputStream a = open(gateA, run, messages);
            long before = counter(scrape(url), "orchard_worker_images_total", "outcome=\"written\"");
            a.write(jpeg);
            a.close();
            // Gate B holds the second batch, and with it the job; the first batch is counted meanwhile.
            OutputStream b = open(gateB, run, messages);
            long after = await(() -> counter(scrape(url), "orchard_worker_images_total", "outcome=\"written\"") >= before + 4,
                    run, messages, "the first batch's images counted in /metrics");
            assertThat(after).as("images counted once the first batch went through").isGreaterThan(before);
            await(() -> JSON.readTree(get(url + "status.json").body()).path("job").path("listingComplete").asBoolean() ? 1 : 0,
                    run, messages, "the listing to complete");
            // The coordinator's statuses come once a second: wait for one that shows the worker holding unit 0 (the
            // job's meters and the page's worker table are drawn from the last one).
            await(() -> {
                JsonNode workers = JSON.readTree(get(url + "status.json").body()).path("job").path("workers");
                return workers.size() == 1 && workers.get(0).path("unitsInFlight").asInt() == 1 ? 1 : 0;
            }, run, messages, "a status showing the worker holding unit 0");
            String metrics = scrape(url);
            assertThat(metrics).contains("orchard_job_images_listed", "orchard_job_units{", "jvm_memory_used_bytes",
                    "orchard_worker_stage_seconds_total{stage=\"infer\"}", "orchard_pool_executor_queued_tasks");
            assertThat(counter(metrics, "orchard_job_images_listed", null)).as("unit 0 was listed").isPositive();
            assertThat(get(url + "ready").statusCode()).as("/ready while the job runs").isEqualTo(200);
            assertThat(get(url + "alive").statusCode()).isEqualTo(200);

            String live = chromium.dom(url);
            long liveDone = Long.parseLong(Chromium.text(live, "images-done"));
            assertThat(Chromium.text(live, "images-total")).isEqualTo(String.valueOf(total));
            assertThat(liveDone).as("images of finished units (unit 0 is held)").isBetween(0L, (long) total - 8);
            assertThat(Chromium.text(live, "phase")).isEqualTo("listing and extracting features");
            String liveWorkers = Chromium.element(live, "table", "workers-table");
            List<String> liveWorkerIds = Chromium.attributes(liveWorkers, "tr", "data-key");
            assertThat(liveWorkerIds).hasSize(1);
            List<String> cells = Chromium.cells(liveWorkers); // worker, host, lanes, in flight, images, rate, heartbeat, state
            assertThat(cells).hasSize(8);
            assertThat(cells.get(1)).isEqualTo("local");
            assertThat(cells.get(3)).as("units in flight: unit 0, held").isEqualTo("1");
            assertThat(cells.get(7)).isEqualTo("live");
            BufferedImage livePixels = chromium.screenshot(url, 1200, 1400);
            assertThat(Chromium.pixelsNear(livePixels, 0x222222)).as("text drawn on the status page").isGreaterThan(500);
            // The report's images/s plot draws a rate between each two of the coordinator's once-a-second samples;
            // each sample is also a status report, counted in status.json. Gate B holds the job until there are 3.
            await(() -> JSON.readTree(get(url + "status.json").body()).path("job").path("statusReports").asLong() >= 3 ? 1 : 0,
                    run, messages, "three status reports (samples of the images/s plot)");
            // The status page plots them too: a rate between each two samples.
            assertThat(Chromium.attributes(Chromium.element(chromium.dom(url), "svg", "status-throughput"),
                    "g class=\"series line\"", "data-points"))
                    .singleElement().satisfies(n -> assertThat(Integer.parseInt(n)).isGreaterThanOrEqualTo(2));
            b.write(jpeg);
            b.close();
            assertThat(run.get(3, TimeUnit.MINUTES)).as(messages.toString()).isZero();

            JsonNode success = JSON.readTree(out.resolve("_SUCCESS").toFile());
            assertThat(success.path("workers").fieldNames().next()).isEqualTo(liveWorkerIds.get(0));
            assertThat(success.path("counts").path("images").asLong()).isEqualTo(total);
            assertThat(liveDone).isLessThanOrEqualTo(success.path("counts").path("images").asLong());
            checkJobReport(chromium, out, success);
            checkClassifyReport(chromium, out);
        } finally {
            run.cancel(true);
        }
    }

    /** report.html: every number as in _SUCCESS, every label in the scatter's legend, every plot drawn. */
    private static void checkJobReport(Chromium chromium, Path out, JsonNode success) throws Exception {
        Path report = out.resolve("report.html");
        String html = Files.readString(report);
        selfContained(html);
        String page = report.toUri().toString();
        String dom = chromium.dom(page);
        JsonNode counts = success.path("counts");
        assertThat(Chromium.text(dom, "images")).isEqualTo(counts.path("images").asText());
        assertThat(Chromium.text(dom, "rows")).isEqualTo(counts.path("rows").asText());
        assertThat(Chromium.text(dom, "errors")).isEqualTo(counts.path("errors").asText()).isEqualTo("1");
        assertThat(Chromium.text(dom, "units")).isEqualTo(counts.path("units").asText());
        assertThat(Chromium.text(dom, "parts")).isEqualTo(counts.path("parts").asText());
        assertThat(Double.parseDouble(Chromium.text(dom, "seconds-total")))
                .isEqualTo(success.path("seconds").path("total").asDouble());
        assertThat(Chromium.text(dom, "pca-k")).isEqualTo(success.path("pca").path("k").asText());
        assertThat(Chromium.text(dom, "explained-variance")).isEqualTo(String.format(Locale.ROOT, "%.1f%%",
                100 * success.path("pca").path("explainedVariance").asDouble()));
        assertThat(Chromium.text(dom, "worker-count")).isEqualTo(String.valueOf(success.path("workers").size()));

        // The scatter: one series per label, every row a point, and the legend names every label.
        String scatter = Chromium.element(dom, "svg", "pca-scatter");
        TreeSet<String> labels = new TreeSet<>();
        for (List<String> record : csv(out.resolve("pca.csv"))) {
            labels.add(record.get(1));
        }
        assertThat(labels).hasSize(15);
        List<String> series = Chromium.attributes(scatter, "g", "data-name");
        assertThat(new TreeSet<>(Chromium.attributes(scatter, "g class=\"legend-item\"", "data-name"))).isEqualTo(labels);
        assertThat(series).containsAll(labels);
        long points = 0;
        for (String n : Chromium.attributes(scatter, "g class=\"series points\"", "data-points")) {
            points += Long.parseLong(n);
        }
        assertThat(points).isEqualTo(counts.path("rows").asLong());
        assertThat(count(scatter, "<circle ")).isEqualTo(points);

        // The scree: k bars and the cumulative line, read from pca-model.json's ratios.
        JsonNode ratios = JSON.readTree(out.resolve("pca-model.json").toFile()).path("explainedVarianceRatio");
        String scree = Chromium.element(dom, "svg", "scree");
        assertThat(Chromium.attributes(scree, "g class=\"series bars\"", "data-points")).containsExactly(String.valueOf(ratios.size()));
        assertThat(Chromium.attributes(scree, "g class=\"series line\"", "data-points")).containsExactly(String.valueOf(ratios.size()));
        assertThat(count(scree, "<polyline ")).isEqualTo(1);

        // images/s over time, time per phase and stage, each worker's share.
        assertThat(Chromium.attributes(Chromium.element(dom, "svg", "throughput"), "g class=\"series line\"", "data-points"))
                .singleElement().satisfies(n -> assertThat(Integer.parseInt(n)).isGreaterThanOrEqualTo(2));
        String stages = Chromium.element(dom, "svg", "stage-seconds");
        Iterator<String> names = Chromium.attributes(stages, "g class=\"category\"", "data-name").iterator();
        for (String value : Chromium.attributes(stages, "rect", "data-value")) {
            String stage = names.next();
            assertThat(Double.parseDouble(value)).as(stage)
                    .isCloseTo(success.path("stageSeconds").path(stage).asDouble(), within(0.006));
        }
        String share = Chromium.element(dom, "svg", "worker-images");
        Map.Entry<String, JsonNode> worker = success.path("workers").fields().next();
        assertThat(Chromium.attributes(share, "g class=\"category\"", "data-name")).containsExactly(worker.getKey());
        assertThat(Chromium.attributes(share, "rect", "data-value")).containsExactly(worker.getValue().path("images").asText());

        // The error table: the broken file, with errors.csv's reason.
        String errors = Chromium.element(dom, "table", "errors-table");
        List<List<String>> errorRows = csv(out.resolve("errors.csv"));
        assertThat(errorRows).singleElement().satisfies(r -> assertThat(r.get(0)).endsWith("broken/Banana/broken.jpg"));
        assertThat(Chromium.attributes(errors, "tr", "data-key")).containsExactly(errorRows.get(0).get(0));
        assertThat(Chromium.cells(errors)).containsExactly(errorRows.get(0).get(0), errorRows.get(0).get(1));

        // Drawn: the scatter's first colour and the bars' fill the screen somewhere.
        BufferedImage pixels = chromium.screenshot(page, 1280, 3200);
        assertThat(Chromium.pixelsNear(pixels, 0x1f77b4)).as("tab10 blue (first label, scree bars, stage bars)")
                .isGreaterThan(300);
        assertThat(Chromium.pixelsNear(pixels, 0xff7f0e)).as("tab10 orange (second label, cumulative line)")
                .isGreaterThan(30);
    }

    /** classify's report.html: accuracy, per-class bars and the confusion matrix as in classifier.json. */
    private static void checkClassifyReport(Chromium chromium, Path out) throws Exception {
        Path folder = out.resolve("classify");
        StringWriter text = new StringWriter();
        int code = Orchard.execute(new PrintWriter(text, true), "classify", "--input", out.toString(), "--multiclass",
                "--train-fraction", "0.5", "--seed", "7", "--output", folder.toString());
        assertThat(code).as(text.toString()).isZero();
        // Said before training starts (a long one-vs-all trained for minutes without a word: a user's walk).
        assertThat(text.toString()).contains("orchard classify: training multiclass over ");
        JsonNode json = JSON.readTree(folder.resolve("classifier.json").toFile());
        Path report = folder.resolve("report.html");
        selfContained(Files.readString(report));
        String dom = chromium.dom(report.toUri().toString());
        JsonNode test = json.path("test");
        assertThat(Chromium.text(dom, "test-accuracy"))
                .isEqualTo(String.format(Locale.ROOT, "%.2f%%", 100 * test.path("accuracy").asDouble()));
        assertThat(Chromium.text(dom, "test-balanced-accuracy"))
                .isEqualTo(String.format(Locale.ROOT, "%.2f%%", 100 * test.path("balancedAccuracy").asDouble()));
        assertThat(Chromium.text(dom, "test-correct")).isEqualTo(test.path("correct").asText() + " / " + test.path("total").asText());
        String matrix = Chromium.element(dom, "svg", "confusion-matrix");
        List<String> cells = Chromium.attributes(matrix, "rect", "data-value");
        JsonNode confusion = test.path("confusion").path("counts");
        assertThat(cells).hasSize(confusion.size() * confusion.size());
        List<String> expected = new ArrayList<>();
        confusion.forEach(row -> row.forEach(v -> expected.add(v.asText())));
        assertThat(cells).isEqualTo(expected);
        String perClass = Chromium.element(dom, "svg", "per-class-chart");
        List<String> values = Chromium.attributes(perClass, "rect", "data-value");
        List<String> fromJson = new ArrayList<>();
        test.path("perClass").forEach(m -> {
            fromJson.add(String.format(Locale.ROOT, "%.3f", m.path("precision").asDouble()));
            fromJson.add(String.format(Locale.ROOT, "%.3f", m.path("recall").asDouble()));
        });
        assertThat(values.stream().map(v -> String.format(Locale.ROOT, "%.3f", Double.parseDouble(v))).toList())
                .isEqualTo(fromJson);
        BufferedImage pixels = chromium.screenshot(report.toUri().toString(), 1200, 2000);
        assertThat(Chromium.pixelsNear(pixels, 0x1f77b4)).as("precision bars drawn").isGreaterThan(100);
    }

    /** Nothing on the page is fetched: no script, no stylesheet or image by URL, no network address but SVG's namespace. */
    private static void selfContained(String html) {
        assertThat(html).doesNotContain("<script", "<link", " src=", "<img", "<iframe", "https://");
        assertThat(html.replace("http://www.w3.org/2000/svg", "")).doesNotContain("http://");
        assertThat(html).contains("Content-Security-Policy");
    }

    /** A CSV file's records after its header. */
    private static List<List<String>> csv(Path file) throws IOException {
        try (var parser = org.apache.commons.csv.CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).get()
                .parse(Files.newBufferedReader(file))) {
            return parser.getRecords().stream().map(r -> r.toList()).toList();
        }
    }

    private static long count(String text, String needle) {
        long n = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
            n++;
        }
        return n;
    }

    private static Path fifo(Path path) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder("mkfifo", path.toString()).inheritIO().start();
        } catch (IOException e) {
            Assumptions.abort("no mkfifo here: " + e.getMessage());
            throw e;
        }
        assertThat(p.waitFor()).as("mkfifo " + path).isZero();
        return path;
    }

    /** Opens a pipe for writing: returns when the worker has opened it to read the image. */
    private static OutputStream open(Path fifo, CompletableFuture<Integer> run, StringWriter messages) throws Exception {
        CompletableFuture<OutputStream> opened = CompletableFuture.supplyAsync(() -> {
            try {
                return Files.newOutputStream(fifo);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, THREADS);
        long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        while (!opened.isDone()) {
            assertThat(run.isDone()).as("the run ended before reading " + fifo + ": " + messages).isFalse();
            assertThat(System.nanoTime()).as("the worker to read " + fifo + ": " + messages).isLessThan(deadline);
            Thread.sleep(20);
        }
        return opened.get();
    }

    private static String awaitUrl(StringWriter messages, CompletableFuture<Integer> run) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (true) {
            Matcher m = URL.matcher(messages.toString());
            if (m.find()) {
                return m.group(1);
            }
            assertThat(run.isDone()).as("the run ended before serving: " + messages).isFalse();
            assertThat(System.nanoTime()).as("the status page's address: " + messages).isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    @FunctionalInterface
    private interface Probe {
        long value() throws Exception;
    }

    /** Polls until the probe turns true (non-zero for conditions), failing if the run ends first or after 2 minutes. */
    private static long await(Probe probe, CompletableFuture<Integer> run, StringWriter messages, String what) throws Exception {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (true) {
            long v = probe.value();
            if (v != 0) {
                return v;
            }
            assertThat(run.isDone()).as("the run ended while waiting for " + what + ": " + messages).isFalse();
            assertThat(System.nanoTime()).as("waiting for " + what + ": " + messages).isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    private static long await(BooleanSupplier condition, CompletableFuture<Integer> run, StringWriter messages,
                              String what) throws Exception {
        return await(() -> condition.getAsBoolean() ? 1 : 0, run, messages, what);
    }

    static HttpResponse<String> get(String url) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    static String scrape(String url) {
        try {
            HttpResponse<String> r = get(url + "metrics");
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
            return r.body();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A counter's value in a scrape ({@code labels} inside the braces, or null for none). */
    static long counter(String scrape, String name, String labels) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + (labels == null ? "" : "\\{" + Pattern.quote(labels) + "\\}")
                + " (\\S+)$").matcher(scrape);
        assertThat(m.find()).as(name + " in /metrics").isTrue();
        return (long) Double.parseDouble(m.group(1));
    }

    @Test
    void aTakenPortIsABadOptionNamingTheFlag() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            JobRun run = JobRun.of(temp.resolve("port-taken"), "run", "--input",
                    JobRun.shared().resolve("data/fruits360-sample").toString(), "--output",
                    temp.resolve("port-taken").toString(), "--model", JobRun.model(), "--http", "127.0.0.1:" + taken.getLocalPort());
            assertThat(run.exitCode()).as(run.messages()).isEqualTo(2);
            assertThat(run.messages()).contains("--http 127.0.0.1:" + taken.getLocalPort(), "cannot listen there", "--no-http");
        }
        JobRun both = JobRun.of(temp.resolve("x"), "run", "--input", "x", "--output", "y", "--http", "127.0.0.1:0", "--no-http");
        assertThat(both.exitCode()).isEqualTo(2);
        assertThat(both.messages()).contains("--http and --no-http");
        JobRun bad = JobRun.of(temp.resolve("x"), "run", "--input", "x", "--output", "y", "--http", "localhost");
        assertThat(bad.exitCode()).isEqualTo(2);
        assertThat(bad.messages()).contains("--http 'localhost' must be HOST:PORT");
    }
}
