package dev.orchard.classify;

import dev.orchard.classify.Evaluation.ClassMetrics;
import dev.orchard.report.BarChart;
import dev.orchard.report.Heatmap;
import dev.orchard.report.HtmlPage;
import dev.orchard.report.HtmlPage.Fact;
import dev.orchard.report.Palette;
import dev.orchard.report.XyChart;
import dev.orchard.store.Printable;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code report.html} beside {@code classifier.json}: accuracy, per-class precision and recall on the test images,
 * the confusion matrix, and the cross-validation curve when {@code --cv} chose C. The numbers are the report's, the
 * same that {@code classifier.json} holds.
 */
final class ClassifyReportPage {
    static final String FILE = dev.orchard.store.OutputLayout.CLASSIFY_REPORT;

    private ClassifyReportPage() {
    }

    static String render(ClassifyReport report) {
        ClassifyOptions o = report.options();
        Evaluation test = report.test();
        HtmlPage page = new HtmlPage("Orchard classify report: " + Printable.escaped(String.valueOf(report.output())));
        page.h1("Orchard classify report");
        String what = o.mode() instanceof Mode.Pair p ? "pair " + Printable.escaped(p.first()) + " vs "
                + Printable.escaped(p.second())
                : o.mode().name() + " over " + report.classes().size() + " classes";
        page.subtitle(what + " — " + o.learner().description() + " on " + o.use().column() + " (" + report.dimension()
                + "-d) — " + Printable.escaped(String.valueOf(o.input())) + " → " + Printable.escaped(String.valueOf(report.output())));
        page.facts(List.of(
                new Fact("test-accuracy", "test accuracy", percent(test.accuracy())),
                new Fact("test-balanced-accuracy", "test balanced accuracy", percent(test.balancedAccuracy())),
                new Fact("train-accuracy", "train accuracy", percent(report.train().accuracy())),
                new Fact("test-correct", "test images right", test.correct() + " / " + test.total()),
                new Fact("classes", "classes", String.valueOf(report.classes().size())),
                new Fact("train-images", "training images", String.valueOf(report.train().total())),
                new Fact("cost", "C", report.options().hasCost() ? ReportText.cost(report.cost())
                        : "none (SGD)")));
        page.note("Model: " + report.model() + ". Split: " + o.split() + ", seed " + o.seed() + "."
                + (report.unlabelled() > 0 ? " " + report.unlabelled() + " unlabelled images left out." : ""));

        page.h2("per-class", "Precision and recall per class (test images)");
        BarChart bars = new BarChart("per-class-chart", "Precision and recall per class on the test images", "share",
                "precision", "recall").max(1).decimals(3);
        List<List<String>> rows = new ArrayList<>();
        for (ClassMetrics m : test.perClass()) {
            String label = Printable.escaped(m.label());
            bars.category(label, m.precision(), m.recall());
            rows.add(List.of(label, String.valueOf(m.support()), String.valueOf(m.predicted()),
                    String.valueOf(m.truePositives()),
                    m.precisionDefined() ? number(m.precision()) : ReportText.NOT_DEFINED,
                    m.recallDefined() ? number(m.recall()) : ReportText.NOT_DEFINED));
        }
        page.chart(bars.svg());
        page.table("per-class-table", List.of("class", "test images", "predicted as it", "right", "precision", "recall"),
                rows);

        page.h2("confusion", "Confusion matrix (test images)");
        page.chart(new Heatmap("confusion-matrix", "Confusion matrix: true class (rows) against predicted class (columns)",
                "true class", "predicted class").svg(test.classes().stream().map(Printable::escaped).toList(), test.confusion()));
        page.note("Each cell counts the test images of its row's class predicted as its column's; its shade is its share"
                + " of the row (blue: right, red: wrong).");

        if (report.crossValidation() != null) {
            CrossValidation.Result cv = report.crossValidation();
            double[] x = new double[cv.curve().size()];
            double[] mean = new double[x.length];
            double[] balanced = new double[x.length];
            for (int i = 0; i < x.length; i++) {
                CrossValidation.Point p = cv.curve().get(i);
                x[i] = Math.log10(p.cost());
                mean[i] = p.meanAccuracy();
                balanced[i] = p.meanBalancedAccuracy();
            }
            page.h2("cross-validation", "Cross-validation (" + cv.plan().folds() + " folds of the training images)");
            page.chart(new XyChart("cv-curve", "Mean accuracy over the folds against C", "log10 C", "mean accuracy")
                    .size(480, 240)
                    .add(new XyChart.Series("accuracy", x, mean, XyChart.Style.LINE, Palette.colour(0)))
                    .add(new XyChart.Series("balanced accuracy", x, balanced, XyChart.Style.LINE, Palette.colour(1)))
                    .svg());
            page.note("C chosen: " + ReportText.cost(cv.chosen()) + " (the highest mean accuracy; ties to the smaller C).");
        }
        page.note("classifier.json beside this file holds the same numbers; predictions.parquet every image's"
                + " prediction.");
        return page.render() + TrainingFolder.REPORT_MARKER;
    }

    private static String percent(double share) {
        return String.format(Locale.ROOT, "%.2f%%", 100 * share);
    }

    private static String number(double v) {
        return String.format(Locale.ROOT, "%.3f", v);
    }
}
