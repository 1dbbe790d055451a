package dev.orchard.coordinator.listing;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Which listed objects are images: file-name globs ({@code *.jpg,*.jpeg,*.png} by default, case-insensitive),
 * and nothing hidden: a file or folder whose name starts with '.' (or '_', as Spark and S3 tools use for
 * metadata such as {@code _SUCCESS}) is skipped together with everything below it.
 */
public final class NameFilter {
    public static final String DEFAULT_GLOBS = "*.jpg,*.jpeg,*.png";

    private final List<Pattern> globs = new ArrayList<>();

    public NameFilter(String globList) {
        for (String glob : globList.split(",")) {
            String g = glob.trim();
            if (!g.isEmpty()) {
                globs.add(Pattern.compile(globToRegex(g), Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE));
            }
        }
        if (globs.isEmpty()) {
            throw new IllegalArgumentException("--glob '" + globList + "' has no pattern; e.g. --glob '*.jpg,*.png'");
        }
    }

    /** @param relativePath the path below the input root, '/'-separated */
    public boolean accepts(String relativePath) {
        if (hidden(relativePath)) {
            return false;
        }
        String name = relativePath.substring(relativePath.lastIndexOf('/') + 1);
        for (Pattern p : globs) {
            if (p.matcher(name).matches()) {
                return true;
            }
        }
        return false;
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

    static String globToRegex(String glob) {
        StringBuilder re = new StringBuilder();
        for (char c : glob.toCharArray()) {
            switch (c) {
                case '*' -> re.append("[^/]*");
                case '?' -> re.append("[^/]");
                default -> re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return re.toString();
    }
}
