package dev.orchard.coordinator.listing;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Which listed objects are images: {@code --glob} patterns ({@code *.jpg,*.jpeg,*.png} by default), and nothing
 * hidden: a file or folder whose name starts with '.' (or '_', as Spark and S3 tools use for metadata such as
 * {@code _SUCCESS}) is skipped together with everything below it.
 *
 * <p>A pattern has the syntax of Java's {@code FileSystem.getPathMatcher("glob:…")}, which is also what Spark's
 * {@code pathGlobFilter} and Hadoop accept for file names: {@code *} and {@code ?} within one name, {@code **}
 * across folders, {@code [a-z]} and {@code [!a-z]}, {@code {jpg,png}} alternatives, {@code \} escapes. Matching
 * is case-insensitive (as S3 keys of photos come in every case). A pattern without '/' matches the file name; one
 * with '/' matches the whole path below {@code --input} ({@code Apple*}{@code /*.jpg}, {@code **}{@code /test/*.png};
 * the whole key with {@code --input-manifest}).
 *
 * <p>Several patterns are separated by commas <em>outside</em> braces and brackets, so today's lists keep working
 * and coexist with braces: {@code *.{jpg,jpeg},*.png} is two patterns, the first with two alternatives. Spaces
 * around those separating commas are ignored; inside braces every character counts, as in Java and Spark.
 *
 * <p>Why not the JDK's own matcher: it has no case-insensitive mode and matches {@code Path}s, which S3 keys are
 * not. The translation below follows the JDK's (sun.nio.fs.Globs) rule for rule, and NameFilterTest checks it
 * against {@code getPathMatcher} on lower-case names.
 */
public final class NameFilter {
    public static final String DEFAULT_GLOBS = "*.jpg,*.jpeg,*.png";

    private final List<Pattern> nameGlobs = new ArrayList<>();
    private final List<Pattern> pathGlobs = new ArrayList<>();

    public NameFilter(String globList) {
        for (String glob : split(globList)) {
            Pattern pattern;
            try {
                pattern = Pattern.compile(globToRegex(glob), Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--glob '" + globList + "': the pattern '" + glob + "' is not a glob ("
                        + e.getMessage() + "); e.g. --glob '*.{jpg,jpeg,png}'", e);
            }
            (glob.indexOf('/') >= 0 ? pathGlobs : nameGlobs).add(pattern);
        }
        if (nameGlobs.isEmpty() && pathGlobs.isEmpty()) {
            throw new IllegalArgumentException("--glob '" + globList + "' has no pattern; e.g. --glob '*.{jpg,png}'");
        }
    }

    /** @param relativePath the path below the input root, '/'-separated */
    public boolean accepts(String relativePath) {
        return !hidden(relativePath) && matches(relativePath);
    }

    /**
     * Whether a {@code --glob} pattern matches, hidden or not: for a manifest that names each image, where no folder
     * on an image's way is a listing's metadata (an absolute path may well pass through {@code /data/_raw/}).
     */
    public boolean matches(String relativePath) {
        String name = relativePath.substring(relativePath.lastIndexOf('/') + 1);
        for (Pattern p : nameGlobs) {
            if (p.matcher(name).matches()) {
                return true;
            }
        }
        for (Pattern p : pathGlobs) {
            if (p.matcher(relativePath).matches()) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether the path is hidden only by a segment that is '.' or '..': an S3 key may hold such segments (no file
     * name can), and a user does not call them hidden (a user's report: skipped without a word).
     */
    public boolean hiddenByDotSegment(String relativePath) {
        boolean dots = false;
        for (String segment : relativePath.split("/", -1)) {
            if (segment.equals(".") || segment.equals("..")) {
                dots = true;
            } else if (segment.startsWith(".") || segment.startsWith("_")) {
                return false;
            }
        }
        return dots;
    }

    /** Whether the path, or a folder on its way, is hidden ('.name' or '_name'). */
    public boolean hidden(String relativePath) {
        for (String segment : relativePath.split("/")) {
            if (segment.startsWith(".") || segment.startsWith("_")) {
                return true;
            }
        }
        return false;
    }

    /** The patterns of a list: split at commas outside braces and brackets (and not escaped), trimmed. */
    static List<String> split(String globList) {
        List<String> globs = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        boolean inBraces = false;
        boolean inBrackets = false;
        for (int i = 0; i < globList.length(); i++) {
            char c = globList.charAt(i);
            if (inBrackets) { // in a [...] class, '\\' and ',' are literal; only ']' ends it
                inBrackets = c != ']';
            } else if (c == '\\' && i + 1 < globList.length()) {
                current.append(c);
                c = globList.charAt(++i);
            } else if (c == ',' && !inBraces) {
                addTrimmed(globs, current);
                continue;
            } else if (c == '[') {
                inBrackets = true;
            } else if (c == '{') {
                inBraces = true;
            } else if (c == '}') {
                inBraces = false;
            }
            current.append(c);
        }
        addTrimmed(globs, current);
        return globs;
    }

    private static void addTrimmed(List<String> globs, StringBuilder glob) {
        String g = glob.toString().trim();
        if (!g.isEmpty()) {
            globs.add(g);
        }
        glob.setLength(0);
    }

    /** One glob as a regex, with the JDK's rules ({@code FileSystem.getPathMatcher} on a Unix file system). */
    static String globToRegex(String glob) {
        StringBuilder re = new StringBuilder("^");
        boolean inGroup = false;
        int i = 0;
        while (i < glob.length()) {
            char c = glob.charAt(i++);
            switch (c) {
                case '\\' -> {
                    if (i == glob.length()) {
                        throw new IllegalArgumentException("nothing to escape at the end");
                    }
                    appendLiteral(re, glob.charAt(i++));
                }
                case '/' -> re.append('/');
                case '[' -> i = appendClass(glob, i, re);
                case '{' -> {
                    if (inGroup) {
                        throw new IllegalArgumentException("braces cannot be nested");
                    }
                    re.append("(?:(?:");
                    inGroup = true;
                }
                case '}' -> {
                    if (inGroup) {
                        re.append("))");
                        inGroup = false;
                    } else {
                        re.append('}');
                    }
                }
                case ',' -> re.append(inGroup ? ")|(?:" : ",");
                case '*' -> {
                    if (i < glob.length() && glob.charAt(i) == '*') {
                        re.append(".*");
                        i++;
                    } else {
                        re.append("[^/]*");
                    }
                }
                case '?' -> re.append("[^/]");
                default -> appendLiteral(re, c);
            }
        }
        if (inGroup) {
            throw new IllegalArgumentException("a '{' has no '}'");
        }
        return re.append('$').toString();
    }

    /** A bracket expression starting after '[' at {@code i}; returns the index after its ']'. */
    private static int appendClass(String glob, int i, StringBuilder re) {
        re.append("[[^/]&&[");
        if (i < glob.length() && glob.charAt(i) == '^') {
            re.append("\\^"); // a literal '^': glob negation is '!'
            i++;
        } else {
            if (i < glob.length() && glob.charAt(i) == '!') {
                re.append('^');
                i++;
            }
            if (i < glob.length() && glob.charAt(i) == '-') {
                re.append('-'); // a leading '-' is literal
                i++;
            }
        }
        boolean hasRangeStart = false;
        char last = 0;
        while (i < glob.length()) {
            char c = glob.charAt(i++);
            if (c == ']') {
                re.append("]]");
                return i;
            }
            if (c == '/') {
                throw new IllegalArgumentException("'/' cannot be in a [...] class");
            }
            if (c == '\\' || c == '[' || (c == '&' && i < glob.length() && glob.charAt(i) == '&')) {
                re.append('\\'); // literal in a glob class, special in a regex class
            }
            re.append(c);
            if (c == '-') {
                if (!hasRangeStart) {
                    throw new IllegalArgumentException("'-' does not follow a range start in a [...] class");
                }
                if (i == glob.length()) {
                    break;
                }
                c = glob.charAt(i++);
                if (c == ']') { // "[a-]": a trailing '-' is literal
                    re.append("]]");
                    return i;
                }
                if (c < last) {
                    throw new IllegalArgumentException("the range in a [...] class runs backwards");
                }
                re.append(c);
                hasRangeStart = false;
            } else {
                hasRangeStart = true;
                last = c;
            }
        }
        throw new IllegalArgumentException("a '[' has no ']'");
    }

    private static void appendLiteral(StringBuilder re, char c) {
        if ("\\^$.|?*+()[]{}".indexOf(c) >= 0) {
            re.append('\\');
        }
        re.append(c);
    }
}
