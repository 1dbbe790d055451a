package dev.orchard.bench.jmh;

import dev.orchard.worker.image.BadImageException;
import dev.orchard.worker.image.ImageDecoder;
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
 * Bytes in memory → upright 8-bit RGB with the job's {@link ImageDecoder} (ImageIO + TwelveMonkeys, EXIF check,
 * BGR → RGB copy). No file I/O: reading is a separate stage.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class JpegDecodeBench {

    /** {@code small}: a 100×100 fruit image; {@code photo}: a 500×375 photo (see {@link BenchData#photoJpeg}). */
    @Param({"small", "photo"})
    public String image;

    private byte[] jpeg;
    private ImageDecoder decoder;

    @Setup
    public void setup() throws IOException {
        Path shared = BenchData.sharedDir();
        jpeg = image.equals("small") ? BenchData.smallJpeg(shared) : BenchData.photoJpeg(shared);
        decoder = new ImageDecoder(ImageDecoder.DEFAULT_MAX_PIXELS);
    }

    @Benchmark
    public RgbImage decode() throws BadImageException {
        return decoder.decode(jpeg);
    }
}
