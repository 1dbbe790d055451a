package dev.orchard.bench.jmh;

import dev.orchard.protocol.ModelSpec;
import dev.orchard.worker.image.BadImageException;
import dev.orchard.worker.image.ImageDecoder;
import dev.orchard.worker.image.Preprocessor;
import dev.orchard.worker.image.RgbImage;
import java.io.IOException;
import java.nio.FloatBuffer;
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
 * Decoded RGB → one image's 3×224×224 float slice of the input tensor, MobileNetV2's torchvision preprocessing
 * (shorter side to 256 with PIL's antialiased bilinear, centre crop 224, mean/std). A 100×100 image is upscaled;
 * a 500×375 one is downscaled with a wider filter, so the two cost differently.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class PreprocessBench {

    @Param({"small", "photo"})
    public String image;

    private RgbImage pixels;
    private Preprocessor preprocessor;
    private FloatBuffer tensor;

    @Setup
    public void setup() throws IOException, BadImageException {
        Path shared = BenchData.sharedDir();
        byte[] jpeg = image.equals("small") ? BenchData.smallJpeg(shared) : BenchData.photoJpeg(shared);
        pixels = new ImageDecoder(ImageDecoder.DEFAULT_MAX_PIXELS).decode(jpeg);
        preprocessor = new Preprocessor(ModelSpec.mobileNetV2());
        tensor = BenchData.tensorBuffer(1, preprocessor);
    }

    @Benchmark
    public FloatBuffer resizeAndNormalise() {
        preprocessor.write(pixels, tensor, 0);
        return tensor; // returned so the write is observably used
    }
}
