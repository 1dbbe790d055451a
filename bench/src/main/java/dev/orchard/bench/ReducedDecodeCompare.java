package dev.orchard.bench;

import dev.orchard.bench.jmh.BenchData;
import dev.orchard.protocol.ModelSpec;
import dev.orchard.worker.image.ImageDecoder;
import dev.orchard.worker.image.JpegDecoder;
import dev.orchard.worker.image.Preprocessor;
import dev.orchard.worker.image.RgbImage;
import dev.orchard.worker.model.InferenceSettings;
import dev.orchard.worker.model.OnnxModel;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * How far reduced-scale JPEG decoding moves MobileNetV2 features (the FP32 pooled tensor {@code 464}): each image
 * is decoded by TurboJPEG at full size and with the decoded shorter side kept ≥ T and ≥ 2T (T = the
 * preprocessor's resize target, 256), and the features compared by cosine; ImageIO against TurboJPEG at full size
 * is printed beside them as the scale of differences a decoder change alone makes.
 * <pre>java -cp bench/target/orchard-bench.jar dev.orchard.bench.ReducedDecodeCompare [SHARED_DIR]</pre>
 * Images: the three shared test photos (500×416, 1110×740, 1920×1080) and larger JPEGs made from them by bicubic
 * upscaling and re-encoding at quality 0.9. Upscaled photos hold less fine detail than a camera's own pixels, so
 * the real 1920×1080 photo is the most telling row.
 */
public final class ReducedDecodeCompare {

    private ReducedDecodeCompare() {
    }

    public static void main(String[] args) throws Exception {
        Path shared = Path.of(args.length > 0 ? args[0] : "../shared").toAbsolutePath().normalize();
        ModelSpec spec = ModelSpec.mobileNetV2();
        int target = spec.resizeShorter();
        Map<String, byte[]> images = new LinkedHashMap<>();
        for (String name : List.of("house_finch.jpeg", "siamese_cat.jpg", "countach_sports_car.jpg")) {
            images.put(name, Files.readAllBytes(shared.resolve("models/testimages").resolve(name)));
        }
        images.put("siamese_cat ↑ 2000×1500", upscale(images.get("siamese_cat.jpg"), 2000, 1500));
        images.put("house_finch ↑ 2000×1664", upscale(images.get("house_finch.jpeg"), 2000, 1664));
        images.put("countach ↑ 4000×2250", upscale(images.get("countach_sports_car.jpg"), 4000, 2250));

        ImageDecoder turbo = new ImageDecoder(ImageDecoder.DEFAULT_MAX_PIXELS, JpegDecoder.TURBOJPEG);
        ImageDecoder imageIo = new ImageDecoder(ImageDecoder.DEFAULT_MAX_PIXELS, JpegDecoder.IMAGEIO);
        Preprocessor pre = new Preprocessor(spec);
        List<String> classes = Files.readAllLines(shared.resolve("models/imagenet_classes.txt"));
        Path modelPath = BenchData.model(shared, Int8Compare.FP32_FILE);
        try (OnnxModel model = OnnxModel.load(Files.readAllBytes(modelPath), modelPath.toString(), spec,
                new InferenceSettings(Runtime.getRuntime().availableProcessors(), false), List.of(Int8Compare.LOGITS))) {
            System.out.printf("# Reduced-scale JPEG decode: MobileNetV2 features '%s', full vs reduced%n%n", spec.featureTensor());
            System.out.printf("T = %d (resize of the shorter side before the 224 crop). Cosine of 1280-d features; "
                    + "top-1 = ImageNet class from the logits.%n%n", target);
            System.out.println("Each decoded size comes with the median time of decode + preprocess on one thread.\n");
            System.out.println("| image | full (TurboJPEG) | cosine ImageIO vs TurboJPEG, full | short side ≥ T | cosine vs full | "
                    + "short side ≥ 2T | cosine vs full | top-1 full / T / 2T |");
            System.out.println("|---|---|---:|---|---:|---|---:|---|");
            for (Map.Entry<String, byte[]> e : images.entrySet()) {
                byte[] bytes = e.getValue();
                List<RgbImage> decoded = new ArrayList<>();
                decoded.add(turbo.decode(bytes));
                decoded.add(imageIo.decode(bytes));
                decoded.add(turbo.decode(bytes, target));
                decoded.add(turbo.decode(bytes, 2 * target));
                FloatBuffer batch = BenchData.tensorBuffer(decoded.size(), pre);
                for (int i = 0; i < decoded.size(); i++) {
                    pre.write(decoded.get(i), batch, i * pre.imageSize());
                }
                int n = decoded.size();
                float[] features = model.features(batch, n);
                float[] logits = model.run(batch, n, Int8Compare.LOGITS);
                int dim = model.featureDim();
                float[][] f = new float[n][];
                for (int i = 0; i < n; i++) {
                    f[i] = java.util.Arrays.copyOfRange(features, i * dim, (i + 1) * dim);
                }
                System.out.printf("| %s | %s, %.1f ms | %.5f | %s, %.1f ms | %.5f | %s, %.1f ms | %.5f | %s / %s / %s |%n",
                        e.getKey(), size(decoded.get(0)), millis(turbo, pre, bytes, 0), CosineStats.cosine(f[0], f[1]),
                        size(decoded.get(2)), millis(turbo, pre, bytes, target), CosineStats.cosine(f[0], f[2]),
                        size(decoded.get(3)), millis(turbo, pre, bytes, 2 * target), CosineStats.cosine(f[0], f[3]),
                        classes.get(top1(logits, 0)), classes.get(top1(logits, 2)), classes.get(top1(logits, 3)));
            }
        }
    }

    /** Median time of decode + preprocess, one thread, after a warm-up: what the choice costs per image. */
    private static double millis(ImageDecoder decoder, Preprocessor pre, byte[] bytes, int minShortSide) throws Exception {
        FloatBuffer slot = BenchData.tensorBuffer(1, pre);
        long[] nanos = new long[21];
        for (int warm = 0; warm < 5; warm++) {
            pre.write(decoder.decode(bytes, minShortSide), slot, 0);
        }
        for (int i = 0; i < nanos.length; i++) {
            long t0 = System.nanoTime();
            pre.write(decoder.decode(bytes, minShortSide), slot, 0);
            nanos[i] = System.nanoTime() - t0;
        }
        java.util.Arrays.sort(nanos);
        return nanos[nanos.length / 2] / 1e6;
    }

    private static String size(RgbImage img) {
        return img.width() + "×" + img.height();
    }

    private static int top1(float[] logits, int image) {
        return LogitAgreement.argmax(java.util.Arrays.copyOfRange(logits, image * 1000, (image + 1) * 1000));
    }

    /** {@code jpeg} resized to w×h with bicubic interpolation and encoded again at quality 0.9. */
    static byte[] upscale(byte[] jpeg, int w, int h) throws Exception {
        BufferedImage src = ImageIO.read(new ByteArrayInputStream(jpeg));
        BufferedImage big = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
        var g = big.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BICUBIC);
            g.drawImage(src, 0, 0, w, h, null);
        } finally {
            g.dispose();
        }
        return BenchData.encodeJpeg(big, 0.9f);
    }
}
