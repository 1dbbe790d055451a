package dev.orchard.cli;

import dev.orchard.coordinator.Coordinator;
import dev.orchard.coordinator.JobJournal;
import dev.orchard.coordinator.JobListener;
import dev.orchard.coordinator.Versions;
import dev.orchard.coordinator.listing.ImageLister;
import dev.orchard.coordinator.listing.ListingErrors;
import dev.orchard.coordinator.listing.LabelRule;
import dev.orchard.coordinator.listing.NameFilter;
import dev.orchard.coordinator.outputs.JobOutputs;
import dev.orchard.protocol.CoordinatorCommand;
import dev.orchard.protocol.ImageRef;
import dev.orchard.protocol.JobDescription;
import dev.orchard.protocol.ModelSpec;
import dev.orchard.stats.SparseRandomProjection;
import dev.orchard.store.Location;
import dev.orchard.store.ObjectStore;
import dev.orchard.store.OutputLayout;
import dev.orchard.store.Overlap;
import dev.orchard.store.manifest.DuplicateKeys;
import dev.orchard.store.Stores;
import dev.orchard.worker.model.InferenceSettings;
import dev.orchard.worker.model.ModelException;
import dev.orchard.worker.model.OnnxModel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.pekko.actor.typed.Behavior;

/**
 * Turns {@link JobOptions} into a checked, ready job: every check that can fail before work starts (input,
 * output, model, tensor, k) runs here, so a mistake costs seconds, not a cluster-hour.
 */
final class JobSetup implements AutoCloseable {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(JobSetup.class);
    final JobOptions options;
    final Location input;
    private final boolean manifest;
    final Location output;
    final Stores stores;
    final ObjectStore inStore;
    final ObjectStore outStore;
    final OnnxModel model;
    final JobDescription job;
    final boolean pca;
    private ImageLister lister;
    private ListingErrors listingErrors;
    private final DuplicateKeys duplicates = new DuplicateKeys();

    JobSetup(JobOptions options, StoreOptions storeOptions, InferenceSettings inference) throws Exception {
        this.options = options;
        validateNumbers(options);
        if ((options.input == null) == (options.inputManifest == null)) {
            throw new IllegalArgumentException("Give the images with exactly one of --input DIR|s3://… or --input-manifest FILE");
        }
        this.manifest = options.inputManifest != null;
        this.input = Location.parse(manifest ? options.inputManifest : options.input);
        this.output = Location.parse(options.output);
        // First of all: the output must not overlap the input (a manifest's images are checked once it is read).
        Overlap overlap = new Overlap(output);
        InputCheck.requireApart(input, manifest ? "--input-manifest" : "--input", overlap, output);
        NameFilter filter = new NameFilter(options.glob);
        LabelRule labels = labelRule(options);
        ModelSpec spec = options.modelSpec == null ? ModelSpec.mobileNetV2() : ModelSpecFile.read(options.modelSpec);
        if (options.featureTensor != null) {
            spec = spec.withFeatureTensor(options.featureTensor, true);
        }
        this.stores = new Stores(storeOptions.s3());
        OnnxModel loaded = null;
        try {
            this.inStore = stores.forLocation(input);
            this.outStore = stores.forLocation(output);
            this.lister = new ImageLister(inStore, filter, labels, options.followLinks);
            this.listingErrors = new ListingErrors(outStore, new OutputLayout(output));
            boolean count = options.srpEps != null; // only the Johnson-Lindenstrauss bound needs the number of images
            long imageCount;
            if (manifest) {
                // The whole manifest, before anything is written: no image may lie inside the output.
                long t0 = System.nanoTime();
                imageCount = InputCheck.scanManifest(lister.listManifest(inStore, input), input, overlap, output, duplicates);
                long repeats = duplicates.finish();
                LOG.info("--input-manifest {}: {} images read and checked in {} ms", input, imageCount,
                        (System.nanoTime() - t0) / 1_000_000);
                if (repeats > 0) {
                    LOG.warn("--input-manifest {} names {} image(s) more than once: each is processed once, the "
                            + "repeats are dropped", input, repeats);
                    imageCount -= repeats;
                }
            } else {
                imageCount = InputCheck.requireImages(inStore, input, errors -> {
                    try {
                        return lister.list(input, errors);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }, count);
            }
            JobJournal journal = new JobJournal(outStore, output);
            boolean resuming = options.resume && journal.exists();
            if (!resuming) {
                OutputCheck.check(outStore, output, options.overwrite); // fails before the model loads; clears last
            }
            String modelLocation = ModelLocator.locate(options.model, System.getenv("ORCHARD_MODEL"), ModelLocator.defaultSharedDirs());
            loaded = loadModel(stores, modelLocation, spec, inference);
            this.pca = !options.reduce.equals("srp");
            int srpDim = projectionDim(options, imageCount, loaded.featureDim());
            int dim = srpDim > 0 ? srpDim : loaded.featureDim();
            if (pca && options.pcaK > dim) {
                throw new IllegalArgumentException("--pca-k " + options.pcaK + " is larger than the feature dimension "
                        + dim + (srpDim > 0 ? " after the random projection" : " of " + modelLocation));
            }
            if (pca && dim > 8192) {
                throw new IllegalArgumentException("An exact PCA of " + dim + "-d features needs a " + dim + "×" + dim
                        + " covariance: reduce them first with --reduce srp+pca --srp-dim K (e.g. 2048)");
            }
            // Last: only a job that passed every check may clear (--overwrite) or claim the output.
            if (!resuming) {
                OutputCheck.prepare(outStore, output, options.overwrite, Versions.orchard());
            }
            this.model = loaded;
            // The job id names the output location: a coordinator that takes over after a failure computes the same id.
            this.job = new JobDescription(UUID.nameUUIDFromBytes(output.toString().getBytes(StandardCharsets.UTF_8)).toString(),
                    output.toString(), modelLocation, loaded.sha256(), spec, options.batchSize, srpDim, options.seed, null);
        } catch (Exception | Error e) {
            if (loaded != null) {
                loaded.close();
            }
            stores.close();
            throw e;
        }
    }

    /** The coordinator for this job; with --resume it continues from the journal when there is one. */
    Behavior<CoordinatorCommand> coordinator(JobListener listener) {
        var settings = new Coordinator.Settings(options.unitSize, options.pcaK, 3, options.unitTimeout, options.resume, pca);
        return Coordinator.create(job, this::images, new JobOutputs(outStore, output, listingErrors),
                new JobJournal(outStore, output), settings, listener);
    }

    /** The coordinator's listing: repeats in a manifest dropped, what a folder listing cannot list kept for errors.csv. */
    private Stream<ImageRef> images() {
        try {
            if (manifest) {
                java.util.function.Predicate<String> firstSeen = duplicates.firstSeen();
                return lister.listManifest(inStore, input).filter(image -> firstSeen.test(image.path()));
            }
            return listingErrors.track(lister.list(input, listingErrors));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** K of the random projection (0 for none): given, or from the Johnson-Lindenstrauss bound for n images. */
    private static int projectionDim(JobOptions o, long images, int inputDim) {
        if (!o.reduce.startsWith("srp")) {
            if (o.srpDim != null || o.srpEps != null) {
                throw new IllegalArgumentException("--srp-dim/--srp-eps need --reduce srp or --reduce srp+pca");
            }
            return 0;
        }
        if ((o.srpDim == null) == (o.srpEps == null)) {
            throw new IllegalArgumentException("--reduce " + o.reduce + " needs exactly one of --srp-dim K or --srp-eps E");
        }
        int k;
        if (o.srpDim != null) {
            k = o.srpDim;
            if (k < 1) {
                throw new IllegalArgumentException("--srp-dim must be positive, was " + k);
            }
        } else {
            k = SparseRandomProjection.johnsonLindenstraussDim(images, o.srpEps);
            LOG.info("--srp-eps {} for {} images: the Johnson-Lindenstrauss bound gives K = {}", o.srpEps, images, k);
        }
        SparseRandomProjection.dimensionWarning(k, inputDim).ifPresent(LOG::warn);
        return k;
    }

    private static void validateNumbers(JobOptions o) {
        if (!java.util.Set.of("pca", "srp", "srp+pca").contains(o.reduce)) {
            throw new IllegalArgumentException("--reduce must be pca, srp or srp+pca, was " + o.reduce);
        }
        if (o.batchSize < 1 || o.batchSize > 1024) {
            throw new IllegalArgumentException("--batch-size must be between 1 and 1024, was " + o.batchSize);
        }
        if (o.unitSize < 1) {
            throw new IllegalArgumentException("--unit-size must be positive, was " + o.unitSize);
        }
        if (o.pcaK < 1) {
            throw new IllegalArgumentException("--pca-k must be at least 1, was " + o.pcaK);
        }
    }

    private static LabelRule labelRule(JobOptions o) {
        if (o.noLabels) {
            if (o.labelRegex != null) {
                throw new IllegalArgumentException("--no-labels and --label-regex contradict each other: use one");
            }
            return LabelRule.none();
        }
        if (o.labelRegex == null) {
            return LabelRule.parentFolder();
        }
        LabelRule.Source source = switch (o.labelFrom.toLowerCase(Locale.ROOT)) {
            case "file" -> LabelRule.Source.FILE;
            case "folder" -> LabelRule.Source.FOLDER;
            default -> throw new IllegalArgumentException("--label-from must be 'file' or 'folder', was " + o.labelFrom);
        };
        try {
            return LabelRule.regex(o.labelRegex, source);
        } catch (java.util.regex.PatternSyntaxException e) {
            throw new IllegalArgumentException("--label-regex is not a valid regex: " + e.getDescription(), e);
        }
    }

    private static OnnxModel loadModel(Stores stores, String location, ModelSpec spec, InferenceSettings settings)
            throws IOException {
        Location where = Location.parse(location);
        byte[] bytes;
        try {
            bytes = stores.forLocation(where).read(where);
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

    @Override
    public void close() throws Exception {
        stores.close();
    }
}
