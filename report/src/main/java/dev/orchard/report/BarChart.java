package dev.orchard.report;

import java.util.ArrayList;
import java.util.List;

/**
 * Horizontal bars, one row per category (a stage, a worker, a class), with one bar per series in each row and the
 * value written at the end of each bar. Category names may be long (S3 hosts, label names): they are cut to a column
 * and kept whole in a tooltip.
 */
public final class BarChart {
    private static final double LABELS = 190;
    private static final double RIGHT = 70;
    private static final double TOP = 8;
    private static final double BOTTOM = 40;
    private static final double BAR = 14;
    private static final double GAP = 8;

    private final String id;
    private final String title;
    private final String valueTitle;
    private final List<String> seriesNames = new ArrayList<>();
    private final List<String> colours = new ArrayList<>();
    private final List<String> categories = new ArrayList<>();
    private final List<double[]> values = new ArrayList<>();
    private double width = 480;
    private int decimals = 2;
    private Double max;

    /** One series: bars of one colour; add more series for grouped bars (precision and recall). */
    public BarChart(String id, String title, String valueTitle, String... series) {
        this.id = id;
        this.title = title;
        this.valueTitle = valueTitle;
        for (int i = 0; i < Math.max(1, series.length); i++) {
            seriesNames.add(series.length == 0 ? valueTitle : series[i]);
            colours.add(Palette.colour(i));
        }
    }

    /** A row: one value per series. */
    public BarChart category(String name, double... rowValues) {
        if (rowValues.length != seriesNames.size()) {
            throw new IllegalArgumentException(name + ": " + rowValues.length + " values for " + seriesNames.size() + " series");
        }
        categories.add(name);
        values.add(rowValues.clone());
        return this;
    }

    public BarChart decimals(int d) {
        this.decimals = d;
        return this;
    }

    /** Fixes the value axis's end (e.g. 1 for ratios). */
    public BarChart max(double m) {
        this.max = m;
        return this;
    }

    public BarChart width(double plotWidth) {
        this.width = plotWidth;
        return this;
    }

    public boolean isEmpty() {
        return categories.isEmpty();
    }

    public String svg() {
        int series = seriesNames.size();
        double rowHeight = series * BAR + GAP;
        double plotHeight = Math.max(rowHeight, categories.size() * rowHeight);
        double legendHeight = series > 1 ? Legend.ROW + 4 : 0;
        double totalWidth = LABELS + width + RIGHT;
        double totalHeight = TOP + legendHeight + plotHeight + BOTTOM;
        double top = TOP + legendHeight;
        double largest = 0;
        for (double[] row : values) {
            for (double v : row) {
                if (Double.isFinite(v)) {
                    largest = Math.max(largest, v);
                }
            }
        }
        Scale xs = new Scale(0, max != null ? max : largest > 0 ? largest : 1, LABELS, LABELS + width, 5);

        Svg svg = new Svg(id, "bars", totalWidth, totalHeight, title);
        svg.group("axes", "data-categories", String.valueOf(categories.size()));
        for (double t : xs.ticks()) {
            double px = xs.pixel(t);
            svg.line(px, top, px, top + plotHeight, "grid");
            svg.text(px, top + plotHeight + 16, "middle", "tick", Markup.tick(t, xs.step));
        }
        svg.line(LABELS, top, LABELS, top + plotHeight, "axis");
        svg.text(LABELS + width / 2, totalHeight - 6, "middle", "axis-title", valueTitle);
        svg.end();
        if (series > 1) {
            List<Legend.Entry> entries = new ArrayList<>();
            for (int s = 0; s < series; s++) {
                entries.add(new Legend.Entry(seriesNames.get(s), colours.get(s), null));
            }
            // one row: each entry in its own column
            svg.group("legend");
            for (int s = 0; s < series; s++) {
                double ex = LABELS + s * 120;
                svg.group("legend-item", "data-name", seriesNames.get(s));
                svg.rect(ex, TOP, 10, 10, colours.get(s));
                svg.text(ex + 15, TOP + 9, "start", "legend-text", seriesNames.get(s));
                svg.end();
            }
            svg.end();
        }
        for (int c = 0; c < categories.size(); c++) {
            double y = top + c * rowHeight + GAP / 2;
            svg.group("category", "data-name", categories.get(c));
            svg.label(LABELS - 6, y + series * BAR / 2 + 4, "end", "category-label", categories.get(c), 28);
            for (int s = 0; s < series; s++) {
                double v = values.get(c)[s];
                double shown = Double.isFinite(v) ? v : 0;
                double by = y + s * BAR;
                String text = Markup.number(v, decimals);
                svg.rectWithTooltip(LABELS, by + 1, xs.pixel(shown) - LABELS, BAR - 2, colours.get(s),
                        categories.get(c) + (series > 1 ? " — " + seriesNames.get(s) : "") + ": " + text,
                        "class", "bar", "data-series", seriesNames.get(s), "data-value", text);
                svg.text(xs.pixel(shown) + 4, by + BAR - 3, "start", "value", text);
            }
            svg.end();
        }
        return svg.close();
    }
}
