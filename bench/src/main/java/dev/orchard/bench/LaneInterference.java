package dev.orchard.bench;

import dev.orchard.protocol.ModelSpec;
import dev.orchard.worker.image.ImageDecoder;
import dev.orchard.worker.image.Preprocessor;
import dev.orchard.worker.model.InferenceSettings;
import dev.orchard.worker.model.OnnxModel;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Whether the work a lane does between ONNX runs slows the runs themselves: 2 single-threaded lanes of one session
 * run 16-image batches for a few seconds per mode, the modes alternating round after round (the host's speed drifts
 * within minutes, so only ratios within a round mean anything):
 * <ul>
 * <li>{@code distinct}: each lane cycles through 8 batches preprocessed beforehand (what the raw ceiling measures);</li>
 * <li>{@code decode}: before each run the lane decodes and preprocesses the run's 16 images into the batch, as the
 *     job's lanes do;</li>
 * <li>{@code jpeg}: the lane decodes the 16 JPEGs but runs a batch preprocessed beforehand (decoding without
 *     writing the input tensor).</li>
 * </ul>
 * Prints per mode the images per second, ONNX Runtime's own thread CPU per image and the lane's.
 * <pre>java -cp bench/target/orchard-bench.jar dev.orchard.bench.LaneInterference IMAGES_DIR MODEL [SECONDS_PER_MODE] [ROUNDS] [MODES]</pre>
 */
public final class LaneInterference {
    private static final int LANES = 2;
    private static final int PER_RUN = 16;
    private static final int BATCHES_PER_LANE = 8;
    private static final int JPEGS_PER_LANE = 1024;

    private LaneInterference() {
    }

    public static void main(String[] args) throws Exception {
        Path input = Path.of(args[0]);
        String modelPath = args[1];
        double seconds = args.length > 2 ? Double.parseDouble(args[2]) : 4;
        int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 10;
        String[] modes = (args.length > 4 ? args[4] : "distinct,decode,jpeg").split(",");
        for (String mode : modes) {
            if (!List.of("distinct", "decode", "jpeg").contains(mode)) {
                throw new IllegalArgumentException("unknown mode '" + mode + "': give some of distinct,decode,jpeg");
            }
        }

        List<Path> files;
        try (Stream<Path> walk = Files.walk(input)) {
            files = new ArrayList<>(walk.filter(p -> p.toString().toLowerCase(Locale.ROOT).endsWith(".jpg")).sorted().toList());
        }
        Collections.shuffle(files, new Random(1));
        List<byte[]> jpegs = new ArrayList<>();
        for (int i = 0; i < LANES * JPEGS_PER_LANE; i++) {
            jpegs.add(Files.readAllBytes(files.get(i % files.size())));
        }
        ModelSpec spec = ModelSpec.mobileNetV2();
        ImageDecoder decoder = new ImageDecoder(ImageDecoder.DEFAULT_MAX_PIXELS);
        Preprocessor preprocessor = new Preprocessor(spec);
        int size = preprocessor.imageSize();
        FloatBuffer[][] batches = new FloatBuffer[LANES][BATCHES_PER_LANE];
        for (int lane = 0, next = 0; lane < LANES; lane++) {
            for (int b = 0; b < BATCHES_PER_LANE; b++) {
                batches[lane][b] = dev.orchard.bench.jmh.BenchData.tensorBuffer(PER_RUN, preprocessor);
                for (int i = 0; i < PER_RUN; i++) {
                    preprocessor.write(decoder.decode(jpegs.get(next++ % jpegs.size())), batches[lane][b], i * size);
                }
            }
        }
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        try (OnnxModel model = OnnxModel.load(Files.readAllBytes(Path.of(modelPath)), modelPath, spec,
                new InferenceSettings(1, false))) {
            for (int i = 0; i < 3; i++) {
                model.features(batches[0][0], PER_RUN);
            }
            System.out.printf(Locale.ROOT, "%d lanes x 1 thread, %d images a run, %.0f s per mode; per mode: images/s"
                    + " (ONNX Runtime CPU ms/image, lane CPU ms/image)%n", LANES, PER_RUN, seconds);
            for (int round = 0; round < rounds; round++) {
                StringBuilder line = new StringBuilder("round " + round + ":");
                for (String mode : modes) {
                    AtomicLong images = new AtomicLong();
                    AtomicLong laneCpu = new AtomicLong();
                    AtomicLong onnxCpu = new AtomicLong();
                    long start = System.nanoTime();
                    List<Thread> running = new ArrayList<>();
                    for (int l = 0; l < LANES; l++) {
                        int lane = l;
                        Thread t = new Thread(() -> {
                            try {
                                long cpu0 = threads.getCurrentThreadCpuTime();
                                int first = lane * JPEGS_PER_LANE;
                                for (int run = 0; System.nanoTime() - start < seconds * 1e9; run++) {
                                    FloatBuffer batch = batches[lane][run % BATCHES_PER_LANE];
                                    for (int i = 0; i < PER_RUN && !mode.equals("distinct"); i++) {
                                        var pixels = decoder.decode(jpegs.get(first + (run * PER_RUN + i) % JPEGS_PER_LANE));
                                        if (mode.equals("decode")) {
                                            preprocessor.write(pixels, batch, i * size);
                                        }
                                    }
                                    long onnx0 = threads.getCurrentThreadCpuTime();
                                    model.features(batch, PER_RUN);
                                    onnxCpu.addAndGet(threads.getCurrentThreadCpuTime() - onnx0);
                                    images.addAndGet(PER_RUN);
                                }
                                laneCpu.addAndGet(threads.getCurrentThreadCpuTime() - cpu0);
                            } catch (Exception e) {
                                throw new IllegalStateException(e);
                            }
                        });
                        t.start();
                        running.add(t);
                    }
                    for (Thread t : running) {
                        t.join();
                    }
                    double elapsed = (System.nanoTime() - start) / 1e9;
                    line.append(String.format(Locale.ROOT, "  %s %.1f (%.2f, %.2f)", mode, images.get() / elapsed,
                            onnxCpu.get() / 1e6 / images.get(), laneCpu.get() / 1e6 / images.get()));
                }
                System.out.println(line);
            }
        }
    }
}
