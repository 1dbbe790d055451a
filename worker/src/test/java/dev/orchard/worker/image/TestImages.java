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
        byte[] jpeg = encode(img, "jpg");
        ByteBuffer tiff = ByteBuffer.allocate(26);
        tiff.put(new byte[] {'I', 'I', 42, 0, 8, 0, 0, 0}); // little-endian TIFF header, IFD at 8
        tiff.put(new byte[] {1, 0});                         // one entry
        tiff.put(new byte[] {0x12, 0x01, 3, 0, 1, 0, 0, 0, (byte) orientation, 0, 0, 0}); // 0x0112 SHORT x1
        tiff.put(new byte[] {0, 0, 0, 0});                   // no next IFD
        byte[] payload = new byte[6 + 26];
        System.arraycopy(new byte[] {'E', 'x', 'i', 'f', 0, 0}, 0, payload, 0, 6);
        System.arraycopy(tiff.array(), 0, payload, 6, 26);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(jpeg, 0, 2); // SOI
        out.write(0xff);
        out.write(0xe1);
        int len = payload.length + 2;
        out.write(len >> 8);
        out.write(len & 0xff);
        out.write(payload);
        out.write(jpeg, 2, jpeg.length - 2);
        return out.toByteArray();
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

}
