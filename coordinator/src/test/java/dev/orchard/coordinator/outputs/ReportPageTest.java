package dev.orchard.coordinator.outputs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orchard.coordinator.JobTimeline;
import dev.orchard.protocol.ImageError;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** report.html from a job's _SUCCESS facts: the numbers shown are those facts; the plots hold the data given. */
class ReportPageTest {

    @Test
    void theFactsAreTheSuccessFilesNumbersAndEveryPlotHasItsData() {
        PcaSample sample = new PcaSample(PcaSample.MAX_POINTS);
        for (int i = 0; i < 300; i++) {
            sample.offer("/in/" + (i % 3 == 0 ? "Kiwi" : "Apple") + "/" + i + ".jpg", i % 3 == 0 ? "Kiwi" : "Apple",
                    new float[] {i, -i, 1});
        }
        JobTimeline timeline = new JobTimeline();
        for (int t = 0; t < 10; t++) {
            timeline.record(t, 30L * t, 0);
        }
        List<ImageError> errors = new ArrayList<>();
        for (int i = 0; i < 150; i++) {
            errors.add(new ImageError(String.format("/in/bad/%03d.jpg", i), "cannot decode: <not a JPEG>"));
        }
        String html = ReportPage.render(new JobOutputs.Report(success(300, 150), new double[] {0.5, 0.25, 0.125},
                timeline.samples()), sample, errors);

        assertThat(text(html, "images")).isEqualTo("450");
        assertThat(text(html, "rows")).isEqualTo("300");
        assertThat(text(html, "errors")).isEqualTo("150");
        assertThat(text(html, "seconds-total")).isEqualTo("12.5");
        assertThat(text(html, "images-per-second")).isEqualTo("36");
        assertThat(text(html, "explained-variance")).isEqualTo("87.5%");
        assertThat(text(html, "worker-count")).isEqualTo("2");
        assertThat(values(html, "class=\"series points\" data-name")).containsExactly("Apple", "Kiwi");
        assertThat(values(html, "class=\"series points\" data-name=\"Apple\" data-points")).containsExactly("200");
        assertThat(values(html, "class=\"series points\" data-name=\"Kiwi\" data-points")).containsExactly("100");
        assertThat(values(html, "class=\"series bars\" data-name=\"per component\" data-points")).containsExactly("3");
        assertThat(html).contains("id=\"throughput\"", "id=\"stage-seconds\"", "id=\"phase-seconds\"", "id=\"worker-images\"");
        // the first 100 errors by path, and the count
        assertThat(values(html, "tr data-key")).filteredOn(k -> k.startsWith("/in/bad/")).hasSize(ReportPage.ERRORS_SHOWN)
                .startsWith("/in/bad/000.jpg").endsWith("/in/bad/099.jpg");
        assertThat(html).contains("150 entries in errors.csv (images that could not be used, and what the listing skipped); the first 100", "&lt;not a JPEG&gt;");
    }

    @Test
    void namesFromTheInputAreShownAsOrchardPrintsThem() {
        // A right-to-left override in a folder name reversed the legend ("Kiwi\u202egpj.exe" showed as Kiwiexe.jpg),
        // and a newline in it was collapsed by the browser into a space: shown escaped, as the terminal shows them.
        PcaSample sample = new PcaSample(PcaSample.MAX_POINTS);
        for (int i = 0; i < 20; i++) {
            String label = i % 2 == 0 ? "Kiwi\u202egpj.exe" : "two\nlines";
            sample.offer("/in/" + label + "/" + i + ".jpg", label, new float[] {i, -i, 1});
        }
        List<ImageError> errors = List.of(new ImageError("/in/\u202egpj.exe", "cannot decode:\nline two"));
        String html = ReportPage.render(new JobOutputs.Report(success(20, 1), new double[] {0.5, 0.25, 0.125},
                List.of()), sample, errors);
        assertThat(values(html, "class=\"series points\" data-name")).containsExactlyInAnyOrder("Kiwi\\u202egpj.exe",
                "two\\nlines");
        assertThat(html).contains("/in/\\u202egpj.exe", "cannot decode:\\nline two").doesNotContain("\u202e");
    }

    @Test
    void aJobWithoutPcaOrLabelsSaysSo() {
        Map<String, Object> success = success(10, 0);
        success.remove("pca");
        String html = ReportPage.render(new JobOutputs.Report(success, null, List.of()), null, List.of());
        assertThat(html).contains("This job has no PCA", "too short to plot its rate", "No errors").doesNotContain("id=\"pca-k\"");

        PcaSample unlabelled = new PcaSample(10);
        unlabelled.offer("/a.jpg", null, new float[] {1, 2});
        unlabelled.offer("/b.jpg", null, new float[] {2, 1});
        String page = ReportPage.render(new JobOutputs.Report(success(2, 0), new double[] {0.6, 0.4}, List.of()), unlabelled, List.of());
        assertThat(values(page, "class=\"series points\" data-name")).containsExactly(ReportPage.NO_LABEL);
        assertThat(page).contains("All 2 rows, 0 labels, 2 of them unlabelled.").doesNotContain("1 labels");
    }

    /** A projected job's page names the projection (srp+pca read as a PCA of the CNN's own features: a walk). */
    @Test
    void aProjectedJobsPageNamesItsProjection() {
        Map<String, Object> success = success(10, 0);
        success.put("sparseRandomProjection", Map.of("dim", 2048, "seed", 7));
        String html = ReportPage.render(new JobOutputs.Report(success, new double[] {0.6, 0.4}, List.of()), null, List.of());
        assertThat(text(html, "projection")).isEqualTo("to 2048 dimensions, seed 7");
        success.remove("pca");
        assertThat(ReportPage.render(new JobOutputs.Report(success, null, List.of()), null, List.of()))
                .contains("This job has no PCA (--reduce srp): its features/ hold the rows projected to 2048 dimensions"
                        + " (seed 7).");
        assertThat(ReportPage.render(new JobOutputs.Report(success(10, 0), new double[] {0.6, 0.4}, List.of()), null,
                List.of())).doesNotContain("id=\"projection\"");
    }

    @Test
    void theScatterSampleDependsOnlyOnThePathsAndKeepsAtMostItsSize() {
        List<String> paths = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            paths.add("s3://bucket/images/" + i + ".jpg");
        }
        PcaSample forward = new PcaSample(PcaSample.MAX_POINTS);
        paths.forEach(p -> forward.offer(p, "x", new float[] {1, 2}));
        List<String> shuffled = new ArrayList<>(paths);
        Collections.shuffle(shuffled, new java.util.Random(7));
        PcaSample other = new PcaSample(PcaSample.MAX_POINTS);
        shuffled.forEach(p -> other.offer(p, "x", new float[] {1, 2}));
        assertThat(forward.points()).hasSize(PcaSample.MAX_POINTS);
        assertThat(forward.seen()).isEqualTo(20_000);
        assertThat(forward.points().stream().map(PcaSample.Point::path).toList())
                .isEqualTo(other.points().stream().map(PcaSample.Point::path).toList());
        // every part of the input keeps about its share (the hash does not favour a prefix)
        long firstHalf = forward.points().stream().filter(p -> Integer.parseInt(p.path().replaceAll(".*/(\\d+)\\.jpg", "$1")) < 10_000).count();
        assertThat(firstHalf).isBetween(2_250L, 2_750L);
    }

    @Test
    void theTimelineStaysBoundedAndEvenlySpaced() {
        JobTimeline t = new JobTimeline(8);
        for (int s = 0; s < 100; s++) {
            t.record(s, s * 10L, 0);
        }
        List<JobTimeline.Sample> samples = t.samples();
        assertThat(samples.size()).isBetween(4, 8);
        for (int i = 1; i < samples.size(); i++) {
            assertThat(samples.get(i).seconds() - samples.get(i - 1).seconds()).isEqualTo(16);
        }
        t.end(100.5, 1000, 0);
        assertThat(t.samples().get(t.samples().size() - 1)).isEqualTo(new JobTimeline.Sample(100.5, 1000, 0));
        double[][] rates = JobTimeline.rates(t.samples().subList(0, 3), 1);
        assertThat(rates[1]).containsExactly(10, 10);
    }

    /**
     * A lost worker's finished units are taken back, and the images done fell (2,176 → 1,920 in a walk): the plot
     * dipped to -25 images/s, on an axis from -50. The rate is of new images: 0 while the lost work is redone.
     */
    @Test
    void theRateNeverGoesBelowZeroWhenALostWorkersUnitsAreTakenBack() {
        JobTimeline t = new JobTimeline();
        long[] done = {0, 100, 200, 300, 44, 144, 244, 344, 444};
        for (int s = 0; s < done.length; s++) {
            t.record(s, done[s], 0);
        }
        double[][] rates = JobTimeline.rates(t.samples(), 1);
        assertThat(rates[1]).containsExactly(100, 100, 100, 0, 0, 0, 44, 100);
        String html = ReportPage.render(new JobOutputs.Report(success(444, 0), new double[] {0.5, 0.25, 0.125},
                t.samples()), new PcaSample(PcaSample.MAX_POINTS), List.of());
        String chart = html.substring(html.indexOf("id=\"throughput\""));
        List<String> ticks = Pattern.compile("class=\"tick\">([^<]*)<").matcher(chart.substring(0, chart.indexOf("</svg>")))
                .results().map(r -> r.group(1)).toList();
        assertThat(ticks).as("the throughput plot's tick labels").isNotEmpty().noneMatch(tick -> tick.startsWith("-"));
    }

    private static Map<String, Object> success(long rows, long errors) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("job", "job-1");
        s.put("output", "/out");
        s.put("counts", Map.of("images", rows + errors, "rows", rows, "errors", (int) errors, "units", 3, "parts", 1));
        s.put("model", Map.of("location", "m.onnx", "sha256", "ab".repeat(32), "spec", "mobilenetv2", "featureTensor", "464"));
        s.put("pca", Map.of("k", 3, "dim", 1280, "explainedVariance", 0.875, "sha256", "cd".repeat(32)));
        s.put("seconds", Map.of("features", 10.0, "solve", 1.0, "publish", 1.0, "total", 12.5));
        s.put("stageSeconds", Map.of("list", 0.1, "read", 1.0, "decode", 2.0, "preprocess", 1.5, "infer", 20.0,
                "statistics", 0.5, "write", 1.0));
        Map<String, Object> workers = new LinkedHashMap<>();
        workers.put("w1", Map.of("host", "10.0.0.6", "assigned", 2, "won", 2, "images", 250));
        workers.put("w2", Map.of("host", "10.0.0.7", "assigned", 1, "won", 1, "images", 200));
        s.put("workers", workers);
        s.put("versions", Map.of("orchard", "test"));
        return s;
    }

    private static String text(String html, String id) {
        Matcher m = Pattern.compile("id=\"" + Pattern.quote(id) + "\">([^<]*)<").matcher(html);
        assertThat(m.find()).as("#" + id).isTrue();
        return m.group(1);
    }

    private static List<String> values(String text, String attribute) {
        return Pattern.compile(Pattern.quote(attribute) + "=\"([^\"]*)\"").matcher(text).results().map(r -> r.group(1)).toList();
    }
}
