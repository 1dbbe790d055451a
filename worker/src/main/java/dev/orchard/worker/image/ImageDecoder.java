package dev.orchard.worker.image;

import dev.orchard.protocol.ModelSpec;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bytes → upright 8-bit RGB, whatever the file holds. JPEGs go to TurboJPEG when it is chosen and loaded (faster,
 * and optionally at a reduced scale), anything it refuses and every other format to ImageIO + TwelveMonkeys
 * ({@link ImageIoDecoder}). Both paths check, before decoding, the decompression-bomb limit on pixels, the limit on
 * the bytes decoding would hold, and a JPEG's number of scans, and they reject truncated files; EXIF orientation is
 * applied here, after either. Thread-safe.
 */
public final class ImageDecoder {

    /** PIL's default decompression-bomb limit. */
    public static final long DEFAULT_MAX_PIXELS = dev.orchard.protocol.DecodeLimits.DEFAULT_MAX_PIXELS;

    /**
     * The most one image's decoding may hold at once, by default: 512 MiB, which admits every 8-bit RGB image under
     * {@link #DEFAULT_MAX_PIXELS} through either decoder (ImageIO holds its raster and the RGB copy: 6 bytes a pixel,
     * 512 MiB exactly at the limit) and refuses what the pixel limit lets through at several times the memory (a
     * 9000×9000 16-bit RGBA PNG: 8 + 3 bytes a pixel, 850 MiB). A decode thread decodes one image at a time, so
     * decoding holds at most decode threads × this.
     */
    public static final long DEFAULT_MAX_DECODE_BYTES = dev.orchard.protocol.DecodeLimits.DEFAULT_MAX_DECODE_MIB << 20;

    /**
     * Reduced-scale decoding keeps the decoded shorter side at least this many times what the preprocessor resizes
     * it to. Measured with MobileNetV2 features (bench ReducedDecodeCompare, see bench/README.md): with 1× the
     * cosine to full-size decoding fell to 0.997 on a real 1920×1080 photo and 0.987 on a 4000×2250 one (the 1/8
     * scale keeps only each block's average); with 2× it stayed ≥ 0.9998 and ≥ 0.9967, while decoding + resizing
     * still took about half the full-size time.
     */
    static final int REDUCED_DECODE_MARGIN = 2;

    private static final Logger LOG = LoggerFactory.getLogger(ImageDecoder.class);
    private static final Set<String> LOGGED = ConcurrentHashMap.newKeySet();

    private final ImageIoDecoder imageIo;
    private final TurboJpegDecoder turbo; // null: JPEGs go to ImageIO too

    /** The default decoder: TurboJPEG when the library loads, else ImageIO. */
    public ImageDecoder(long maxPixels) {
        this(maxPixels, JpegDecoder.AUTO);
    }

    /**
     * @throws IllegalStateException when {@link JpegDecoder#TURBOJPEG} is asked for and the library does not load
     */
    public ImageDecoder(long maxPixels, JpegDecoder choice) {
        this(maxPixels, DEFAULT_MAX_DECODE_BYTES, choice);
    }

    /**
     * @param maxPixels      refuse images with more pixels (decompression bombs)
     * @param maxDecodeBytes refuse images whose decoding would hold more bytes at once (estimated from the header)
     * @throws IllegalStateException when {@link JpegDecoder#TURBOJPEG} is asked for and the library does not load
     */
    public ImageDecoder(long maxPixels, long maxDecodeBytes, JpegDecoder choice) {
        this.imageIo = new ImageIoDecoder(maxPixels, maxDecodeBytes);
        JpegDecoder resolved = resolve(choice);
        this.turbo = resolved == JpegDecoder.TURBOJPEG ? new TurboJpegDecoder(maxPixels, maxDecodeBytes) : null;
        String description = describe();
        if (LOGGED.add(description)) {
            LOG.info("JPEG decoder: {}", description);
        }
    }

    /**
     * What {@code choice} means on this machine: {@link JpegDecoder#TURBOJPEG} or {@link JpegDecoder#IMAGEIO}.
     * Lets a command line refuse {@code turbojpeg} without the library before any work starts.
     *
     * @throws IllegalStateException when {@link JpegDecoder#TURBOJPEG} is asked for and the library does not load
     */
    public static JpegDecoder resolve(JpegDecoder choice) {
        return resolve(choice, TurboJpegLibrary.problem());
    }

    /**
     * The decoder {@code choice} means on a machine where loading TurboJPEG failed with {@code problem} (null: it
     * loaded): {@link JpegDecoder#TURBOJPEG} or {@link JpegDecoder#IMAGEIO}.
     */
    static JpegDecoder resolve(JpegDecoder choice, String problem) {
        return switch (choice) {
            case IMAGEIO -> JpegDecoder.IMAGEIO;
            case AUTO -> problem == null ? JpegDecoder.TURBOJPEG : JpegDecoder.IMAGEIO;
            case TURBOJPEG -> {
                if (problem != null) {
                    throw new IllegalStateException("--jpeg-decoder turbojpeg: the TurboJPEG library is not "
                            + "available (" + problem + "). Install libturbojpeg0 (Debian/Ubuntu: apt-get install "
                            + "libturbojpeg0) or libjpeg-turbo (Amazon Linux/Fedora: dnf install libjpeg-turbo turbojpeg), set -D"
                            + TurboJpegLibrary.PROPERTY + "=PATH or " + TurboJpegLibrary.ENV
                            + "=PATH to the library file, or pass --jpeg-decoder imageio.");
                }
                yield JpegDecoder.TURBOJPEG;
            }
        };
    }

    /** The decoder JPEGs go to: {@link JpegDecoder#TURBOJPEG} or {@link JpegDecoder#IMAGEIO}. */
    public JpegDecoder jpegDecoder() {
        return turbo != null ? JpegDecoder.TURBOJPEG : JpegDecoder.IMAGEIO;
    }

    /** For the log: which decoder, and the library file or why it is not used. */
    public String describe() {
        if (turbo != null) {
            return "TurboJPEG (" + TurboJpegLibrary.loadedFrom() + "), ImageIO for other formats and JPEGs it fails on";
        }
        String problem = TurboJpegLibrary.problem();
        return "ImageIO" + (problem == null ? " (chosen)" : " (TurboJPEG not used: " + problem + ")");
    }

    /** Full-size decode. */
    public RgbImage decode(byte[] bytes) throws BadImageException {
        return decode(bytes, 0);
    }

    /**
     * Decodes {@code bytes}, letting TurboJPEG shrink a JPEG by 1/2, 1/4 or 1/8 while its shorter side stays at least
     * {@code minShortSide} pixels (0: full size). ImageIO always decodes at full size: its subsampling drops pixels
     * rather than averaging them.
     */
    public RgbImage decode(byte[] bytes, int minShortSide) throws BadImageException {
        if (bytes.length == 0) {
            throw new BadImageException("empty file (0 bytes)");
        }
        if (!isJpeg(bytes)) {
            return ExifOrientation.apply(imageIo.decode(bytes), ExifOrientation.of(bytes));
        }
        RgbImage rgb = null;
        if (turbo != null) {
            try {
                rgb = turbo.decode(bytes, minShortSide);
            } catch (TurboJpegDecoder.Refused refused) {
                // A JPEG libjpeg-turbo fails on: TwelveMonkeys may still read it, else it says why.
            }
        }
        if (rgb == null) {
            rgb = imageIo.decode(bytes);
        }
        return ExifOrientation.apply(rgb, ExifOrientation.of(bytes));
    }

    /**
     * The shorter side a decoded image needs for {@code spec}'s preprocessing to see full detail: the resize target
     * of torchvision's {@code Resize(S)} when there is one, else the larger input side (the image is resized
     * straight to the input size, so either side may end up there). Multiplied by {@link #REDUCED_DECODE_MARGIN}.
     */
    public static int reducedDecodeMinimum(ModelSpec spec) {
        int needed = spec.resizeShorter() > 0 ? spec.resizeShorter() : Math.max(spec.inputWidth(), spec.inputHeight());
        return needed * REDUCED_DECODE_MARGIN;
    }

    static boolean isJpeg(byte[] b) {
        return b.length > 2 && (b[0] & 0xff) == 0xff && (b[1] & 0xff) == 0xd8;
    }
}
