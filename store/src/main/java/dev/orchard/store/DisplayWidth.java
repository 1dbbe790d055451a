package dev.orchard.store;

/**
 * How many terminal columns text takes, for console tables: a class named 苹果 or 🍌 was padded by its {@code length()}
 * while each of its characters takes two columns, and every column after it slid (a user's walk). Two columns for the
 * characters Unicode's East_Asian_Width calls Wide or Fullwidth (CJK, Hangul syllables, kana, fullwidth forms, emoji),
 * none for combining marks, format characters (the zero-width joiner) and what a joiner or a skin tone joins to the
 * picture before it, one for the rest: what terminals do, as {@code wcwidth} does (the JDK has no such property, and
 * ICU4J, which has, is not on the classpath). Ambiguous-width characters count one, as outside CJK locales.
 */
public final class DisplayWidth {
    private static final int ZERO_WIDTH_JOINER = 0x200d;

    /**
     * The Wide and Fullwidth ranges of EastAsianWidth.txt (Unicode 15), first and last code point of each, in order;
     * ranges of neighbouring blocks merged where no narrow character lies between them.
     */
    private static final int[] WIDE = {
        0x1100, 0x115f, 0x231a, 0x231b, 0x2329, 0x232a, 0x23e9, 0x23ec, 0x23f0, 0x23f0, 0x23f3, 0x23f3,
        0x25fd, 0x25fe, 0x2614, 0x2615, 0x2648, 0x2653, 0x267f, 0x267f, 0x2693, 0x2693, 0x26a1, 0x26a1,
        0x26aa, 0x26ab, 0x26bd, 0x26be, 0x26c4, 0x26c5, 0x26ce, 0x26ce, 0x26d4, 0x26d4, 0x26ea, 0x26ea,
        0x26f2, 0x26f3, 0x26f5, 0x26f5, 0x26fa, 0x26fa, 0x26fd, 0x26fd, 0x2705, 0x2705, 0x270a, 0x270b,
        0x2728, 0x2728, 0x274c, 0x274c, 0x274e, 0x274e, 0x2753, 0x2755, 0x2757, 0x2757, 0x2795, 0x2797,
        0x27b0, 0x27b0, 0x27bf, 0x27bf, 0x2b1b, 0x2b1c, 0x2b50, 0x2b50, 0x2b55, 0x2b55, 0x2e80, 0x303e,
        0x3041, 0x33ff, 0x3400, 0x4dbf, 0x4e00, 0x9fff, 0xa000, 0xa4cf, 0xa960, 0xa97f, 0xac00, 0xd7a3,
        0xf900, 0xfaff, 0xfe10, 0xfe19, 0xfe30, 0xfe6f, 0xff00, 0xff60, 0xffe0, 0xffe6,
        0x16fe0, 0x16fe4, 0x17000, 0x18cff, 0x1aff0, 0x1b2ff, 0x1f004, 0x1f004, 0x1f0cf, 0x1f0cf,
        0x1f18e, 0x1f18e, 0x1f191, 0x1f19a, 0x1f200, 0x1f2ff, 0x1f300, 0x1f64f, 0x1f680, 0x1f6ff,
        0x1f7e0, 0x1f7eb, 0x1f90c, 0x1f9ff, 0x1fa70, 0x1faff, 0x20000, 0x2fffd, 0x30000, 0x3fffd};

    private DisplayWidth() {
    }

    /** The columns {@code text} takes in a terminal. */
    public static int of(String text) {
        int width = 0;
        int previous = -1;
        for (int i = 0; i < text.length(); ) {
            int c = text.codePointAt(i);
            width += joined(previous, c) ? 0 : of(c);
            previous = c;
            i += Character.charCount(c);
        }
        return width;
    }

    /** {@code text} and spaces after it up to {@code width} columns: a left-aligned cell (as {@code %-Ns} by length). */
    public static String padded(String text, int width) {
        int missing = width - of(text);
        return missing <= 0 ? text : text + " ".repeat(missing);
    }

    /** {@code text} cut to at most {@code width} columns, its last one then "…"; never inside a character. */
    public static String cut(String text, int width) {
        if (of(text) <= width) {
            return text;
        }
        int used = 0;
        int previous = -1;
        int end = 0;
        while (end < text.length()) {
            int c = text.codePointAt(end);
            int w = joined(previous, c) ? 0 : of(c);
            if (used + w > width - 1) {
                break;
            }
            used += w;
            previous = c;
            end += Character.charCount(c);
        }
        return text.substring(0, end) + "…";
    }

    /** A code point drawn into the picture before it: after a zero-width joiner, or a skin tone after an emoji. */
    private static boolean joined(int previous, int c) {
        return previous == ZERO_WIDTH_JOINER || previous >= 0 && c >= 0x1f3fb && c <= 0x1f3ff;
    }

    private static int of(int c) {
        switch (Character.getType(c)) {
            case Character.NON_SPACING_MARK, Character.ENCLOSING_MARK, Character.FORMAT, Character.CONTROL:
                return 0;
            default:
                break;
        }
        if (c >= 0x1160 && c <= 0x11ff) { // a decomposed Hangul syllable's vowel and final: drawn into its initial
            return 0;
        }
        int low = 0;
        int high = WIDE.length / 2 - 1;
        while (low <= high) {
            int mid = (low + high) >>> 1;
            if (c < WIDE[2 * mid]) {
                high = mid - 1;
            } else if (c > WIDE[2 * mid + 1]) {
                low = mid + 1;
            } else {
                return 2;
            }
        }
        return 1;
    }
}
