package dev.orchard.worker.image;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * The few functions of the TurboJPEG 2.x C API (libjpeg-turbo's {@code turbojpeg.h}) that decoding needs, bound
 * with JNA direct mapping ({@link Native#register}): the natives are plain static methods, with far less per-call
 * overhead than an interface proxy. The library is optional. It is looked for, once per JVM, at the path in the
 * system property {@value #PROPERTY} or the environment variable {@value #ENV}, else by its soname
 * {@value #SONAME}: Debian's {@code libturbojpeg0} and Amazon Linux's {@code libjpeg-turbo} install only that
 * versioned name (the unversioned {@code libturbojpeg.so} comes with the -dev package). When it cannot be loaded
 * {@link #available()} is false and {@link #problem()} says why; nothing else here may then be called.
 */
final class TurboJpegLibrary {
    static final String PROPERTY = "orchard.turbojpeg.library";
    static final String ENV = "ORCHARD_TURBOJPEG_LIBRARY";
    static final String SONAME = "libturbojpeg.so.0";

    /** {@code TJPF_RGB}: 3 bytes per pixel, R, G, B: exactly {@link RgbImage}'s layout. */
    static final int TJPF_RGB = 0;
    /**
     * {@code TJPF_CMYK}: 4 bytes per pixel, C, M, Y, K as libjpeg outputs them (a CMYK JPEG's samples as stored, a
     * YCCK JPEG's converted to CMYK): the only layout TurboJPEG decodes a four-channel JPEG into.
     */
    static final int TJPF_CMYK = 11;
    /** {@code TJCS_CMYK} and {@code TJCS_YCCK}: four-channel JPEGs, decoded with {@link #TJPF_CMYK}. */
    static final int TJCS_CMYK = 3;
    static final int TJCS_YCCK = 4;
    /** {@code TJFLAG_ACCURATEDCT}: the integer ISLOW IDCT (the decompression default; named to make it explicit). */
    static final int TJFLAG_ACCURATEDCT = 4096;
    /**
     * {@code TJFLAG_LIMITSCANS} (libjpeg-turbo 2.1+): refuse a progressive JPEG of more than 500 scans. Older
     * libraries ignore the bit; {@link JpegStructure} counts scans before decoding either way.
     */
    static final int TJFLAG_LIMITSCANS = 32768;
    /** {@code TJERR_WARNING}: the image was decoded, but libjpeg complained (e.g. a truncated file). */
    static final int TJERR_WARNING = 0;

    private static final String PROBLEM;
    private static final String LOADED_FROM;

    static {
        String problem = null;
        String loadedFrom = null;
        String configured = System.getProperty(PROPERTY);
        if (configured == null || configured.isBlank()) {
            configured = System.getenv(ENV);
        }
        String name = configured != null && !configured.isBlank() ? configured.trim() : SONAME;
        try {
            NativeLibrary library = NativeLibrary.getInstance(name);
            Native.register(TurboJpegLibrary.class, library);
            loadedFrom = describe(library.getFile(), name);
        } catch (UnsatisfiedLinkError | IllegalArgumentException | NoClassDefFoundError e) {
            // NoClassDefFoundError: JNA's own native stub could not be loaded for this platform.
            problem = "cannot load " + name + ": " + brief(e.getMessage());
        }
        PROBLEM = problem;
        LOADED_FROM = loadedFrom;
    }

    private TurboJpegLibrary() {
    }

    static boolean available() {
        return PROBLEM == null;
    }

    /** Why the library is not available, or null when it is. */
    static String problem() {
        return PROBLEM;
    }

    /** The file the library was loaded from (symbolic links resolved, so the name shows the version). */
    static String loadedFrom() {
        return LOADED_FROM;
    }

    /** JNA's message without the line that lists the whole class path, which would swamp a log line. */
    private static String brief(String message) {
        if (message == null) {
            return "no reason given";
        }
        String kept = message.lines().map(line -> line.strip().replaceAll(":$", ""))
                .filter(line -> !line.isEmpty() && !line.contains("not found in resource path")).distinct()
                .collect(java.util.stream.Collectors.joining("; "));
        return kept.length() > 400 ? kept.substring(0, 400) + "…" : kept;
    }

    private static String describe(File file, String requested) {
        Path path = file != null && file.isAbsolute() ? file.toPath() : mappedFile(requested);
        if (path == null) {
            return requested;
        }
        try {
            return path.toRealPath().toString();
        } catch (IOException e) {
            return path.toString();
        }
    }

    /** JNA knows no path for a bare soname that dlopen found; on Linux the process's mappings name the file. */
    private static Path mappedFile(String name) {
        Path maps = Path.of("/proc/self/maps");
        if (!Files.isReadable(maps)) {
            return null;
        }
        String base = Path.of(name).getFileName().toString();
        try (Stream<String> lines = Files.lines(maps)) {
            return lines.map(line -> line.substring(line.lastIndexOf(' ') + 1))
                    .filter(file -> file.startsWith("/") && Path.of(file).getFileName().toString().startsWith(base))
                    .findFirst().map(Path::of).orElse(null);
        } catch (IOException | RuntimeException e) {
            return null; // only for the log line
        }
    }

    // tjhandle tjInitDecompress(void): NULL on failure.
    static native Pointer tjInitDecompress();

    // int tjDecompressHeader3(tjhandle, const unsigned char *jpegBuf, unsigned long jpegSize,
    //                         int *width, int *height, int *jpegSubsamp, int *jpegColorspace)
    static native int tjDecompressHeader3(Pointer handle, byte[] jpeg, NativeLong jpegSize,
                                          int[] width, int[] height, int[] subsampling, int[] colorspace);

    // tjscalingfactor *tjGetScalingFactors(int *numScalingFactors): a static array of {int num; int denom;}.
    static native Pointer tjGetScalingFactors(int[] count);

    // int tjDecompress2(tjhandle, const unsigned char *jpegBuf, unsigned long jpegSize, unsigned char *dstBuf,
    //                   int width, int pitch, int height, int pixelFormat, int flags)
    static native int tjDecompress2(Pointer handle, byte[] jpeg, NativeLong jpegSize, byte[] destination,
                                    int width, int pitch, int height, int pixelFormat, int flags);

    // char *tjGetErrorStr2(tjhandle): the last error of this handle (thread-safe, unlike tjGetErrorStr).
    static native Pointer tjGetErrorStr2(Pointer handle);

    // int tjGetErrorCode(tjhandle): TJERR_WARNING or TJERR_FATAL.
    static native int tjGetErrorCode(Pointer handle);

    // int tjDestroy(tjhandle)
    static native int tjDestroy(Pointer handle);
}
