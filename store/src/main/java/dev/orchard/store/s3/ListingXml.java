package dev.orchard.store.s3;

import java.nio.charset.StandardCharsets;

/**
 * A ListObjectsV2 answer read by hand, for the plain XML that S3 and S3-compatible servers send: elements, attributes,
 * text with the five predefined entities and character references, an XML declaration. Anything else (a comment,
 * CDATA, a DOCTYPE, a processing instruction after the declaration, a CR in text, an element inside one whose text
 * is wanted, a tag left open) makes {@link #scan} give up, and the page is read again by the JDK's StAX parser, which
 * reads or rejects it as it always did.
 *
 * <p>Why: a job listing its input from S3 spent ~0.8 s of optimising-compiler time on the JDK's Xerces (its scanner
 * and entity manager are large, and a listing makes them hot), per JVM, on top of parsing ~300 KB per 1,000 keys
 * through it (bench/README.md, issue 18). ListingXmlTest compares both readers on random pages.
 */
final class ListingXml {

    private ListingXml() {
    }

    /** Reports the page's elements to {@code reader}; false, with the reader in an undefined state, to give up. */
    static boolean scan(byte[] xml, ListPage.Reader reader) {
        int n = xml.length;
        int i = 0;
        int depth = 0;
        String[] open = new String[8]; // the names of the open elements, to match their end tags
        boolean rootSeen = false;
        while (i < n) {
            byte c = xml[i];
            if (c != '<') {
                int lt = indexOf(xml, (byte) '<', i);
                if (lt < 0) {
                    return depth == 0 && rootSeen && blank(xml, i, n);
                }
                if (depth == 0 && !blank(xml, i, lt)) {
                    return false; // text outside the root
                }
                i = lt; // text of an element whose text is not wanted, or blanks between elements
                continue;
            }
            if (i + 1 >= n) {
                return false;
            }
            byte next = xml[i + 1];
            if (next == '?') {
                if (rootSeen || depth > 0 || !startsWith(xml, i, "<?xml ")) {
                    return false;
                }
                int end = indexOf(xml, "?>", i);
                if (end < 0 || !utf8(new String(xml, i, end - i, StandardCharsets.US_ASCII))) {
                    return false;
                }
                i = end + 2;
                continue;
            }
            if (next == '!') {
                return false; // comment, CDATA, DOCTYPE
            }
            if (next == '/') {
                int nameEnd = nameEnd(xml, i + 2);
                int gt = skipBlanks(xml, nameEnd);
                if (nameEnd == i + 2 || gt >= n || xml[gt] != '>' || depth == 0) {
                    return false;
                }
                String name = localName(xml, i + 2, nameEnd);
                if (!name.equals(open[depth - 1])) {
                    return false; // not the element that is open
                }
                reader.end(name);
                depth--;
                i = gt + 1;
                continue;
            }
            int nameEnd = nameEnd(xml, i + 1);
            if (nameEnd == i + 1 || depth == 0 && rootSeen) {
                return false;
            }
            int gt = tagEnd(xml, nameEnd);
            if (gt < 0) {
                return false;
            }
            String name = localName(xml, i + 1, nameEnd);
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
                    open = java.util.Arrays.copyOf(open, depth * 2);
                }
                open[depth++] = name;
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
            if (endGt >= n || xml[endGt] != '>' || !localName(xml, lt + 2, endName).equals(name)) {
                return false;
            }
            reader.text(name, text);
            reader.end(name);
            i = endGt + 1;
        }
        return depth == 0 && rootSeen;
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

    /** Whether an XML declaration names no encoding, or UTF-8. */
    private static boolean utf8(String declaration) {
        int at = declaration.indexOf("encoding");
        if (at < 0) {
            return true;
        }
        String rest = declaration.substring(at + "encoding".length()).replace(" ", "");
        return rest.regionMatches(true, 0, "=\"UTF-8\"", 0, 8) || rest.regionMatches(true, 0, "='UTF-8'", 0, 8);
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

    /** The end of a start tag from {@code i} (after its name): the index of its '>', attribute values skipped. */
    private static int tagEnd(byte[] xml, int i) {
        byte quote = 0;
        for (int n = xml.length; i < n; i++) {
            byte c = xml[i];
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else if (c == '<') {
                    return -1;
                }
            } else if (c == '"' || c == '\'') {
                quote = c;
            } else if (c == '>') {
                return i;
            } else if (c == '<') {
                return -1;
            }
        }
        return -1;
    }

    private static int nameEnd(byte[] xml, int i) {
        int n = xml.length;
        while (i < n) {
            byte c = xml[i];
            if (c == '>' || c == '/' || c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '<' || c == '='
                    || c == '"' || c == '\'' || c == '&') {
                break;
            }
            i++;
        }
        return i;
    }

    /** The name without its namespace prefix, as StAX's getLocalName gives it. */
    private static String localName(byte[] xml, int from, int to) {
        for (int k = to - 1; k >= from; k--) {
            if (xml[k] == ':') {
                from = k + 1;
                break;
            }
        }
        return new String(xml, from, to - from, StandardCharsets.UTF_8);
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
        for (int i = from, n = xml.length; i < n; i++) {
            if (xml[i] == b) {
                return i;
            }
        }
        return -1;
    }

    private static int indexOf(byte[] xml, String s, int from) {
        byte[] pattern = s.getBytes(StandardCharsets.US_ASCII);
        outer:
        for (int i = from, last = xml.length - pattern.length; i <= last; i++) {
            for (int k = 0; k < pattern.length; k++) {
                if (xml[i + k] != pattern[k]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static boolean startsWith(byte[] xml, int at, String s) {
        return indexOf(xml, s, at) == at;
    }
}
