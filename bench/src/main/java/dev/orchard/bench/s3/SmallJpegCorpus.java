package dev.orchard.bench.s3;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * Many small, distinct JPEGs (~4.5 KB, 100×100) from a few source images: each source is re-encoded at six
 * JPEG qualities (92-97), mirrored and/or upside down, so up to 24 × sources objects all differ while all stay the size of a Fruits-360 image. This is
 * the "millions of small objects" case, where the per-request cost of reading from S3 dominates.
 * <pre>java -cp bench/target/orchard-bench.jar dev.orchard.bench.s3.SmallJpegCorpus SOURCE_DIR COUNT TARGET_DIR</pre>
 * Writes TARGET_DIR/sNN/&lt;label&gt;/&lt;name&gt;-qQQ-fF.jpg, 1,000 to a folder at most (a folder per 1,000 keys keeps
 * directory listings, local or in S3Proxy's filesystem backend, small).
 */
public final class SmallJpegCorpus {

    private static final int[] QUALITIES = {92, 93, 94, 95, 96, 97};

    private SmallJpegCorpus() {
    }

    public static void main(String[] args) throws IOException {
        Path source = Path.of(args[0]);
        int count = Integer.parseInt(args[1]);
        Path target = Path.of(args[2]);
        long bytes = write(source, count, target);
        System.out.printf("%d JPEGs, %.1f KB on average, in %s%n", count, bytes / 1024.0 / count, target);
    }

    /** Writes {@code count} JPEGs below {@code target}; returns their total size. */
    public static long write(Path source, int count, Path target) throws IOException {
        List<Path> sources;
        try (Stream<Path> walk = Files.walk(source)) {
            sources = walk.filter(Files::isRegularFile)
                    .filter(p -> p.getFileName().toString().toLowerCase().endsWith(".jpg")).sorted().toList();
        }
        if (sources.isEmpty()) {
            throw new IOException("No .jpg below " + source);
        }
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        long total = 0;
        int written = 0;
        for (int variant = 0; written < count; variant++) {
            int quality = QUALITIES[variant % QUALITIES.length];
            int flips = (variant / QUALITIES.length) % 4; // bit 0: mirrored, bit 1: upside down
            for (int i = 0; i < sources.size() && written < count; i++, written++) {
                Path file = sources.get(i);
                BufferedImage image = ImageIO.read(file.toFile());
                if (flips != 0) {
                    image = flipped(image, (flips & 1) != 0, (flips & 2) != 0);
                }
                byte[] jpeg = encode(writer, image, quality / 100f);
                String label = file.getParent().getFileName().toString();
                String name = file.getFileName().toString().replaceFirst("(?i)\\.jpg$", "")
                        + "-q" + quality + "-f" + flips + ".jpg";
                Path out = target.resolve(String.format("s%02d", written / 1000)).resolve(label).resolve(name);
                Files.createDirectories(out.getParent());
                Files.write(out, jpeg);
                total += jpeg.length;
            }
        }
        writer.dispose();
        return total;
    }

    private static BufferedImage flipped(BufferedImage image, boolean mirror, boolean upsideDown) {
        int w = image.getWidth();
        int h = image.getHeight();
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                out.setRGB(mirror ? w - 1 - x : x, upsideDown ? h - 1 - y : y, image.getRGB(x, y));
            }
        }
        return out;
    }

    private static byte[] encode(ImageWriter writer, BufferedImage image, float quality) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(8192);
        try (MemoryCacheImageOutputStream stream = new MemoryCacheImageOutputStream(bytes)) {
            writer.setOutput(stream);
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(quality);
            writer.write(null, new IIOImage(image, null, null), param);
        }
        return bytes.toByteArray();
    }
}
