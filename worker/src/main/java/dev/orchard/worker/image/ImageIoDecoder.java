package dev.orchard.worker.image;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.DataBufferByte;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.awt.image.SampleModel;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.plugins.tiff.BaselineTIFFTagSet;
import javax.imageio.plugins.tiff.TIFFDirectory;
import javax.imageio.plugins.tiff.TIFFField;
import javax.imageio.stream.ImageInputStream;

/**
 * Bytes → 8-bit RGB with ImageIO, whatever the file holds: JPEG (including CMYK/YCCK through the TwelveMonkeys
 * plugin) or PNG, grayscale, palette, alpha (dropped, as PIL's convert("RGB") does), 16-bit samples (top
 * 8 bits kept), a TIFF's RGB or CMYK samples as stored (its ICC profile not applied, CMYK converted as PIL does).
 * The decoder that always works; EXIF orientation is applied by the caller.
 */
final class ImageIoDecoder {

    static {
        ImageIO.setUseCache(false); // decode in memory; never spill to temporary files
        ImageIO.scanForPlugins();
    }

    private final long maxPixels;
    private final long maxDecodeBytes;

    ImageIoDecoder(long maxPixels) {
        this(maxPixels, ImageDecoder.DEFAULT_MAX_DECODE_BYTES);
    }

    ImageIoDecoder(long maxPixels, long maxDecodeBytes) {
        this.maxPixels = maxPixels;
        this.maxDecodeBytes = maxDecodeBytes;
    }

    RgbImage decode(byte[] bytes) throws BadImageException {
        JpegStructure jpeg = ImageDecoder.isJpeg(bytes) ? JpegStructure.of(bytes) : null;
        if (jpeg != null) {
            jpeg.checkScans(); // the JDK's libjpeg has no scan limit of its own
        }
        BufferedImage image;
        Samples samples;
        GifCanvas canvas = null;
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                String format = UnreadFormat.of(bytes);
                throw new BadImageException(format == null
                        ? "not an image: no decoder recognises its format (" + UnreadFormat.READ + " are read)"
                        : (format.startsWith("A") ? "an " : "a ") + format + " image, a format Orchard does not read ("
                                + UnreadFormat.READ + " are): convert it, e.g. to PNG");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                int width = reader.getWidth(0);
                int height = reader.getHeight(0);
                BadImageException.checkPixelLimit(width, height, maxPixels);
                checkDecodeBytes(reader, width, height, jpeg);
                canvas = GifCanvas.of(reader);
                if (canvas != null) { // the canvas, not the frame, is what is resized: bounded as an image
                    BadImageException.checkPixelLimit(canvas.width(), canvas.height(), maxPixels);
                    BadImageException.checkDecodeBytes(3L * canvas.width() * canvas.height() + 3L * width * height,
                            maxDecodeBytes, canvas.width(), canvas.height(), "GIF canvas, 8-bit RGB");
                }
                TIFFDirectory tiff = tiffDirectory(reader);
                samples = samples(tiff);
                StringBuilder warnings = new StringBuilder();
                reader.addIIOReadWarningListener((source, warning) -> warnings.append(warning).append("; "));
                image = withPilColours(reader.read(0), tiff);
                // The JDK decoder fills a cut-off JPEG with grey and only warns: such an image is not the photo.
                String warned = warnings.toString().toLowerCase(java.util.Locale.ROOT);
                if (warned.contains("premature end") || warned.contains("truncated")) {
                    throw new BadImageException("truncated image: " + warnings.toString().trim());
                }
            } finally {
                reader.dispose();
            }
        } catch (BadImageException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            if (jpeg != null && jpeg.scans() == 0) {
                // Cut off within its header (ImageIO said "No image data present to read": a user's corpus).
                throw new BadImageException("truncated or damaged JPEG: no image data (start of scan) in its "
                        + bytes.length + " bytes", e);
            }
            throw new BadImageException((endedEarly(e) ? "truncated image: " : "cannot decode: ") + reason(e), e);
        }
        if (image == null || image.getWidth() <= 0 || image.getHeight() <= 0) {
            throw new BadImageException("cannot decode: no pixels");
        }
        RgbImage rgb = toRgb(image, samples);
        return canvas == null ? rgb : canvas.place(rgb, image);
    }

    private static final String TIFF_METADATA = "javax_imageio_tiff_image_1.0";
    /** ITU-T T.42 L*a*b* (TIFF's PhotometricInterpretation 10, which BaselineTIFFTagSet does not name). */
    private static final int PHOTOMETRIC_INTERPRETATION_ITULAB = 10;

    /**
     * How the decoded samples are to be read: {@link Samples#AS_STORED} (the file's own, its ICC profile not applied:
     * PIL does not), {@link Samples#CMYK} (a CMYK TIFF's, whatever colour space its profile gives the reader: PIL's
     * formula; an RGB profile on one made the reader take C, M, Y for R, G, B) or {@link Samples#CONVERTED} (a CIELab
     * TIFF, whose samples the JDK's reader turns into linear RGB, which getRGB makes sRGB: near PIL's own Lab
     * conversion, a mean of 4.6 levels off, where taking them as stored was 45). Refused: a JPEG-compressed CMYK TIFF,
     * which the JDK's reader decodes wrongly (a mean of 43 levels off PIL's pixels), and a CIELab TIFF with an ICC
     * profile (Pillow embeds an abstract Lab one), which the reader converts through it (features at cosine 0.70 to
     * PIL's: a user's walk).
     */
    private static Samples samples(TIFFDirectory tiff) throws BadImageException {
        if (tiff == null) {
            return Samples.AS_STORED;
        }
        int photometric = tagValue(tiff, BaselineTIFFTagSet.TAG_PHOTOMETRIC_INTERPRETATION);
        int compression = tagValue(tiff, BaselineTIFFTagSet.TAG_COMPRESSION);
        if (photometric == BaselineTIFFTagSet.PHOTOMETRIC_INTERPRETATION_CMYK) {
            if (compression == BaselineTIFFTagSet.COMPRESSION_JPEG || compression == BaselineTIFFTagSet.COMPRESSION_OLD_JPEG) {
                throw new BadImageException("a JPEG-compressed CMYK TIFF, which the JDK's TIFF reader decodes wrongly:"
                        + " convert it, e.g. to PNG or an uncompressed TIFF");
            }
            return Samples.CMYK;
        }
        boolean lab = photometric == BaselineTIFFTagSet.PHOTOMETRIC_INTERPRETATION_CIELAB
                || photometric == BaselineTIFFTagSet.PHOTOMETRIC_INTERPRETATION_ICCLAB
                || photometric == PHOTOMETRIC_INTERPRETATION_ITULAB;
        if (lab && tiff.containsTIFFField(BaselineTIFFTagSet.TAG_ICC_PROFILE)) {
            throw new BadImageException("a CIELab TIFF with an ICC profile, which the JDK's TIFF reader converts through"
                    + " the profile, far from PIL's colours: convert it to RGB, e.g. to PNG");
        }
        return lab ? Samples.CONVERTED : Samples.AS_STORED;
    }

    /** How {@link #toRgb} reads the decoded samples ({@link #samples}). */
    enum Samples { AS_STORED, CMYK, CONVERTED }

    /**
     * A TIFF's tags, or null: not a TIFF (only a TIFF's tags decide how its samples are read: no other format's
     * metadata is parsed), or one without tags to go by (its samples as the reader gives them).
     */
    private static TIFFDirectory tiffDirectory(ImageReader reader) throws IOException {
        String format = reader.getFormatName();
        if (!"tif".equalsIgnoreCase(format) && !"tiff".equalsIgnoreCase(format)) {
            return null;
        }
        IIOMetadata metadata = reader.getImageMetadata(0);
        if (metadata == null || !TIFF_METADATA.equals(metadata.getNativeMetadataFormatName())) {
            return null;
        }
        try {
            return TIFFDirectory.createFromMetadata(metadata);
        } catch (javax.imageio.metadata.IIOInvalidTreeException e) {
            return null;
        }
    }

    /**
     * A palette TIFF's image with its colours as PIL takes them from the 16-bit colour map: each entry's high byte
     * (value // 256, Pillow's TiffImagePlugin). The JDK's reader scales an entry (value · 255 / 65535), which for a
     * colour map written as value × 256, as Pillow writes one, is a level lower for most colours (a user's walk: a
     * mean of 0.95 levels off, features at cosine 0.999993). Entries written as value × 257 come out the same both
     * ways. Any other image is returned as it is.
     */
    private static BufferedImage withPilColours(BufferedImage image, TIFFDirectory tiff) {
        if (tiff == null || !(image.getColorModel() instanceof IndexColorModel indexed)
                || tagValue(tiff, BaselineTIFFTagSet.TAG_PHOTOMETRIC_INTERPRETATION)
                        != BaselineTIFFTagSet.PHOTOMETRIC_INTERPRETATION_PALETTE_COLOR) {
            return image;
        }
        TIFFField map = tiff.getTIFFField(BaselineTIFFTagSet.TAG_COLOR_MAP);
        int size = indexed.getMapSize();
        int entries = map == null ? 0 : map.getCount() / 3; // all reds, then all greens, then all blues
        if (entries < size) {
            return image; // a colour map shorter than the reader's palette: the reader's colours
        }
        byte[] red = new byte[size];
        byte[] green = new byte[size];
        byte[] blue = new byte[size];
        for (int i = 0; i < size; i++) {
            red[i] = (byte) (map.getAsInt(i) >>> 8);
            green[i] = (byte) (map.getAsInt(entries + i) >>> 8);
            blue[i] = (byte) (map.getAsInt(2 * entries + i) >>> 8);
        }
        IndexColorModel pil = new IndexColorModel(indexed.getPixelSize(), size, red, green, blue);
        return pil.isCompatibleRaster(image.getRaster()) ? new BufferedImage(pil, image.getRaster(), false, null) : image;
    }

    private static int tagValue(TIFFDirectory tiff, int tag) {
        TIFFField field = tiff.getTIFFField(tag);
        return field == null || field.getCount() < 1 ? -1 : field.getAsInt(0);
    }

    /** Whether the data ended before the image did (an EOFException anywhere in the chain): a cut-off file. */
    private static boolean endedEarly(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.io.EOFException) {
                return true;
            }
        }
        return false;
    }

    /**
     * What went wrong, for errors.csv: the exception's message, or, where it has none (a damaged JPEG made the
     * reader fail with a bare exception: "cannot decode: null", a user's report), what it was.
     */
    static String reason(Exception e) {
        String message = e.getMessage();
        if (message != null && !message.isBlank()) {
            // The cause says what (a cut-off PNG: "Error reading PNG image data", from "Unexpected end of ZLIB input
            // stream": a user's walk)
            Throwable cause = e.getCause();
            String why = cause == null ? null : cause.getMessage();
            return why == null || why.isBlank() || message.contains(why) ? message : message + " (" + why + ")";
        }
        return "the decoder failed (" + e.getClass().getSimpleName() + ") on data it could not make sense of: the file"
                + " is damaged or not a complete image";
    }

    /**
     * Refuses an image whose decoding would hold more than the limit: the raster in the layout the reader will decode
     * into (8 bytes a pixel for 16-bit RGBA), the 8-bit RGB copy made from it, a multi-scan JPEG's coefficients and a
     * CMYK JPEG's four-channel raster.
     */
    private void checkDecodeBytes(ImageReader reader, int width, int height, JpegStructure jpeg)
            throws IOException, BadImageException {
        long pixels = (long) width * height;
        long perPixel = 4; // what getRGB's ARGB would take, when the reader cannot say
        String layout = reader.getFormatName();
        Iterator<ImageTypeSpecifier> types = reader.getImageTypes(0);
        if (types != null && types.hasNext()) {
            SampleModel model = types.next().getSampleModel();
            int elementBytes = Math.max(1, DataBuffer.getDataTypeSize(model.getDataType()) / 8);
            perPixel = (long) model.getNumDataElements() * elementBytes;
            layout += ", " + model.getNumBands() + (model.getNumBands() == 1 ? " band" : " bands")
                    + (elementBytes > 1 ? " of " + 8 * elementBytes + " bits" : "");
        }
        long bytes = pixels * perPixel + pixels * 3;
        if (jpeg != null) {
            // A CMYK/YCCK JPEG is read into a 4-byte raster first, then converted into the reader's RGB image.
            bytes += jpeg.coefficientBytes() + (jpeg.components() == 4 ? pixels * 4 : 0);
        }
        BadImageException.checkDecodeBytes(bytes, maxDecodeBytes, width, height, layout);
    }

    /**
     * Reads pixels straight from the raster for the common layouts; the generic path goes through getRGB.
     * {@code samples}: whether they are the file's own, to be taken without its colour profile, and a TIFF's CMYK.
     */
    static RgbImage toRgb(BufferedImage img, Samples samples) {
        int w = img.getWidth();
        int h = img.getHeight();
        byte[] out = new byte[w * h * 3];
        Raster raster = img.getRaster();
        int type = img.getType();
        if ((type == BufferedImage.TYPE_3BYTE_BGR || type == BufferedImage.TYPE_BYTE_GRAY)
                && raster.getDataBuffer() instanceof DataBufferByte buffer
                && buffer.getNumBanks() == 1 && raster.getMinX() == 0 && raster.getMinY() == 0
                && raster.getSampleModelTranslateX() == 0 && raster.getSampleModelTranslateY() == 0) {
            byte[] data = buffer.getData();
            if (type == BufferedImage.TYPE_3BYTE_BGR) {
                for (int p = 0, n = w * h; p < n; p++) {
                    out[3 * p] = data[3 * p + 2];
                    out[3 * p + 1] = data[3 * p + 1];
                    out[3 * p + 2] = data[3 * p];
                }
            } else {
                for (int p = 0, n = w * h; p < n; p++) {
                    out[3 * p] = out[3 * p + 1] = out[3 * p + 2] = data[p];
                }
            }
            return new RgbImage(w, h, out);
        }
        if (raster.getTransferType() == DataBuffer.TYPE_USHORT && img.getColorModel() instanceof ComponentColorModel) {
            // 16-bit gray or RGB: keep the top 8 bits. getRGB would apply a linear-to-sRGB curve to gray.
            int bands = raster.getNumBands();
            int[] px = new int[bands];
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    raster.getPixel(x, y, px);
                    int d = (y * w + x) * 3;
                    if (bands >= 3) {
                        out[d] = (byte) (px[0] >>> 8);
                        out[d + 1] = (byte) (px[1] >>> 8);
                        out[d + 2] = (byte) (px[2] >>> 8);
                    } else {
                        out[d] = out[d + 1] = out[d + 2] = (byte) (px[0] >>> 8);
                    }
                }
            }
            return new RgbImage(w, h, out);
        }
        if (type == BufferedImage.TYPE_CUSTOM && img.getColorModel() instanceof ComponentColorModel
                && raster.getNumBands() <= 2 && raster.getTransferType() == DataBuffer.TYPE_BYTE) {
            // 8-bit gray with alpha: take the gray band as it is (no colour-space curve).
            int[] px = new int[raster.getNumBands()];
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    raster.getPixel(x, y, px);
                    int d = (y * w + x) * 3;
                    out[d] = out[d + 1] = out[d + 2] = (byte) px[0];
                }
            }
            return new RgbImage(w, h, out);
        }
        ColorModel model = img.getColorModel();
        if (samples != Samples.CONVERTED && model instanceof ComponentColorModel && !model.isAlphaPremultiplied()
                && raster.getTransferType() == DataBuffer.TYPE_BYTE) {
            // 8-bit RGB or CMYK in a colour space of the file's own (a TIFF's embedded ICC profile): the samples as
            // they are stored, as PIL takes them. getRGB would convert them to sRGB through the profile (a user's
            // walk: TIFFs with a profile gave other features than PIL's, and CMYK TIFFs other colours).
            ColorSpace space = model.getColorSpace();
            int bands = raster.getNumBands();
            boolean cmyk = samples == Samples.CMYK
                    || space.getType() == ColorSpace.TYPE_CMYK && space.getNumComponents() == 4;
            if (!cmyk && space.getType() == ColorSpace.TYPE_RGB && space.getNumComponents() == 3 && bands >= 3) {
                int[] px = new int[bands];
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        raster.getPixel(x, y, px);
                        int d = (y * w + x) * 3;
                        out[d] = (byte) px[0];
                        out[d + 1] = (byte) px[1];
                        out[d + 2] = (byte) px[2];
                    }
                }
                return new RgbImage(w, h, out);
            }
            if (cmyk && bands >= 4) {
                int[] px = new int[bands];
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        raster.getPixel(x, y, px);
                        PilCmyk.plainToRgb(px[0], px[1], px[2], px[3], out, (y * w + x) * 3);
                    }
                }
                return new RgbImage(w, h, out);
            }
        }
        int[] row = new int[w];
        for (int y = 0; y < h; y++) {
            img.getRGB(0, y, w, 1, row, 0, w); // ARGB, not premultiplied: alpha is simply dropped
            for (int x = 0; x < w; x++) {
                int argb = row[x];
                int d = (y * w + x) * 3;
                out[d] = (byte) (argb >>> 16);
                out[d + 1] = (byte) (argb >>> 8);
                out[d + 2] = (byte) argb;
            }
        }
        return new RgbImage(w, h, out);
    }
}
