package dev.orchard.stats;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which native library netlib-java opens for BLAS and LAPACK. By default it opens {@code libblas.so.3} and
 * {@code liblapack.so.3}: Debian's OpenBLAS packages provide both (through the alternatives' links). Fedora's OpenBLAS
 * packages, as Fedora's packaging notes describe them, ship {@code libopenblas.so.0} alone, and a
 * {@code liblapack.so.3} there is the reference LAPACK, if any (Amazon Linux 2023 derives from Fedora; not checked
 * there). So where a folder of the JVM's library path holds {@code libopenblas.so.0} but no {@code liblapack.so.3}
 * that is OpenBLAS, netlib is pointed at OpenBLAS before its first use. A user's own
 * {@code -Ddev.ludovic.netlib.*.nativeLib} or {@code nativeLibPath} wins.
 */
final class NetlibLibraries {
    private static final Logger LOG = LoggerFactory.getLogger(NetlibLibraries.class);
    static final String OPENBLAS = "libopenblas.so.0";
    static final String LAPACK = "liblapack.so.3";
    private static final List<String> KINDS = List.of("blas", "lapack");
    private static boolean chosen;

    private NetlibLibraries() {
    }

    /** Before netlib-java's first native instance: points it at OpenBLAS where {@link #openBlasInstead} says so. */
    static synchronized void choose() {
        if (chosen) {
            return;
        }
        chosen = true;
        for (String kind : KINDS) {
            String prefix = "dev.ludovic.netlib." + kind + ".";
            if (System.getProperty(prefix + "nativeLib") != null || System.getProperty(prefix + "nativeLibPath") != null) {
                return;
            }
        }
        List<Path> folders = new ArrayList<>();
        for (String folder : System.getProperty("java.library.path", "").split(java.io.File.pathSeparator)) {
            if (!folder.isEmpty()) {
                folders.add(Path.of(folder));
            }
        }
        if (openBlasInstead(folders)) {
            for (String kind : KINDS) {
                System.setProperty("dev.ludovic.netlib." + kind + ".nativeLib", OPENBLAS);
            }
            LOG.info("netlib-java: {} found, but no {} of OpenBLAS's: BLAS and LAPACK from {}", OPENBLAS, LAPACK, OPENBLAS);
        }
    }

    /**
     * Whether netlib-java should open OpenBLAS rather than {@code liblapack.so.3}: the first of {@code folders} that
     * holds {@code libopenblas.so.0} exists, and the first that holds {@code liblapack.so.3} does not or holds one
     * that is not OpenBLAS's (its real path does not name OpenBLAS).
     */
    static boolean openBlasInstead(List<Path> folders) {
        if (first(folders, OPENBLAS) == null) {
            return false;
        }
        Path lapack = first(folders, LAPACK);
        if (lapack == null) {
            return true;
        }
        try {
            return !lapack.toRealPath().toString().contains("openblas");
        } catch (IOException e) { // a dangling link: no LAPACK there
            return true;
        }
    }

    private static Path first(List<Path> folders, String name) {
        for (Path folder : folders) {
            Path file = folder.resolve(name);
            if (Files.exists(file)) {
                return file;
            }
        }
        return null;
    }
}
