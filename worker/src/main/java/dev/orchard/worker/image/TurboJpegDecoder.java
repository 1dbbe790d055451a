package dev.orchard.worker.image;

import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import java.lang.ref.Cleaner;
import java.util.Locale;

/**
 * JPEG bytes → RGB with libjpeg-turbo through {@link TurboJpegLibrary}, optionally at a reduced scale (1/2, 1/4, 1/8) that
 * the IDCT produces directly (like PIL's {@code Image.draft}), so a 12-megapixel photo meant for a 224×224 model is
 * never decoded at full size. Pixels are decoded straight into the {@link RgbImage}'s array with the accurate
 * integer IDCT and fancy (smooth) chroma upsampling, the libjpeg defaults that PIL also decodes with.
 *
 * <p>A four-channel (CMYK or YCCK) JPEG is decoded to libjpeg's CMYK and turned into RGB as PIL does it
 * ({@link PilCmyk}). A JPEG TurboJPEG fails on is {@link Refused}, and the caller decodes it some other way. EXIF
 * orientation is not applied here.
 */
final class TurboJpegDecoder {
    /** TurboJPEG handles are not thread-safe: one per decoding thread, destroyed when the thread is gone. */
    private static final ThreadLocal<Handle> HANDLES = ThreadLocal.withInitial(Handle::create);
    private static final Cleaner CLEANER = Cleaner.create();

    /** See {@link #reducingFactors()}. */
    private static volatile int[][] reducingFactors;

    private final long maxPixels;
    private final long maxDecodeBytes;

    /** This JPEG is not one for TurboJPEG; decode it another way. The message says what TurboJPEG said. */
    static final class Refused extends Exception {
        Refused(String reason) {
            super(reason, null, false, false);
        }
    }

    /** Requires {@link TurboJpegLibrary#available()}. */
    TurboJpegDecoder(long maxPixels) {
        this(maxPixels, ImageDecoder.DEFAULT_MAX_DECODE_BYTES);
    }

    /** Requires {@link TurboJpegLibrary#available()}. */
    TurboJpegDecoder(long maxPixels, long maxDecodeBytes) {
        if (!TurboJpegLibrary.available()) {
            throw new IllegalStateException("TurboJPEG is not available: " + TurboJpegLibrary.problem());
        }
        this.maxPixels = maxPixels;
        this.maxDecodeBytes = maxDecodeBytes;
    }

    /**
     * Decodes {@code jpeg} at the smallest scale whose shorter side is still at least {@code minShortSide}
     * (≤ 0: full size). Images are never enlarged.
     */
    RgbImage decode(byte[] jpeg, int minShortSide) throws BadImageException, Refused {
        Handle current = HANDLES.get();
        Pointer handle = current.pointer;
        NativeLong size = new NativeLong(jpeg.length);
        int[] width = new int[1];
        int[] height = new int[1];
        int[] subsampling = new int[1];
        int[] colorspace = new int[1];
        if (TurboJpegLibrary.tjDecompressHeader3(handle, jpeg, size, width, height, subsampling, colorspace) != 0
                && (TurboJpegLibrary.tjGetErrorCode(handle) != TurboJpegLibrary.TJERR_WARNING || width[0] <= 0)) {
            String message = error(handle);
            current.discard();
            throw new Refused("TurboJPEG cannot read the header: " + message);
        }
        int w = width[0];
        int h = height[0];
        if (w <= 0 || h <= 0) {
            throw new Refused("TurboJPEG read a header of " + w + "x" + h + " pixels");
        }
        // The limit is on the stored image, as in the ImageIO path: a bomb stays a bomb at 1/8 scale.
        BadImageException.checkPixelLimit(w, h, maxPixels);
        boolean cmyk = colorspace[0] == TurboJpegLibrary.TJCS_CMYK || colorspace[0] == TurboJpegLibrary.TJCS_YCCK;
        int channels = cmyk ? 4 : 3;
        JpegStructure structure = JpegStructure.of(jpeg);
        structure.checkScans();
        int[] factor = scaleFor(w, h, minShortSide, reducingFactors());
        int sw = scaled(w, factor);
        int sh = scaled(h, factor);
        // What libjpeg-turbo holds at once: its output (and for CMYK the RGB made from it), and for a multi-scan JPEG
        // every coefficient at full size.
        BadImageException.checkDecodeBytes((long) sw * sh * (cmyk ? 4 + 3 : 3) + structure.coefficientBytes(),
                maxDecodeBytes, w, h, (structure.multiScan() ? "multi-scan " : "") + (cmyk ? "CMYK JPEG" : "JPEG"));
        if ((long) sw * sh * channels > Integer.MAX_VALUE - 16) {
            throw new BadImageException("image is " + sw + "x" + sh + " pixels, too large to hold in memory; "
                    + "lower --max-pixels or leave such files out");
        }
        byte[] pixels = new byte[sw * sh * channels];
        int rc = TurboJpegLibrary.tjDecompress2(handle, jpeg, size, pixels, sw, sw * channels, sh,
                cmyk ? TurboJpegLibrary.TJPF_CMYK : TurboJpegLibrary.TJPF_RGB,
                TurboJpegLibrary.TJFLAG_ACCURATEDCT | TurboJpegLibrary.TJFLAG_LIMITSCANS);
        if (rc != 0) {
            String message = error(handle);
            // libjpeg-turbo 2.1 reports a fatal error that follows a warning as a warning (its flag stays set), and
            // the buffer then holds no pixels: such a JPEG (cut inside its scan header, or junk bytes before an
            // undefined Huffman table) came out as a black image's row (a scale walk). The message is the last
            // event's: only a libjpeg warning's words make it one.
            boolean warning = TurboJpegLibrary.tjGetErrorCode(handle) == TurboJpegLibrary.TJERR_WARNING
                    && isLibjpegWarning(message);
            current.discard();
            if (!warning) {
                throw new Refused("TurboJPEG cannot decode: " + message);
            }
            // libjpeg pads a cut-off file with grey and only warns: such an image is not the photo.
            String lower = message.toLowerCase(Locale.ROOT);
            if (lower.contains("premature end of jpeg file") || lower.contains("truncated")) {
                throw new BadImageException("truncated image: " + message);
            }
            // Other warnings (e.g. "extraneous bytes before marker") leave a complete image, which PIL also keeps.
        }
        return new RgbImage(sw, sh, cmyk ? PilCmyk.toRgb(pixels) : pixels);
    }

    /**
     * libjpeg's warnings (jerror.h's {@code JWRN_*} messages, as libjpeg-turbo 2.1 words them): after one of these the
     * image is complete, as PIL, which ignores warnings, keeps it. Any other message is an error's.
     */
    private static final java.util.regex.Pattern LIBJPEG_WARNINGS = java.util.regex.Pattern.compile(String.join("|",
            "Unknown Adobe color transform code -?\\d+",
            "Inconsistent progression sequence for component \\d+ coefficient \\d+",
            "Corrupt JPEG data: \\d+ extraneous bytes before marker 0x[0-9a-f]{2}",
            "Corrupt JPEG data: premature end of data segment",
            "Corrupt JPEG data: bad Huffman code",
            "Warning: unknown JFIF revision number \\d+\\.\\d{2,3}", // %d.%02d of a byte: 3.100 too (a review)
            "Premature end of JPEG file",
            "Corrupt JPEG data: found marker 0x[0-9a-f]{2} instead of RST\\d+",
            "Invalid SOS parameters for sequential JPEG",
            "Application transferred too many scanlines",
            "Corrupt JPEG data: bad arithmetic code",
            "Corrupt JPEG data: bad ICC marker"));

    /** Whether {@code message} is one of libjpeg's warnings ({@link #LIBJPEG_WARNINGS}). */
    static boolean isLibjpegWarning(String message) {
        return LIBJPEG_WARNINGS.matcher(message.strip()).matches();
    }

    /**
     * The smallest of {@code factors} (largest first) that keeps the shorter side at least {@code minShortSide}
     * pixels, or 1/1 when none does or no reduction is asked for.
     */
    static int[] scaleFor(int width, int height, int minShortSide, int[][] factors) {
        int[] chosen = {1, 1};
        if (minShortSide <= 0) {
            return chosen;
        }
        for (int[] f : factors) {
            if (Math.min(scaled(width, f), scaled(height, f)) >= minShortSide) {
                chosen = f; // factors shrink as we go: keep the last one that is still big enough
            }
        }
        return chosen;
    }

    /** TurboJPEG's {@code TJSCALED}: the dimension rounded up. */
    static int scaled(int dimension, int[] factor) {
        return (int) (((long) dimension * factor[0] + factor[1] - 1) / factor[1]);
    }

    /**
     * The reducing factors {num, denom} used, largest first: 1/2, 1/4 and 1/8 of those the library offers, as PIL's
     * draft mode. libjpeg-turbo's other M/8 factors use plain-C scaled IDCTs without SIMD: on a 2000×1500 photo
     * (2 cores, 2.1.5) 7/8 took 18 ms and 3/4 13 ms against 9 ms at full size, and 3/8 6.6 ms against 4.9 ms at
     * 1/2, so they cost more than the pixels they save.
     */
    static int[][] reducingFactors() {
        int[][] factors = reducingFactors;
        if (factors == null) {
            int[] count = new int[1];
            Pointer array = TurboJpegLibrary.tjGetScalingFactors(count);
            java.util.List<int[]> reducing = new java.util.ArrayList<>();
            for (int i = 0; array != null && i < count[0]; i++) {
                int num = array.getInt(8L * i); // struct tjscalingfactor { int num; int denom; }
                int denom = array.getInt(8L * i + 4);
                if (num > 0 && num < denom && denom % num == 0 && Integer.bitCount(denom / num) == 1) {
                    reducing.add(new int[] {1, denom / num});
                }
            }
            reducing.sort((a, b) -> Integer.compare(a[1], b[1]));
            factors = reducing.toArray(new int[0][]);
            reducingFactors = factors;
        }
        return factors;
    }

    private static String error(Pointer handle) {
        Pointer message = TurboJpegLibrary.tjGetErrorStr2(handle);
        return message == null ? "(no message)" : message.getString(0);
    }

    /**
     * One thread's decompressor; the Cleaner frees it once its thread (and so its ThreadLocal) is gone, or at once when
     * it is {@link #discard discarded}.
     */
    private static final class Handle {
        final Pointer pointer;
        private Cleaner.Cleanable destroy;

        private Handle(Pointer pointer) {
            this.pointer = pointer;
        }

        static Handle create() {
            Pointer p = TurboJpegLibrary.tjInitDecompress();
            if (p == null) {
                throw new IllegalStateException("tjInitDecompress failed: "
                        + TurboJpegLibrary.tjGetErrorStr2(null).getString(0));
            }
            Handle handle = new Handle(p);
            handle.destroy = CLEANER.register(handle, () -> TurboJpegLibrary.tjDestroy(p));
            return handle;
        }

        /**
         * Replaces this thread's handle with a fresh one, after a call that failed or warned. libjpeg-turbo 2.1's
         * {@code tjDecompressHeader3} returns from an error without aborting the decompression, and the handle then
         * went on from the failed file's state: every later JPEG on the thread was refused ("Bogus marker length")
         * and decoded by ImageIO, stricter, which made a JPEG that only warns an error. A fresh handle costs
         * microseconds, and only bad files pay it.
         */
        void discard() {
            HANDLES.remove();
            destroy.clean();
        }
    }
}
