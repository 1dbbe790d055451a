package dev.orchard.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.orchard.cli.Orchard;
import dev.orchard.protocol.ModelSpec;
import dev.orchard.worker.image.ImageDecoder;
import dev.orchard.worker.image.Preprocessor;
import dev.orchard.worker.model.InferenceSettings;
import dev.orchard.worker.model.OnnxModel;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The end-to-end benchmark: in one run on one input, (1) the ceiling — raw ONNX Runtime throughput of the model
 * on already-preprocessed batches with the job's batch size and threads — then (2) the full job, and the ratio.
 * <pre>java -cp bench/target/orchard-bench.jar dev.orchard.bench.EndToEnd INPUT MODEL [BATCH] [THREADS]</pre>
 */
public final class EndToEnd {

    public static void main(String[] args) throws Exception {
        Path input = Path.of(args[0]);
        String model = args[1];
        int batch = args.length > 2 ? Integer.parseInt(args[2]) : 32;
        int threads = args.length > 3 ? Integer.parseInt(args[3]) : Runtime.getRuntime().availableProcessors();

        double ceiling = rawInference(input, model, batch, threads);
        Path out = Files.createTempDirectory("orchard-bench");
        long t0 = System.nanoTime();
        int code = Orchard.execute("run", "--input", input.toString(), "--output", out.toString(), "--overwrite",
                "--model", model, "--batch-size", String.valueOf(batch), "--onnx-threads", String.valueOf(threads),
                "--pca-k", "50");
        double wall = (System.nanoTime() - t0) / 1e9;
        if (code != 0) {
            throw new IllegalStateException("job failed with exit code " + code);
        }
        JsonNode success = new ObjectMapper().readTree(out.resolve("_SUCCESS").toFile());
        long images = success.at("/counts/images").asLong();
        double features = success.at("/seconds/features").asDouble();
        double total = success.at("/seconds/total").asDouble();
        System.out.printf("%n| measure | value |%n|---|---|%n");
        System.out.printf("| raw ONNX Runtime (batch %d, %d threads) | %.1f images/s |%n", batch, threads, ceiling);
        System.out.printf("| job, features phase (%d images) | %.1f images/s (%.2f× raw) |%n", images, images / features,
                images / features / ceiling);
        System.out.printf("| job, whole (list → features → PCA → project → outputs) | %.1f images/s (%.2f× raw), %.1f s |%n",
                images / total, images / total / ceiling, total);
        System.out.printf("| process wall time incl. cluster start | %.1f s |%n", wall);
        System.out.println("stage seconds (summed over threads): " + success.get("stageSeconds"));
    }

    /** Images/s of model.features() alone on real preprocessed images, after a warm-up. */
    static double rawInference(Path input, String modelPath, int batch, int threads) throws Exception {
        ModelSpec spec = ModelSpec.mobileNetV2();
        List<Path> files = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(input)) {
            walk.filter(p -> p.toString().toLowerCase().endsWith(".jpg")).sorted().limit(batch).forEach(files::add);
        }
        Preprocessor pre = new Preprocessor(spec);
        ImageDecoder decoder = new ImageDecoder(ImageDecoder.DEFAULT_MAX_PIXELS);
        FloatBuffer buffer = ByteBuffer.allocateDirect(batch * pre.imageSize() * 4).order(ByteOrder.nativeOrder()).asFloatBuffer();
        for (int i = 0; i < batch; i++) {
            pre.write(decoder.decode(Files.readAllBytes(files.get(i % files.size()))), buffer, i * pre.imageSize());
        }
        try (OnnxModel model = OnnxModel.load(Files.readAllBytes(Path.of(modelPath)), modelPath, spec,
                new InferenceSettings(threads, false))) {
            for (int i = 0; i < 3; i++) {
                model.features(buffer, batch);
            }
            int runs = 0;
            long start = System.nanoTime();
            while (System.nanoTime() - start < 10_000_000_000L) {
                model.features(buffer, batch);
                runs++;
            }
            return runs * batch / ((System.nanoTime() - start) / 1e9);
        }
    }
}
