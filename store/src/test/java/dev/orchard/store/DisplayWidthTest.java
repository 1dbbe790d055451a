package dev.orchard.store;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DisplayWidthTest {

    @Test
    void wideCharactersTakeTwoColumnsAndMarksAndJoinedPicturesNone() {
        assertThat(DisplayWidth.of("Kiwi")).isEqualTo(4);
        assertThat(DisplayWidth.of("苹果")).isEqualTo(4);
        assertThat(DisplayWidth.of("사과 りんご")).isEqualTo(4 + 1 + 6);
        assertThat(DisplayWidth.of("ＡＢ")).as("fullwidth").isEqualTo(4);
        assertThat(DisplayWidth.of("🍌 Banana")).isEqualTo(2 + 1 + 6);
        assertThat(DisplayWidth.of("e\u0301")).as("e and a combining acute").isEqualTo(1);
        assertThat(DisplayWidth.of("👨\u200d👩\u200d👧")).as("a family: one picture").isEqualTo(2);
        assertThat(DisplayWidth.of("👍🏽")).as("a thumb with its skin tone").isEqualTo(2);
        assertThat(DisplayWidth.of("Äpfel – café")).isEqualTo(12);
    }

    /**
     * East_Asian_Width as Unicode 14 gives it, code point by code point (the review found a hand-merged table counting
     * 245 narrow ones as wide), and a joiner that joins letters, not pictures.
     */
    @Test
    void widthsAreUnicodesNotANeighbourBlocks() {
        assertThat(DisplayWidth.of("\uD83C\uDF36")).as("U+1F336 hot pepper: narrow").isEqualTo(1);
        assertThat(DisplayWidth.of("\uD83D\uDD6F")).as("U+1F56F candle: narrow").isEqualTo(1);
        assertThat(DisplayWidth.of("\u3248")).as("U+3248, ambiguous: one, as outside CJK locales").isEqualTo(1);
        assertThat(DisplayWidth.of("\uD83D\uDFF0")).as("U+1F7F0 heavy equals sign: wide").isEqualTo(2);
        assertThat(DisplayWidth.of("\u0915\u094D\u200D\u0937")).as("Devanagari ka, virama, joiner, ssa").isEqualTo(2);
        assertThat(DisplayWidth.of("👩\u200d🔬")).as("a scientist: one picture").isEqualTo(2);
    }

    @Test
    void cellsArePaddedAndCutByColumnsNeverInsideACharacter() {
        assertThat(DisplayWidth.padded("苹果", 6)).isEqualTo("苹果  ");
        assertThat(DisplayWidth.padded("Kiwi", 6)).isEqualTo("Kiwi  ");
        assertThat(DisplayWidth.padded("Banana", 4)).isEqualTo("Banana");
        assertThat(DisplayWidth.cut("苹果香蕉", 6)).isEqualTo("苹果…");
        assertThat(DisplayWidth.cut("🍌🍌🍌", 4)).isEqualTo("🍌…"); // not half a surrogate pair
        assertThat(DisplayWidth.cut("Kiwi", 4)).isEqualTo("Kiwi");
        assertThat(DisplayWidth.of(DisplayWidth.cut("a苹果香蕉", 6))).isLessThanOrEqualTo(6);
    }
}
