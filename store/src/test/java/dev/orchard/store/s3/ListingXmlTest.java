package dev.orchard.store.s3;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.utils.http.SdkHttpUtils;

/**
 * {@link ListingXml} reads what the JDK's StAX parser reads, on random ListObjectsV2 pages (seed printed), and
 * leaves to it what it does not know.
 */
class ListingXmlTest {

    private static final String KEY_CHARS = "abcXYZ019 -_./~+%&<>\"'*!#?=:;,()[]{}\u00e4\u00df\u20ac\u4e2d\ud83d\ude00";

    /** What a test checks on one random page: the page, the random source, and a line naming the seed and page. */
    @FunctionalInterface
    private interface PageCheck {
        void check(byte[] page, Random random, String context);
    }

    /**
     * {@code check} on random pages from a fixed seed, so that every run checks the same pages. Another seed, or more
     * pages, to look further: {@code -Dorchard.test.seed=N -Dorchard.test.pages=N}; a failure names its seed and page.
     */
    private static void onRandomPages(String test, PageCheck check) {
        long seed = Long.getLong("orchard.test.seed", 20261130L);
        int pages = Integer.getInteger("orchard.test.pages", 2_000);
        System.out.println(test + ": " + pages + " pages from seed " + seed);
        Random random = new Random(seed);
        for (int i = 0; i < pages; i++) {
            check.check(page(random), random, "seed " + seed + ", page " + i);
        }
    }

    @Test
    void readsRandomPagesAsStaxDoesAndTakesTheFastPathForPlainOnes() {
        onRandomPages("readsRandomPagesAsStaxDoesAndTakesTheFastPathForPlainOnes", (page, random, name) -> {
            String context = name + ":\n" + new String(page, StandardCharsets.UTF_8);
            assertThat(ListingXml.scan(page, new ListPage.Reader())).as(context).isTrue();
            assertThat(outcome(page, false)).as(context).isEqualTo(outcome(page, true));
        });
    }

    /**
     * An object's version is its ETag, or, where the server lists none (S3Proxy's filesystem store for files put on its
     * disk), its LastModified: an image rewritten with the same size was not seen as changed by --update (a user's walk).
     */
    @Test
    void anObjectWithoutAnETagIsVersionedByItsModificationTime() throws Exception {
        String page = "<ListBucketResult>"
                + "<Contents><Key>a.jpg</Key><LastModified>2026-12-06T05:37:14.000Z</LastModified><ETag>\"e1\"</ETag><Size>5</Size></Contents>"
                + "<Contents><Key>b.jpg</Key><LastModified>2026-12-06T05:37:15.000Z</LastModified><Size>6</Size></Contents>"
                + "<Contents><Key>c.jpg</Key><Size>7</Size></Contents>"
                + "</ListBucketResult>";
        for (boolean stax : new boolean[] {false, true}) {
            byte[] bytes = page.getBytes(StandardCharsets.UTF_8);
            ListPage read = stax ? ListPage.parseWithStax(bytes) : ListPage.parse(new ByteArrayInputStream(bytes));
            assertThat(read.objects()).as(stax ? "StAX" : "fast path").containsExactly(
                    new ListPage.Entry("a.jpg", 5, "\"e1\""),
                    new ListPage.Entry("b.jpg", 6, "modified 2026-12-06T05:37:15.000Z"),
                    new ListPage.Entry("c.jpg", 7, null));
        }
    }

    @Test
    void aPageCutShortIsNotReadWhole() {
        onRandomPages("aPageCutShortIsNotReadWhole", (page, random, name) -> {
            int last = page.length - 1;
            while (page[last] != '>') {
                last--; // the root's end tag ends there
            }
            byte[] cut = java.util.Arrays.copyOf(page, random.nextInt(last + 1)); // without at least that '>'
            String context = name + " cut:\n" + new String(cut, StandardCharsets.UTF_8);
            assertThat(outcome(cut, false)).as(context).isEqualTo(outcome(cut, true));
            assertThat(outcome(cut, false)).as(context).startsWith("refused");
        });
    }

    /** CI's run of 2026-11-30 (seed 83205933380435, page 821): "]]>" in text that no one reads. */
    @Test
    void refusesWhatStaxRefusesInTextItSkips() {
        String[] pages = {
            "<ListBucketResult><Prefix>a]]>b</Prefix><IsTruncated>false</IsTruncated></ListBucketResult>",
            "<ListBucketResult><Name>a&bogus;</Name></ListBucketResult>",
            "<ListBucketResult><Name>a&#0;</Name></ListBucketResult>",
            "<ListBucketResult><Name>a & b</Name></ListBucketResult>",
            "<ListBucketResult><Name>a\u0001</Name></ListBucketResult>",
            "<ListBucketResult>]]></ListBucketResult>",
        };
        for (String page : pages) {
            byte[] bytes = page.getBytes(StandardCharsets.UTF_8);
            assertThat(outcome(bytes, true)).as(page).isEqualTo("refused");
            assertThat(outcome(bytes, false)).as(page).isEqualTo("refused");
        }
        byte[] notUtf8 = {'<', 'L', '>', '<', 'N', '>', (byte) 0xC3, '(', '<', '/', 'N', '>', '<', '/', 'L', '>'};
        assertThat(outcome(notUtf8, true)).isEqualTo("refused");
        assertThat(outcome(notUtf8, false)).isEqualTo("refused");
    }

    /** Pages with a few bytes inserted, deleted or changed: read as StAX reads them, or refused as StAX refuses them. */
    @Test
    void aDamagedPageIsReadOrRefusedAsStaxDoes() {
        onRandomPages("aDamagedPageIsReadOrRefusedAsStaxDoes", (page, random, name) -> {
            byte[] damaged = page;
            for (int m = 1 + random.nextInt(3); m > 0; m--) {
                damaged = damage(damaged, random);
            }
            String context = name + " damaged:\n" + new String(damaged, StandardCharsets.UTF_8);
            assertThat(outcome(damaged, false)).as(context).isEqualTo(outcome(damaged, true));
        });
    }

    private static final String[] INSERTS = {"<", ">", "&", ";", "]]>", "]", "\"", "'", "=", "/", "!", "?", ":", " ", "\r",
        "\n", "\t", "\u0001", "\u00e9", "&#0;", "&#x110000;", "&#xD800;", "&#13;", "&bogus;", "&amp", "<!-- c -->",
        "<![CDATA[x]]>", "<x>", "</x>", "<x/>", "<Key>k</Key>", "<Contents>", "</Contents>", " a=\"b\"", " a=b", " a",
        " a='<'", " a=\"&bogus;\"", " xmlns:q=\"u\"", "q:", "s3:", "<?pi x?>", "<?xml version=\"1.0\"?>", "\ufeff"};

    private static byte[] damage(byte[] page, Random random) {
        int at = random.nextInt(page.length + 1);
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.write(page, 0, at);
        switch (random.nextInt(3)) {
            case 0 -> out.writeBytes(INSERTS[random.nextInt(INSERTS.length)].getBytes(StandardCharsets.UTF_8));
            case 1 -> at = Math.min(page.length, at + 1 + random.nextInt(8)); // deleted
            default -> {
                out.write(random.nextInt(256)); // perhaps not UTF-8
                at = Math.min(page.length, at + 1);
            }
        }
        out.write(page, at, page.length - at);
        return out.toByteArray();
    }

    @Test
    void leavesWhatItDoesNotKnowToStax() throws IOException {
        String[] pages = {
            "<?xml version=\"1.0\"?><!-- a comment --><ListBucketResult><Contents><Key>a</Key></Contents></ListBucketResult>",
            "<ListBucketResult><Contents><Key><![CDATA[a<b]]></Key></Contents></ListBucketResult>",
            "<!DOCTYPE x><ListBucketResult><Contents><Key>a</Key></Contents></ListBucketResult>",
            "<ListBucketResult><Contents><Key>a\r\nb</Key></Contents></ListBucketResult>",
            "<ListBucketResult><Contents><Key>a&#13;b</Key></Contents></ListBucketResult>",
            "<ListBucketResult><Contents><Key>a&nbsp;b</Key></Contents></ListBucketResult>",
            "<ListBucketResult><Contents><Key>a<b/></Key></Contents></ListBucketResult>",
            "<ListBucketResult><Contents><Key>a</Key></Other></ListBucketResult>",
            "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><ListBucketResult><Contents><Key>\u00e4</Key></Contents></ListBucketResult>",
            "\ufeff<ListBucketResult><Contents><Key>a</Key></Contents></ListBucketResult>",
            "<ListBucketResult><Contents><Key>a\u0001</Key></Contents></ListBucketResult>",
        };
        for (String page : pages) {
            byte[] bytes = page.getBytes(page.contains("ISO-8859-1") ? StandardCharsets.ISO_8859_1 : StandardCharsets.UTF_8);
            assertThat(ListingXml.scan(bytes, new ListPage.Reader())).as(page).isFalse();
            assertThat(outcome(bytes, false)).as(page).isEqualTo(outcome(bytes, true));
        }
    }

    /** The page as read, or "refused" when the reader rejects it. */
    private static String outcome(byte[] page, boolean staxOnly) {
        try {
            ListPage read = staxOnly ? ListPage.parseWithStax(page) : ListPage.parse(new ByteArrayInputStream(page));
            return read.toString();
        } catch (IOException e) {
            return "refused";
        }
    }

    /** A page as S3 or S3Proxy might write it: url-encoded keys or escaped ones, blanks or none, extra elements. */
    private static byte[] page(Random random) {
        boolean urlEncoded = random.nextBoolean();
        boolean pretty = random.nextBoolean();
        String prefix = random.nextInt(4) == 0 ? "s3:" : "";
        String nl = pretty ? "\n" : "";
        String in = pretty ? "  " : "";
        StringBuilder xml = new StringBuilder();
        if (random.nextBoolean()) {
            xml.append(random.nextBoolean() ? "<?xml version=\"1.0\" encoding=\"UTF-8\"?>" : "<?xml version='1.0'?>").append(nl);
        }
        xml.append('<').append(prefix).append("ListBucketResult xmlns").append(prefix.isEmpty() ? "" : ":s3")
                .append("=\"http://s3.amazonaws.com/doc/2006-03-01/\">").append(nl);
        element(xml, prefix, in, "Name", "bucket", nl);
        element(xml, prefix, in, "Prefix", escape(key(random), random), nl);
        element(xml, prefix, in, "KeyCount", "3", nl);
        element(xml, prefix, in, "MaxKeys", "1000", nl);
        if (urlEncoded) {
            element(xml, prefix, in, "EncodingType", "url", nl);
        }
        element(xml, prefix, in, "IsTruncated", random.nextBoolean() ? "true" : "false", nl);
        for (int k = random.nextInt(5); k > 0; k--) {
            boolean folder = random.nextInt(4) == 0;
            String key = key(random) + (folder ? "/" : "");
            String listed = urlEncoded ? SdkHttpUtils.urlEncode(key).replace("%20", "+").replace("%2F", "/")
                    : escape(key, random);
            if (folder) {
                xml.append(in).append('<').append(prefix).append("CommonPrefixes>");
                element(xml, prefix, "", "Prefix", listed, "");
                xml.append("</").append(prefix).append("CommonPrefixes>").append(nl);
                continue;
            }
            xml.append(in).append('<').append(prefix).append("Contents>").append(nl);
            element(xml, prefix, in + in, "Key", listed, nl);
            element(xml, prefix, in + in, "LastModified", "2026-11-30T12:00:00.000Z", nl);
            element(xml, prefix, in + in, "ETag", random.nextBoolean() ? "&quot;0123abcd&quot;" : "\"0123abcd\"", nl);
            element(xml, prefix, in + in, "Size", String.valueOf(random.nextInt(1 << 20)), nl);
            if (random.nextBoolean()) {
                xml.append(in).append(in).append('<').append(prefix).append("Owner><").append(prefix).append("ID>x</")
                        .append(prefix).append("ID><").append(prefix).append("DisplayName>d &amp; e</").append(prefix)
                        .append("DisplayName></").append(prefix).append("Owner>").append(nl);
            }
            if (random.nextBoolean()) {
                xml.append(in).append(in).append('<').append(prefix).append("StorageClass/>").append(nl);
            }
            xml.append(in).append("</").append(prefix).append("Contents >").append(nl);
        }
        xml.append("</").append(prefix).append("ListBucketResult>").append(pretty ? "\n" : "");
        return xml.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void element(StringBuilder xml, String prefix, String indent, String name, String text, String nl) {
        xml.append(indent).append('<').append(prefix).append(name).append('>').append(text)
                .append("</").append(prefix).append(name).append('>').append(nl);
    }

    private static String key(Random random) {
        StringBuilder key = new StringBuilder();
        for (int n = 1 + random.nextInt(12); n > 0; n--) {
            int at = random.nextInt(KEY_CHARS.length());
            char c = KEY_CHARS.charAt(at);
            key.append(Character.isHighSurrogate(c) ? "\ud83d\ude00" : Character.isLowSurrogate(c) ? "x" : String.valueOf(c));
        }
        return key.toString();
    }

    /** XML escapes, by name or by number, at random. */
    private static String escape(String s, Random random) {
        StringBuilder out = new StringBuilder();
        s.codePoints().forEach(c -> {
            switch (c) {
                case '&' -> out.append(random.nextBoolean() ? "&amp;" : "&#38;");
                case '<' -> out.append(random.nextBoolean() ? "&lt;" : "&#x3C;");
                case '>' -> out.append(random.nextBoolean() || out.toString().endsWith("]]") ? "&gt;" : ">"); // "]]>": not XML
                case '"' -> out.append(random.nextBoolean() ? "&quot;" : "\"");
                case '\'' -> out.append(random.nextBoolean() ? "&apos;" : "'");
                default -> {
                    if (random.nextInt(8) == 0) {
                        out.append(random.nextBoolean() ? "&#" + c + ";" : "&#x" + Integer.toHexString(c) + ";");
                    } else {
                        out.appendCodePoint(c);
                    }
                }
            }
        });
        return out.toString();
    }
}
