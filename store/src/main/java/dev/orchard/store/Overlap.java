package dev.orchard.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Whether a job's output and its input share any file. A job reads its input while it writes (and, with
 * {@code --overwrite}, deletes) below its output, so the two must never overlap: one typo ({@code --output} equal to
 * {@code --input}, or its parent) would otherwise destroy the data set.
 *
 * <p>Local paths are compared as the file system sees them: symbolic links and {@code ..} in the part of each path
 * that exists are resolved (the output need not exist yet), so a link to the input is the input; and folders are
 * compared by identity (device and inode), so a folder mounted at two places is one folder. S3 locations are
 * compared by bucket and by '/'-separated prefix segments, as the store lists them ({@code s3://b/in} and
 * {@code s3://b/in/} are one prefix; {@code s3://b/input} is not below {@code s3://b/in}).
 */
public final class Overlap {
    private final Location output;
    private final List<String> outputSegments;
    // The last folder a key was resolved in: manifests list many keys per folder, and each resolution costs syscalls.
    private Path lastFolder;
    private List<String> lastFolderSegments;

    /** The region below {@code output} that no input may share. */
    public Overlap(Location output) throws IOException {
        this.output = output;
        this.outputSegments = segments(output);
    }

    /**
     * How the input folder or prefix {@code input} overlaps the output, as a phrase for an error message
     * ("is the same folder as", ...), or empty when the two share nothing.
     */
    public Optional<String> with(Location input) throws IOException {
        if (input.scheme() != output.scheme() || (!input.isLocal() && !input.bucket().equals(output.bucket()))) {
            return Optional.empty();
        }
        List<String> in = segments(input);
        if (in.equals(outputSegments)) {
            return Optional.of(SAME);
        }
        if (startsWith(in, outputSegments)) {
            return Optional.of("lies inside");
        }
        if (startsWith(outputSegments, in)) {
            return Optional.of("contains");
        }
        if (input.isLocal()) {
            return sameFolderElsewhere(input.path(), output.path()); // bind mounts: one folder under two paths
        }
        return Optional.empty();
    }

    /** Whether {@code other} is the output's very location (a folder under another path, a link to it included). */
    public boolean sameAs(Location other) throws IOException {
        return with(other).filter(SAME::equals).isPresent();
    }

    private static final String SAME = "is the same location as";

    /**
     * The overlap that paths cannot show: a folder mounted at two places is one folder to the file system (same
     * device and inode) under two real paths. Compares the identity of each existing folder with those of the other's
     * existing ancestors.
     */
    private static Optional<String> sameFolderElsewhere(Path input, Path output) throws IOException {
        Object in = identity(input);
        Object out = identity(output);
        if (in != null && in.equals(out)) {
            return Optional.of(SAME);
        }
        if (in != null && ancestors(output).contains(in)) {
            return Optional.of("contains");
        }
        if (out != null && ancestors(input).contains(out)) {
            return Optional.of("lies inside");
        }
        return Optional.empty();
    }

    private static Object identity(Path path) {
        try {
            return Files.readAttributes(path, java.nio.file.attribute.BasicFileAttributes.class).fileKey();
        } catch (IOException e) {
            return null; // not there (yet)
        }
    }

    private static java.util.Set<Object> ancestors(Path path) {
        java.util.Set<Object> keys = new java.util.HashSet<>();
        for (Path p = path.toAbsolutePath().getParent(); p != null; p = p.getParent()) {
            Object key = identity(p);
            if (key != null) {
                keys.add(key);
            }
        }
        return keys;
    }

    /**
     * Whether the single object {@code key} (an image a manifest names) is the output or lies below it. Only the
     * key's folder is resolved (once per run of keys in one folder, so a manifest of millions of keys costs little).
     */
    public boolean holds(Location key) throws IOException {
        if (key.scheme() != output.scheme() || (!key.isLocal() && !key.bucket().equals(output.bucket()))) {
            return false;
        }
        List<String> k;
        if (key.isLocal()) {
            k = inFolder(key.path()); // its folder resolved (once per folder), its own name as written
        } else {
            k = segments(key);
        }
        return startsWith(k, outputSegments);
    }

    private List<String> inFolder(Path path) throws IOException {
        Path folder = path.getParent();
        if (folder == null) {
            return localSegments(path);
        }
        if (!folder.equals(lastFolder)) {
            lastFolderSegments = localSegments(folder);
            lastFolder = folder;
        }
        String[] all = Arrays.copyOf(lastFolderSegments.toArray(new String[0]), lastFolderSegments.size() + 1);
        all[all.length - 1] = path.getFileName().toString();
        return List.of(all);
    }

    private static List<String> segments(Location location) throws IOException {
        if (location.isLocal()) {
            return localSegments(location.path());
        }
        String key = location.key();
        while (key.endsWith("/")) {
            key = key.substring(0, key.length() - 1);
        }
        return key.isEmpty() ? List.of() : List.of(key.split("/", -1));
    }

    private static List<String> localSegments(Path path) throws IOException {
        Path resolved = resolveExisting(path.toAbsolutePath().normalize());
        String[] parts = new String[resolved.getNameCount()];
        for (int i = 0; i < parts.length; i++) {
            parts[i] = resolved.getName(i).toString();
        }
        return List.of(parts);
    }

    /** The real path of the longest part of {@code path} that exists, followed by the rest as written. */
    public static Path resolveExisting(Path path) throws IOException {
        Path existing = path;
        while (existing != null && !Files.exists(existing, LinkOption.NOFOLLOW_LINKS)) {
            existing = existing.getParent();
        }
        if (existing == null) {
            return path;
        }
        Path real;
        try {
            real = existing.toRealPath();
        } catch (java.nio.file.NoSuchFileException e) {
            real = existing; // a dangling link: nothing behind it to share
        }
        return real.resolve(existing.relativize(path)).normalize();
    }

    private static boolean startsWith(List<String> path, List<String> prefix) {
        return path.size() >= prefix.size() && path.subList(0, prefix.size()).equals(prefix);
    }
}
