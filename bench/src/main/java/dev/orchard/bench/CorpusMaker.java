package dev.orchard.bench;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;

/**
 * Makes a large corpus of small, distinct JPEGs from a small one, for end-to-end runs on ≥ 10,000 images: each
 * source image gives {@code variants} new ones, each a different flip/rotation, crop and JPEG quality of it,
 * re-encoded by ImageIO at the source's size (Fruits-360: 100×100) and kept in the source's label folder.
 * Deterministic: the same source gives the same bytes, so runs on different days read the same corpus.
 * <pre>java -cp bench/target/orchard-bench.jar dev.orchard.bench.CorpusMaker ../shared/data/fruits360-sample OUT [17]</pre>
 */
public final class CorpusMaker {
    private CorpusMaker() {
    }

    public static void main(String[] args) throws IOException {
        Path source = Path.of(args[0]);
        Path target = Path.of(args[1]);
        int variants = args.length > 2 ? Integer.parseInt(args[2]) : 17;
        List<Path> images = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(source)) {
            walk.filter(p -> p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".jpg")).sorted().forEach(images::add);
        }
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        int written = 0;
        for (Path image : images) {
            BufferedImage original = ImageIO.read(image.toFile());
            Path folder = target.resolve(source.relativize(image.getParent()).toString());
            Files.createDirectories(folder);
            String stem = image.getFileName().toString().replaceFirst("\\.[^.]+$", "");
            for (int v = 0; v < variants; v++) {
                BufferedImage variant = variant(original, v);
                Path file = folder.resolve(stem + "_v" + v + ".jpg");
                ImageWriteParam param = writer.getDefaultWriteParam();
                param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
                param.setCompressionQuality(0.75f + 0.05f * (v % 5)); // 0.75 .. 0.95
                try (ImageOutputStream out = ImageIO.createImageOutputStream(Files.newOutputStream(file))) {
                    writer.setOutput(out);
                    writer.write(null, new IIOImage(variant, null, null), param);
                }
                written++;
            }
        }
        writer.dispose();
        System.out.println(written + " JPEGs from " + images.size() + " in " + target);
    }

    /** Variant v: one of 8 orientations (v mod 8), then, from v ≥ 8, a crop of 76–92% scaled back to full size. */
    static BufferedImage variant(BufferedImage src, int v) {
        int w = src.getWidth();
        int h = src.getHeight();
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        int orientation = v % 8;
        g.translate(w / 2.0, h / 2.0);
        g.rotate(Math.PI / 2 * (orientation % 4));
        if (orientation >= 4) {
            g.scale(-1, 1);
        }
        g.translate(-w / 2.0, -h / 2.0);
        if (v >= 8) {
            double keep = 0.76 + 0.02 * (v - 8);
            int cw = (int) Math.round(w * keep);
            int ch = (int) Math.round(h * keep);
            int x = (v % 3) * (w - cw) / 2;
            int y = ((v / 3) % 3) * (h - ch) / 2;
            g.drawImage(src, 0, 0, w, h, x, y, x + cw, y + ch, null);
        } else {
            g.drawImage(src, 0, 0, null);
        }
        g.dispose();
        return out;
    }
}
