package dev.orchard.classify;

import dev.orchard.classify.ClassifyReport.ClassCount;
import dev.orchard.classify.Evaluation.ClassMetrics;
import dev.orchard.store.DisplayWidth;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/** The report as a person reads it in a terminal: summary, per-class table, confusion matrix. */
public final class ReportText {
    /** Past this many classes a full matrix is too wide for a terminal: the largest confusions are listed instead. */
    private static final int MATRIX_MAX_CLASSES = 30;
    private static final int TOP_CONFUSIONS = 20;
    private static final int NAME_MAX = 40;

    private ReportText() {
    }

    public static String format(ClassifyReport report) {
        ClassifyOptions o = report.options();
        StringBuilder s = new StringBuilder();
        String what = o.mode() instanceof Mode.Pair p ? "pair '" + p.first() + "' vs '" + p.second() + "'"
                : o.mode().name() + " over " + report.classes().size() + " classes";
        line(s, "%s · %s on %s (%d-d), seed %d", what, o.learner().description(), o.use().column(),
                report.dimension(), o.seed());
        line(s, "  model: %s", report.model());
        line(s, "  split: %s → %d train, %d test images%s", o.split(), report.train().total(), report.test().total(),
                report.unlabelled() > 0 ? " (" + report.unlabelled() + " unlabelled images left out)" : "");
        if (report.crossValidation() != null) {
            crossValidation(s, report.crossValidation(), o.seed());
        }
        line(s, "  test accuracy %.2f %% (%d / %d), balanced %.2f %%    train accuracy %.2f %%, balanced %.2f %%",
                100 * report.test().accuracy(), report.test().correct(), report.test().total(),
                100 * report.test().balancedAccuracy(), 100 * report.train().accuracy(),
                100 * report.train().balancedAccuracy());
        ClassifyReport.Timings t = report.timings();
        line(s, "  time: read %.2f s, %strain %.2f s, predict %.2f s, export %.2f s, write %.2f s", t.readMillis() / 1e3,
                report.crossValidation() == null ? "" : String.format(Locale.ROOT, "cross-validation %.2f s, ",
                        t.crossValidationMillis() / 1e3),
                t.trainMillis() / 1e3, t.predictMillis() / 1e3, t.exportMillis() / 1e3, t.writeMillis() / 1e3);
        s.append('\n');
        perClass(s, report);
        s.append('\n');
        if (report.test().classes().size() <= MATRIX_MAX_CLASSES) {
            matrix(s, report.test());
        } else {
            topConfusions(s, report.test());
        }
        s.append('\n');
        OnnxExport.Exported onnx = report.onnx();
        line(s, "  classifier.onnx reads %s (%d-d)%s; ONNX Runtime's scores equal the Java model's within %.1e on all"
                + " %d images", o.use().column(), report.dimension(), onnx.input().features() == null
                ? " (no _SUCCESS in the input: the feature model is not recorded)" : "", onnx.maxScoreDifference(),
                onnx.rowsChecked());
        line(s, "  wrote %s/predictions.parquet, classifier.onnx, classifier.json and report.html", report.output());
        return s.toString();
    }

    private static void crossValidation(StringBuilder s, CrossValidation.Result cv, long seed) {
        int held = 0;
        for (int size : cv.foldSizes()) {
            held += size;
        }
        line(s, "  cross-validation: %d stratified folds of the %d training images (seed %d); C with the highest mean"
                + " accuracy", cv.plan().folds(), held, seed);
        line(s, "  %12s  %-20s  %s", "C", "accuracy (mean ± sd)", "balanced accuracy");
        for (CrossValidation.Point p : cv.curve()) {
            line(s, "  %12s  %6.2f ± %5.2f %%        %6.2f ± %5.2f %%%s", cost(p.cost()), 100 * p.meanAccuracy(),
                    100 * p.sdAccuracy(), 100 * p.meanBalancedAccuracy(), 100 * p.sdBalancedAccuracy(),
                    p.cost() == cv.chosen() ? "   ← chosen" : "");
        }
    }

    /** 0.001, 1, 1000: as short as the value allows. */
    static String cost(double c) {
        return java.math.BigDecimal.valueOf(c).stripTrailingZeros().toPlainString();
    }

    /** What --apply did: how many images, which classes they went to, and agreement with the job's labels. */
    public static String format(ApplyReport report) {
        StringBuilder s = new StringBuilder();
        line(s, "%s labelled %d images of %s from their %s (%d-d) in %.2f s", report.options().classifier(),
                report.images(), report.options().input(), report.vectors(), report.dimension(), report.millis() / 1e3);
        line(s, "  checked: %s%s", report.vectors().equals("pca") ? "the PCA model (SHA-256 of pca-model.json), "
                : "", report.featureSourceChecked() ? "the CNN, " + (report.preprocessingChecked() ? "preprocessing, "
                : "") + "feature tensor and projection (from _SUCCESS), dimension" + (report.preprocessingChecked() ? ""
                : " (not the preprocessing: the classifier or the output was made by an Orchard that did not record it)")
                : "dimension only (the feature model is not recorded in the classifier or the output's _SUCCESS)");
        if (report.known() != null) {
            Evaluation k = report.known();
            line(s, "  against the job's labels: accuracy %.2f %% (%d / %d), balanced %.2f %%", 100 * k.accuracy(),
                    k.correct(), k.total(), 100 * k.balancedAccuracy());
            if (report.trainedOnInput()) {
                line(s, "  (the classifier was trained on this output: its training images are among these, so this is not"
                        + " a held-out figure%s)", Double.isNaN(report.recordedTestAccuracy()) ? ""
                        : String.format(java.util.Locale.ROOT, "; on its test images it scored %.2f %%",
                                100 * report.recordedTestAccuracy()));
            }
        }
        if (report.unlabelled() > 0 || report.otherLabels() > 0) {
            line(s, "  not compared: %d unlabelled images, %d with a label the classifier does not know",
                    report.unlabelled(), report.otherLabels());
        }
        int w = nameWidth(new ArrayList<>(report.predictedCounts().keySet()));
        boolean notAllCompared = report.known() != null && report.known().total() < report.images();
        line(s, "  %s  predicted%s", cell("class", w), report.known() != null ? "  precision  recall" : "");
        int c = 0;
        for (var e : report.predictedCounts().entrySet()) {
            if (report.known() != null) {
                ClassMetrics m = report.known().perClass().get(c);
                line(s, "  %s  %9d    %7s  %7s", cell(e.getKey(), w), e.getValue(), precision(m), recall(m));
            } else {
                line(s, "  %s  %9d", cell(e.getKey(), w), e.getValue());
            }
            c++;
        }
        if (notAllCompared) {
            // "Banana 22 predicted, precision 100 %": 20 bananas, and a cat and an unlabelled image (a user's walk).
            line(s, "  (predicted: of all %d images; precision and recall: of the %d compared)", report.images(),
                    report.known().total());
        }
        line(s, "  wrote %s (path, label, predicted, score: a %s)", report.output(), report.scoreMeaning());
        return s.toString();
    }

    private static void perClass(StringBuilder s, ClassifyReport report) {
        int w = nameWidth(report.test().classes());
        line(s, "  %s  train  test  precision  recall", cell("class", w));
        for (int c = 0; c < report.classes().size(); c++) {
            ClassCount count = report.classes().get(c);
            ClassMetrics m = report.test().perClass().get(c);
            line(s, "  %s  %5d %5d    %7s  %7s", cell(count.label(), w), count.train(), count.test(),
                    precision(m), recall(m));
        }
    }

    /**
     * What the console and report.html show for a precision or recall that is 0 / 0 (which classifier.json holds as
     * 0, scikit-learn's default), rather than a 0.0 % that reads as a measured failure.
     */
    static final String NOT_DEFINED = "n/a";

    /** A class's precision as text, {@link #NOT_DEFINED} where no compared image was predicted as it. */
    static String precision(ClassMetrics m) {
        return m.precisionDefined() ? percent(m.precision()) : NOT_DEFINED;
    }

    /** A class's recall as text, {@link #NOT_DEFINED} where no compared image has it. */
    static String recall(ClassMetrics m) {
        return m.recallDefined() ? percent(m.recall()) : NOT_DEFINED;
    }

    private static String percent(double share) {
        return String.format(java.util.Locale.ROOT, "%5.1f %%", 100 * share);
    }

    /** Columns are numbered rather than named, so long class names do not make the matrix unreadable. */
    private static void matrix(StringBuilder s, Evaluation e) {
        List<String> classes = e.classes();
        int w = nameWidth(classes);
        int number = String.valueOf(classes.size()).length();
        int max = 0;
        for (int[] row : e.confusion()) {
            for (int v : row) {
                max = Math.max(max, v);
            }
        }
        int cell = Math.max(number, String.valueOf(max).length()) + 2;
        line(s, "  confusion matrix on the test images (rows: true class, columns: predicted class)");
        StringBuilder header = new StringBuilder("  " + " ".repeat(number + 1 + w));
        for (int c = 1; c <= classes.size(); c++) {
            header.append(String.format(Locale.ROOT, "%" + cell + "d", c));
        }
        s.append(header).append('\n');
        for (int r = 0; r < classes.size(); r++) {
            StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "  %" + number + "d %s", r + 1,
                    cell(classes.get(r), w)));
            for (int v : e.confusion()[r]) {
                row.append(String.format(Locale.ROOT, "%" + cell + "s", v == 0 ? "." : String.valueOf(v)));
            }
            s.append(row).append('\n');
        }
    }

    private static void topConfusions(StringBuilder s, Evaluation e) {
        List<int[]> cells = new ArrayList<>();
        for (int r = 0; r < e.confusion().length; r++) {
            for (int c = 0; c < e.confusion().length; c++) {
                if (r != c && e.confusion()[r][c] > 0) {
                    cells.add(new int[] {r, c, e.confusion()[r][c]});
                }
            }
        }
        cells.sort(Comparator.comparingInt((int[] x) -> -x[2]).thenComparingInt(x -> x[0]).thenComparingInt(x -> x[1]));
        line(s, "  most frequent confusions on the test images (the full matrix is in classifier.json)");
        if (cells.isEmpty()) {
            line(s, "  none");
        }
        for (int[] x : cells.subList(0, Math.min(TOP_CONFUSIONS, cells.size()))) {
            line(s, "  %4d × %s taken for %s", x[2], cut(e.classes().get(x[0])), cut(e.classes().get(x[1])));
        }
    }

    /** The columns of a table's class cells: its longest (cut) name's, in terminal columns. */
    private static int nameWidth(List<String> names) {
        return Math.max(5, names.stream().mapToInt(n -> DisplayWidth.of(cut(n))).max().orElse(5));
    }

    /** A class's name as a table's cell {@code width} columns wide: padded by the columns it takes, not its length. */
    private static String cell(String label, int width) {
        return DisplayWidth.padded(cut(label), width);
    }

    private static String cut(String label) {
        // A newline in a label broke the tables; 苹果's four columns were padded as two.
        return DisplayWidth.cut(dev.orchard.store.Printable.escaped(label), NAME_MAX);
    }

    private static void line(StringBuilder s, String format, Object... args) {
        s.append(String.format(Locale.ROOT, format, args)).append('\n');
    }
}
