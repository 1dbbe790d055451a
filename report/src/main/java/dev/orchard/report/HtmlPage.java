package dev.orchard.report;

import static dev.orchard.report.Markup.escape;

import java.util.List;

/**
 * One self-contained HTML page: its styles inline, its charts inline SVG, no script, and a Content-Security-Policy
 * that forbids loading anything, so the page looks the same offline, from S3, or attached to a ticket. Text given to
 * it is escaped; only charts built by this package go in unescaped.
 */
public final class HtmlPage {
    static final String STYLE = """
            body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#222;margin:24px auto;\
            max-width:1200px;padding:0 16px}
            h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #ddd;\
            padding-bottom:4px}
            .sub{color:#666;margin:0 0 12px}.note{color:#666;font-size:13px}
            .facts{display:grid;grid-template-columns:repeat(auto-fill,minmax(170px,1fr));gap:8px;margin:12px 0}
            .fact{background:#f6f7f9;border-radius:6px;padding:8px 10px}
            .fact .k{color:#666;font-size:12px}.fact .v{font-size:18px;font-weight:600;font-variant-numeric:tabular-nums}
            table{border-collapse:collapse;margin:8px 0;font-variant-numeric:tabular-nums}
            th,td{text-align:left;padding:3px 10px;border-bottom:1px solid #eee;vertical-align:top}
            th{background:#f6f7f9;font-weight:600}td.n{text-align:right}
            td.wrap{max-width:640px;overflow-wrap:anywhere}
            svg.chart{display:block;margin:8px 0;max-width:100%;height:auto}
            .grid{stroke:#e6e6e6;stroke-width:1}.axis{stroke:#888;stroke-width:1}
            .tick{font-size:11px;fill:#555}.axis-title{font-size:12px;fill:#333}
            .legend-text,.category-label{font-size:12px;fill:#333}.value{font-size:11px;fill:#333}
            .cell-text{font-size:11px;fill:#222}.cell-text.dark{fill:#fff}
            .row2{display:flex;flex-wrap:wrap;gap:24px}.bad{color:#b00020}.ok{color:#1b7f3b}
            """;

    private final StringBuilder body = new StringBuilder(1 << 16);
    private final String title;
    private final int refreshSeconds;

    /** @param refreshSeconds reload the page this often (a live status page), or 0 for never */
    public HtmlPage(String title, int refreshSeconds) {
        this.title = title;
        this.refreshSeconds = refreshSeconds;
    }

    public HtmlPage(String title) {
        this(title, 0);
    }

    public HtmlPage h1(String text) {
        body.append("<h1>").append(escape(text)).append("</h1>\n");
        return this;
    }

    /** A section heading; its element id is {@code section-ID} (facts and charts have ids of their own). */
    public HtmlPage h2(String id, String text) {
        body.append("<h2 id=\"section-").append(escape(id)).append("\">").append(escape(text)).append("</h2>\n");
        return this;
    }

    /** A line of grey text under a heading. */
    public HtmlPage subtitle(String text) {
        body.append("<p class=\"sub\">").append(escape(text)).append("</p>\n");
        return this;
    }

    public HtmlPage note(String text) {
        body.append("<p class=\"note\">").append(escape(text)).append("</p>\n");
        return this;
    }

    /** A key number: {@code id} lets readers (and tests) find it; the value is shown as given. */
    public record Fact(String id, String name, String value) {
    }

    /** Key numbers as tiles; each value is in an element with its fact's id. */
    public HtmlPage facts(List<Fact> facts) {
        body.append("<div class=\"facts\">");
        for (Fact f : facts) {
            body.append("<div class=\"fact\"><div class=\"k\">").append(escape(f.name()))
                    .append("</div><div class=\"v\" id=\"").append(escape(f.id())).append("\">")
                    .append(escape(f.value())).append("</div></div>");
        }
        body.append("</div>\n");
        return this;
    }

    /**
     * A table; cells that look like numbers are right-aligned. {@code id} names the table; each row carries its
     * first cell in {@code data-key}.
     */
    public HtmlPage table(String id, List<String> header, List<List<String>> rows) {
        body.append("<table id=\"").append(escape(id)).append("\"><thead><tr>");
        for (String h : header) {
            body.append("<th>").append(escape(h)).append("</th>");
        }
        body.append("</tr></thead><tbody>");
        for (List<String> row : rows) {
            body.append("<tr data-key=\"").append(escape(row.isEmpty() ? "" : row.get(0))).append("\">");
            for (String cell : row) {
                body.append(numeric(cell) ? "<td class=\"n\">" : "<td class=\"wrap\">").append(escape(cell)).append("</td>");
            }
            body.append("</tr>");
        }
        body.append("</tbody></table>\n");
        return this;
    }

    /** A chart made by this package (already escaped SVG). */
    public HtmlPage chart(String svg) {
        if (!svg.startsWith("<svg ")) {
            throw new IllegalArgumentException("not a chart");
        }
        body.append(svg).append('\n');
        return this;
    }

    /** Charts side by side when the window is wide enough. */
    public HtmlPage charts(String... svgs) {
        body.append("<div class=\"row2\">");
        for (String svg : svgs) {
            if (!svg.startsWith("<svg ")) {
                throw new IllegalArgumentException("not a chart");
            }
            body.append("<div>").append(svg).append("</div>");
        }
        body.append("</div>\n");
        return this;
    }

    public String render() {
        StringBuilder page = new StringBuilder(body.length() + 4096);
        page.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">");
        page.append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">");
        if (refreshSeconds > 0) {
            page.append("<meta http-equiv=\"refresh\" content=\"").append(refreshSeconds).append("\">");
        }
        page.append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
        page.append("<title>").append(escape(title)).append("</title><style>").append(STYLE).append("</style></head>\n<body>\n");
        page.append(body);
        page.append("</body></html>\n");
        return page.toString();
    }

    private static boolean numeric(String cell) {
        return cell != null && cell.matches("[-+]?[0-9][0-9,.]*( ?%| s)?");
    }
}
