package dev.orchard.store;

import java.util.Collection;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Text from outside (file and folder names, labels, keys) as Orchard prints it to a terminal or a log: each character a
 * reader would not see as itself is escaped, as {@code \n}, {@code \t}, {@code \r}, else {@code \}{@code uXXXX}. Control
 * characters (an ESC in a file name began a terminal sequence: it recoloured the terminal and set its title), line
 * breaks (a name holding a newline printed a line of its own: a forged log line, one that began with '{' in a
 * {@code --log-format json} stream), and invisible format characters (a right-to-left override reversed the rest of
 * the line; a zero-width space made two names look the same), from a user's walk. The zero-width joiner and non-joiner
 * stay: the one joins the emoji of one picture, the other is how Persian and Indic words are spelt.
 */
public final class Printable {
    private static final char ZERO_WIDTH_NON_JOINER = '\u200c';
    private static final char ZERO_WIDTH_JOINER = '\u200d';

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
        while (first < text.length() && shownAsIs(text.charAt(first))) {
            first++;
        }
        if (first == text.length()) {
            return text;
        }
        StringBuilder s = new StringBuilder(text.length() + 16).append(text, 0, first);
        for (int i = first; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\n' && keepNewlines) {
                s.append(c);
                if (i + 1 < text.length() && text.charAt(i + 1) != ' ') {
                    s.append("  ");
                }
            } else if (shownAsIs(c)) {
                s.append(c);
            } else {
                switch (c) {
                    case '\n' -> s.append("\\n");
                    case '\t' -> s.append("\\t");
                    case '\r' -> s.append("\\r");
                    default -> s.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                }
            }
        }
        return s.toString();
    }

    private static boolean shownAsIs(char c) {
        if (c >= ' ' && c < 0x7f) {
            return true;
        }
        if (Character.isISOControl(c)) {
            return false;
        }
        int type = Character.getType(c);
        return c == ZERO_WIDTH_JOINER || c == ZERO_WIDTH_NON_JOINER || (type != Character.FORMAT && type != Character.LINE_SEPARATOR
                && type != Character.PARAGRAPH_SEPARATOR);
    }
}
