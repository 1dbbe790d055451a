package dev.orchard.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** What the charts write: one group per series with its points, a legend naming them, text always escaped. */
class ChartsTest {

    @Test
    void aScatterHasOneGroupPerLabelWithItsPointsAndALegendNamingEveryLabel() {
        String svg = new XyChart("s", "title", "x", "y")
                .add(new XyChart.Series("Apple", new double[] {0, 1, 2}, new double[] {0, 1, 4}, XyChart.Style.POINTS, "#1f77b4", "3"))
                .add(new XyChart.Series("Kiwi", new double[] {5}, new double[] {-1}, XyChart.Style.POINTS, "#ff7f0e", "1"))
                .svg();
        assertThat(count(svg, "<circle ")).isEqualTo(4);
        assertThat(values(svg, "class=\"series points\" data-name")).containsExactly("Apple", "Kiwi");
        assertThat(values(svg, "class=\"legend-item\" data-name")).containsExactly("Apple", "Kiwi");
        assertThat(values(svg, "data-name=\"Apple\" data-points")).containsExactly("3");
        assertThat(svg).startsWith("<svg ").endsWith("</svg>").contains("Apple (3)", "Kiwi (1)");
    }

    @Test
    void textFromDataIsEscapedEverywhere() {
        String label = "<script>alert('x')</script> & \"quoted\"";
        String scatter = new XyChart("s", label, label, "y")
                .add(new XyChart.Series(label, new double[] {1}, new double[] {1}, XyChart.Style.POINTS, "#000", null))
                .add(new XyChart.Series("b", new double[] {2}, new double[] {2}, XyChart.Style.POINTS, "#111", null)).svg();
        String bars = new BarChart("b", label, label).category(label, 1).svg();
        String heat = new Heatmap("h", label, label, label).svg(List.of(label, "b"), new int[][] {{1, 0}, {0, 1}});
        String page = new HtmlPage(label).h1(label).note(label).table("t", List.of(label), List.of(List.of(label)))
                .facts(List.of(new HtmlPage.Fact("f", label, label))).chart(scatter).chart(bars).chart(heat).render();
        assertThat(page).doesNotContain("<script", "alert('x')", "\"quoted\"");
        assertThat(page).contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;quoted&quot;");
    }

    @Test
    void aPageFetchesNothing() {
        String page = new HtmlPage("t", 2).h1("x").chart(new BarChart("b", "t", "v").category("a", 1).svg()).render();
        assertThat(page).contains("Content-Security-Policy", "default-src 'none'", "http-equiv=\"refresh\" content=\"2\"")
                .doesNotContain("<script", "<link", " src=", "https://");
        assertThat(page.replace("http://www.w3.org/2000/svg", "")).doesNotContain("http://");
    }

    @Test
    void barsCarryTheirValuesAndHeatmapCellsTheirCounts() {
        String bars = new BarChart("b", "t", "share", "precision", "recall").max(1).decimals(3)
                .category("Apple", 0.5, 1).category("Kiwi", 0.25, 0.75).svg();
        assertThat(values(bars, "data-value")).containsExactly("0.500", "1", "0.250", "0.750");
        assertThat(values(bars, "class=\"category\" data-name")).containsExactly("Apple", "Kiwi");
        String heat = new Heatmap("h", "t", "true", "predicted").svg(List.of("a", "b", "c"),
                new int[][] {{3, 1, 0}, {0, 4, 0}, {2, 0, 5}});
        assertThat(values(heat, "data-value")).containsExactly("3", "1", "0", "0", "4", "0", "2", "0", "5");
    }

    @Test
    void beyondFortyLabelsTheSmallestShareOneGreyOther() {
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (int i = 0; i < 45; i++) {
            counts.put(String.format("label-%02d", i), 100 - i);
        }
        Map<String, String> colours = Palette.assign(counts, Palette.SIZE);
        assertThat(colours.values().stream().filter(c -> !c.equals(Palette.OTHER_COLOUR)).distinct()).hasSize(Palette.SIZE - 1);
        assertThat(colours.get("label-00")).isEqualTo(Palette.colour(0));
        assertThat(colours.get("label-38")).isEqualTo(Palette.colour(38));
        assertThat(colours.get("label-39")).isEqualTo(Palette.OTHER_COLOUR);
        assertThat(Palette.assign(Map.of("a", 1, "b", 2), Palette.SIZE)).containsExactly(
                Map.entry("b", Palette.colour(0)), Map.entry("a", Palette.colour(1)));
        assertThat(Palette.COLOURS).doesNotHaveDuplicates().doesNotContain(Palette.OTHER_COLOUR).hasSize(40);
    }

    @Test
    void ticksAreRoundNumbersCoveringTheData() {
        Scale s = new Scale(0.13, 9.7, 0, 100, 5);
        assertThat(s.step).isEqualTo(2);
        assertThat(s.ticks()).containsExactly(0, 2, 4, 6, 8, 10);
        assertThat(Scale.niceStep(0.034)).isEqualTo(0.05);
        assertThat(Scale.niceStep(730)).isEqualTo(1000);
        Scale flat = new Scale(3, 3, 0, 100, 5); // one value: widened, not divided by zero
        assertThat(flat.max).isGreaterThan(flat.min);
        assertThat(Scale.exact(0.5, 20.5, 0, 100, 8).ticks()).containsExactly(5, 10, 15, 20);
    }

    private static long count(String text, String needle) {
        return Pattern.compile(Pattern.quote(needle)).matcher(text).results().count();
    }

    private static List<String> values(String text, String attribute) {
        Matcher m = Pattern.compile(Pattern.quote(attribute) + "=\"([^\"]*)\"").matcher(text);
        return m.results().map(r -> r.group(1)).toList();
    }
}
