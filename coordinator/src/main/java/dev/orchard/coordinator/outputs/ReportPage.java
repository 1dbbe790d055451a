package dev.orchard.coordinator.outputs;

import dev.orchard.coordinator.JobTimeline;
import dev.orchard.protocol.ImageError;
import dev.orchard.report.BarChart;
import dev.orchard.report.HtmlPage;
import dev.orchard.report.HtmlPage.Fact;
import dev.orchard.report.Markup;
import dev.orchard.report.Palette;
import dev.orchard.report.XyChart;
import dev.orchard.store.Printable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code report.html}: the job's {@code _SUCCESS} facts as a page one can look at — the first two principal
 * components coloured by label, the scree and cumulative explained variance, images/s over time, time per phase and
 * per pipeline stage, each worker's share, and the errors. Every number on it is read from the same map that
 * {@code _SUCCESS} is written from, so the two never disagree.
 */
final class ReportPage {
    /** Errors listed on the page; errors.csv has them all. */
    static final int ERRORS_SHOWN = 100;
    static final String NO_LABEL = "(no label)";

    private ReportPage() {
    }

    static String render(JobOutputs.Report report, PcaSample sample, List<ImageError> sortedErrors) {
        Map<String, Object> s = report.success();
        String output = Printable.escaped(String.valueOf(s.get("output")));
        HtmlPage page = new HtmlPage("Orchard report: " + output);
        page.h1("Orchard job report");
        Map<String, Object> model = map(s, "model");
        page.subtitle(output + " — job " + s.get("job") + " — model " + Printable.escaped(String.valueOf(model.get("spec")))
                + " (tensor "
                + model.get("featureTensor") + ", SHA-256 " + abbreviate(String.valueOf(model.get("sha256"))) + ")");

        Map<String, Object> counts = map(s, "counts");
        Map<String, Object> seconds = map(s, "seconds");
        Map<String, Object> pca = map(s, "pca");
        Map<String, Object> workers = map(s, "workers");
        double total = number(seconds, "total");
        // What this run featurised itself (a report written before "featurised" was counted: every image).
        double featurised = counts.containsKey("featurised") ? number(counts, "featurised") : number(counts, "images");
        List<Fact> facts = new ArrayList<>(List.of(
                new Fact("images", "images", text(counts.get("images"))),
                new Fact("rows", "rows written", text(counts.get("rows"))),
                new Fact("errors", "errors", text(counts.get("errors"))),
                new Fact("units", "work units", text(counts.get("units"))),
                new Fact("parts", "Parquet parts", text(counts.get("parts"))),
                // Not the summary line's seconds (to the job's end): the report is written before its end, so
                // a few tenths less (12.28 s where the summary said 12.7, and 49.3 images/s beside its 47.9).
                new Fact("seconds-total", "seconds, from the start to these outputs", text(seconds.get("total"))),
                new Fact("images-per-second", "images/s over those seconds",
                        Markup.number(total > 0 ? featurised / total : 0, 1)),
                new Fact("worker-count", "workers", String.valueOf(workers.size()))));
        if (featurised != number(counts, "images")) { // resumed, or an update: the rate is of this run's images
            facts.add(1, new Fact("featurised", "featurised by this run", text(counts.get("featurised"))));
        }
        Map<String, Object> update = map(s, "update");
        if (!update.isEmpty()) {
            facts.add(new Fact("update", "update from generation " + text(update.get("from")),
                    "added " + text(update.get("added")) + ", changed " + text(update.get("changed")) + ", removed "
                            + text(update.get("removed")) + ", retried " + text(update.get("retried")) + ", unchanged "
                            + text(update.get("unchanged")) + (number(update, "keptUnlisted") > 0 ? ", kept below folders"
                            + " that could not be listed " + text(update.get("keptUnlisted")) : "")));
        }
        Map<String, Object> projection = map(s, "sparseRandomProjection");
        if (!projection.isEmpty()) { // srp+pca read as a PCA of the CNN's own features (a walk)
            facts.add(new Fact("projection", "sparse random projection", "to " + text(projection.get("dim"))
                    + " dimensions, seed " + text(projection.get("seed"))));
        }
        if (!pca.isEmpty()) {
            facts.add(new Fact("pca-k", "PCA components (k)", text(pca.get("k"))));
            facts.add(new Fact("explained-variance", "variance explained",
                    String.format(Locale.ROOT, "%.1f%%", 100 * number(pca, "explainedVariance"))));
        }
        page.facts(facts);

        pcaSection(page, report, sample);
        throughputSection(page, report.throughput());
        timeSection(page, seconds, map(s, "stageSeconds"));
        workersSection(page, workers);
        errorsSection(page, counts, sortedErrors);
        Map<String, Object> versions = map(s, "versions");
        page.note("Written by Orchard " + versions.get("orchard") + " (build " + versions.get("build") + ") before"
                + " _SUCCESS; the same numbers are in _SUCCESS (JSON), pca-model.json and errors.csv beside this file."
                + (versions.get("builds") instanceof List<?> builds && builds.size() > 1
                        ? " Its rows were made by more than one Orchard build: " + builds.stream().map(String::valueOf)
                                .collect(java.util.stream.Collectors.joining(", ")) + "." : ""));
        return page.render();
    }

    private static void pcaSection(HtmlPage page, JobOutputs.Report report, PcaSample sample) {
        double[] ratio = report.explainedVarianceRatio();
        if (ratio == null) {
            page.h2("pca", "Principal components");
            Map<String, Object> projection = map(report.success(), "sparseRandomProjection");
            page.note("This job has no PCA (--reduce srp)" + (projection.isEmpty() ? "." : ": its features/ hold the rows"
                    + " projected to " + text(projection.get("dim")) + " dimensions (seed " + text(projection.get("seed"))
                    + ")."));
            return;
        }
        page.h2("pca", "First two principal components");
        List<PcaSample.Point> points = sample == null ? List.of() : sample.points();
        if (ratio.length < 2) {
            page.note("k = 1: there is no second component to plot against the first.");
        } else if (points.isEmpty()) {
            page.note("No rows to plot.");
        } else {
            Map<String, Integer> counts = new LinkedHashMap<>();
            for (PcaSample.Point p : points) {
                counts.merge(label(p), 1, Integer::sum);
            }
            Map<String, String> colours = Palette.assign(counts, Palette.SIZE);
            Map<String, List<PcaSample.Point>> groups = new LinkedHashMap<>();
            for (String label : colours.keySet()) {
                String group = colours.get(label).equals(Palette.OTHER_COLOUR) ? Palette.OTHER : label;
                groups.computeIfAbsent(group, g -> new ArrayList<>());
            }
            for (PcaSample.Point p : points) {
                String label = label(p);
                groups.get(colours.get(label).equals(Palette.OTHER_COLOUR) ? Palette.OTHER : label).add(p);
            }
            XyChart scatter = new XyChart("pca-scatter", "PC1 against PC2, coloured by label",
                    String.format(Locale.ROOT, "PC1 (%.1f%% of variance)", 100 * ratio[0]),
                    String.format(Locale.ROOT, "PC2 (%.1f%% of variance)", 100 * ratio[1]))
                    .size(560, 460).pointRadius(points.size() > 2000 ? 1.8 : 2.6).legend(true);
            for (Map.Entry<String, List<PcaSample.Point>> g : groups.entrySet()) {
                List<PcaSample.Point> members = g.getValue();
                double[] x = new double[members.size()];
                double[] y = new double[members.size()];
                for (int i = 0; i < x.length; i++) {
                    x[i] = members.get(i).x();
                    y[i] = members.get(i).y();
                }
                String colour = g.getKey().equals(Palette.OTHER) ? Palette.OTHER_COLOUR : colours.get(g.getKey());
                scatter.add(new XyChart.Series(g.getKey(), x, y, XyChart.Style.POINTS, colour, String.valueOf(x.length)));
            }
            page.chart(scatter.svg());
            // Unlabelled rows are a group of the plot, not a label: counted apart.
            int labels = counts.size() - (counts.containsKey(NO_LABEL) ? 1 : 0);
            String labelled = labels + (labels == 1 ? " label" : " labels")
                    + (counts.containsKey(NO_LABEL) ? ", " + counts.get(NO_LABEL) + " of them unlabelled" : "") + ".";
            page.note(points.size() == sample.seen()
                    ? "All " + points.size() + " rows, " + labelled
                    : points.size() + " of " + sample.seen() + " rows, chosen by a hash of their path (the same rows"
                            + " every time), " + labelled);
        }
        double[] x = new double[ratio.length];
        double[] cumulative = new double[ratio.length];
        double sum = 0;
        for (int i = 0; i < ratio.length; i++) {
            x[i] = i + 1;
            sum += ratio[i];
            cumulative[i] = sum;
        }
        page.h2("scree", "Explained variance");
        page.chart(new XyChart("scree", "Explained variance ratio per component, and cumulative", "component",
                "share of the variance")
                .size(560, 280).yRange(0, 1)
                .add(new XyChart.Series("per component", x, ratio.clone(), XyChart.Style.BARS, Palette.colour(0)))
                .add(new XyChart.Series("cumulative", x, cumulative, XyChart.Style.LINE, Palette.colour(1)))
                .svg());
    }

    private static void throughputSection(HtmlPage page, List<JobTimeline.Sample> samples) {
        page.h2("throughput", "Images per second");
        double[][] rates = JobTimeline.rates(samples, 5);
        if (rates[0].length < 2) {
            page.note("The job was too short to plot its rate (fewer than two one-second samples).");
            return;
        }
        page.chart(new XyChart("throughput", "Images per second over time (5 s average)",
                "seconds since the coordinator started", "images/s")
                .size(560, 240).xFrom(0).yFrom(0)
                .add(new XyChart.Series("images/s", rates[0], rates[1], XyChart.Style.LINE, Palette.colour(0)))
                .svg());
    }

    private static void timeSection(HtmlPage page, Map<String, Object> seconds, Map<String, Object> stages) {
        page.h2("time", "Time per phase and per stage");
        BarChart phases = new BarChart("phase-seconds", "Wall-clock seconds per phase", "seconds").decimals(2);
        List<String> names = new ArrayList<>(List.of("features", "solve", "publish", "finish"));
        seconds.keySet().stream().sorted().filter(n -> !names.contains(n) && !n.equals("total")).forEach(names::add);
        for (String name : names) {
            if (seconds.get(name) instanceof Number n) {
                phases.category(name, n.doubleValue());
            }
        }
        BarChart pipeline = new BarChart("stage-seconds", "Seconds per pipeline stage, summed over every thread",
                "seconds (summed over threads)").decimals(2);
        for (String stage : List.of("list", "read", "decode", "preprocess", "infer", "statistics", "write")) {
            if (stages.get(stage) instanceof Number n) {
                pipeline.category(stage, n.doubleValue());
            }
        }
        page.charts(phases.svg(), pipeline.svg());
        page.note("Phases are wall-clock time; pipeline stages add up the time of every thread on every worker, so"
                + " they exceed the wall clock when stages overlap. infer is ONNX Runtime's time.");
    }

    private static void workersSection(HtmlPage page, Map<String, Object> workers) {
        page.h2("workers", "Workers");
        if (workers.isEmpty()) {
            page.note("No worker reported to this coordinator.");
            return;
        }
        BarChart share = new BarChart("worker-images", "Images per worker", "images").decimals(0);
        List<List<String>> rows = new ArrayList<>();
        workers.forEach((id, value) -> {
            Map<String, Object> w = asMap(value);
            share.category(id, number(w, "images"));
            rows.add(List.of(id, Printable.escaped(text(w.get("host"))), text(w.get("assigned")), text(w.get("won")), text(w.get("images"))));
        });
        page.chart(share.svg());
        page.table("workers-table", List.of("worker", "host", "attempts assigned", "attempts won", "images"), rows);
    }

    private static void errorsSection(HtmlPage page, Map<String, Object> counts, List<ImageError> errors) {
        page.h2("errors", "Errors");
        long count = (long) number(counts, "errors");
        if (count == 0) {
            page.note("No errors: every image listed was read, decoded and written.");
            return;
        }
        List<List<String>> rows = new ArrayList<>();
        for (ImageError e : errors.subList(0, Math.min(ERRORS_SHOWN, errors.size()))) {
            rows.add(List.of(Printable.escaped(e.path()), Printable.escaped(e.reason())));
        }
        // errors.csv also lists what the listing skipped (a link not followed, a folder it cannot read): no image.
        page.note(count + (count == 1 ? " entry" : " entries") + " in errors.csv (images that could not be used, and"
                + " what the listing skipped)" + (count > ERRORS_SHOWN ? "; the first " + ERRORS_SHOWN
                + " by path below, all of them in errors.csv." : "; all of them below and in errors.csv."));
        page.table("errors-table", List.of("path", "reason"), rows);
    }

    /** A point's label as the page shows it: escaped as Orchard prints it (a right-to-left override in a folder name
     * reversed the legend's text, its newlines were collapsed by the browser into spaces). */
    private static String label(PcaSample.Point p) {
        return p.label() == null || p.label().isEmpty() ? NO_LABEL : Printable.escaped(p.label());
    }

    private static String abbreviate(String sha) {
        return sha.length() > 12 ? sha.substring(0, 12) + "…" : sha;
    }

    /** A value as _SUCCESS writes it (12.5, not 12.500). */
    private static String text(Object value) {
        return value instanceof Double d && Double.isFinite(d)
                ? java.math.BigDecimal.valueOf(d).stripTrailingZeros().toPlainString() : String.valueOf(value);
    }

    private static double number(Map<String, Object> map, String key) {
        return map.get(key) instanceof Number n ? n.doubleValue() : 0;
    }

    private static Map<String, Object> map(Map<String, Object> map, String key) {
        return asMap(map.get(key));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> asMap(Object value) {
        return value instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }
}
