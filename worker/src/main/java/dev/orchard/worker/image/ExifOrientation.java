package dev.orchard.worker.image;

import com.drew.imaging.jpeg.JpegMetadataReader;
import com.drew.imaging.jpeg.JpegProcessingException;
import com.drew.metadata.Metadata;
import com.drew.metadata.exif.ExifIFD0Directory;
import com.drew.metadata.exif.ExifReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.List;

/**
 * Cameras store a photo as the sensor saw it and record how to turn it upright in the EXIF orientation tag
 * (1–8). Applying it here means a portrait photo reaches the model upright, as a person sees it. Read from a JPEG's
 * APP1 segment, from a PNG's {@code eXIf} chunk (where PIL's {@code getexif} finds it too), and from a TIFF's first
 * directory (its own tag 274, which PIL applies as it loads a TIFF: a TIFF kept as stored differed from PIL's pixels,
 * a cosine of 0.66-0.76 between the two rows, a user's walk); other formats are kept as stored.
 */
final class ExifOrientation {

    private ExifOrientation() {
    }

    /** The orientation tag of a JPEG's or a PNG's EXIF or of a TIFF, or 1 (upright) when there is none. */
    static int of(byte[] image) {
        boolean jpeg = ImageDecoder.isJpeg(image);
        boolean tiff = !jpeg && isTiff(image);
        if (!tiff && (jpeg ? !hasExifSegment(image) : !hasExifChunk(image))) {
            return 1;
        }
        try {
            if (tiff) {
                return tiffOrientation(image);
            }
            Metadata metadata = jpeg
                    ? JpegMetadataReader.readMetadata(new ByteArrayInputStream(image), List.of(new ExifReader()))
                    : com.drew.imaging.png.PngMetadataReader.readMetadata(new ByteArrayInputStream(image));
            ExifIFD0Directory ifd0 = metadata.getFirstDirectoryOfType(ExifIFD0Directory.class);
            if (ifd0 != null && ifd0.containsTag(ExifIFD0Directory.TAG_ORIENTATION)) {
                int o = ifd0.getInt(ExifIFD0Directory.TAG_ORIENTATION);
                return o >= 1 && o <= 8 ? o : 1;
            }
        } catch (JpegProcessingException | com.drew.imaging.png.PngProcessingException | IOException
                 | com.drew.metadata.MetadataException e) {
            // Unreadable EXIF does not make the pixels unusable: keep the image as stored.
        }
        return 1;
    }

    private static final int ORIENTATION_TAG = 274;
    private static final int BYTE = 1;
    private static final int SHORT = 3;
    private static final int LONG = 4;

    /**
     * Tag 274 of a TIFF's first directory (what PIL applies: its first frame's), read from the directory's entries by
     * hand. metadata-extractor's TiffMetadataReader walks every page's directory by recursion: a TIFF of 3,000 pages
     * overflowed the stack (the diff's review), where PIL and the JDK's reader read it.
     */
    private static int tiffOrientation(byte[] b) {
        java.nio.ByteBuffer in = java.nio.ByteBuffer.wrap(b).order(b[0] == 'I'
                ? java.nio.ByteOrder.LITTLE_ENDIAN : java.nio.ByteOrder.BIG_ENDIAN);
        long directory = Integer.toUnsignedLong(in.getInt(4));
        if (directory < 8 || directory + 2 > b.length) {
            return 1;
        }
        int entries = Short.toUnsignedInt(in.getShort((int) directory));
        for (int e = 0; e < entries; e++) {
            long at = directory + 2 + 12L * e;
            if (at + 12 > b.length) {
                return 1;
            }
            int tag = Short.toUnsignedInt(in.getShort((int) at));
            if (tag == ORIENTATION_TAG) {
                int type = Short.toUnsignedInt(in.getShort((int) at + 2));
                int value = switch (type) {
                    case BYTE -> b[(int) at + 8] & 0xff;
                    case SHORT -> Short.toUnsignedInt(in.getShort((int) at + 8));
                    case LONG -> in.getInt((int) at + 8);
                    default -> 1;
                };
                return value >= 1 && value <= 8 ? value : 1;
            }
        }
        return 1;
    }

    /** Whether the bytes begin as a TIFF does: "II*\0" (little-endian) or "MM\0*" (big-endian). */
    private static boolean isTiff(byte[] b) {
        return b.length >= 8 && (b[0] == 'I' && b[1] == 'I' && b[2] == 42 && b[3] == 0
                || b[0] == 'M' && b[1] == 'M' && b[2] == 0 && b[3] == 42);
    }

    /** Cheap pre-check, so images without EXIF (most data sets) skip the metadata parser entirely. */
    private static boolean hasExifSegment(byte[] b) {
        int i = 2;
        while (i + 10 < b.length && (b[i] & 0xff) == 0xff) {
            int marker = b[i + 1] & 0xff;
            if (marker == 0xff) {
                i++; // a fill byte: any marker may be preceded by 0xFF bytes (T.81 B.1.1.2), as libjpeg and PIL read it
                continue;
            }
            int len = ((b[i + 2] & 0xff) << 8) | (b[i + 3] & 0xff);
            if (marker == 0xe1 && b[i + 4] == 'E' && b[i + 5] == 'x' && b[i + 6] == 'i' && b[i + 7] == 'f') {
                return true;
            }
            if (marker == 0xda || marker == 0xd9) {
                return false; // start of scan: no metadata after this point
            }
            i += 2 + len;
        }
        return false;
    }

    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    /** Whether a PNG holds an {@code eXIf} chunk (a walk over its chunks' headers). */
    private static boolean hasExifChunk(byte[] b) {
        if (b.length < 8 || !java.util.Arrays.equals(b, 0, 8, PNG_SIGNATURE, 0, 8)) {
            return false;
        }
        long i = 8;
        while (i + 8 <= b.length) {
            long length = ((b[(int) i] & 0xffL) << 24) | ((b[(int) i + 1] & 0xff) << 16) | ((b[(int) i + 2] & 0xff) << 8)
                    | (b[(int) i + 3] & 0xff);
            int t = (int) i + 4;
            if (b[t] == 'e' && b[t + 1] == 'X' && b[t + 2] == 'I' && b[t + 3] == 'f') {
                return true;
            }
            if (b[t] == 'I' && b[t + 1] == 'E' && b[t + 2] == 'N' && b[t + 3] == 'D') {
                return false;
            }
            i += 12 + length; // length, type, data, CRC
        }
        return false;
    }

    /** Returns the image turned upright according to {@code orientation}. */
    static RgbImage apply(RgbImage img, int orientation) {
        if (orientation == 1) {
            return img;
        }
        int w = img.width();
        int h = img.height();
        boolean transpose = orientation >= 5;
        int ow = transpose ? h : w;
        int oh = transpose ? w : h;
        byte[] src = img.rgb();
        byte[] out = new byte[src.length];
        for (int y = 0; y < oh; y++) {
            for (int x = 0; x < ow; x++) {
                int sx;
                int sy;
                switch (orientation) {
                    case 2 -> { sx = w - 1 - x; sy = y; }           // mirror horizontal
                    case 3 -> { sx = w - 1 - x; sy = h - 1 - y; }   // rotate 180
                    case 4 -> { sx = x; sy = h - 1 - y; }           // mirror vertical
                    case 5 -> { sx = y; sy = x; }                   // transpose
                    case 6 -> { sx = y; sy = h - 1 - x; }           // rotate 90 clockwise
                    case 7 -> { sx = w - 1 - y; sy = h - 1 - x; }   // transverse
                    case 8 -> { sx = w - 1 - y; sy = x; }           // rotate 270 clockwise
                    default -> throw new IllegalArgumentException("EXIF orientation " + orientation);
                }
                int s = (sy * w + sx) * 3;
                int d = (y * ow + x) * 3;
                out[d] = src[s];
                out[d + 1] = src[s + 1];
                out[d + 2] = src[s + 2];
            }
        }
        return new RgbImage(ow, oh, out);
    }
}
