package dev.orchard.report;

import static dev.orchard.report.Markup.coordinate;
import static dev.orchard.report.Markup.escape;

/**
 * Writes one inline {@code <svg>} element: the few shapes the charts draw, with every text escaped. Styles come from
 * the page's stylesheet ({@link HtmlPage#STYLE}) through class names, so the charts stay small.
 */
final class Svg {
    private final StringBuilder out = new StringBuilder(4096);
    private int open;

    /** {@code kind} names the chart for readers and tests ({@code data-chart}); {@code title} is its accessible name. */
    Svg(String id, String kind, double width, double height, String title) {
        out.append("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" id=\"").append(escape(id))
                .append("\" data-chart=\"").append(escape(kind)).append("\" width=\"").append(coordinate(width))
                .append("\" height=\"").append(coordinate(height)).append("\" viewBox=\"0 0 ").append(coordinate(width))
                .append(' ').append(coordinate(height)).append("\" role=\"img\" aria-label=\"").append(escape(title))
                .append("\">");
        out.append("<title>").append(escape(title)).append("</title>");
    }

    /** Opens a group; {@code attributes} are name/value pairs, values escaped. */
    Svg group(String cssClass, String... attributes) {
        out.append("<g");
        if (cssClass != null) {
            out.append(" class=\"").append(escape(cssClass)).append('"');
        }
        attributes(attributes);
        out.append('>');
        open++;
        return this;
    }

    Svg end() {
        if (open == 0) {
            throw new IllegalStateException("no group is open");
        }
        out.append("</g>");
        open--;
        return this;
    }

    Svg rect(double x, double y, double w, double h, String fill, String... attributes) {
        out.append("<rect x=\"").append(coordinate(x)).append("\" y=\"").append(coordinate(y)).append("\" width=\"")
                .append(coordinate(Math.max(0, w))).append("\" height=\"").append(coordinate(Math.max(0, h))).append('"');
        if (fill != null) {
            out.append(" fill=\"").append(escape(fill)).append('"');
        }
        attributes(attributes);
        out.append("/>");
        return this;
    }

    /** A rectangle with a tooltip ({@code <title>}) that shows its exact value on hover. */
    Svg rectWithTooltip(double x, double y, double w, double h, String fill, String tooltip, String... attributes) {
        out.append("<rect x=\"").append(coordinate(x)).append("\" y=\"").append(coordinate(y)).append("\" width=\"")
                .append(coordinate(Math.max(0, w))).append("\" height=\"").append(coordinate(Math.max(0, h)))
                .append("\" fill=\"").append(escape(fill)).append('"');
        attributes(attributes);
        out.append("><title>").append(escape(tooltip)).append("</title></rect>");
        return this;
    }

    Svg line(double x1, double y1, double x2, double y2, String cssClass) {
        out.append("<line x1=\"").append(coordinate(x1)).append("\" y1=\"").append(coordinate(y1)).append("\" x2=\"")
                .append(coordinate(x2)).append("\" y2=\"").append(coordinate(y2)).append("\" class=\"")
                .append(escape(cssClass)).append("\"/>");
        return this;
    }

    Svg circle(double cx, double cy, double r) {
        out.append("<circle cx=\"").append(coordinate(cx)).append("\" cy=\"").append(coordinate(cy)).append("\" r=\"")
                .append(coordinate(r)).append("\"/>");
        return this;
    }

    /** A polyline through the points (x0, y0, x1, y1, ...). */
    Svg polyline(double[] xy, String stroke, String... attributes) {
        out.append("<polyline fill=\"none\" stroke=\"").append(escape(stroke)).append("\" points=\"");
        for (int i = 0; i + 1 < xy.length; i += 2) {
            out.append(i == 0 ? "" : " ").append(coordinate(xy[i])).append(',').append(coordinate(xy[i + 1]));
        }
        out.append('"');
        attributes(attributes);
        out.append("/>");
        return this;
    }

    /** Text at (x, y); {@code anchor} is start, middle or end. */
    Svg text(double x, double y, String anchor, String cssClass, String text, String... attributes) {
        out.append("<text x=\"").append(coordinate(x)).append("\" y=\"").append(coordinate(y)).append('"');
        if (anchor != null && !anchor.equals("start")) {
            out.append(" text-anchor=\"").append(anchor).append('"');
        }
        if (cssClass != null) {
            out.append(" class=\"").append(escape(cssClass)).append('"');
        }
        attributes(attributes);
        out.append('>').append(escape(text)).append("</text>");
        return this;
    }

    /**
     * Text cut (with an ellipsis) to about the width of {@code maxChars} Latin letters, so long labels keep their
     * column; the whole text stays in a tooltip and in {@code data-full}. Cut by an estimate of its width, not by its
     * characters (28 Chinese characters are twice as wide as 28 Latin letters, and overran the chart into its bars),
     * and between code points (a cut between the two halves of an emoji left an unpaired surrogate, which a browser
     * shows as a box).
     */
    Svg label(double x, double y, String anchor, String cssClass, String text, int maxChars, String... attributes) {
        String shown = cut(text, maxChars * LATIN_EM);
        out.append("<text x=\"").append(coordinate(x)).append("\" y=\"").append(coordinate(y)).append('"');
        if (anchor != null && !anchor.equals("start")) {
            out.append(" text-anchor=\"").append(anchor).append('"');
        }
        if (cssClass != null) {
            out.append(" class=\"").append(escape(cssClass)).append('"');
        }
        out.append(" data-full=\"").append(escape(text)).append('"');
        attributes(attributes);
        out.append('>');
        if (!shown.equals(text)) {
            out.append("<title>").append(escape(text)).append("</title>");
        }
        out.append(escape(shown)).append("</text>");
        return this;
    }

    /** A Latin letter's average width in a sans-serif font, in em. */
    private static final double LATIN_EM = 0.55;
    /** The ellipsis' width, in em (as wide as the widest character counted: a cut always makes room for it). */
    private static final double ELLIPSIS_EM = 1.0;
    /** A user-perceived character: a letter with its marks, an emoji with its joiners, a flag's two halves. */
    private static final java.util.regex.Pattern GRAPHEME = java.util.regex.Pattern.compile("\\X");

    /**
     * {@code text}, or its start and an ellipsis, {@code maxEm} em wide at most by {@link #width}; cut between
     * user-perceived characters (a cut inside one left a bare letter without its accent, or half a flag).
     */
    static String cut(String text, double maxEm) {
        if (width(text) <= maxEm + 1e-9) {
            return text;
        }
        java.util.regex.Matcher m = GRAPHEME.matcher(text);
        double width = 0;
        int end = -1;
        while (m.find()) {
            width += em(text.codePointAt(m.start()));
            if (end >= 0 && width + ELLIPSIS_EM > maxEm + 1e-9) {
                break;
            }
            end = m.end(); // at least one character is shown
        }
        return text.substring(0, end) + "…";
    }

    /** The estimated width of {@code text} in em: each user-perceived character by its first code point. */
    static double width(String text) {
        java.util.regex.Matcher m = GRAPHEME.matcher(text);
        double width = 0;
        while (m.find()) {
            width += em(text.codePointAt(m.start()));
        }
        return width;
    }

    /**
     * A rough width of a character starting with code point {@code c}, in em, on the wide side of the common sans
     * fonts (DejaVu Sans, Arial): East Asian wide letters, emoji and flags a whole em, W and m as much, capitals and
     * digits more than the average, a few narrow letters less.
     */
    private static double em(int c) {
        int type = Character.getType(c);
        if (type == Character.NON_SPACING_MARK || type == Character.ENCLOSING_MARK || type == Character.FORMAT) {
            return 0;
        }
        if (c >= 0x1100 && c <= 0x115f || c >= 0x2e80 && c <= 0xa4cf || c >= 0xac00 && c <= 0xd7a3
                || c >= 0xf900 && c <= 0xfaff || c >= 0xfe30 && c <= 0xfe4f || c >= 0xff00 && c <= 0xff60
                || c >= 0xffe0 && c <= 0xffe6 || c >= 0x1f000 && c <= 0x1faff || c >= 0x20000 && c <= 0x3fffd) {
            return 1.0;
        }
        if (c == 'm' || c == 'w' || c == 'M' || c == 'W' || c == '@' || c == '%') {
            return 1.0;
        }
        if (Character.isUpperCase(c) || Character.isDigit(c)) {
            return 0.75;
        }
        if (c == 'i' || c == 'l' || c == 'j' || c == 'I' || c == '.' || c == ',' || c == '\'' || c == ' ') {
            return 0.3;
        }
        return LATIN_EM;
    }

    private void attributes(String... pairs) {
        if (pairs.length % 2 != 0) {
            throw new IllegalArgumentException("attributes come in name/value pairs");
        }
        for (int i = 0; i < pairs.length; i += 2) {
            out.append(' ').append(pairs[i]).append("=\"").append(escape(pairs[i + 1])).append('"');
        }
    }

    String close() {
        while (open > 0) {
            end();
        }
        return out.append("</svg>").toString();
    }
}
