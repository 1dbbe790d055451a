package dev.orchard.worker.image;

import java.awt.image.BufferedImage;
import java.awt.image.DataBuffer;
import java.awt.image.WritableRaster;
import java.awt.color.ColorSpace;
import java.awt.image.ComponentColorModel;
import java.awt.Transparency;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;

/** Small images of every awkward kind, made in memory, for decoder and end-to-end tests. */
public final class TestImages {

    private TestImages() {
    }

    /** A w×h image whose colour changes along x (so rotations are observable). */
    public static BufferedImage gradient(int w, int h, int type) {
        BufferedImage img = new BufferedImage(w, h, type);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int r = 255 * x / Math.max(1, w - 1);
                int g = 255 * y / Math.max(1, h - 1);
                img.setRGB(x, y, 0xff000000 | (r << 16) | (g << 8) | 60);
            }
        }
        return img;
    }

    public static byte[] encode(BufferedImage img, String format) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (!ImageIO.write(img, format, out)) {
            throw new IllegalStateException("no writer for " + format);
        }
        return out.toByteArray();
    }

    /** A 16-bit RGB PNG. */
    public static byte[] png16(int w, int h) throws Exception {
        ComponentColorModel cm = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_sRGB), new int[] {16, 16, 16},
                false, false, Transparency.OPAQUE, DataBuffer.TYPE_USHORT);
        WritableRaster raster = cm.createCompatibleWritableRaster(w, h);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                raster.setPixel(x, y, new int[] {65535 * x / (w - 1), 40000, 1000});
            }
        }
        return encode(new BufferedImage(cm, raster, false, null), "png");
    }

    /** A JPEG carrying an EXIF APP1 segment with the given orientation tag. */
    public static byte[] jpegWithOrientation(BufferedImage img, int orientation) throws Exception {
        return jpegWithOrientation(img, orientation, 0);
    }

    /** As {@link #jpegWithOrientation(BufferedImage, int)}, with {@code fill} 0xFF fill bytes before the APP1 marker. */
    public static byte[] jpegWithOrientation(BufferedImage img, int orientation, int fill) throws Exception {
        byte[] jpeg = encode(img, "jpg");
        byte[] tiff = tiffWithOrientation(orientation);
        byte[] payload = new byte[6 + tiff.length];
        System.arraycopy(new byte[] {'E', 'x', 'i', 'f', 0, 0}, 0, payload, 0, 6);
        System.arraycopy(tiff, 0, payload, 6, tiff.length);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(jpeg, 0, 2); // SOI
        for (int i = 0; i < fill; i++) {
            out.write(0xff);
        }
        out.write(0xff);
        out.write(0xe1);
        int len = payload.length + 2;
        out.write(len >> 8);
        out.write(len & 0xff);
        out.write(payload);
        out.write(jpeg, 2, jpeg.length - 2);
        return out.toByteArray();
    }

    /** A PNG of {@code img} with an {@code eXIf} chunk (after IHDR) holding the EXIF orientation tag. */
    public static byte[] pngWithOrientation(BufferedImage img, int orientation) throws Exception {
        byte[] png = encode(img, "png");
        byte[] tiff = tiffWithOrientation(orientation);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(png, 0, 33); // signature (8) and IHDR (4 + 4 + 13 + 4)
        ByteBuffer chunk = ByteBuffer.allocate(12 + tiff.length);
        chunk.putInt(tiff.length).put(new byte[] {'e', 'X', 'I', 'f'}).put(tiff);
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(chunk.array(), 4, 4 + tiff.length);
        chunk.putInt((int) crc.getValue());
        out.write(chunk.array());
        out.write(png, 33, png.length - 33);
        return out.toByteArray();
    }

    /** A little-endian TIFF structure whose IFD0 holds one entry: the orientation tag. */
    private static byte[] tiffWithOrientation(int orientation) {
        ByteBuffer tiff = ByteBuffer.allocate(26);
        tiff.put(new byte[] {'I', 'I', 42, 0, 8, 0, 0, 0}); // little-endian TIFF header, IFD at 8
        tiff.put(new byte[] {1, 0});                         // one entry
        tiff.put(new byte[] {0x12, 0x01, 3, 0, 1, 0, 0, 0, (byte) orientation, 0, 0, 0}); // 0x0112 SHORT x1
        tiff.put(new byte[] {0, 0, 0, 0});                   // no next IFD
        return tiff.array();
    }

    /** A PNG whose header claims w×h pixels, with no pixel data: what a decompression bomb looks like up front. */
    public static byte[] pngHeaderOnly(int w, int h) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        ByteBuffer ihdr = ByteBuffer.allocate(13).putInt(w).putInt(h).put((byte) 8).put((byte) 2)
                .put((byte) 0).put((byte) 0).put((byte) 0);
        chunk(out, "IHDR", ihdr.array());
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) throws Exception {
        out.write(ByteBuffer.allocate(4).putInt(data.length).array());
        byte[] t = type.getBytes("US-ASCII");
        out.write(t);
        out.write(data);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        out.write(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }

    /** A four-component JPEG without an Adobe marker: libjpeg reads it as CMYK. */
    public static byte[] cmykJpeg(int w, int h) throws Exception {
        WritableRaster raster = java.awt.image.Raster.createInterleavedRaster(DataBuffer.TYPE_BYTE, w, h, 4, null);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                raster.setPixel(x, y, new int[] {255 * x / w, 255 * y / h, 0, 20});
            }
        }
        return writeJpeg(new javax.imageio.IIOImage(raster, null, null), false);
    }

    /** A progressive JPEG (the JDK writer's default scan script: about ten scans). */
    public static byte[] progressiveJpeg(BufferedImage img) throws Exception {
        return writeJpeg(new javax.imageio.IIOImage(img, null, null), true);
    }

    private static byte[] writeJpeg(javax.imageio.IIOImage image, boolean progressive) throws Exception {
        javax.imageio.ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (javax.imageio.stream.ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
            writer.setOutput(out);
            javax.imageio.ImageWriteParam param = writer.getDefaultWriteParam();
            if (progressive) {
                param.setProgressiveMode(javax.imageio.ImageWriteParam.MODE_DEFAULT);
            }
            writer.write(null, image, param);
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }

    /**
     * A progressive JPEG whose last scan is repeated until it has {@code scans} scans: a few kilobytes that would
     * keep a decoder busy with scans × pixels of work (the libjpeg-turbo "progressive scan" attack).
     */
    public static byte[] jpegWithScans(BufferedImage img, int scans) throws Exception {
        byte[] jpeg = progressiveJpeg(img);
        int lastScan = -1;
        int count = 0;
        for (int i = 2; i + 1 < jpeg.length; i++) {
            if ((jpeg[i] & 0xff) == 0xff && (jpeg[i + 1] & 0xff) == 0xda) {
                lastScan = i;
                count++;
            }
        }
        int eoi = jpeg.length - 2;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(jpeg, 0, eoi);
        for (int i = count; i < scans; i++) {
            out.write(jpeg, lastScan, eoi - lastScan);
        }
        out.write(jpeg, eoi, 2);
        return out.toByteArray();
    }

    /** A small baseline JPEG whose frame header (SOF0) claims {@code w}×{@code h} pixels. */
    public static byte[] jpegClaiming(int w, int h) throws Exception {
        byte[] jpeg = encode(gradient(16, 16, BufferedImage.TYPE_3BYTE_BGR), "jpg");
        for (int i = 2; i + 8 < jpeg.length; i++) {
            if ((jpeg[i] & 0xff) == 0xff && (jpeg[i + 1] & 0xff) == 0xc0) {
                jpeg[i + 5] = (byte) (h >> 8);
                jpeg[i + 6] = (byte) h;
                jpeg[i + 7] = (byte) (w >> 8);
                jpeg[i + 8] = (byte) w;
                return jpeg;
            }
        }
        throw new IllegalStateException("no SOF0");
    }

    /** {@code jpeg} cut right before its first scan: every header, no pixel data. */
    public static byte[] jpegHeadersOnly(byte[] jpeg) {
        for (int i = 2; i + 1 < jpeg.length; i++) {
            if ((jpeg[i] & 0xff) == 0xff && (jpeg[i + 1] & 0xff) == 0xda) {
                return java.util.Arrays.copyOf(jpeg, i);
            }
        }
        throw new IllegalStateException("no SOS");
    }

    /**
     * A PNG of {@code w}×{@code h} zero pixels ({@code bitDepth} 8 or 16; colour type 0 gray, 2 RGB, 4 gray+alpha, 6
     * RGBA). A 9000×9000 16-bit RGBA image holds 648 MB of zero samples; deflating them would take seconds, so the
     * zlib stream is assembled instead: one 1 MiB run of zeros is compressed once and ended with a full flush (which
     * resets the compressor, so the same bytes decompress to the same run wherever they stand), repeated, followed by
     * the remainder, an empty final block and the Adler-32 of all-zero data. About 640 KB, made in milliseconds.
     */
    public static byte[] zeroPng(int w, int h, int bitDepth, int colorType) throws Exception {
        int channels = switch (colorType) {
            case 0 -> 1;
            case 2 -> 3;
            case 4 -> 2;
            case 6 -> 4;
            default -> throw new IllegalArgumentException("colour type " + colorType);
        };
        long total = (long) h * (1 + (long) w * channels * bitDepth / 8); // a filter byte (0) per row, then samples
        int run = 1 << 20;
        ByteArrayOutputStream idat = new ByteArrayOutputStream();
        idat.write(0x78);
        idat.write(0x01); // zlib header: deflate, 32 KiB window, no dictionary
        byte[] block = zeroBlock(run);
        for (long i = 0; i < total / run; i++) {
            idat.write(block);
        }
        idat.write(zeroBlock((int) (total % run)));
        idat.write(new byte[] {1, 0, 0, (byte) 0xff, (byte) 0xff}); // final, empty stored block
        long adler = ((total % 65521) << 16) | 1; // Adler-32 of zeros: a stays 1, b adds 1 per byte
        idat.write(ByteBuffer.allocate(4).putInt((int) adler).array());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        chunk(out, "IHDR", ByteBuffer.allocate(13).putInt(w).putInt(h).put((byte) bitDepth).put((byte) colorType)
                .put((byte) 0).put((byte) 0).put((byte) 0).array());
        chunk(out, "IDAT", idat.toByteArray());
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    /** {@code n} zero bytes as raw deflate blocks ending on a byte boundary with a reset compressor. */
    private static byte[] zeroBlock(int n) {
        java.util.zip.Deflater deflater = new java.util.zip.Deflater(9, true);
        try {
            deflater.setInput(new byte[n]);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buffer = new byte[1 << 16];
            int produced;
            do {
                produced = deflater.deflate(buffer, 0, buffer.length, java.util.zip.Deflater.FULL_FLUSH);
                out.write(buffer, 0, produced);
            } while (produced == buffer.length || !deflater.needsInput());
            return out.toByteArray();
        } finally {
            deflater.end();
        }
    }

    /** {@code png} with one bit of its first IDAT chunk's CRC flipped. */
    public static byte[] pngWithBadCrc(byte[] png) {
        byte[] bad = png.clone();
        int at = 8;
        while (at + 8 < bad.length) {
            int length = ByteBuffer.wrap(bad, at, 4).getInt();
            String type = new String(bad, at + 4, 4, java.nio.charset.StandardCharsets.US_ASCII);
            if (type.equals("IDAT")) {
                bad[at + 8 + length] ^= 1;
                return bad;
            }
            at += 12 + length;
        }
        throw new IllegalStateException("no IDAT");
    }
}
