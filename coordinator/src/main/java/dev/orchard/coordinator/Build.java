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
 * digits of a SHA-256 over the jar's files (each name, CRC-32 and size, in name order), so two builds of the same
 * sources agree whatever their files' times, and any change to a class or a library (a message's fields, the
 * preprocessing, ONNX Runtime) gives another. Run from a folder of classes (tests, an IDE), the folder names the build.
 * Reading the jar's directory takes 25-250 ms (its ~40,000 entries, warm or cold), so the build stamps the jar with its
 * id and size ({@link #main}: the entry {@value #STAMP}, which the digest leaves out), and a JVM reads it through the
 * class loader that already has the jar open. An unstamped jar, or one whose size is no longer the stamp's, is
 * digested once, where {@link #prefetch} asks. A jar that cannot be read, or no known source, gives a build equal to
 * no other.
 */
public final class Build {
    /** The jar's entry that holds its build, written by {@link #main} when the jar is built. */
    public static final String STAMP = "META-INF/orchard-build";

    private static volatile String id;

    private Build() {
    }

    /** This JVM's build (read once; a caller waits for a {@link #prefetch} under way). */
    public static synchronized String id() {
        String known = id;
        if (known == null) {
            Path source = codeSource();
            known = stamped(source);
            if (known == null) {
                known = of(source);
            }
            id = known;
        }
        return known;
    }

    /**
     * Stamps the jar at {@code args[0]} with its build (run by the build once the jar is made: cli/pom.xml), and
     * prints it. The stamp is the build and the jar's size once stamped (written twice, uncompressed and of one
     * length, so that the second write gives the size the first measured): a jar changed since is digested, not
     * trusted, unless the change kept its size. Stamping again gives the same stamp.
     */
    public static void main(String[] args) throws IOException {
        if (args.length != 1 || !Files.isRegularFile(Path.of(args[0]))) {
            throw new IllegalArgumentException("usage: Build JAR (stamps the jar with its build)");
        }
        Path jar = Path.of(args[0]);
        String build = of(jar);
        if (build.length() != 16) {
            throw new IOException("cannot stamp " + jar + ": " + build);
        }
        writeStamp(jar, stampText(build, 0));
        long size = Files.size(jar);
        writeStamp(jar, stampText(build, size));
        if (Files.size(jar) != size || !build.equals(of(jar)) || !build.equals(stamp(jar))) {
            // The stamp is left out of the digest: adding it changes nothing else, and its length is fixed.
            throw new IOException("stamping " + jar + " changed its other entries or its size");
        }
        System.out.println(jar.getFileName() + ": build " + build);
    }

    private static String stampText(String build, long size) {
        return build + " " + String.format(java.util.Locale.ROOT, "%015d", size);
    }

    private static void writeStamp(Path jar, String text) throws IOException {
        try (java.nio.file.FileSystem zip = java.nio.file.FileSystems.newFileSystem(jar,
                java.util.Map.of("noCompression", "true"))) {
            Path stamp = zip.getPath(STAMP);
            Files.createDirectories(stamp.getParent());
            Files.writeString(stamp, text, StandardCharsets.UTF_8);
        }
    }

    /** The build the jar's stamp names, where the stamp holds for the jar as it is now; else null (digest it). */
    public static String stamp(Path jar) {
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            ZipEntry entry = zip.getEntry(STAMP);
            if (entry == null) {
                return null;
            }
            try (var in = zip.getInputStream(entry)) {
                return validStamp(jar, in.readNBytes(64));
            }
        } catch (IOException e) {
            return null;
        }
    }

    /** The build in a stamp's bytes if they are one and the jar at {@code jar} has the size they say; else null. */
    private static String validStamp(Path jar, byte[] stamp) throws IOException {
        String[] fields = new String(stamp, StandardCharsets.UTF_8).strip().split(" ");
        if (fields.length != 2 || !fields[0].matches("[0-9a-f]{16}") || !fields[1].matches("[0-9]{15}")) {
            return null;
        }
        return Long.parseLong(fields[1]) == Files.size(jar) ? fields[0] : null;
    }

    /**
     * The stamp of the jar at {@code source}, as this JVM's class loader reads it (it has the jar open), or null where
     * it has none or the jar has changed since ({@link #main}).
     */
    private static String stamped(Path source) {
        if (source == null || !Files.isRegularFile(source)) {
            return null;
        }
        try {
            java.net.URL url = Build.class.getClassLoader().getResource(STAMP);
            // Only the code source's own stamp: another jar on the class path may hold one.
            String suffix = "!/" + STAMP;
            if (url == null || !url.getProtocol().equals("jar") || !url.toString().endsWith(suffix)) {
                return null;
            }
            String jar = url.toString().substring("jar:".length(), url.toString().length() - suffix.length());
            if (!Path.of(java.net.URI.create(jar)).toAbsolutePath().normalize()
                    .equals(source.toAbsolutePath().normalize())) {
                return null;
            }
            try (var in = url.openStream()) {
                return validStamp(source, in.readNBytes(64));
            }
        } catch (IOException | RuntimeException e) {
            return null; // digested instead
        }
    }

    /**
     * Reads this JVM's build on a thread of its own, at the lowest priority, unless known: {@code orchard}'s main asks
     * as it starts (a stamped jar is read in milliseconds, and a jar replaced on disk later is not taken for this
     * JVM's); cluster commands and a job's coordinator ask again where they need it soon.
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
                if (entry.isDirectory() || entry.getName().equals(STAMP)) {
                    continue; // a folder holds nothing of its own; the stamp is the digest's result
                }
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
