package dev.orchard.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SvgLabelTest {
    /** BarChart's category labels: 28 Latin letters' width. */
    private static final double COLUMN_EM = 28 * 0.55;

    @Test
    void aLabelThatFitsIsShownWhole() {
        assertThat(Svg.cut("Apple Golden 1", COLUMN_EM)).isEqualTo("Apple Golden 1");
        assertThat(Svg.cut("苹果", COLUMN_EM)).isEqualTo("苹果");
        assertThat(Svg.cut("a".repeat(28), COLUMN_EM)).as("exactly the column's width").isEqualTo("a".repeat(28));
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
        assertThat(Svg.cut("a".repeat(28) + "i", COLUMN_EM)).as("a cut label is never wider than the text")
                .satisfies(s -> assertThat(Svg.width(s.substring(0, s.length() - 1)) + 1.0).isLessThanOrEqualTo(COLUMN_EM));
    }

    /** A cut, with its ellipsis, is never wider than the column (the diff's review found cuts one character over). */
    @Test
    void aCutLabelAndItsEllipsisFitTheColumn() {
        long seed = 20261207L;
        Random random = new Random(seed);
        List<String> pieces = List.of("a", "W", "m", "i", "中", "🍎", "e\u0301", "🇸🇪", "👨\u200d👩\u200d👧", " ", "Ä", "7");
        for (int n = 0; n < 2_000; n++) {
            StringBuilder text = new StringBuilder();
            for (int k = random.nextInt(60); k >= 0; k--) {
                text.append(pieces.get(random.nextInt(pieces.size())));
            }
            String shown = Svg.cut(text.toString(), COLUMN_EM);
            if (!shown.contentEquals(text)) {
                String kept = shown.substring(0, shown.length() - 1);
                assertThat(Svg.width(kept) + 1.0).as("seed %d, %s", seed, text).isLessThanOrEqualTo(COLUMN_EM + 1e-9);
                assertThat(text.toString()).as("seed %d: cut between characters", seed).startsWith(kept);
            }
        }
    }

    @Test
    void aCutFallsBetweenUserPerceivedCharacters() {
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
        String accents = Svg.cut("e\u0301".repeat(40), COLUMN_EM);
        assertThat(accents).as("a letter keeps its accent").endsWith("\u0301…");
        String flags = Svg.cut("🇸🇪".repeat(20), COLUMN_EM);
        assertThat(flags.codePointCount(0, flags.length() - 1) % 2).as("no half flag").isZero();
    }
}
