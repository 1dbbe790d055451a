package dev.orchard.store;

import java.util.Collection;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Text from outside (file and folder names, labels, keys) as Orchard prints it to a terminal or a log: each character a
 * reader would not see as itself is escaped, as {@code \n}, {@code \t}, {@code \r}, else {@code \}{@code uXXXX}
 * ({@code \}{@code UXXXXXXXX} above U+FFFF). Control characters (an ESC in a file name began a terminal sequence: it
 * recoloured the terminal and set its title), line breaks (a name holding a newline printed a line of its own: a forged
 * log line, one that began with '{' in a {@code --log-format json} stream), and invisible format characters (a
 * right-to-left override reversed the rest of the line; a zero-width space made two names look the same), from a
 * user's walk. The zero-width joiner and non-joiner stay: the one joins the emoji of one picture, the other is how
 * Persian and Indic words are spelt; so do the tag characters of a region's flag.
 */
public final class Printable {
    private static final char ZERO_WIDTH_NON_JOINER = '\u200c';
    private static final char ZERO_WIDTH_JOINER = '\u200d';
    /** U+1F3F4, which tag characters after it make the flag of England, Scotland or Wales (an emoji tag sequence). */
    private static final int WAVING_BLACK_FLAG = 0x1f3f4;
    private static final int CANCEL_TAG = 0xe007f;

    private Printable() {
    }

    /** {@code text} with every character that would not show as itself escaped. */
    public static String escaped(String text) {
        return escaped(text, false);
    }

    /**
     * A whole message: its own line breaks kept, each line after the first indented (a name in it that kept a line
     * break cannot begin a line of its own, say one a JSON log reader takes for a record), everything else
     * {@link #escaped}.
     */
    public static String message(String text) {
        return escaped(text, true);
    }

    /** The texts, each {@link #escaped}, joined by {@code ", "}. */
    public static String joined(Collection<String> texts) {
        return texts.stream().map(Printable::escaped).collect(Collectors.joining(", "));
    }

    private static String escaped(String text, boolean keepNewlines) {
        if (text == null) {
            return null;
        }
        int first = 0;
        while (first < text.length() && text.charAt(first) >= ' ' && text.charAt(first) < 0x7f) {
            first++;
        }
        if (first == text.length()) {
            return text;
        }
        StringBuilder s = null;
        int flagEnd = -1; // the end of the tag characters that make a black flag a region's flag: one emoji
        for (int i = first; i < text.length(); ) {
            int c = text.codePointAt(i);
            int next = i + Character.charCount(c);
            if (c == WAVING_BLACK_FLAG) {
                flagEnd = flagTagsEnd(text, next);
            }
            if (shownAsIs(c) || i < flagEnd) {
                if (s != null) {
                    s.appendCodePoint(c);
                }
            } else {
                if (s == null) {
                    s = new StringBuilder(text.length() + 16).append(text, 0, i);
                }
                if (c == '\n' && keepNewlines) {
                    s.append('\n');
                    if (next < text.length() && text.charAt(next) != ' ') {
                        s.append("  ");
                    }
                } else {
                    switch (c) {
                        case '\n' -> s.append("\\n");
                        case '\t' -> s.append("\\t");
                        case '\r' -> s.append("\\r");
                        default -> s.append(c <= 0xffff ? String.format(Locale.ROOT, "\\u%04x", c)
                                : String.format(Locale.ROOT, "\\U%08x", c));
                    }
                }
            }
            i = next;
        }
        return s == null ? text : s.toString();
    }

    /**
     * Where the tag characters after a black flag at {@code from} end, when they make a region's flag (an emoji tag
     * sequence: tags U+E0020-E007E, then the cancel tag U+E007F); else -1: tags that end no flag hide a word.
     */
    private static int flagTagsEnd(String text, int from) {
        int i = from;
        while (i < text.length()) {
            int c = text.codePointAt(i);
            if (c == CANCEL_TAG) {
                return i > from ? i + Character.charCount(c) : -1;
            }
            if (c < 0xe0020 || c > 0xe007e) {
                return -1;
            }
            i += Character.charCount(c);
        }
        return -1;
    }

    /**
     * Whether code point {@code c} shows as itself. Looked at whole, not as UTF-16 units: the invisible tag characters
     * (U+E0000-E007F, format characters above U+FFFF) are a pair of surrogates, each of which alone is no format
     * character. A lone surrogate is escaped: it is no character, and a terminal shows it as '?' at best.
     */
    private static boolean shownAsIs(int c) {
        if (c >= ' ' && c < 0x7f) {
            return true;
        }
        if (Character.isISOControl(c)) {
            return false;
        }
        int type = Character.getType(c);
        return c == ZERO_WIDTH_JOINER || c == ZERO_WIDTH_NON_JOINER || (type != Character.FORMAT && type != Character.LINE_SEPARATOR
                && type != Character.PARAGRAPH_SEPARATOR && type != Character.SURROGATE);
    }
}
