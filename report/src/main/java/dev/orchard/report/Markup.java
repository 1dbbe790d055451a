package dev.orchard.report;

import java.util.Locale;

/**
 * Escaping and number formatting shared by the HTML and SVG writers. Every piece of text that comes from data
 * (labels are folder names, paths and error reasons are whatever the input held) goes through {@link #escape}, so a
 * file named {@code <script>.jpg} is shown, never run.
 */
public final class Markup {

    private Markup() {
    }

    /** Text or an attribute value, safe inside an element or a double- or single-quoted attribute. */
    public static String escape(String text) {
        if (text == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> {
                    if (c < 0x20 && c != '\n' && c != '\t') {
                        out.append(' '); // control characters are not allowed in XML (SVG) text
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.toString();
    }

    /**
     * A coordinate: two decimals are a hundredth of a pixel, plenty, and keep a 5,000-point scatter small. Written
     * from the rounded hundredths, not with {@code String.format} (which parses its pattern on every call: a scatter
     * and a heat map draw tens of thousands of coordinates, 0.2-0.3 s of a report in a fresh JVM).
     */
    static String coordinate(double v) {
        if (!Double.isFinite(v)) {
            return "0";
        }
        long hundredths = Math.round(v * 100);
        long whole = hundredths / 100;
        int fraction = (int) Math.abs(hundredths % 100);
        if (fraction == 0) {
            return Long.toString(whole);
        }
        StringBuilder text = new StringBuilder(12);
        if (hundredths < 0) {
            text.append('-');
        }
        text.append(Math.abs(whole)).append('.').append((char) ('0' + fraction / 10));
        if (fraction % 10 != 0) {
            text.append((char) ('0' + fraction % 10));
        }
        return text.toString();
    }

    /** A number as people read it: integers whole, others with {@code decimals} decimals. */
    public static String number(double v, int decimals) {
        if (!Double.isFinite(v)) {
            return "–";
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return String.format(Locale.ROOT, "%." + decimals + "f", v);
    }

    /** A tick label: as short as the step between ticks allows. */
    static String tick(double v, double step) {
        if (Math.abs(v) < step * 1e-9) {
            return "0";
        }
        double magnitude = Math.abs(v);
        if (magnitude >= 1e6 || magnitude < 1e-3) {
            return String.format(Locale.ROOT, "%.2g", v);
        }
        int decimals = Math.max(0, (int) Math.ceil(-Math.log10(step) - 1e-9));
        return String.format(Locale.ROOT, "%." + Math.min(decimals, 6) + "f", v);
    }
}
