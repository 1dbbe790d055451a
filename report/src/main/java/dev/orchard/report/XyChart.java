package dev.orchard.report;

import java.util.ArrayList;
import java.util.List;

/**
 * A chart of series over two numeric axes: points (a scatter), lines (a time series, a cumulative curve) or vertical
 * bars (a scree plot), with grid lines, tick labels, axis titles and, for more than one series, a legend. Each
 * series is one {@code <g class="series" data-name=… data-points=…>} holding its shapes, so a reader (or a test) can
 * tell which marks belong to which label.
 */
public final class XyChart {
    public enum Style { POINTS, LINE, BARS }

    /**
     * @param count what the legend shows after the name (e.g. the label's number of images), or null
     */
    public record Series(String name, double[] x, double[] y, Style style, String colour, String count) {
        public Series {
            if (x.length != y.length) {
                throw new IllegalArgumentException("series " + name + ": " + x.length + " x values but " + y.length + " y values");
            }
        }

        public Series(String name, double[] x, double[] y, Style style, String colour) {
            this(name, x, y, style, colour, null);
        }
    }

    private static final double LEFT = 64;
    private static final double RIGHT = 16;
    private static final double TOP = 12;
    private static final double BOTTOM = 46;

    private final String id;
    private final String title;
    private final String xTitle;
    private final String yTitle;
    private final List<Series> series = new ArrayList<>();
    private double width = 640;
    private double height = 360;
    private double pointRadius = 2.5;
    private Double yMin;
    private Double yMax;
    private Double xMin;
    private Double yFloor;
    private boolean legend = true;

    public XyChart(String id, String title, String xTitle, String yTitle) {
        this.id = id;
        this.title = title;
        this.xTitle = xTitle;
        this.yTitle = yTitle;
    }

    public XyChart add(Series s) {
        series.add(s);
        return this;
    }

    /** The plot area's size in pixels, legend apart. */
    public XyChart size(double plotWidth, double plotHeight) {
        this.width = plotWidth;
        this.height = plotHeight;
        return this;
    }

    /** Fixes the y axis (e.g. 0 to 1 for ratios) instead of fitting it to the data. */
    public XyChart yRange(double min, double max) {
        this.yMin = min;
        this.yMax = max;
        return this;
    }

    /** Starts the x axis at {@code min} (e.g. 0 for time) whatever the data. */
    public XyChart xFrom(double min) {
        this.xMin = min;
        return this;
    }

    /**
     * Starts the y axis at {@code min} (0 for a rate, never below), or lower where data lie below it; data all at
     * {@code min} get {@code min} to {@code min} + 1, not an axis padded below it (a flat 0 images/s was drawn from -1
     * to 1).
     */
    public XyChart yFrom(double min) {
        this.yFloor = min;
        return this;
    }

    public XyChart pointRadius(double r) {
        this.pointRadius = r;
        return this;
    }

    public XyChart legend(boolean shown) {
        this.legend = shown;
        return this;
    }

    public String svg() {
        double minX = Double.POSITIVE_INFINITY;
        double maxX = Double.NEGATIVE_INFINITY;
        double minY = Double.POSITIVE_INFINITY;
        double maxY = Double.NEGATIVE_INFINITY;
        int points = 0;
        boolean bars = false;
        for (Series s : series) {
            bars |= s.style() == Style.BARS;
            for (int i = 0; i < s.x().length; i++) {
                if (Double.isFinite(s.x()[i]) && Double.isFinite(s.y()[i])) {
                    minX = Math.min(minX, s.x()[i]);
                    maxX = Math.max(maxX, s.x()[i]);
                    minY = Math.min(minY, s.y()[i]);
                    maxY = Math.max(maxY, s.y()[i]);
                    points++;
                }
            }
        }
        if (bars) {
            minY = Math.min(minY, 0); // bars grow from zero
            minX -= 0.5; // whole bars at both ends
            maxX += 0.5;
        }
        if (xMin != null) {
            minX = Math.min(minX, xMin);
        }
        if (yFloor != null) {
            minY = Math.min(minY, yFloor);
            maxY = maxY > yFloor ? maxY : yFloor + 1;
        }
        List<Legend.Entry> entries = new ArrayList<>();
        if (legend && series.size() > 1) {
            for (Series s : series) {
                entries.add(new Legend.Entry(s.name(), s.colour(), s.count()));
            }
        }
        int columns = Legend.columns(entries.size(), height + TOP);
        double totalWidth = LEFT + width + RIGHT + columns * Legend.COLUMN;
        double totalHeight = TOP + height + BOTTOM;
        Scale xs = bars ? Scale.exact(minX, maxX, LEFT, LEFT + width, 8) : new Scale(minX, maxX, LEFT, LEFT + width, 8);
        Scale ys = yMin != null ? new Scale(yMin, yMax, TOP + height, TOP, 5)
                                : new Scale(minY, maxY, TOP + height, TOP, 5);

        Svg svg = new Svg(id, "xy", totalWidth, totalHeight, title);
        svg.group("axes", "data-points", String.valueOf(points), "data-series", String.valueOf(series.size()));
        for (double t : ys.ticks()) {
            double py = ys.pixel(t);
            svg.line(LEFT, py, LEFT + width, py, "grid");
            svg.text(LEFT - 6, py + 4, "end", "tick", Markup.tick(t, ys.step));
        }
        double[] xticks = xs.ticks();
        boolean integerX = bars && xs.step < 1;
        for (double t : xticks) {
            if (integerX && t != Math.rint(t)) {
                continue;
            }
            double px = xs.pixel(t);
            svg.line(px, TOP + height, px, TOP + height + 4, "axis");
            svg.text(px, TOP + height + 17, "middle", "tick", Markup.tick(t, Math.max(xs.step, integerX ? 1 : 0)));
        }
        svg.line(LEFT, TOP + height, LEFT + width, TOP + height, "axis");
        svg.line(LEFT, TOP, LEFT, TOP + height, "axis");
        svg.text(LEFT + width / 2, totalHeight - 8, "middle", "axis-title", xTitle);
        svg.text(14, TOP + height / 2, "middle", "axis-title", yTitle, "transform",
                "rotate(-90 14 " + Markup.coordinate(TOP + height / 2) + ")");
        svg.end();

        double barWidth = bars ? Math.max(1, (xs.pixel(1) - xs.pixel(0)) * 0.7) : 0;
        for (Series s : series) {
            int n = 0;
            for (int i = 0; i < s.x().length; i++) {
                n += Double.isFinite(s.x()[i]) && Double.isFinite(s.y()[i]) ? 1 : 0;
            }
            svg.group("series " + s.style().name().toLowerCase(java.util.Locale.ROOT), "data-name", s.name(),
                    "data-points", String.valueOf(n), "fill", s.colour());
            switch (s.style()) {
                case POINTS -> {
                    for (int i = 0; i < s.x().length; i++) {
                        if (Double.isFinite(s.x()[i]) && Double.isFinite(s.y()[i])) {
                            svg.circle(xs.pixel(s.x()[i]), ys.pixel(s.y()[i]), pointRadius);
                        }
                    }
                }
                case BARS -> {
                    double zero = ys.pixel(Math.max(0, ys.min));
                    for (int i = 0; i < s.x().length; i++) {
                        if (Double.isFinite(s.x()[i]) && Double.isFinite(s.y()[i])) {
                            double top = ys.pixel(s.y()[i]);
                            svg.rectWithTooltip(xs.pixel(s.x()[i]) - barWidth / 2, Math.min(top, zero), barWidth,
                                    Math.abs(zero - top), s.colour(), s.name() + " " + Markup.number(s.x()[i], 2) + ": "
                                            + Markup.number(s.y()[i], 4));
                        }
                    }
                }
                case LINE -> {
                    double[] xy = new double[2 * n];
                    int j = 0;
                    for (int i = 0; i < s.x().length; i++) {
                        if (Double.isFinite(s.x()[i]) && Double.isFinite(s.y()[i])) {
                            xy[j++] = xs.pixel(s.x()[i]);
                            xy[j++] = ys.pixel(s.y()[i]);
                        }
                    }
                    svg.polyline(xy, s.colour(), "stroke-width", "2");
                }
            }
            svg.end();
        }
        if (!entries.isEmpty()) {
            Legend.draw(svg, entries, LEFT + width + RIGHT + 8, TOP, height + TOP);
        }
        return svg.close();
    }
}
