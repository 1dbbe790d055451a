package dev.orchard.report;

import java.util.List;

/**
 * A matrix of counts as coloured cells with the count written in each (a confusion matrix: rows are the true
 * classes, columns the predicted ones). A cell's shade is its share of its row, so a small class's mistakes show as
 * clearly as a large one's.
 */
public final class Heatmap {
    private static final double LABELS = 170;
    private static final double TOP_LABELS = 150;

    private final String id;
    private final String title;
    private final String rowTitle;
    private final String columnTitle;

    public Heatmap(String id, String title, String rowTitle, String columnTitle) {
        this.id = id;
        this.title = title;
        this.rowTitle = rowTitle;
        this.columnTitle = columnTitle;
    }

    /** {@code counts[r][c]} for {@code names} as both rows and columns. */
    public String svg(List<String> names, int[][] counts) {
        int n = names.size();
        double cell = n <= 12 ? 40 : n <= 25 ? 26 : 18;
        double width = LABELS + n * cell + 20;
        double height = TOP_LABELS + n * cell + 30;
        Svg svg = new Svg(id, "heatmap", width, height, title);
        svg.group("axes");
        svg.text(LABELS + n * cell / 2, 14, "middle", "axis-title", columnTitle);
        svg.text(12, TOP_LABELS + n * cell / 2, "middle", "axis-title", rowTitle, "transform",
                "rotate(-90 12 " + Markup.coordinate(TOP_LABELS + n * cell / 2) + ")");
        for (int i = 0; i < n; i++) {
            double cx = LABELS + i * cell + cell / 2;
            svg.label(cx, TOP_LABELS - 6, "start", "tick", names.get(i), 22, "transform",
                    "rotate(-60 " + Markup.coordinate(cx) + " " + Markup.coordinate(TOP_LABELS - 6) + ")");
            svg.label(LABELS - 6, TOP_LABELS + i * cell + cell / 2 + 4, "end", "tick", names.get(i), 24);
        }
        svg.end();
        boolean numbers = cell >= 18;
        for (int r = 0; r < n; r++) {
            long rowTotal = 0;
            for (int c = 0; c < n; c++) {
                rowTotal += counts[r][c];
            }
            svg.group("row", "data-name", names.get(r));
            for (int c = 0; c < n; c++) {
                int v = counts[r][c];
                double share = rowTotal == 0 ? 0 : (double) v / rowTotal;
                double x = LABELS + c * cell;
                double y = TOP_LABELS + r * cell;
                svg.rectWithTooltip(x, y, cell - 1, cell - 1, shade(share, r == c),
                        names.get(r) + " predicted as " + names.get(c) + ": " + v, "class", "cell",
                        "data-row", names.get(r), "data-column", names.get(c), "data-value", String.valueOf(v));
                if (numbers && v > 0) {
                    svg.text(x + cell / 2 - 0.5, y + cell / 2 + 4, "middle", share > 0.5 ? "cell-text dark" : "cell-text", String.valueOf(v));
                }
            }
            svg.end();
        }
        return svg.close();
    }

    /** White to blue on the diagonal (right), white to red elsewhere (wrong). */
    private static String shade(double share, boolean diagonal) {
        if (share == 0) {
            return "#f7f7f7";
        }
        double t = 0.15 + 0.85 * Math.min(1, share);
        int[] to = diagonal ? new int[] {31, 119, 180} : new int[] {214, 39, 40};
        int r = (int) Math.round(255 + (to[0] - 255) * t);
        int g = (int) Math.round(255 + (to[1] - 255) * t);
        int b = (int) Math.round(255 + (to[2] - 255) * t);
        return String.format("#%02x%02x%02x", r, g, b);
    }
}
