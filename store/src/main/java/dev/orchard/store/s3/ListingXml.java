package dev.orchard.store.s3;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A ListObjectsV2 answer read by hand, for the plain XML that S3 and S3-compatible servers send: elements, attributes,
 * text with the five predefined entities and character references, an XML declaration. Anything else (a comment,
 * CDATA, a DOCTYPE, a processing instruction after the declaration, a CR in text, an element inside one whose text
 * is wanted, a tag left open) makes {@link #scan} give up, and the page is read again by the JDK's StAX parser, which
 * reads or rejects it as it always did.
 *
 * <p>Why: a job listing its input from S3 spent ~0.8 s of optimising-compiler time on the JDK's Xerces (its scanner
 * and entity manager are large, and a listing makes them hot), per JVM, on top of parsing ~300 KB per 1,000 keys
 * through it (bench/README.md, issue 18). ListingXmlTest compares both readers on random pages, whole, cut short
 * and damaged.
 */
final class ListingXml {

    private ListingXml() {
    }

    /** Reports the page's elements to {@code reader}; false, with the reader in an undefined state, to give up. */
    static boolean scan(byte[] xml, ListPage.Reader reader) {
        int n = xml.length;
        int i = declarationEnd(xml);
        if (i < 0) {
            return false;
        }
        int depth = 0;
        Names names = new Names();
        int[] open = new int[8]; // the names of the open elements, to match their end tags
        List<String> attributes = new ArrayList<>(); // of the tag being read: name, value, name, value...
        Set<String> prefixes = Set.of(); // the namespace prefixes the root declares
        boolean rootSeen = false;
        while (i < n) {
            byte c = xml[i];
            if (c != '<') {
                int lt = indexOf(xml, (byte) '<', i);
                if (lt < 0) {
                    return depth == 0 && rootSeen && blank(xml, i, n);
                }
                if (depth == 0 ? !blank(xml, i, lt) : !skippable(xml, i, lt)) {
                    return false; // text outside the root, or text StAX may refuse
                }
                i = lt; // text of an element whose text is not wanted, or blanks between elements
                continue;
            }
            if (i + 1 >= n) {
                return false;
            }
            byte next = xml[i + 1];
            if (next == '?' || next == '!') {
                return false; // a processing instruction, comment, CDATA, DOCTYPE
            }
            if (next == '/') {
                int nameEnd = nameEnd(xml, i + 2);
                int gt = skipBlanks(xml, nameEnd);
                if (gt >= n || xml[gt] != '>' || depth == 0 || !names.is(open[depth - 1], xml, i + 2, nameEnd)) {
                    return false; // not the end of the element that is open
                }
                reader.end(names.local(open[depth - 1]));
                depth--;
                i = gt + 1;
                continue;
            }
            int nameEnd = nameEnd(xml, i + 1);
            int element = names.find(xml, i + 1, nameEnd);
            if (element < 0 || depth == 0 && rootSeen) {
                return false;
            }
            attributes.clear();
            int gt = tagEnd(xml, nameEnd, names, attributes);
            if (gt < 0) {
                return false;
            }
            if (!rootSeen) {
                prefixes = declaredPrefixes(attributes);
                if (prefixes == null) {
                    return false;
                }
            }
            if (!namespacesKnown(names.qualified(element), attributes, prefixes, !rootSeen)) {
                return false;
            }
            String name = names.local(element);
            boolean empty = xml[gt - 1] == '/';
            rootSeen = true;
            reader.start(name);
            i = gt + 1;
            if (empty) {
                if (reader.wantsText(name)) {
                    reader.text(name, "");
                }
                reader.end(name);
                continue;
            }
            if (!reader.wantsText(name)) {
                if (depth == open.length) {
                    open = Arrays.copyOf(open, depth * 2);
                }
                open[depth++] = element;
                continue;
            }
            int lt = indexOf(xml, (byte) '<', i);
            if (lt < 0 || lt + 1 >= n || xml[lt + 1] != '/') {
                return false; // an element (or a comment, CDATA) inside the text
            }
            String text = text(xml, i, lt);
            if (text == null) {
                return false;
            }
            int endName = nameEnd(xml, lt + 2);
            int endGt = skipBlanks(xml, endName);
            if (endGt >= n || xml[endGt] != '>' || !names.is(element, xml, lt + 2, endName)) {
                return false;
            }
            reader.text(name, text);
            reader.end(name);
            i = endGt + 1;
        }
        return depth == 0 && rootSeen;
    }

    /** {@code <?xml version="1.0" encoding="UTF-8" standalone="yes"?>}, the last two optional, in any quotes. */
    private static final Pattern DECLARATION = Pattern.compile(
            "<\\?xml[ \t\n]+version[ \t\n]*=[ \t\n]*([\"'])1\\.0\\1"
            + "([ \t\n]+encoding[ \t\n]*=[ \t\n]*([\"'])(?i:UTF-8)\\3)?"
            + "([ \t\n]+standalone[ \t\n]*=[ \t\n]*([\"'])(yes|no)\\5)?[ \t\n]*\\?>");

    /** Where the content starts after an XML declaration (0 without one), or -1 for a declaration not plain. */
    private static int declarationEnd(byte[] xml) {
        if (xml.length < 2 || xml[0] != '<' || xml[1] != '?') {
            return 0;
        }
        String head = new String(xml, 0, Math.min(xml.length, 200), StandardCharsets.ISO_8859_1);
        int end = head.indexOf("?>");
        return end >= 0 && DECLARATION.matcher(head.substring(0, end + 2)).matches() ? end + 2 : -1;
    }

    /**
     * The end of a start tag from {@code i} (after its name): the index of its '>', or -1 where it is not plain. Its
     * attributes go into {@code attributes}, name then value: each after a blank, {@code name="value"} or
     * {@code name='value'}, the value without '<' and, where it has a reference, one {@link #text} reads.
     */
    private static int tagEnd(byte[] xml, int i, Names names, List<String> attributes) {
        int n = xml.length;
        while (true) {
            int at = skipBlanks(xml, i);
            if (at >= n) {
                return -1;
            }
            if (xml[at] == '>') {
                return at;
            }
            if (xml[at] == '/') {
                return at + 1 < n && xml[at + 1] == '>' ? at + 1 : -1;
            }
            int nameEnd = nameEnd(xml, at);
            int name = at == i ? -1 : names.find(xml, at, nameEnd); // a blank before each attribute
            int eq = skipBlanks(xml, nameEnd);
            if (name < 0 || eq >= n || xml[eq] != '=') {
                return -1;
            }
            int open = skipBlanks(xml, eq + 1);
            if (open >= n || xml[open] != '"' && xml[open] != '\'') {
                return -1;
            }
            int close = indexOf(xml, xml[open], open + 1);
            if (close < 0 || indexOf(xml, (byte) '<', open + 1, close) >= 0) {
                return -1;
            }
            String value = text(xml, open + 1, close);
            if (value == null) {
                return -1;
            }
            attributes.add(names.qualified(name));
            attributes.add(value);
            i = close + 1;
        }
    }

    /** The prefixes the root's attributes declare, or null where one is declared as StAX might refuse or twice. */
    private static Set<String> declaredPrefixes(List<String> attributes) {
        Set<String> prefixes = new HashSet<>();
        for (int k = 0; k < attributes.size(); k += 2) {
            String name = attributes.get(k);
            if (name.startsWith("xmlns:")) {
                String prefix = name.substring("xmlns:".length());
                if (prefix.startsWith("xml") || attributes.get(k + 1).isEmpty() || !prefixes.add(prefix)) {
                    return null;
                }
            }
        }
        return prefixes;
    }

    /**
     * Whether the element's and its attributes' prefixes are all declared by the root, and no attribute is there
     * twice. A prefix declared below the root, a reserved one ({@code xml:}) or a default namespace declared on an
     * inner element with a bad value: StAX decides.
     */
    private static boolean namespacesKnown(String element, List<String> attributes, Set<String> prefixes, boolean root) {
        if (!prefixKnown(element, prefixes)) {
            return false;
        }
        for (int k = 0; k < attributes.size(); k += 2) {
            String name = attributes.get(k);
            for (int j = 0; j < k; j += 2) {
                if (attributes.get(j).equals(name)) {
                    return false;
                }
            }
            if (name.startsWith("xmlns:") ? !root : !name.equals("xmlns") && !prefixKnown(name, prefixes)) {
                return false;
            }
        }
        return true;
    }

    private static boolean prefixKnown(String qualified, Set<String> prefixes) {
        int colon = qualified.indexOf(':');
        return colon < 0 || prefixes.contains(qualified.substring(0, colon));
    }

    /** The text between {@code from} and {@code to}, its references resolved; null where StAX should decide. */
    private static String text(byte[] xml, int from, int to) {
        String raw = new String(xml, from, to - from, StandardCharsets.UTF_8);
        for (int k = 0, length = raw.length(); k < length; k++) {
            char c = raw.charAt(k);
            // A CR (an XML parser turns CR LF into LF), a character XML 1.0 does not allow, or U+FFFD (perhaps bytes
            // that are not UTF-8): StAX decides, by reading or refusing the page.
            if (c < 0x20 && c != '\t' && c != '\n' || c == '\uFFFD' || c == '\uFFFE' || c == '\uFFFF') {
                return null;
            }
        }
        if (raw.contains("]]>")) {
            return null; // not allowed in text
        }
        int amp = raw.indexOf('&');
        if (amp < 0) {
            return raw;
        }
        StringBuilder out = new StringBuilder(raw.length());
        int i = 0;
        while (amp >= 0) {
            out.append(raw, i, amp);
            int semi = raw.indexOf(';', amp);
            if (semi < 0) {
                return null;
            }
            String ref = raw.substring(amp + 1, semi);
            switch (ref) {
                case "lt" -> out.append('<');
                case "gt" -> out.append('>');
                case "amp" -> out.append('&');
                case "quot" -> out.append('"');
                case "apos" -> out.append('\'');
                default -> {
                    int code = characterReference(ref);
                    if (code < 0) {
                        return null;
                    }
                    out.appendCodePoint(code);
                }
            }
            i = semi + 1;
            amp = raw.indexOf('&', i);
        }
        return out.append(raw, i, raw.length()).toString();
    }

    /**
     * Whether text no one reads is as StAX would read it too (it refuses a bad reference, "]]>", a control character or
     * bytes that are not UTF-8 in any text). Most such text is a date, a size or blanks, checked byte by byte.
     */
    private static boolean skippable(byte[] xml, int from, int to) {
        for (int k = from; k < to; k++) {
            byte c = xml[k];
            if (c < 0x20 && c != '\t' && c != '\n' || c == '&' || c == ']') { // c < 0 outside ASCII
                return text(xml, from, to) != null;
            }
        }
        return true;
    }

    /** The code point of "#123" or "#x7B", or -1 for anything else (or a character XML 1.0 does not allow). */
    private static int characterReference(String ref) {
        if (ref.length() < 2 || ref.charAt(0) != '#') {
            return -1;
        }
        boolean hex = ref.charAt(1) == 'x';
        String digits = ref.substring(hex ? 2 : 1);
        if (digits.isEmpty() || digits.length() > 8) {
            return -1;
        }
        int code = 0;
        for (int k = 0; k < digits.length(); k++) {
            int d = Character.digit(digits.charAt(k), hex ? 16 : 10);
            if (d < 0 || digits.charAt(k) > 'f') {
                return -1;
            }
            code = code * (hex ? 16 : 10) + d;
        }
        boolean allowed = code == 0x9 || code == 0xA || code >= 0x20 && code <= 0xD7FF
                || code >= 0xE000 && code <= 0xFFFD || code >= 0x10000 && code <= 0x10FFFF;
        return allowed && code != 0xD ? code : -1; // a CR by reference is kept by StAX: leave it to StAX
    }

    /** The bytes that end a name: blanks, and what can follow a name or cannot be in one. */
    private static final boolean[] ENDS_NAME = new boolean[256];

    static {
        for (char c : " \t\n\r>/<='\"&".toCharArray()) {
            ENDS_NAME[c] = true;
        }
    }

    private static int nameEnd(byte[] xml, int i) {
        int n = xml.length;
        while (i < n && !ENDS_NAME[xml[i] & 0xFF]) {
            i++;
        }
        return i;
    }

    /**
     * The names a page uses, each checked and made a String once: a page of 1,000 keys has ~20,000 tags and ~15
     * names. A page with more than {@value #MAX} names is not a plain listing: StAX reads it.
     */
    private static final class Names {
        private static final int MAX = 64;
        private final byte[][] bytes = new byte[MAX][];
        private final String[] qualified = new String[MAX];
        private final String[] local = new String[MAX];
        private int count;

        /** The number of the name from {@code from} to {@code to}, or -1 where it is not a plain name. */
        int find(byte[] xml, int from, int to) {
            for (int k = 0; k < count; k++) {
                if (is(k, xml, from, to)) {
                    return k;
                }
            }
            String name = plain(xml, from, to);
            if (name == null || count == MAX) {
                return -1;
            }
            bytes[count] = Arrays.copyOfRange(xml, from, to);
            qualified[count] = name;
            local[count] = name.substring(name.indexOf(':') + 1); // as StAX's getLocalName gives it
            return count++;
        }

        boolean is(int name, byte[] xml, int from, int to) {
            byte[] b = bytes[name];
            return b.length == to - from && Arrays.equals(xml, from, to, b, 0, b.length);
        }

        String qualified(int name) {
            return qualified[name];
        }

        String local(int name) {
            return local[name];
        }

        /**
         * The name from {@code from} to {@code to}, or null where it is not a plain one: ASCII letters, digits, '_',
         * '-', '.', starting with a letter or '_', with at most one ':' between a prefix and a local name.
         */
        private static String plain(byte[] xml, int from, int to) {
            if (from >= to) {
                return null;
            }
            int colon = -1;
            for (int k = from; k < to; k++) {
                byte c = xml[k];
                boolean start = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_';
                boolean first = k == from || k == colon + 1;
                if (c == ':' && colon < 0 && !first && k + 1 < to) {
                    colon = k;
                } else if (!start && (first || !(c >= '0' && c <= '9' || c == '-' || c == '.'))) {
                    return null;
                }
            }
            return new String(xml, from, to - from, StandardCharsets.US_ASCII);
        }
    }

    private static int skipBlanks(byte[] xml, int i) {
        while (i < xml.length && (xml[i] == ' ' || xml[i] == '\t' || xml[i] == '\n' || xml[i] == '\r')) {
            i++;
        }
        return i;
    }

    private static boolean blank(byte[] xml, int from, int to) {
        return skipBlanks(xml, from) >= to;
    }

    private static int indexOf(byte[] xml, byte b, int from) {
        return indexOf(xml, b, from, xml.length);
    }

    private static int indexOf(byte[] xml, byte b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (xml[i] == b) {
                return i;
            }
        }
        return -1;
    }
}
