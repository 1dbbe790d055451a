package dev.orchard.bench.jmh;

import ai.onnxruntime.OrtException;
import dev.orchard.protocol.ModelSpec;
import dev.orchard.worker.image.BadImageException;
import dev.orchard.worker.model.InferenceSettings;
import dev.orchard.worker.model.ModelException;
import dev.orchard.worker.model.OnnxModel;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One ONNX Runtime run on an already-preprocessed batch, through {@link OnnxModel} exactly as the job calls it
 * (direct input buffer, output copied to a float[]). One method per batch size, each declaring its batch as
 * operations per invocation, so the score is <b>images per second</b>. The batch holds real fruit images spread
 * over the sample's classes.
 * <p>{@code fp32} fetches the spec's 1280-d tensor {@code 464}, as the default job does; {@code int8} has no
 * float feature tensor and fetches its logits {@code output}, as {@code --feature-tensor output} does.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 4, time = 2)
@Fork(1)
public class InferenceBench {
    private static final int MAX_BATCH = 64;

    @Param({"fp32", "int8"})
    public String model;

    /** ONNX Runtime intra-op threads; 0 = the cores this JVM sees. */
    @Param("0")
    public int threads;

    /** ONNX Runtime spin-wait between runs (the job turns it off to leave cores to decoding). */
    @Param("false")
    public boolean spinning;

    private OnnxModel session;
    private FloatBuffer batch;
    private String output;

    @Setup
    public void setup() throws IOException, BadImageException, ModelException {
        Path shared = BenchData.sharedDir();
        ModelSpec spec = ModelSpec.mobileNetV2();
        String file = switch (model) {
            case "fp32" -> "mobilenetv2-12-float32-dequantized.onnx";
            case "int8" -> "mobilenetv2-12-int8.onnx";
            default -> throw new IllegalArgumentException("model must be fp32 or int8, was " + model);
        };
        if (model.equals("int8")) {
            spec = spec.withFeatureTensor("output", false);
        }
        output = spec.featureTensor();
        batch = BenchData.fruitBatch(shared, MAX_BATCH, spec);
        int intraOp = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        Path path = BenchData.model(shared, file);
        session = OnnxModel.load(Files.readAllBytes(path), path.toString(), spec, new InferenceSettings(intraOp, spinning));
    }

    @TearDown
    public void close() throws OrtException {
        session.close();
    }

    @Benchmark
    @OperationsPerInvocation(1)
    public float[] batch01() throws OrtException {
        return session.run(batch, 1, output);
    }

    @Benchmark
    @OperationsPerInvocation(8)
    public float[] batch08() throws OrtException {
        return session.run(batch, 8, output);
    }

    @Benchmark
    @OperationsPerInvocation(32)
    public float[] batch32() throws OrtException {
        return session.run(batch, 32, output);
    }

    @Benchmark
    @OperationsPerInvocation(64)
    public float[] batch64() throws OrtException {
        return session.run(batch, 64, output);
    }
}
