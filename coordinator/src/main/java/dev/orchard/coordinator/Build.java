package dev.orchard.coordinator;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Which Orchard build this JVM runs, as the nodes of a cluster compare it ({@code SameBuildCheck}) and as an output
 * records it ({@link Versions}): the first 16 hex
 * digits of a SHA-256 over the jar's entries (each name, CRC-32 and size, in name order), so two builds of the same
 * sources agree whatever their files' times, and any change to a class or a library (a message's fields, the
 * preprocessing, ONNX Runtime) gives another. Run from a folder of classes (tests, an IDE), the folder names the build.
 * Reading the jar's directory takes 25-250 ms (its ~40,000 entries, warm or cold): done once, off the start's path
 * ({@link #prefetch}): by cluster commands as they set up, by a job once its features are done. A jar that cannot be
 * read, or no known source, gives a build equal to no other.
 */
public final class Build {
    private static volatile String id;

    private Build() {
    }

    /** This JVM's build (read once; a caller waits for a {@link #prefetch} under way). */
    public static synchronized String id() {
        String known = id;
        if (known == null) {
            known = of(codeSource());
            id = known;
        }
        return known;
    }

    /**
     * Reads this JVM's build on a thread of its own, at the lowest priority, unless known: a job's coordinator asks
     * once its features are done (a PCA's solve leaves a core idle), for the report at the end; a cluster command as
     * it starts, while its model or job is set up.
     */
    public static void prefetch() {
        if (id == null) {
            Thread reader = new Thread(Build::id, "orchard-build-id");
            reader.setDaemon(true);
            reader.setPriority(Thread.MIN_PRIORITY);
            reader.start();
        }
    }

    private static Path codeSource() {
        try {
            return Path.of(Build.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException | RuntimeException e) {
            return null;
        }
    }

    /** The build of the jar (or folder of classes) at {@code source}. */
    public static String of(Path source) {
        if (source == null) {
            return "unknown " + java.util.UUID.randomUUID(); // equal to no other node's: nothing was compared
        }
        if (!Files.isRegularFile(source)) {
            return "classes " + source.toAbsolutePath().normalize();
        }
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
        try (ZipFile jar = new ZipFile(source.toFile())) {
            List<ZipEntry> entries = new ArrayList<>(Collections.list(jar.entries()));
            entries.sort(Comparator.comparing(ZipEntry::getName));
            ByteBuffer content = ByteBuffer.allocate(2 * Long.BYTES);
            for (ZipEntry entry : entries) {
                sha.update(entry.getName().getBytes(StandardCharsets.UTF_8));
                content.clear();
                content.putLong(entry.getCrc()).putLong(entry.getSize());
                sha.update(content.array());
            }
        } catch (IOException e) {
            // Not thrown: a node's start would fail on it, where a build no other node has is refused with a message.
            return "unreadable jar " + source.toAbsolutePath().normalize() + " (" + e.getMessage() + ") "
                    + java.util.UUID.randomUUID(); // equal to no other node's: nothing was compared
        }
        return HexFormat.of().formatHex(sha.digest()).substring(0, 16);
    }
}
