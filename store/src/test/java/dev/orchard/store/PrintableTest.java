package dev.orchard.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class PrintableTest {
    @Test
    void whatATerminalWouldNotShowAsItselfIsEscaped() {
        assertThat(Printable.escaped("\u001b]0;PWNED\u0007\u001b[31mred.gif")).isEqualTo("\\u001b]0;PWNED\\u0007\\u001b[31mred.gif");
        assertThat(Printable.escaped("a\nb\tc\rd")).isEqualTo("a\\nb\\tc\\rd");
        assertThat(Printable.escaped("\u009b31m")).as("C1's CSI").isEqualTo("\\u009b31m");
        assertThat(Printable.escaped("\u202egpj.exe")).as("a right-to-left override").isEqualTo("\\u202egpj.exe");
        assertThat(Printable.escaped("Apple\u200bRed")).as("a zero-width space").isEqualTo("Apple\\u200bRed");
        assertThat(Printable.escaped("l\u2028p\u2029n\u0085")).isEqualTo("l\\u2028p\\u2029n\\u0085");
        // Tag characters (format characters above U+FFFF, two UTF-16 units each) hide a word in a name: "cat.jpg"
        // followed by invisible "hi" looked like cat.jpg.
        assertThat(Printable.escaped("cat.jpg\udb40\udc68\udb40\udc69")).as("invisible tag characters")
                .isEqualTo("cat.jpg\\U000e0068\\U000e0069");
        assertThat(Printable.escaped("a\ud800b\udc00")).as("lone surrogates").isEqualTo("a\\ud800b\\udc00");
        // After a flag's cancel tag, or after a bare black flag when no cancel tag ends them, tags are no flag's
        assertThat(Printable.escaped("cat\ud83c\udff4\udb40\udc68\udb40\udc69.jpg")).as("tags ending no flag")
                .isEqualTo("cat\ud83c\udff4\\U000e0068\\U000e0069.jpg");
        String scotland = "\ud83c\udff4\udb40\udc67\udb40\udc62\udb40\udc73\udb40\udc63\udb40\udc74\udb40\udc7f";
        assertThat(Printable.escaped(scotland + "\udb40\udc68\udb40\udc69.jpg")).as("tags after a whole flag")
                .isEqualTo(scotland + "\\U000e0068\\U000e0069.jpg");
    }

    @Test
    void lettersOfEveryScriptEmojiAndTheirJoinersStay() {
        for (String name : List.of("Pomme été/café.jpg", "画像.jpg", "Äpfel", "👨\u200d👩\u200d👧", "🍎\ufe0f", "می\u200cخواهم", "a b, c\\d",
                "\ud83c\udff4\udb40\udc67\udb40\udc62\udb40\udc73\udb40\udc63\udb40\udc74\udb40\udc7f")) { // and Scotland's flag
            assertThat(Printable.escaped(name)).isSameAs(name);
        }
    }

    @Test
    void aMessageKeepsItsOwnLineBreaks() {
        assertThat(Printable.message("refused:\n  the model differs \u001b[2J")).isEqualTo("refused:\n  the model differs \\u001b[2J");
        assertThat(Printable.message("refused: x\n{\"level\":\"ERROR\"}")).as("no line of a message begins with what a name said")
                .isEqualTo("refused: x\n  {\"level\":\"ERROR\"}");
        assertThat(Printable.joined(List.of("a\nb", "c"))).isEqualTo("a\\nb, c");
    }
}
