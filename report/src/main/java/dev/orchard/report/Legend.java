package dev.orchard.report;

import java.util.List;

/** A chart's key: a swatch and a name per entry, in columns to the right of the plot. */
final class Legend {
    static final double ROW = 16;
    static final double COLUMN = 190;
    private static final int MAX_CHARS = 26;

    /** One entry: {@code name} as shown, its colour, and an optional count shown after it. */
    record Entry(String name, String colour, String count) {
    }

    private Legend() {
    }

    /** Columns needed for {@code entries} rows of {@link #ROW} in {@code height} pixels. */
    static int columns(int entries, double height) {
        int rows = Math.max(1, (int) ((height - 10) / ROW));
        return entries == 0 ? 0 : (entries + rows - 1) / rows;
    }

    static void draw(Svg svg, List<Entry> entries, double x, double y, double height) {
        int rows = Math.max(1, (int) ((height - 10) / ROW));
        svg.group("legend");
        for (int i = 0; i < entries.size(); i++) {
            Entry e = entries.get(i);
            double ex = x + (i / rows) * COLUMN;
            double ey = y + (i % rows) * ROW;
            svg.group("legend-item", "data-name", e.name());
            svg.rect(ex, ey, 10, 10, e.colour());
            String text = e.count() == null ? e.name() : e.name() + " (" + e.count() + ")";
            svg.label(ex + 15, ey + 9, "start", "legend-text", text, MAX_CHARS);
            svg.end();
        }
        svg.end();
    }
}
