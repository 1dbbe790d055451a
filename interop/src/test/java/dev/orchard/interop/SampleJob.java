package dev.orchard.interop;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * One real Orchard job on 60 images of the shared Fruits-360 sample (12 from each of 5 classes, folder names with
 * spaces), with its classify predictions, the same job written with {@code --parquet-byte-stream-split}, and the same
 * job run with the {@code classifier.onnx} that classify wrote ({@code --classifier}: features and pca with
 * {@code predicted} and {@code score}). Made once per test JVM and shared by every reader's tests.
 */
final class SampleJob {
    static final String[] CLASSES = {"Apple Braeburn", "Apple Red 1", "Banana", "Kiwi", "Lemon"};
    static final int PER_CLASS = 12;
    static final int PCA_K = 10;

    private static SampleJob instance;

    final Path images;
    final Path output;
    final Path byteStreamSplitOutput;
    final Path predictions;
    final Path classifier;
    /** The job run with {@code --classifier}: its rows carry predicted and score. */
    final Path classifiedOutput;
    /** Image path (as Orchard writes it: the absolute local path) → its label (the folder name). */
    final Map<String, String> labels;

    private SampleJob(Path work) throws IOException, InterruptedException {
        Path shared = Path.of(System.getProperty("orchard.shared", "../../shared"));
        Path sample = shared.resolve("data/fruits360-sample");
        this.images = work.resolve("images");
        this.labels = new TreeMap<>();
        for (String label : CLASSES) {
            Path target = Files.createDirectories(images.resolve(label));
            try (Stream<Path> files = Files.list(sample.resolve(label))) {
                for (Path file : files.sorted().limit(PER_CLASS).toList()) {
                    Path copy = Files.copy(file, target.resolve(file.getFileName()));
                    labels.put(copy.toAbsolutePath().toString(), label);
                }
            }
        }
        String model = shared.resolve("models/mobilenetv2-12-float32-dequantized.onnx").toString();
        this.output = work.resolve("out");
        this.byteStreamSplitOutput = work.resolve("out-bss");
        // Both jobs at once: their start-up (JVM, model, cluster) overlaps. Several units each (--unit-size 16), so
        // that readers meet several files whatever the final file layout of features/ and pca/.
        OrchardJar plain = OrchardJar.start(work.resolve("run.log"), "run", "--input", images.toString(),
                "--output", output.toString(), "--model", model, "--pca-k", String.valueOf(PCA_K), "--unit-size", "16");
        OrchardJar split = OrchardJar.start(work.resolve("run-bss.log"), "run", "--input", images.toString(),
                "--output", byteStreamSplitOutput.toString(), "--model", model, "--pca-k", String.valueOf(PCA_K),
                "--unit-size", "16", "--parquet-byte-stream-split");
        try {
            plain.await();
            split.await();
        } finally {
            plain.stop();
            split.stop();
        }
        Path classified = work.resolve("classify");
        OrchardJar.start(work.resolve("classify.log"), "classify", "--input", output.toString(), "--train-fraction", "0.5",
                "--seed", "42", "--multiclass", "--output", classified.toString()).await();
        this.predictions = classified.resolve("predictions.parquet");
        this.classifier = classified.resolve("classifier.onnx");
        this.classifiedOutput = work.resolve("out-classified");
        OrchardJar.start(work.resolve("run-classified.log"), "run", "--input", images.toString(), "--output",
                classifiedOutput.toString(), "--model", model, "--pca-k", String.valueOf(PCA_K), "--unit-size", "16",
                "--classifier", classifier.toString()).await();
    }

    static synchronized SampleJob get() {
        if (instance == null) {
            try {
                Path target = Files.createDirectories(Path.of("target"));
                instance = new SampleJob(Files.createTempDirectory(target, "interop-"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        return instance;
    }

    int images() {
        return labels.size();
    }
}
