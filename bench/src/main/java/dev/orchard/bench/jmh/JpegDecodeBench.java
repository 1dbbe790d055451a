package dev.orchard.bench.jmh;

import dev.orchard.protocol.ModelSpec;
import dev.orchard.worker.image.BadImageException;
import dev.orchard.worker.image.ImageDecoder;
import dev.orchard.worker.image.JpegDecoder;
import dev.orchard.worker.image.RgbImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Bytes in memory → upright 8-bit RGB with the job's {@link ImageDecoder}, per JPEG decoder: ImageIO + TwelveMonkeys
 * (BGR → RGB copy), TurboJPEG at full size, and TurboJPEG with the job's reduced-scale decode (shorter side kept
 * ≥ {@link ImageDecoder#reducedDecodeMinimum} = 512 for MobileNetV2, so only the large photo is reduced, to 1/2).
 * EXIF check included. No file I/O: reading is a separate stage.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class JpegDecodeBench {

    /**
     * {@code small}: a 100×100 fruit image; {@code photo}: a 500×375 photo (see {@link BenchData#photoJpeg});
     * {@code large}: a 1920×1080 photo (see {@link BenchData#largeJpeg}).
     */
    @Param({"small", "photo", "large"})
    public String image;

    /** {@code imageio}, {@code turbojpeg} (full size) or {@code turbojpeg-reduced} (as the job decodes). */
    @Param({"imageio", "turbojpeg", "turbojpeg-reduced"})
    public String decoder;

    private byte[] jpeg;
    private ImageDecoder imageDecoder;
    private int minShortSide;

    @Setup
    public void setup() throws IOException {
        Path shared = BenchData.sharedDir();
        jpeg = switch (image) {
            case "small" -> BenchData.smallJpeg(shared);
            case "photo" -> BenchData.photoJpeg(shared);
            case "large" -> BenchData.largeJpeg(shared);
            default -> throw new IllegalArgumentException("image " + image + ": expected small, photo or large");
        };
        boolean turbo = decoder.startsWith("turbojpeg");
        // Explicit turbojpeg: a machine without the library fails here instead of timing ImageIO twice.
        imageDecoder = new ImageDecoder(ImageDecoder.DEFAULT_MAX_PIXELS, turbo ? JpegDecoder.TURBOJPEG : JpegDecoder.IMAGEIO);
        minShortSide = decoder.equals("turbojpeg-reduced") ? ImageDecoder.reducedDecodeMinimum(ModelSpec.mobileNetV2()) : 0;
    }

    @Benchmark
    public RgbImage decode() throws BadImageException {
        return imageDecoder.decode(jpeg, minShortSide);
    }
}
