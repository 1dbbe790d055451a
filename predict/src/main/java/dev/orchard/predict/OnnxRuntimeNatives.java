package dev.orchard.predict;

import java.io.IOException;
import java.io.InputStream;
import java.net.JarURLConnection;
import java.net.URL;
import java.net.URLConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;

/**
 * ONNX Runtime's native libraries loaded from a per-user cache rather than from a fresh copy per JVM. Left alone,
 * ONNX Runtime inflates its 28 MB {@code libonnxruntime.so} from the jar into a new temporary folder at every start:
 * on 2 cores, 0.3 s of CPU at the busiest moment of start-up and a first batch ~0.13 s later (bench/RESULTS.md).
 * The copy is made once per library build, in a folder named by the jar entries' CRC-32 and size (a jar with other
 * libraries gets another folder), and handed to ONNX Runtime through its own {@code onnxruntime.native.path}
 * setting. Where that setting is given already, or the cache cannot be written, ONNX Runtime does as it always did.
 */
public final class OnnxRuntimeNatives {
    static final String PATH_PROPERTY = "onnxruntime.native.path";
    private static final String[] LIBRARIES = {"onnxruntime", "onnxruntime4j_jni"};
    private static boolean decided;

    private OnnxRuntimeNatives() {
    }

    /** Call before the first use of ONNX Runtime in this JVM; later calls do nothing. */
    public static synchronized void useCache() {
        if (decided) {
            return;
        }
        decided = true;
        if (System.getProperty(PATH_PROPERTY) != null) {
            return;
        }
        try {
            Path dir = prepare(cacheRoot(), OnnxRuntimeNatives.class.getClassLoader());
            if (dir != null) {
                System.setProperty(PATH_PROPERTY, dir.toString());
            }
        } catch (IOException | RuntimeException e) {
            // No cache (a read-only home, a full disk): ONNX Runtime extracts its libraries itself, as without one.
        }
    }

    /** {@code $XDG_CACHE_HOME/orchard}, or {@code ~/.cache/orchard}. */
    static Path cacheRoot() {
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("orchard");
    }

    /**
     * The folder below {@code root} that holds this platform's libraries as {@code loader} has them, copied there
     * first when missing; null when {@code loader} has none for this platform.
     */
    static Path prepare(Path root, ClassLoader loader) throws IOException {
        String platform = platform();
        if (platform == null) {
            return null;
        }
        URL[] urls = new URL[LIBRARIES.length];
        long[] sizes = new long[LIBRARIES.length];
        StringBuilder key = new StringBuilder("onnxruntime-").append(platform);
        for (int i = 0; i < LIBRARIES.length; i++) {
            urls[i] = loader.getResource("ai/onnxruntime/native/" + platform + "/" + System.mapLibraryName(LIBRARIES[i]));
            if (urls[i] == null) {
                return null;
            }
            URLConnection connection = urls[i].openConnection();
            if (connection instanceof JarURLConnection jar) {
                var entry = jar.getJarEntry();
                sizes[i] = entry.getSize();
                key.append('-').append(Long.toHexString(entry.getCrc()));
            } else {
                sizes[i] = connection.getContentLengthLong();
                key.append('-').append(Long.toHexString(connection.getLastModified()));
            }
            key.append('-').append(sizes[i]);
        }
        Path dir = root.resolve(key.toString());
        for (int i = 0; i < LIBRARIES.length; i++) {
            Path target = dir.resolve(System.mapLibraryName(LIBRARIES[i]));
            if (Files.isRegularFile(target) && Files.size(target) == sizes[i]) {
                continue;
            }
            Files.createDirectories(dir);
            // Written aside and renamed: a JVM starting beside this one sees the whole file or none.
            Path part = Files.createTempFile(dir, target.getFileName().toString(), ".part");
            try {
                try (InputStream in = urls[i].openStream()) {
                    Files.copy(in, part, StandardCopyOption.REPLACE_EXISTING);
                }
                if (sizes[i] >= 0 && Files.size(part) != sizes[i]) {
                    throw new IOException("copied " + Files.size(part) + " bytes of " + urls[i] + ", expected " + sizes[i]);
                }
                Files.move(part, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(part);
            }
        }
        return dir;
    }

    /** ONNX Runtime's name for this platform's folder in its jar (linux-x64, osx-aarch64…), or null. */
    static String platform() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        String o = os.contains("linux") ? "linux" : os.contains("mac") || os.contains("darwin") ? "osx"
                : os.contains("win") ? "win" : null;
        String a = arch.equals("amd64") || arch.equals("x86_64") ? "x64" : arch.equals("aarch64") ? "aarch64" : null;
        return o == null || a == null ? null : o + "-" + a;
    }
}
