package dev.orchard.store;

import java.nio.charset.Charset;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/**
 * How this JVM names local files as text. Java turns a file name's bytes into a string with the file-name encoding
 * ({@code sun.jnu.encoding}, from the locale it started in) and back again to open it. A job keys every image by that
 * string, so a name whose bytes do not survive the round trip cannot be opened by its key: bytes that are not UTF-8
 * under a UTF-8 locale (an old archive's Latin-1 names), or any non-ASCII letter where the locale is C/POSIX (no
 * locale: cron, systemd, a bare container; the {@code orchard} launcher starts Java in C.UTF-8 there).
 */
public final class FileNames {
    private FileNames() {
    }

    /** The file-name encoding this JVM started with. */
    public static String encoding() {
        return System.getProperty("sun.jnu.encoding", Charset.defaultCharset().name());
    }

    /** Whether names are read as UTF-8 (every letter can be named). */
    public static boolean utf8() {
        String encoding = encoding();
        return encoding.equalsIgnoreCase("UTF-8") || encoding.equalsIgnoreCase("UTF8");
    }

    /** Whether {@code path}, as listed, can be opened again from its string: the key a job gives it. */
    public static boolean nameable(Path path) {
        String text = path.toString();
        if (text.chars().allMatch(c -> c < 0x80)) {
            return true; // ASCII survives every encoding Java runs with
        }
        try {
            return path.getFileSystem().getPath(text).equals(path); // Unix paths compare as bytes
        } catch (InvalidPathException e) {
            return false;
        }
    }

    /** Why {@code path}, not {@link #nameable}, is skipped, and what to do. */
    public static String unnameableReason(Path path) {
        String bytes = path.toUri().getRawPath(); // its bytes, percent-escaped: a name the user can find
        if (!utf8()) {
            return "skipped: its name has letters that this JVM's file-name encoding (" + encoding() + ", from the"
                    + " locale) cannot read; run with a UTF-8 locale this system has (LC_ALL=C.UTF-8), as the orchard"
                    + " launcher does where the locale's is ASCII (its bytes: " + bytes + ")";
        }
        return "skipped: its name is not UTF-8 text, so it cannot be opened by its name (its bytes: " + bytes
                + "); rename it to UTF-8, e.g. convmv -f latin1 -t utf8 --notest";
    }

    /** A hint for a path given as text that this JVM cannot name (an InvalidPathException), or "". */
    public static String localeHint() {
        return utf8() ? "" : " (this JVM reads file names as " + encoding() + ", from the locale: run with a UTF-8"
                + " locale this system has, e.g. LC_ALL=C.UTF-8, to name files with other letters)";
    }
}
