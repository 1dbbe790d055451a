package dev.orchard.worker.image;

import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * A generated corpus of every awkward or hostile kind of file a data set may hold, each with what must become of
 * it: decoded, or refused with a reason. Names carry the characters that break naive CSV and shell handling
 * ({@code =}, quotes, commas, spaces, umlauts). Made in memory from a seed; nothing is copied from ../shared.
 */
public final class BadImageCorpus {

    /**
     * @param kind   what it is, for messages
     * @param name   its file name
     * @param reason null: it must decode; else a fragment of the reason it must be refused with
     */
    public record Sample(String kind, String name, byte[] bytes, String reason) {
        public boolean decodes() {
            return reason == null;
        }
    }

    private BadImageCorpus() {
    }

    public static List<Sample> generate(long seed) throws Exception {
        Random random = new Random(seed);
        BufferedImage rgb = TestImages.gradient(64, 48, BufferedImage.TYPE_3BYTE_BGR);
        byte[] jpeg = TestImages.encode(rgb, "jpg");
        BufferedImage busy = TestImages.gradient(256, 192, BufferedImage.TYPE_3BYTE_BGR);
        for (int i = 0; i < 5_000; i++) {
            busy.setRGB(random.nextInt(256), random.nextInt(192), random.nextInt());
        }
        byte[] bigJpeg = TestImages.encode(busy, "jpg");
        byte[] png = TestImages.encode(TestImages.gradient(40, 30, BufferedImage.TYPE_INT_RGB), "png");
        byte[] noise = new byte[4096];
        random.nextBytes(noise);
        List<Sample> s = new ArrayList<>();
        // Refused, each with its reason.
        s.add(new Sample("empty file", "empty.jpg", new byte[0], "empty file"));
        s.add(new Sample("text named .jpg", "notes, not pixels.jpg", "these are notes".getBytes(StandardCharsets.UTF_8),
                "not an image"));
        s.add(new Sample("random bytes named .png", "=rand()+1.png", noise, "not an image"));
        s.add(new Sample("HTML named .png", "index \"page\".png",
                "<!doctype html><html><body>404</body></html>".getBytes(StandardCharsets.UTF_8), "not an image"));
        s.add(new Sample("truncated JPEG", "truncated.jpg", Arrays.copyOf(bigJpeg, bigJpeg.length / 2), "truncated"));
        s.add(new Sample("JPEG of SOI only", "soi.jpg", new byte[] {(byte) 0xff, (byte) 0xd8}, "cannot decode"));
        s.add(new Sample("JPEG headers, no scan", "headers only.jpg", TestImages.jpegHeadersOnly(jpeg), "no image data"));
        s.add(new Sample("PNG header of 30000×30000 (bomb)", "bomb.png", TestImages.pngHeaderOnly(30_000, 30_000),
                "pixel limit"));
        s.add(new Sample("JPEG whose SOF claims 65000×65000", "claims 65000.jpg", TestImages.jpegClaiming(65_000, 65_000),
                "pixel limit"));
        s.add(new Sample("9000×9000 16-bit RGBA PNG (under the pixel limit, 850 MiB to decode)", "deep rgba.png",
                TestImages.zeroPng(9_000, 9_000, 16, 6), "MiB limit per image"));
        s.add(new Sample("progressive JPEG of 2000 scans", "scans.jpg", TestImages.jpegWithScans(rgb, 2_000), "scans"));
        s.add(new Sample("PNG cut in its pixel data", "cut.png", Arrays.copyOf(png, png.length - 30),
                "truncated image: Error reading PNG image data (Unexpected end of ZLIB input stream)"));
        s.add(new Sample("PNG of 0×0 pixels", "zero.png", TestImages.pngHeaderOnly(0, 0), "cannot decode"));
        // Decoded, however odd.
        s.add(new Sample("baseline JPEG", "Äpfel grün.jpg", jpeg, null));
        s.add(new Sample("progressive JPEG", "progressive.jpg", TestImages.progressiveJpeg(rgb), null));
        s.add(new Sample("grayscale JPEG", "gray.jpg",
                TestImages.encode(TestImages.gradient(50, 40, BufferedImage.TYPE_BYTE_GRAY), "jpg"), null));
        s.add(new Sample("CMYK JPEG", "cmyk.jpg", TestImages.cmykJpeg(32, 24), null));
        s.add(new Sample("JPEG with garbage after its end", "tail.jpg", concat(jpeg, noise), null));
        s.add(new Sample("EXIF orientation 6", "sideways.jpg", TestImages.jpegWithOrientation(rgb, 6), null));
        s.add(new Sample("1×1 JPEG", "1x1.jpg", TestImages.encode(TestImages.gradient(1, 1, BufferedImage.TYPE_3BYTE_BGR), "jpg"), null));
        s.add(new Sample("5000×1 PNG", "5000x1.png", TestImages.encode(TestImages.gradient(5000, 1, BufferedImage.TYPE_INT_RGB), "png"), null));
        s.add(new Sample("1×5000 PNG", "1x5000.png", TestImages.encode(TestImages.gradient(1, 5000, BufferedImage.TYPE_INT_RGB), "png"), null));
        s.add(new Sample("16-bit RGB PNG", "sixteen.png", TestImages.png16(40, 30), null));
        s.add(new Sample("16-bit gray PNG", "gray16.png", TestImages.zeroPng(30, 20, 16, 0), null));
        s.add(new Sample("2000×1000 RGB PNG of 6 MB samples, made like the deep one", "zeros.png",
                TestImages.zeroPng(2_000, 1_000, 8, 2), null));
        s.add(new Sample("gray+alpha PNG", "gray alpha.png", TestImages.zeroPng(30, 20, 8, 4), null));
        s.add(new Sample("RGBA PNG", "alpha.png", TestImages.encode(TestImages.gradient(30, 50, BufferedImage.TYPE_INT_ARGB), "png"), null));
        s.add(new Sample("palette PNG", "palette.png", TestImages.encode(TestImages.gradient(30, 20, BufferedImage.TYPE_BYTE_INDEXED), "png"), null));
        s.add(new Sample("1-bit PNG", "one bit.png", TestImages.encode(TestImages.gradient(30, 20, BufferedImage.TYPE_BYTE_BINARY), "png"), null));
        s.add(new Sample("GIF named .jpg", "gif 'really'.jpg", TestImages.encode(TestImages.gradient(30, 20, BufferedImage.TYPE_BYTE_INDEXED), "gif"), null));
        s.add(new Sample("BMP named .jpg", "@bmp.jpg", TestImages.encode(TestImages.gradient(30, 20, BufferedImage.TYPE_3BYTE_BGR), "bmp"), null));
        s.add(new Sample("TIFF named .png", "-tiff.png", TestImages.encode(TestImages.gradient(30, 20, BufferedImage.TYPE_3BYTE_BGR), "tiff"), null));
        s.add(new Sample("JPEG named .png", "+jpeg.png", jpeg, null));
        // The JDK's PNG reader, like PIL for pixel data, does not check CRCs: the pixels are intact, so it is used.
        s.add(new Sample("PNG with a bad IDAT CRC", "bad crc.png", TestImages.pngWithBadCrc(png), null));
        return s;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] all = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
