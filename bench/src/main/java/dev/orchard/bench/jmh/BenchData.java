package dev.orchard.bench.jmh;

import dev.orchard.protocol.ModelSpec;
import dev.orchard.worker.image.BadImageException;
import dev.orchard.worker.image.ImageDecoder;
import dev.orchard.worker.image.Preprocessor;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;

/**
 * Inputs for the benchmarks: the shared models and images (read in place, never copied into the repository) and
 * synthetic feature rows. The shared folder is the system property {@value #PROPERTY}, else the environment
 * variable {@code ORCHARD_SHARED}, else {@code ../shared} relative to the working directory (the repository root
 * when run through {@code bench/run-jmh.sh}). JMH forks inherit the host JVM's {@code -D} options.
 */
public final class BenchData {
    public static final String PROPERTY = "orchard.shared";

    /** The ~500×375 photo size of the issue; the shared test photos are 500×416 and larger. */
    public static final int PHOTO_WIDTH = 500;
    public static final int PHOTO_HEIGHT = 375;

    private BenchData() {
    }

    public static Path sharedDir() {
        String given = System.getProperty(PROPERTY, System.getenv("ORCHARD_SHARED"));
        Path dir = Path.of(given != null && !given.isBlank() ? given : "../shared").toAbsolutePath().normalize();
        if (!Files.isDirectory(dir.resolve("models")) || !Files.isDirectory(dir.resolve("data"))) {
            throw new IllegalStateException("No shared folder with models/ and data/ at " + dir
                    + ": run from the repository root or pass -D" + PROPERTY + "=/path/to/shared");
        }
        return dir;
    }

    public static Path model(Path shared, String fileName) {
        return shared.resolve("models").resolve(fileName);
    }

    /** The fruit sample's JPEGs (100×100), sorted by path so every run sees the same order. */
    public static List<Path> fruitImages(Path shared) {
        try (Stream<Path> walk = Files.walk(shared.resolve("data/fruits360-sample"))) {
            List<Path> files = walk.filter(p -> p.getFileName().toString().toLowerCase().endsWith(".jpg")).sorted().toList();
            if (files.isEmpty()) {
                throw new IllegalStateException("no .jpg under " + shared.resolve("data/fruits360-sample"));
            }
            return files;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The first fruit image: a 100×100 JPEG as Fruits-360 ships them. */
    public static byte[] smallJpeg(Path shared) throws IOException {
        return Files.readAllBytes(fruitImages(shared).get(0));
    }

    /**
     * A 500×375 JPEG: a shared test photo of exactly that size if there is one; otherwise the centre 500×375 of
     * the 500×416 house-finch photo, re-encoded by ImageIO at quality 0.9. Cropping (not scaling) keeps a real
     * photo's detail, which is what the decoder's entropy stage spends its time on.
     */
    public static byte[] photoJpeg(Path shared) throws IOException {
        Path testImages = shared.resolve("models/testimages");
        try (Stream<Path> list = Files.list(testImages)) {
            for (Path p : list.sorted().toList()) {
                BufferedImage img = ImageIO.read(p.toFile());
                if (img != null && img.getWidth() == PHOTO_WIDTH && img.getHeight() == PHOTO_HEIGHT) {
                    return Files.readAllBytes(p);
                }
            }
        }
        BufferedImage source = ImageIO.read(testImages.resolve("house_finch.jpeg").toFile());
        if (source == null || source.getWidth() < PHOTO_WIDTH || source.getHeight() < PHOTO_HEIGHT) {
            throw new IllegalStateException("need a test photo of at least 500×375 in " + testImages);
        }
        BufferedImage crop = new BufferedImage(PHOTO_WIDTH, PHOTO_HEIGHT, BufferedImage.TYPE_3BYTE_BGR);
        int x = (source.getWidth() - PHOTO_WIDTH) / 2;
        int y = (source.getHeight() - PHOTO_HEIGHT) / 2;
        crop.getGraphics().drawImage(source.getSubimage(x, y, PHOTO_WIDTH, PHOTO_HEIGHT), 0, 0, null);
        return encodeJpeg(crop, 0.9f);
    }

    /**
     * A large real photo: the shared 1920×1080 {@code countach_sports_car.jpg} as it is (4:2:0, baseline), where
     * reduced-scale decoding matters.
     */
    public static byte[] largeJpeg(Path shared) throws IOException {
        return Files.readAllBytes(shared.resolve("models/testimages/countach_sports_car.jpg"));
    }

    /** {@code image} as a baseline JPEG from ImageIO's encoder at {@code quality} (0–1). */
    public static byte[] encodeJpeg(BufferedImage image, float quality) throws IOException {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
            writer.setOutput(out);
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(quality);
            writer.write(null, new IIOImage(image, null, null), param);
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }

    /** Width and height of an encoded image, for checks and labels. */
    public static int[] size(byte[] encoded) throws IOException {
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(encoded));
        return new int[] {img.getWidth(), img.getHeight()};
    }

    /** A direct buffer (handed to ONNX Runtime without a copy) for {@code images} preprocessed images. */
    public static FloatBuffer tensorBuffer(int images, Preprocessor pre) {
        return ByteBuffer.allocateDirect(images * pre.imageSize() * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    /** Decodes and preprocesses {@code files} into consecutive slots of {@code dst}, as the job does. */
    public static void preprocess(List<Path> files, FloatBuffer dst, ModelSpec spec) throws IOException, BadImageException {
        ImageDecoder decoder = new ImageDecoder(ImageDecoder.DEFAULT_MAX_PIXELS);
        Preprocessor pre = new Preprocessor(spec);
        for (int i = 0; i < files.size(); i++) {
            pre.write(decoder.decode(Files.readAllBytes(files.get(i))), dst, i * pre.imageSize());
        }
    }

    /** {@code images} of the shared fruit sample, evenly spaced in name order, preprocessed into a direct buffer. */
    public static FloatBuffer fruitBatch(Path shared, int images, ModelSpec spec) throws IOException, BadImageException {
        List<Path> fruits = fruitImages(shared);
        List<Path> chosen = new ArrayList<>();
        for (int i = 0; i < images; i++) {
            chosen.add(fruits.get(i * fruits.size() / images));
        }
        FloatBuffer batch = tensorBuffer(images, new Preprocessor(spec));
        preprocess(chosen, batch, spec);
        return batch;
    }

    /**
     * {@code rows} synthetic feature vectors, row-major, shaped like pooled CNN features: non-negative (ReLU6 and
     * average pooling), some exact zeros, and correlated through a 16-d latent factor so the spectrum decays as real
     * features' does; the independent noise term keeps the covariance full rank once rows exceed dim.
     */
    public static float[] reluLikeRows(int rows, int dim, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int factors = 16;
        double[] loadings = new double[factors * dim];
        double[] offset = new double[dim];
        for (int i = 0; i < loadings.length; i++) {
            loadings[i] = gaussian(random) * 0.3;
        }
        for (int j = 0; j < dim; j++) {
            offset[j] = random.nextDouble(-0.5, 1.0);
        }
        float[] out = new float[rows * dim];
        double[] z = new double[factors];
        for (int r = 0; r < rows; r++) {
            for (int f = 0; f < factors; f++) {
                z[f] = gaussian(random);
            }
            for (int j = 0; j < dim; j++) {
                double v = offset[j] + 0.5 * gaussian(random);
                for (int f = 0; f < factors; f++) {
                    v += z[f] * loadings[f * dim + j];
                }
                out[r * dim + j] = (float) Math.max(0.0, v);
            }
        }
        return out;
    }

    private static double gaussian(SplittableRandom random) {
        // Box–Muller: SplittableRandom has no nextGaussian on Java 17.
        double u = random.nextDouble(Double.MIN_VALUE, 1.0);
        double v = random.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }
}
