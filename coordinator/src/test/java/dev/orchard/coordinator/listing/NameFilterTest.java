package dev.orchard.coordinator.listing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.junit.jupiter.api.Test;

class NameFilterTest {

    private static final List<String> GLOBS = List.of(
            "*.jpg", "*.{jpg,png}", "*.{jpg,}", "{a,b}*", "img?.png", "[a-c]*.jpg", "[!a-c]*.jpg", "[-x]*", "[a-]*",
            "[^a]*", "x[a&&b].jpg", "**/*.jpg", "**.jpg", "*/*.jpg", "apple*/*.png", "**/test/*", "a\\*b", "a\\{b}",
            "c\\,d", "1+1=(2).jpg", "$x^.jpg", "a|b", "}.jpg", "[\\]x", "**", "*", "?");
    private static final List<String> NAMES = List.of(
            "a.jpg", "b.png", "c.gif", "a.", "img1.png", "img10.png", "d.jpg", "-q", "x", "^z", "xa.jpg", "x&.jpg",
            "apple red/1.png", "apple red/deep/1.png", "pear/1.jpg", "p/q/r.jpg", "p/test/x", "test/x", "a*b", "axb",
            "a{b}", "c,d", "1+1=(2).jpg", "$x^.jpg", "a|b", "}.jpg", "\\x", "a", "ab");

    /** The translation is the JDK's: same answers as getPathMatcher("glob:…") for every pattern and path here. */
    @Test
    void matchesExactlyWhatJavasGlobMatcherMatches() {
        for (String glob : GLOBS) {
            PathMatcher jdk = FileSystems.getDefault().getPathMatcher("glob:" + glob);
            Pattern ours = Pattern.compile(NameFilter.globToRegex(glob));
            for (String name : NAMES) {
                assertThat(ours.matcher(name).matches()).as("%s against %s", glob, name)
                        .isEqualTo(jdk.matches(Path.of(name)));
            }
        }
    }

    @Test
    void refusesWhatJavaRefuses() {
        for (String bad : List.of("a{b", "{a,{b}}", "[ab", "[/]", "[z-a]", "a\\", "[a-b-c]")) {
            assertThatThrownBy(() -> FileSystems.getDefault().getPathMatcher("glob:" + bad)).as(bad)
                    .isInstanceOf(PatternSyntaxException.class);
            assertThatThrownBy(() -> new NameFilter(bad)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("--glob '" + bad + "'")
                    .hasMessageContaining("is not a glob");
        }
    }

    @Test
    void commasSeparatePatternsOnlyOutsideBracesAndBrackets() {
        assertThat(NameFilter.split("*.jpg,*.jpeg,*.png")).containsExactly("*.jpg", "*.jpeg", "*.png");
        assertThat(NameFilter.split("*.{jpg,jpeg}, *.png ,")).containsExactly("*.{jpg,jpeg}", "*.png");
        assertThat(NameFilter.split("*.{jpg,png}")).containsExactly("*.{jpg,png}");
        assertThat(NameFilter.split("[,]*,a\\,b,c")).containsExactly("[,]*", "a\\,b", "c");
        assertThat(NameFilter.split("[\\],x")).containsExactly("[\\]", "x");
        assertThat(NameFilter.split(" , ")).isEmpty();
    }

    @Test
    void aListAndBracesMeanTheSame() {
        NameFilter list = new NameFilter(NameFilter.DEFAULT_GLOBS);
        NameFilter braces = new NameFilter("*.{jpg,jpeg,png}");
        NameFilter mixed = new NameFilter("*.{jpg,jpeg}, *.png");
        for (String path : List.of("a.jpg", "Apple Red 1/b.JPEG", "c.Png", "d.gif", "e.jpg.bak", "x/y/z.jpeg", "jpg")) {
            assertThat(braces.accepts(path)).as(path).isEqualTo(list.accepts(path));
            assertThat(mixed.accepts(path)).as(path).isEqualTo(list.accepts(path));
        }
        assertThat(list.accepts("Apple Red 1/b.JPEG")).isTrue();
        assertThat(list.accepts("e.jpg.bak")).isFalse();
    }

    @Test
    void caseInsensitiveLikeBefore() {
        NameFilter filter = new NameFilter("*.{JPG,png},ÄPFEL*.gif");
        assertThat(filter.accepts("a.jpg")).isTrue();
        assertThat(filter.accepts("b.PNG")).isTrue();
        assertThat(filter.accepts("äpfel grün.GIF")).isTrue();
        assertThat(filter.accepts("x/[a].Jpg")).isTrue();
    }

    @Test
    void aPatternWithASlashMatchesThePathOneWithoutTheName() {
        NameFilter names = new NameFilter("*.jpg");
        assertThat(names.accepts("deep/er/d.jpg")).as("a name pattern at any depth").isTrue();
        NameFilter oneLevel = new NameFilter("apple*/*.jpg");
        assertThat(oneLevel.accepts("Apple Red 1/a.jpg")).isTrue();
        assertThat(oneLevel.accepts("Apple Red 1/deep/a.jpg")).as("* stays in one folder").isFalse();
        assertThat(oneLevel.accepts("Pear/a.jpg")).isFalse();
        assertThat(oneLevel.accepts("a.jpg")).isFalse();
        NameFilter anyDepth = new NameFilter("**/test/*.png");
        assertThat(anyDepth.accepts("fruits/Apple/test/1.png")).isTrue();
        assertThat(anyDepth.accepts("x/test/1.png")).isTrue();
        assertThat(anyDepth.accepts("test/1.png")).as("**/ needs a folder before, as in Java").isFalse();
        assertThat(anyDepth.accepts("x/train/1.png")).isFalse();
    }

    @Test
    void hiddenFilesAndFoldersStaySkippedWhateverThePattern() {
        NameFilter all = new NameFilter("**");
        assertThat(all.accepts("a/b.jpg")).isTrue();
        assertThat(all.accepts(".git/x.jpg")).isFalse();
        assertThat(all.accepts("a/_SUCCESS")).isFalse();
        assertThat(new NameFilter("*").accepts(".hidden.jpg")).isFalse();
    }
}
