package dev.orchard.classify;

import dev.orchard.classify.ClassifyReport.ClassCount;
import dev.orchard.classify.Evaluation.ClassMetrics;
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
        line(s, "  test accuracy %.2f %% (%d / %d)    train accuracy %.2f %%", 100 * report.test().accuracy(),
                report.test().correct(), report.test().total(), 100 * report.train().accuracy());
        ClassifyReport.Timings t = report.timings();
        line(s, "  time: read %.2f s, train %.2f s, predict %.2f s, write %.2f s", t.readMillis() / 1e3,
                t.trainMillis() / 1e3, t.predictMillis() / 1e3, t.writeMillis() / 1e3);
        s.append('\n');
        perClass(s, report);
        s.append('\n');
        if (report.test().classes().size() <= MATRIX_MAX_CLASSES) {
            matrix(s, report.test());
        } else {
            topConfusions(s, report.test());
        }
        line(s, "  wrote %s/predictions.parquet and classifier.json", report.output());
        return s.toString();
    }

    private static void perClass(StringBuilder s, ClassifyReport report) {
        int w = nameWidth(report.test().classes());
        line(s, "  %-" + w + "s  train  test  precision  recall", "class");
        for (int c = 0; c < report.classes().size(); c++) {
            ClassCount count = report.classes().get(c);
            ClassMetrics m = report.test().perClass().get(c);
            line(s, "  %-" + w + "s  %5d %5d    %5.1f %%  %5.1f %%", cut(count.label()), count.train(), count.test(),
                    100 * m.precision(), 100 * m.recall());
        }
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
            StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "  %" + number + "d %-" + w + "s", r + 1,
                    cut(classes.get(r))));
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

    private static int nameWidth(List<String> names) {
        return Math.max(5, names.stream().mapToInt(n -> cut(n).length()).max().orElse(5));
    }

    private static String cut(String name) {
        return name.length() <= NAME_MAX ? name : name.substring(0, NAME_MAX - 1) + "…";
    }

    private static void line(StringBuilder s, String format, Object... args) {
        s.append(String.format(Locale.ROOT, format, args)).append('\n');
    }
}
