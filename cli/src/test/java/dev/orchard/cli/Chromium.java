package dev.orchard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Assumptions;

/**
 * A real browser for the page tests: Debian's {@code chromium} (or {@code $ORCHARD_CHROMIUM}) in headless mode, one
 * process per page, each with its own empty profile. {@link #dom} is the document after Chromium parsed and laid it
 * out ({@code --dump-dom}); {@link #screenshot} the pixels it drew. Where no Chromium is installed the tests that need
 * it are skipped, with the reason, unless {@code ORCHARD_REQUIRE_CHROMIUM=1} (CI) turns that into a failure.
 */
final class Chromium {
    private static final List<String> NAMES = List.of("chromium", "chromium-browser", "google-chrome", "google-chrome-stable");

    private final Path binary;
    private final Path scratch;

    private Chromium(Path binary, Path scratch) {
        this.binary = binary;
        this.scratch = scratch;
    }

    /** The browser, or the test is skipped (or fails, when CI requires it). */
    static Chromium require(Path scratch) {
        Optional<Path> found = find();
        if (found.isEmpty()) {
            String why = "no Chromium on PATH (apt-get install chromium) and no $ORCHARD_CHROMIUM";
            if ("1".equals(System.getenv("ORCHARD_REQUIRE_CHROMIUM"))) {
                throw new AssertionError("ORCHARD_REQUIRE_CHROMIUM=1 but " + why);
            }
            Assumptions.abort(why);
        }
        return new Chromium(found.get(), scratch);
    }

    static Optional<Path> find() {
        String configured = System.getenv("ORCHARD_CHROMIUM");
        if (configured != null && !configured.isBlank()) {
            return Optional.of(Path.of(configured));
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            for (String name : NAMES) {
                Path p = Path.of(dir, name);
                if (Files.isExecutable(p)) {
                    return Optional.of(p);
                }
            }
        }
        return Optional.empty();
    }

    /** The page's DOM as Chromium built it. */
    String dom(String url) throws IOException, InterruptedException {
        return new String(run(url, "--dump-dom"), StandardCharsets.UTF_8);
    }

    /** What Chromium drew for the page in a window of this size. */
    BufferedImage screenshot(String url, int width, int height) throws IOException, InterruptedException {
        Path png = Files.createTempFile(scratch, "page", ".png");
        run(url, "--screenshot=" + png, "--window-size=" + width + "," + height, "--hide-scrollbars");
        BufferedImage image = ImageIO.read(png.toFile());
        assertThat(image).as("screenshot of " + url).isNotNull();
        return image;
    }

    private byte[] run(String url, String... args) throws IOException, InterruptedException {
        Path profile = Files.createTempDirectory(scratch, "chromium-profile");
        List<String> command = new ArrayList<>(List.of(binary.toString(), "--headless", "--disable-gpu",
                "--no-first-run", "--no-default-browser-check", "--disable-extensions", "--disable-dev-shm-usage",
                "--user-data-dir=" + profile));
        if ("root".equals(System.getProperty("user.name"))) {
            command.add("--no-sandbox"); // Chromium refuses to run as root with its sandbox
        }
        command.addAll(List.of(args));
        command.add(url);
        Path out = Files.createTempFile(scratch, "chromium", ".out");
        Path err = Files.createTempFile(scratch, "chromium", ".err");
        Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(90, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("Chromium did not finish with " + url + " in 90 s: " + Files.readString(err));
        }
        assertThat(p.exitValue()).as("Chromium on " + url + ": " + Files.readString(err)).isZero();
        return Files.readAllBytes(out);
    }

    /** The text of the element with this id (the facts on Orchard's pages), or fails. */
    static String text(String dom, String id) {
        Matcher m = Pattern.compile("id=\"" + Pattern.quote(id) + "\"[^>]*>([^<]*)<").matcher(dom);
        assertThat(m.find()).as("element #" + id + " on the page").isTrue();
        return unescape(m.group(1)).trim();
    }

    /** Every value of an attribute in the DOM, in order (data-points, data-name, …). */
    static List<String> attributes(String dom, String element, String attribute) {
        List<String> values = new ArrayList<>();
        Matcher m = Pattern.compile("<" + Pattern.quote(element) + "(?:\\s[^>]*)?\\s" + Pattern.quote(attribute)
                + "=\"([^\"]*)\"").matcher(dom);
        while (m.find()) {
            values.add(unescape(m.group(1)));
        }
        return values;
    }

    /** The text of every {@code <td>} in the DOM, in order. */
    static List<String> cells(String dom) {
        List<String> values = new ArrayList<>();
        Matcher m = Pattern.compile("<td\\b[^>]*>([^<]*)</td>").matcher(dom);
        while (m.find()) {
            values.add(unescape(m.group(1)));
        }
        return values;
    }

    private static String unescape(String s) {
        return s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&#39;", "'").replace("&amp;", "&");
    }

    /** The part of the DOM from the element with this id to the end of that element (an svg, a table). */
    static String element(String dom, String tag, String id) {
        int start = dom.indexOf("<" + tag + " ");
        while (start >= 0 && !dom.substring(start, dom.indexOf('>', start)).contains("id=\"" + id + "\"")) {
            start = dom.indexOf("<" + tag + " ", start + 1);
        }
        assertThat(start).as("<" + tag + " id=" + id + "> on the page").isNotNegative();
        int end = dom.indexOf("</" + tag + ">", start);
        return dom.substring(start, end + tag.length() + 3);
    }

    /** Pixels within a small distance of {@code rgb} (anti-aliasing blends the edges of marks). */
    static int pixelsNear(BufferedImage image, int rgb) {
        int r0 = (rgb >> 16) & 0xff;
        int g0 = (rgb >> 8) & 0xff;
        int b0 = rgb & 0xff;
        int n = 0;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                int c = image.getRGB(x, y);
                int d = Math.abs(((c >> 16) & 0xff) - r0) + Math.abs(((c >> 8) & 0xff) - g0) + Math.abs((c & 0xff) - b0);
                n += d <= 12 ? 1 : 0;
            }
        }
        return n;
    }
}
