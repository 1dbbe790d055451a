package dev.orchard.report;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SvgLabelTest {
    /** BarChart's category labels: 28 Latin letters' width. */
    private static final double COLUMN_EM = 28 * 0.55;

    @Test
    void aLabelThatFitsIsShownWhole() {
        assertThat(Svg.cut("Apple Golden 1", COLUMN_EM)).isEqualTo("Apple Golden 1");
        assertThat(Svg.cut("苹果", COLUMN_EM)).isEqualTo("苹果");
    }

    @Test
    void aLongLabelIsCutByItsWidthNotItsLength() {
        String latin = Svg.cut("abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz", COLUMN_EM);
        assertThat(latin).endsWith("…").hasSizeBetween(20, 28);
        // Twenty-eight Chinese characters are as wide as ~51 Latin letters: cut to about half as many characters.
        String chinese = Svg.cut("中".repeat(28), COLUMN_EM);
        assertThat(chinese).endsWith("…");
        assertThat(chinese.length() - 1).isBetween(10, 15);
        String capitals = Svg.cut("WWWWWWWWWWWWWWWWWWWWWWWWWW", COLUMN_EM);
        assertThat(capitals).as("26 wide capitals do not fit where 28 average letters do").endsWith("…");
    }

    @Test
    void aCutFallsBetweenCodePoints() {
        for (int n = 1; n < 40; n++) {
            String emoji = "a".repeat(n) + "🍎".repeat(30);
            String shown = Svg.cut(emoji, COLUMN_EM);
            for (int i = 0; i < shown.length(); i++) {
                char c = shown.charAt(i);
                if (Character.isHighSurrogate(c)) {
                    assertThat(i + 1 < shown.length() && Character.isLowSurrogate(shown.charAt(i + 1)))
                            .as("%s: a whole emoji at %d", shown, i).isTrue();
                }
            }
            assertThat(shown).endsWith("…");
        }
        assertThat(Svg.cut("🍎🍎", 0.5)).as("at least one character is shown").isEqualTo("🍎…");
    }
}
