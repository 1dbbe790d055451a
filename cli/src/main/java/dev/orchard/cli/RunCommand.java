package dev.orchard.cli;

import dev.orchard.coordinator.Coordinator;
import dev.orchard.coordinator.JobSummary;
import dev.orchard.coordinator.listing.ImageLister;
import dev.orchard.coordinator.listing.LabelRule;
import dev.orchard.coordinator.listing.NameFilter;
import dev.orchard.coordinator.outputs.JobOutputs;
import dev.orchard.protocol.JobDescription;
import dev.orchard.protocol.ModelSpec;
import dev.orchard.store.Location;
import dev.orchard.store.ObjectStore;
import dev.orchard.store.ObjectStores;
import dev.orchard.worker.Worker;
import dev.orchard.worker.model.InferenceSettings;
import dev.orchard.worker.model.ModelException;
import dev.orchard.worker.model.OnnxModel;
import dev.orchard.worker.pipeline.PipelineSettings;
import dev.orchard.worker.pipeline.WorkerRuntime;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code orchard run}: the whole job in this JVM (embedded one-node cluster). */
@Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Extract features from every image under --input, fit an exact PCA, and write Parquet to --output.")
final class RunCommand implements Callable<Integer> {

    @Spec
    CommandSpec command;

    @Option(names = "--input", required = true, description = "Folder or s3://bucket/prefix holding the images.")
    String input;

    @Option(names = "--output", required = true, description = "Folder or s3://bucket/prefix for the results.")
    String output;

    @Option(names = "--pca-k", defaultValue = "50", description = "Principal components to keep (default ${DEFAULT-VALUE}).")
    int pcaK;

    @Option(names = "--overwrite", description = "Replace the contents of a non-empty --output.")
    boolean overwrite;

    @Option(names = "--glob", defaultValue = NameFilter.DEFAULT_GLOBS,
            description = "Comma-separated file-name patterns, case-insensitive (default ${DEFAULT-VALUE}).")
    String glob;

    @Option(names = "--label-regex", description = "Label = first capture group of this regex over --label-from.")
    String labelRegex;

    @Option(names = "--label-from", defaultValue = "file", description = "What --label-regex reads: folder or file (default ${DEFAULT-VALUE}).")
    String labelFrom;

    @Option(names = "--no-labels", description = "Write no labels.")
    boolean noLabels;

    @Option(names = "--model", description = "ONNX model file (default: $ORCHARD_MODEL, then ../shared/models/).")
    String model;

    @Option(names = "--model-spec", description = "HOCON/JSON file describing the model's input and feature tensor.")
    Path modelSpec;

    @Option(names = "--feature-tensor", description = "Tensor to take features from (overrides the spec).")
    String featureTensor;

    @Option(names = "--batch-size", defaultValue = "32", description = "Images per ONNX run (default ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--unit-size", defaultValue = "256", description = "Images per work unit (default ${DEFAULT-VALUE}).")
    int unitSize;

    @Option(names = "--workers", description = "Worker actors in this JVM (default: 1 per 8 cores, at least 1).")
    Integer workers;

    @Option(names = "--onnx-threads", description = "ONNX Runtime intra-op threads (default: all cores).")
    Integer onnxThreads;

    @Option(names = "--decode-threads", description = "Image decoding threads (default: all cores).")
    Integer decodeThreads;

    @Option(names = "--max-pixels", defaultValue = "89478485", description = "Refuse images with more pixels (default ${DEFAULT-VALUE}).")
    long maxPixels;

    @Override
    public Integer call() throws Exception {
        int cores = Runtime.getRuntime().availableProcessors();
        validateNumbers();
        Location in = Location.parse(input);
        Location out = Location.parse(output);
        LabelRule labels = labelRule();
        NameFilter filter = new NameFilter(glob);
        ModelSpec spec = modelSpec == null ? ModelSpec.mobileNetV2() : ModelSpecFile.read(modelSpec);
        if (featureTensor != null) {
            spec = spec.withFeatureTensor(featureTensor, true);
        }
        ObjectStore inStore = ObjectStores.forLocation(in);
        ObjectStore outStore = ObjectStores.forLocation(out);
        InputCheck.requireImages(inStore, in, filter);
        OutputCheck.prepare(outStore, out, overwrite);

        String modelLocation = ModelLocator.locate(model, System.getenv("ORCHARD_MODEL"), ModelLocator.defaultSharedDirs());
        int threads = onnxThreads != null ? onnxThreads : cores;
        OnnxModel onnx = loadModel(modelLocation, spec, new InferenceSettings(threads, false));
        if (pcaK > onnx.featureDim()) {
            onnx.close();
            throw new IllegalArgumentException("--pca-k " + pcaK + " is larger than the feature dimension "
                    + onnx.featureDim() + " of " + modelLocation);
        }

        PipelineSettings base = PipelineSettings.forCores(cores);
        PipelineSettings pipeline = new PipelineSettings(base.fetchThreads(),
                decodeThreads != null ? decodeThreads : base.decodeThreads(), base.batchBuffers(), base.inferenceLanes(), maxPixels);
        int workerCount = workers != null ? workers : Math.max(1, cores / 8);
        JobDescription job = new JobDescription(UUID.randomUUID().toString(), out.toString(), modelLocation,
                onnx.sha256(), spec, batchSize, null);
        ImageLister lister = new ImageLister(inStore, filter, labels);
        JobOutputs outputs = new JobOutputs(outStore, out);
        PrintWriter err = command.commandLine().getErr();
        ProgressReporter progress = new ProgressReporter(err, System.console() != null);
        err.printf("orchard: %s → %s with %s; %d worker(s), %d ONNX thread(s), batch %d%n",
                in, out, onnx, workerCount, threads, batchSize);

        try (WorkerRuntime runtime = new WorkerRuntime(pipeline, InferenceSettings.forCores(threads))) {
            runtime.adopt(modelLocation, onnx, batchSize);
            var coordinatorSettings = new Coordinator.Settings(unitSize, pcaK, 3);
            try (EmbeddedCluster cluster = new EmbeddedCluster(
                    () -> Coordinator.create(job, () -> list(lister, in), outputs, coordinatorSettings, progress),
                    runtime, workerCount, Worker.Settings.DEFAULT)) {
                JobSummary summary = progress.result().get();
                System.out.println(summary.oneLine());
                return 0;
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                err.println("orchard: job failed: " + cause.getMessage());
                return cause instanceof IllegalArgumentException ? 2 : 1;
            }
        } finally {
            inStore.close();
            outStore.close();
        }
    }

    private static Stream<dev.orchard.protocol.ImageRef> list(ImageLister lister, Location in) {
        try {
            return lister.list(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void validateNumbers() {
        if (batchSize < 1 || batchSize > 1024) {
            throw new IllegalArgumentException("--batch-size must be between 1 and 1024, was " + batchSize);
        }
        if (unitSize < 1) {
            throw new IllegalArgumentException("--unit-size must be positive, was " + unitSize);
        }
        if (pcaK < 1) {
            throw new IllegalArgumentException("--pca-k must be at least 1, was " + pcaK);
        }
    }

    private LabelRule labelRule() {
        if (noLabels) {
            if (labelRegex != null) {
                throw new IllegalArgumentException("--no-labels and --label-regex contradict each other: use one");
            }
            return LabelRule.none();
        }
        if (labelRegex == null) {
            return LabelRule.parentFolder();
        }
        LabelRule.Source source = switch (labelFrom.toLowerCase(java.util.Locale.ROOT)) {
            case "file" -> LabelRule.Source.FILE;
            case "folder" -> LabelRule.Source.FOLDER;
            default -> throw new IllegalArgumentException("--label-from must be 'file' or 'folder', was " + labelFrom);
        };
        try {
            return LabelRule.regex(labelRegex, source);
        } catch (java.util.regex.PatternSyntaxException e) {
            throw new IllegalArgumentException("--label-regex is not a valid regex: " + e.getDescription(), e);
        }
    }

    private static OnnxModel loadModel(String location, ModelSpec spec, InferenceSettings settings) throws IOException {
        Location where = Location.parse(location);
        byte[] bytes;
        try (ObjectStore store = ObjectStores.forLocation(where)) {
            bytes = store.read(where);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IllegalArgumentException("Model file " + location + " does not exist. Download the ONNX Model Zoo "
                    + "file " + ModelLocator.ZOO_FILE + " and pass --model PATH.");
        }
        try {
            return OnnxModel.load(bytes, location, spec, settings);
        } catch (ModelException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }
}
