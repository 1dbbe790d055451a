package dev.orchard.cli;

import com.typesafe.config.Config;
import dev.orchard.coordinator.ClusterMembership;
import dev.orchard.coordinator.Coordinator;
import dev.orchard.coordinator.JobIdentity;
import dev.orchard.coordinator.JobJournal;
import dev.orchard.coordinator.JobListener;
import dev.orchard.coordinator.LeasedStore;
import dev.orchard.coordinator.OutputLease;
import dev.orchard.coordinator.listing.ImageLister;
import dev.orchard.coordinator.listing.EarlyListing;
import dev.orchard.coordinator.listing.ImageSource;
import dev.orchard.coordinator.listing.LabelRule;
import dev.orchard.coordinator.listing.ListingOrder;
import dev.orchard.coordinator.listing.NameFilter;
import dev.orchard.coordinator.outputs.JobOutputs;
import dev.orchard.coordinator.work.WorkState;
import dev.orchard.protocol.CoordinatorCommand;
import dev.orchard.protocol.ImageRef;
import dev.orchard.protocol.DecodeLimits;
import dev.orchard.protocol.JobDescription;
import dev.orchard.protocol.MessageLimits;
import dev.orchard.protocol.ModelSpec;
import dev.orchard.predict.FeatureSource;
import dev.orchard.predict.VectorKind;
import dev.orchard.predict.VectorProvenance;
import dev.orchard.stats.SparseRandomProjection;
import dev.orchard.store.Location;
import dev.orchard.store.ObjectStore;
import dev.orchard.store.OutputLayout;
import dev.orchard.store.Overlap;
import dev.orchard.store.manifest.DuplicateKeys;
import dev.orchard.coordinator.Versions;
import dev.orchard.store.Stores;
import dev.orchard.worker.model.InferenceSettings;
import dev.orchard.worker.model.ModelException;
import dev.orchard.worker.model.OnnxModel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Supplier;
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
    final JobIdentity identity;
    /** {@code --classifier}, checked against this job's features; null without one. */
    final JobClassifier classifier;
    /** --resume of a job that has written _SUCCESS: nothing is left to do, and nothing is written. */
    final boolean finishedAlready;
    /** The generation of the output this job makes: 0 for a first run, the next one for --update. */
    final int generation;
    /** For --update: what it does (the generation it makes, whether it continues one, what changed). */
    final UpdateCheck.Plan update;
    /**
     * Why another coordinator's lease on the output stands in the way, as the setup found it; null where none held it.
     * A --resume or a continued --update goes on past it to the coordinator, which takes the job over from a holder
     * that left its cluster; only a cluster's node can.
     */
    final String leaseHeldByAnother;
    private ImageLister lister;
    private final DuplicateKeys duplicates = new DuplicateKeys();
    /** The job's images; for --update, listed from the moment the input is checked ({@link EarlyListing}). */
    private ImageSource images;

    JobSetup(JobOptions options, StoreOptions storeOptions, InferenceSettings inference) throws Exception {
        this.options = options;
        validateNumbers(options);
        if (options.overwrite && (options.resume || options.update)) { // with --resume, --overwrite was ignored
            throw new IllegalArgumentException(options.resume
                    ? "--resume and --overwrite contradict each other: --resume continues the job in the output,"
                            + " --overwrite replaces it. Use one."
                    : "--update and --overwrite contradict each other: --update keeps what the output holds and adds"
                            + " to it, --overwrite replaces it. Use one.");
        }
        if ((options.input == null) == (options.inputManifest == null)) {
            throw new IllegalArgumentException("Give the images with exactly one of --input DIR|s3://… or --input-manifest FILE");
        }
        this.manifest = options.inputManifest != null;
        this.input = Location.parseGiven(manifest ? options.inputManifest : options.input);
        this.output = Location.parseGiven(options.output);
        // First of all: the output must not overlap the input (a manifest's images are checked once it is read).
        Overlap overlap = new Overlap(output);
        InputCheck.requireApart(input, manifest ? "--input-manifest" : "--input", overlap, output);
        if (options.classifier != null) {
            JobClassifier.requireOutside(Location.parseGiven(options.classifier), overlap, output);
        }
        NameFilter filter = new NameFilter(options.glob);
        LabelRule labels = labelRule(options);
        this.stores = new Stores(options.listingWith(storeOptions.s3()));
        OnnxModel loaded = null;
        try {
            this.inStore = stores.forLocation(input);
            this.outStore = stores.forLocation(output);
            this.lister = new ImageLister(inStore, filter, labels, options.followLinks);
            OutputLayout layout = new OutputLayout(output);
            JobJournal journal = new JobJournal(outStore, output);
            options.decodeLimits(); // a limit no image can meet: refused before the input is listed
            boolean resuming = options.resume && (outStore.exists(layout.marker()) || journal.exists());
            // The encoding this job records: the output's (keepRecordedOptions has set the option to it); null where
            // an older Orchard wrote the output, and then unknown still (this command's flag may not be what its parts
            // hold). Taken before the option was kept, a second update recorded its command's flag and the third
            // mixed encodings in one file (the README walk). The output's options are kept before the input is
            // counted: they decide what the count must cover.
            Boolean encoding = options.parquetByteStreamSplit;
            if (resuming || options.update) {
                JobIdentity recorded = keepRecordedOptions(options, outStore, layout);
                encoding = recorded == null || recorded.byteStreamSplit() == null ? null : options.parquetByteStreamSplit;
            }
            // After the output's options are kept: its feature tensor is one of them.
            ModelSpec spec = options.modelSpec == null ? ModelSpec.mobileNetV2() : ModelSpecFile.read(options.modelSpec);
            if (options.featureTensor != null) {
                spec = spec.withFeatureTensor(options.featureTensor, true);
            }
            // The Johnson-Lindenstrauss bound needs the number of images; a first run's PCA needs k of them (and 2),
            // known before --overwrite deletes anything (it deleted a good output, then failed on the default k of 50),
            // and a new update's 2 of them, known before it is recorded.
            boolean firstRun = !resuming && !options.update;
            boolean pcaWanted = !options.reduce.equals("srp");
            long countUpTo = options.srpEps != null ? Long.MAX_VALUE
                    : firstRun && pcaWanted ? Math.max(2, options.pcaK) : options.update && pcaWanted ? 2 : 1;
            long imageCount;
            var leftOut = new InputCheck.NotTaken(options.glob, input); // a listing's files that --glob does not take
            if (manifest) {
                // The whole manifest, before anything is written: no image may lie inside the output.
                long t0 = System.nanoTime();
                var notTaken = new InputCheck.NotTaken(options.glob);
                var firstPerBucket = new java.util.LinkedHashMap<String, java.util.List<Location>>();
                imageCount = InputCheck.scanManifest(InputCheck.openManifest(lister, inStore, input, notTaken), input,
                        overlap, output, duplicates, notTaken, firstPerBucket);
                InputCheck.requireReadable(stores, input, firstPerBucket.values());
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
                        return lister.list(input, errors, leftOut);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }, countUpTo, leftOut);
            }
            // After the input's checks, which name what is wrong with it first (bad credentials among them: a HEAD of
            // the marker answers 403 without saying why).
            if (!options.overwrite) {
                dev.orchard.store.OutputMarker.requireNotBeingCleared(outStore, layout);
            }
            // An update compares its whole listing with the output before its first unit: list while the model loads.
            this.images = options.update ? new EarlyListing(new Images()) : new Images();
            if (!resuming && !options.update) { // an update adds to an output: UpdateCheck checks it below
                checkBeforeModel(options, layout); // fails before the model loads; clears last
            }
            // Absolute, as the input and the classifier are: the workers read the model at the path the job names, and a
            // relative one was read from each worker's working directory (a worker started elsewhere failed the job
            // with the path as its only reason: a user's walk).
            String modelLocation = Location.parseGiven(ModelLocator.locate(options.model, System.getenv("ORCHARD_MODEL"),
                    ModelLocator.defaultSharedDirs())).toString();
            loaded = loadModel(stores, modelLocation, spec, inference);
            this.pca = !options.reduce.equals("srp");
            int srpDim = projectionDim(options, imageCount, loaded.featureDim());
            int dim = srpDim > 0 ? srpDim : loaded.featureDim();
            if (pca && options.pcaK > dim) {
                throw new IllegalArgumentException("--pca-k " + options.pcaK + " is larger than the feature dimension "
                        + dim + (srpDim > 0 ? " after the random projection: choose --pca-k " + dim + " or less"
                                + (options.pcaK < loaded.featureDim() ? ", or a larger --srp-dim (or a smaller --srp-eps)"
                                        : "")
                                : " of " + modelLocation + ": choose --pca-k " + dim + " or less"));
            }
            if (pca && dim > MAX_PCA_DIM && srpDim > 0) { // it told the user to do what they had done (a walk)
                throw new IllegalArgumentException("--reduce srp+pca projects to K = " + dim
                        + (options.srpEps != null ? " (--srp-eps " + options.srpEps + " for " + imageCount + " images)" : "")
                        + ", more than the " + MAX_PCA_DIM + " dimensions an exact PCA is solved for here (its covariance"
                        + " is K×K, its solve grows as K³): give --srp-dim K of at most " + MAX_PCA_DIM
                        + " (e.g. 2048)" + (options.srpEps != null ? ", or a larger --srp-eps" : "") + ".");
            }
            if (pca && dim > MAX_PCA_DIM) {
                throw new IllegalArgumentException("An exact PCA of " + dim + "-d features needs a " + dim + "×" + dim
                        + " covariance: reduce them first with --reduce srp+pca --srp-dim K (e.g. 2048)");
            }
            long srpSeed = srpDim > 0 ? options.seed : 0;
            this.classifier = options.classifier == null ? null : JobClassifier.check(stores, options.classifier,
                    new VectorProvenance(VectorKind.FEATURES, dim,
                            new FeatureSource(loaded.sha256(), spec.featureTensor(), srpDim, srpSeed,
                                    spec.preprocessing()), null), output);
            this.identity = new JobIdentity(input.toString(), manifest ? sha256(inStore, input) : null, options.glob,
                    labelDescription(options), loaded.sha256(), spec.toString(), options.reduce, srpDim,
                    srpSeed, pca ? options.pcaK : 0, classifier == null ? null : classifier.sha256(), encoding,
                    options.decodeLimits().describe());
            // Last: only a job that passed every check may clear (--overwrite) or claim the output, and only while this JVM
            // is not exiting: a signal as a large model's session was built let it go on to clear the output (a review).
            requireNotExiting();
            String running = OutputLease.refusal(outStore, output, java.time.Instant.now());
            this.leaseHeldByAnother = running;
            String version = Versions.orchard();
            if (options.update) {
                this.update = UpdateCheck.check(outStore, output, identity, running);
                this.generation = update.generation();
                this.finishedAlready = false;
                if (pca && !update.continuing()) { // one under way was counted by its own listing
                    requireTwoImages(imageCount, leftOut, " An update's rows are those of the images its input holds;"
                            + " nothing was recorded.");
                }
                // A continued update records its identity again where UpdateCheck, which read the record, says so
                if (!update.continuing() || update.rewritesRecord()) {
                    SetupLease.write(outStore, output, store -> identity.write(store, layout, generation, version));
                }
                update.changes().forEach(change -> LOG.info("--update: {} (an update may change this)", change));
            } else {
                this.update = null;
                this.generation = 0;
                int current = dev.orchard.coordinator.update.GenerationSummary.current(outStore, layout);
                int updating = UpdateCheck.inProgress(outStore, layout);
                if (resuming && updating > 0) {
                    throw new IllegalArgumentException("--resume refused: an update of " + output + " to generation "
                            + updating + " is in progress: finish it with the command that started it (with --update)");
                }
                boolean finished = resuming && outStore.exists(layout.success());
                if (resuming) {
                    JobIdentity recorded = JobIdentity.read(outStore, layout, current);
                    if (!finished && PcaKChange.allowed(recorded, identity, outStore, output, current, running)) {
                        LOG.info("--resume: {}", PcaKChange.change(recorded, identity));
                        SetupLease.write(outStore, output, store -> identity.write(store, layout, current, version));
                    } else {
                        String heldNow = finished ? null : PcaKChange.refusalWhileHeld(recorded, identity, outStore, output,
                                current, running);
                        if (heldNow != null) {
                            throw new IllegalArgumentException("--resume refused: " + heldNow);
                        }
                        checkSameJob(recorded);
                        if (!finished && (recorded.decodeLimits() == null
                                || !DecodeLimits.recordsObjectBound(recorded.decodeLimits()))) {
                            // An earlier Orchard's record: the limits this job goes on with are recorded, so a standby or
                            // a later --resume with others is refused (else never: the diff's review).
                            SetupLease.write(outStore, output, store -> identity.write(store, layout, current, version));
                        }
                    }
                } else {
                    if (running != null && options.overwrite) {
                        throw new IllegalArgumentException(running);
                    }
                    // Last before anything is written (or, with --overwrite, deleted: a good output was, then the job
                    // failed on the default k of 50 at its listing; the README walk).
                    if (pca) { // a first run here: it counted max(2, k) images
                        requireTwoImages(imageCount, leftOut, options.overwrite ? " Nothing was deleted." : "");
                    }
                    if (pca && imageCount < options.pcaK) {
                        throw new IllegalArgumentException("--pca-k " + options.pcaK + " is larger than the number of"
                                + " images in --input " + input + " (" + imageCount + "): "
                                + dev.orchard.stats.PcaModel.kAdvice(imageCount)
                                + (options.given("--pca-k") ? "" : "; " + JobOptions.DEFAULT_PCA_K + " is the default")
                                + (options.overwrite ? ". Nothing was deleted." : ".") + leftOut.leftOutOfListing());
                    }
                    SetupLease.Writes prepare = store -> {
                        OutputCheck.prepare(store, output, options.overwrite, version);
                        identity.writeMarker(store, layout, version); // the marker, now with the job's identity
                    };
                    finished = claimForFirstRun(options, layout, prepare, version);
                }
                this.finishedAlready = finished;
            }
            this.model = loaded;
            // The job id names the output location: a coordinator that takes over after a failure computes the same id.
            this.job = new JobDescription(UUID.nameUUIDFromBytes(output.toString().getBytes(StandardCharsets.UTF_8)).toString(),
                    output.toString(), modelLocation, loaded.sha256(), spec, options.batchSize, srpDim, options.seed,
                    pca, null, null, options.parquetByteStreamSplit, classifier == null ? null : classifier.location(),
                    classifier == null ? null : classifier.sha256(), generation, options.decodeLimits());
        } catch (Exception | Error e) {
            closeImages();
            if (loaded != null) {
                loaded.close();
            }
            stores.close();
            throw e;
        }
    }

    /**
     * Refuses a PCA of fewer than 2 images before anything is written, saying what --glob left out of the listing;
     * {@code after}: what the refusal left as it was.
     */
    private void requireTwoImages(long imageCount, InputCheck.NotTaken leftOut, String after) {
        if (imageCount < 2) {
            throw new IllegalArgumentException("PCA needs at least 2 images; --input " + input + " holds " + imageCount
                    + "." + after + leftOut.leftOutOfListing());
        }
    }

    /**
     * A first run's checks of the output before the model loads: no other job writing there, nothing but what it may
     * take or (--overwrite) clear. An output holding a marker that may be this very job's is left for the decision
     * once the job's identity is known: only the marker (a standby of the job started first), or, for --resume, the
     * job begun by another coordinator of it since this command first looked. Read again after a refusal: the other
     * node may have written between the two reads.
     */
    private void checkBeforeModel(JobOptions options, OutputLayout layout) throws IOException {
        try {
            String running = OutputLease.refusal(outStore, output, java.time.Instant.now());
            if (running != null) { // a job is writing there now: said first, as --resume and --overwrite are refused
                // too while it runs (they were advised: a user's walk)
                throw new IllegalArgumentException(running + (options.overwrite ? "" : " If that coordinator was this"
                        + " command's own, killed, the same command with --resume continues the job (on the same"
                        + " address, at once)."));
            }
            OutputCheck.check(outStore, output, options.overwrite);
        } catch (IllegalArgumentException refused) {
            boolean mayBeThisJob = !options.overwrite && outStore.exists(layout.marker())
                    && (options.resume || OutputCheck.holdsOnlyMarker(outStore, output));
            if (!mayBeThisJob) {
                throw refused;
            }
        }
    }

    /**
     * What the output is to a first run, read now, not when this command first looked: another coordinator node of
     * the job, started at the same moment, may have marked it since (the first node's plain command and a standby's
     * --resume were each refused, "--resume continues it", when started within a second of each other: a user's walk).
     * Decided once more if refused while a marker is there: the other node may have written between two reads.
     * Returns whether the job has finished (only a --resume that finds it begun by another coordinator can say so).
     */
    private boolean claimForFirstRun(JobOptions options, OutputLayout layout, SetupLease.Writes prepare, String version)
            throws IOException {
        for (int attempt = 0; ; attempt++) {
            beforeOutputDecision.accept(output);
            try {
                return decideFirstRun(options, layout, prepare, version);
            } catch (IllegalArgumentException refused) {
                if (attempt > 0 || options.overwrite || !outStore.exists(layout.marker())) {
                    throw refused;
                }
            }
        }
    }

    private boolean decideFirstRun(JobOptions options, OutputLayout layout, SetupLease.Writes prepare, String version)
            throws IOException {
        JobIdentity marked = options.overwrite ? null : JobIdentity.readMarker(outStore, layout);
        if (marked != null && options.resume) {
            // A standby (--resume) that found the output empty: the job's first coordinator has marked it since, and
            // may have begun. Its job must be this one; nothing is written here.
            checkSameJob(marked);
            LOG.info("--output {} was marked for this job while this command started (by another coordinator of the"
                    + " job): continuing it", output);
            return outStore.exists(layout.success());
        }
        if (marked != null && marked.differences(identity).isEmpty() && OutputCheck.holdsOnlyMarker(outStore, output)) {
            // This very job, not begun: a standby coordinator node started before this one wrote the marker as it
            // began to wait for the cluster, and this command was refused until given --resume (a user's walk).
            // Another job's marker is refused below, as any output of another job.
            LOG.info("--output {} holds only the marker of this same job, not begun (a standby started first?): taken",
                    output);
            SetupLease.write(outStore, output, store -> {
                // Checked again under the lease: a job may have begun there since (the diff's review).
                if (!OutputCheck.holdsOnlyMarker(store, output, true)) {
                    OutputCheck.check(store, output, false); // refuses, saying what is there
                }
                identity.writeMarker(store, layout, version);
            });
        } else if (OutputCheck.check(outStore, output, options.overwrite).names.isEmpty()) {
            prepare.run(outStore); // nothing to delete; and a lease file would make it not empty
        } else {
            SetupLease.write(outStore, output, prepare); // --overwrite deletes only under the lease
        }
        return false;
    }

    /** Runs just before a first run decides what the output is to it (tests write another node's files there). */
    static java.util.function.Consumer<Location> beforeOutputDecision = output -> { };

    /**
     * A job continued or updated without {@code --pca-k} keeps the k it has (the option's default of 50 counted as a
     * new k: an update or a resume of a k = 20 job, as the README writes them, went on with 50 components, logged at
     * INFO only); likewise its {@code --reduce}, and a projection's K and seed unless given ({@code --srp-eps} too
     * keeps the K, which it would choose anew for another image count). The latest record in the output is the
     * job's: an update in progress, else the last generation.
     */
    private static JobIdentity keepRecordedOptions(JobOptions options, ObjectStore store, OutputLayout layout)
            throws IOException {
        int current = dev.orchard.coordinator.update.GenerationSummary.current(store, layout);
        JobIdentity recorded = JobIdentity.read(store, layout, current + 1);
        if (recorded == null) {
            recorded = JobIdentity.read(store, layout, current);
        }
        if (recorded == null) {
            return null;
        }
        if (!options.given("--pca-k") && recorded.pcaK() > 0) {
            options.pcaK = recorded.pcaK();
        }
        if (recorded.decodeLimits() != null) { // the job's, not each command's (a standby, a resume, an update)
            DecodeLimits kept = DecodeLimits.parse(recorded.decodeLimits());
            if (!options.given("--max-pixels")) {
                options.maxPixels = kept.maxPixels();
            }
            if (!options.given("--max-decode-mib")) {
                options.maxDecodeMib = kept.maxDecodeBytes() >> 20;
            }
            if (!options.given("--no-reduced-decode")) {
                options.noReducedDecode = !kept.reducedDecode();
            }
            if (!options.given("--max-object-bytes") && DecodeLimits.recordsObjectBound(recorded.decodeLimits())) {
                options.maxObjectBytes = kept.maxObjectBytes();
            } else if (!DecodeLimits.recordsObjectBound(recorded.decodeLimits())) {
                // Its workers read by their own bounds then: not known here, and not to be guessed as the default
                LOG.warn("This output's record (an Orchard before 2026-12-07) does not say which --max-object-bytes its"
                        + " job read images by; this command reads by {}{}, and records it where the job goes on. If the"
                        + " job was given another, give the same.", options.maxObjectBytes,
                        options.given("--max-object-bytes") ? "" : " (the default)");
            }
        }
        if (recorded.byteStreamSplit() == null) {
            LOG.warn("This output does not record how its vectors are encoded (an Orchard before 2026-12-05 wrote it):"
                    + " this run writes them {} --parquet-byte-stream-split. Where its files were written otherwise, a"
                    + " part file will hold both encodings, which Spark's vectorized reader refuses; run the job afresh"
                    + " to be sure.", options.parquetByteStreamSplit ? "with" : "without");
        } else if (recorded.byteStreamSplit() != options.parquetByteStreamSplit) {
            // Parts copy the row groups of the files they gather: an update without the flag over an output written
            // with it made files of both encodings, which Spark's vectorized reader refuses (the incremental helper).
            LOG.warn("This output's vectors are written {} --parquet-byte-stream-split, and this {} writes them so too:"
                            + " one output never mixes encodings. To change it, run the job afresh into an empty folder.",
                    recorded.byteStreamSplit() ? "with" : "without", options.update ? "update" : "job");
            options.parquetByteStreamSplit = recorded.byteStreamSplit();
        }
        // So is its feature tensor where it was given by --feature-tensor: an update of a tensor-627 output without it
        // checked the output's K against the pooled 1280 and blamed an --srp-dim the user never typed (a walk).
        if (!options.given("--feature-tensor") && !options.given("--model-spec")) {
            // Only where the record is MobileNetV2's spec with another tensor, as --feature-tensor makes it: read back
            // and made again, it must give the record's very text (a spec file's record is left to the diff).
            String tensor = ModelSpec.featureTensorOf(recorded.modelSpec());
            if (tensor != null && !recorded.modelSpec().equals(ModelSpec.mobileNetV2().toString())
                    && recorded.modelSpec().equals(ModelSpec.mobileNetV2().withFeatureTensor(tensor, true).toString())) {
                options.featureTensor = tensor;
            }
        }
        // The reduction is the output's as well (an update of an srp+pca output without its options was refused over
        // "--seed: was 42, now 0" and "--srp-dim: was 256, now 0", which the user had never set).
        if (!options.given("--reduce") && recorded.reduce() != null) {
            options.reduce = recorded.reduce();
        }
        if (recorded.srpDim() > 0 && options.reduce.startsWith("srp")) {
            if (!options.given("--srp-dim")) {
                // --srp-eps chooses K from the image count, which an update changes: the same command was refused
                // ("--srp-dim: was 177, now 263"). The rows kept were projected to the output's K: so are the new.
                if (options.srpEps != null) { // the bound it asks for may not be what the kept K gives: said plainly
                    LOG.warn("--srp-eps {}: keeping the output's K = {}, as its rows were projected so (the bound this"
                            + " --srp-eps asks for is not chosen anew; to change it, run the job afresh)",
                            options.srpEps, recorded.srpDim());
                }
                options.srpDim = recorded.srpDim();
                options.srpEps = null;
            }
            if (!options.given("--seed")) {
                options.seed = recorded.srpSeed();
            }
        }
        return recorded;
    }

    /**
     * Whether the job this setup describes has finished (a standby coordinator node learns so from the output):
     * {@code _SUCCESS} is there, and for an update the output holds its generation.
     */
    boolean finishedInOutput() throws IOException {
        OutputLayout layout = new OutputLayout(output);
        return outStore.exists(layout.success())
                && dev.orchard.coordinator.update.GenerationSummary.current(outStore, layout) >= generation;
    }

    /**
     * The node of another coordinator that runs this job now (it holds the output's lease, fresh), or null: what a
     * standby stopped while the active coordinator runs is told.
     */
    String runningElsewhere(String self) throws IOException {
        java.time.Instant now = java.time.Instant.now();
        OutputLease.Holder holder = OutputLease.heldByAnother(outStore, output, self, now);
        return holder == null ? null : holder.node() + " (its lease renewed "
                + Math.max(0, (now.toEpochMilli() - holder.heartbeatMillis()) / 1000) + " s ago)";
    }

    /** The model, and the projection its features go through when there is one, for the console. */
    String features() {
        return model + (job.srpDim() > 0 ? ", projected to " + job.srpDim() + "-d by a sparse random projection (seed "
                + job.srpSeed() + ")" : "");
    }

    /**
     * The {@code --classifier} that labels each image, for the job's first line ("" without one): a job given one said
     * nothing of it on the console (a user's walk), only {@code _SUCCESS} and the parts' footers did.
     */
    String labelling() {
        if (classifier == null) {
            return "";
        }
        List<String> classes = classifier.classes();
        String named = classes.size() <= 4 ? dev.orchard.store.Printable.joined(classes)
                : dev.orchard.store.Printable.joined(classes.subList(0, 3)) + ", …, "
                        + dev.orchard.store.Printable.escaped(classes.get(classes.size() - 1));
        return "; each image labelled by " + dev.orchard.store.Printable.escaped(classifier.location()) + " ("
                + classes.size() + " classes: " + named + "; " + classifier.score() + " scores)";
    }

    /**
     * Refuses to start anything more once this JVM has begun to exit (a signal, Ctrl-C): the command's stop notice says
     * so, and the failure's handler keeps this quiet ({@link Orchard#reportedStop}).
     */
    static void requireNotExiting() {
        if (dev.orchard.worker.JvmExit.began()) {
            throw new IllegalStateException("this JVM is exiting: nothing more is started");
        }
    }

    /** The job's input and output, in words, their names {@link dev.orchard.store.Printable#escaped}. */
    String describe() {
        String in = dev.orchard.store.Printable.escaped(input.toString());
        String out = dev.orchard.store.Printable.escaped(output.toString());
        if (update == null) {
            return in + " → " + out;
        }
        return (update.continuing() ? "continuing the update of " : "updating ") + out + " to generation " + generation
                + " from " + in;
    }

    /** --resume continues only the same job: any difference in what determines the result is refused. */
    private void checkSameJob(JobIdentity recorded) {
        if (recorded == null) {
            throw new IllegalArgumentException("--output " + output + " has a journal but no record of the job that wrote"
                    + " it (an older Orchard wrote it): --resume cannot check that it is the same job. Start afresh with"
                    + " --overwrite, or use a new --output.");
        }
        List<String> differences = recorded.differences(identity);
        if (!differences.isEmpty()) {
            throw new IllegalArgumentException("--resume refused: this command describes another job than the one in "
                    + output + ":\n  " + String.join("\n  ", differences)
                    + "\nRun the original command with --resume, or start afresh with --overwrite or a new --output.");
        }
    }

    /** How long the split-brain resolver waits before it downs an unreachable member (see OutputLease). */
    private static final String STABLE_AFTER = "pekko.cluster.split-brain-resolver.stable-after";

    /**
     * The coordinator for this job on {@code node} (its address, for the output lease); with --resume it continues
     * from the journal when there is one.
     */
    Behavior<CoordinatorCommand> coordinator(JobListener listener, String node, Supplier<ClusterMembership> membership,
                                             Config config, int minWorkers, java.time.Duration minWorkersWait) {
        long frame = config.getBytes("pekko.remote.artery.advanced.maximum-frame-size");
        Config c = config.getConfig("orchard.coordinator");
        var settings = new WorkState.Settings(options.unitSize, MessageLimits.unitImageBytes(frame), 3,
                c.getInt("max-crash-losses"), options.unitTimeout.toMillis(), c.getDuration("assign-retry").toMillis(),
                c.getDuration("worker-timeout").toMillis(), c.getDuration("commit-interval").toMillis(),
                c.getDuration("speculate-after").toMillis(), minWorkers, minWorkersWait.toMillis(), pca ? options.pcaK : 0,
                c.getBytes("part-bytes"), c.getInt("max-units-per-part"));
        LeasedStore leased = new LeasedStore(outStore); // the coordinator writes only while it holds the output
        java.time.Duration leaseTtl = c.getDuration("lease-ttl");
        java.time.Duration downAfter = config.hasPath(STABLE_AFTER) ? config.getDuration(STABLE_AFTER) : leaseTtl;
        return Coordinator.create(new Coordinator.Setup(job, images, new JobOutputs(leased, output, generation),
                new JobJournal(leased, output, generation), leased, output, settings, leaseTtl, downAfter, node, membership, listener, reportFacts(),
                options.noLabels || options.labelRegex == null ? null
                        : "--label-regex '" + options.labelRegex + "' over the " + labelFrom(options) + " names",
                identity));
    }

    /** What {@code _SUCCESS} adds about this job's setup: its identity, and the classifier when there is one. */
    private java.util.Map<String, Object> reportFacts() {
        java.util.Map<String, Object> facts = new java.util.LinkedHashMap<>();
        facts.put("identity", identity);
        if (classifier != null) {
            facts.put("classifier", classifier.report());
        }
        return facts;
    }

    /** The images of this job, in listing order (see {@link ImageSource}). */
    private final class Images implements ImageSource {
        @Override
        public Stream<ImageRef> list(String after, java.util.function.Consumer<dev.orchard.protocol.ImageError> skipped)
                throws IOException {
            Stream<ImageRef> all;
            if (manifest) {
                java.util.function.Predicate<String> firstSeen = duplicates.firstSeen(); // repeats dropped
                all = lister.listManifest(inStore, input).filter(image -> firstSeen.test(image.path()));
            } else {
                all = lister.list(input, skipped); // what cannot be listed goes to errors.csv
            }
            if (after == null) {
                return all;
            }
            java.util.function.Predicate<String> later = after(after);
            return all.filter(image -> later.test(image.path()));
        }

        /**
         * A resumed listing continues after the last planned image: in key order for a listing, after that line for
         * a manifest (the same file, checked by its checksum, so its order is too).
         */
        @Override
        public java.util.function.Predicate<String> after(String after) {
            if (after == null) {
                return path -> true;
            }
            if (manifest) {
                boolean[] past = {false};
                return path -> {
                    boolean keep = past[0];
                    past[0] |= path.equals(after);
                    return keep;
                };
            }
            var order = ListingOrder.of(input.scheme());
            return path -> order.compare(path, after) > 0;
        }
    }

    private static String labelDescription(JobOptions o) {
        if (o.noLabels) {
            return "none";
        }
        return o.labelRegex == null ? "parent folder" : "regex " + o.labelRegex + " over the " + labelFrom(o) + " name";
    }

    private static String sha256(ObjectStore store, Location file) throws IOException {
        try (var in = store.open(file)) {
            var digest = java.security.MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[1 << 16];
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                digest.update(buffer, 0, n);
            }
            return java.util.HexFormat.of().formatHex(digest.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The widest features an exact PCA is solved for: a K×K covariance, solved in time ∝ K³ (~1 min at 8192). */
    static final int MAX_PCA_DIM = 8192;

    /** K of the random projection (0 for none): given, or from the Johnson-Lindenstrauss bound for n images. */
    private static int projectionDim(JobOptions o, long images, int inputDim) {
        if (!o.reduce.startsWith("srp")) {
            if (o.srpDim != null || o.srpEps != null || o.given("--seed")) { // --seed was ignored (a walk)
                throw new IllegalArgumentException("--srp-dim/--srp-eps/--seed need --reduce srp or --reduce srp+pca");
            }
            return 0;
        }
        if ((o.srpDim == null) == (o.srpEps == null)) {
            throw new IllegalArgumentException("--reduce " + o.reduce + " needs exactly one of --srp-dim K or --srp-eps E");
        }
        if (o.reduce.equals("srp") && o.given("--pca-k")) {
            throw new IllegalArgumentException(o.given("--reduce")
                    ? "--pca-k is for --reduce pca or srp+pca: --reduce srp fits no PCA (its output is the projected"
                            + " features alone). Leave out --pca-k, or use --reduce srp+pca."
                    : "--pca-k: this output was made with --reduce srp, which fits no PCA, and a --resume or an"
                            + " --update keeps its reduction. Leave out --pca-k.");
        }
        int k;
        if (o.srpDim != null) {
            k = o.srpDim;
            if (k < 1) {
                throw new IllegalArgumentException("--srp-dim must be positive, was " + k);
            }
            if (k >= inputDim) { // given, not derived: nothing to loosen, the user asked for more than there is
                throw new IllegalArgumentException("--srp-dim " + k + " is not below the feature dimension " + inputDim
                        + ": a projection to as many dimensions or more reduces nothing. Give a K below " + inputDim
                        + ", or --reduce pca.");
            }
        } else {
            k = SparseRandomProjection.johnsonLindenstraussDim(images, o.srpEps);
            LOG.info("--srp-eps {} for {} images: the Johnson-Lindenstrauss bound gives K = {}", o.srpEps, images, k);
            if (k < 1) { // K = 0 meant "no projection": one image's job wrote its 62,720-d map unprojected (a walk)
                throw new IllegalArgumentException("--srp-eps " + o.srpEps + " for " + images + " image(s): the"
                        + " Johnson-Lindenstrauss bound gives K = " + k + " (it bounds distances between at least 2"
                        + " images). Give --srp-dim K instead.");
            }
        }
        // Refused, as a --srp-dim that reduces nothing is: it was a warning, and the job wrote features wider than the
        // model's (K = 15,848 from 1,280-d at --srp-eps 0.05: a helper's README walk).
        java.util.Optional<String> reducesNothing = SparseRandomProjection.dimensionWarning(k, inputDim);
        if (reducesNothing.isPresent()) {
            throw new IllegalArgumentException("--srp-eps " + o.srpEps + " for " + images + " images: "
                    + reducesNothing.get() + " Or give --srp-dim K below " + inputDim + ".");
        }
        return k;
    }

    /** {@code --label-from}, file by default. */
    private static String labelFrom(JobOptions o) {
        return o.labelFrom == null ? "file" : o.labelFrom;
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
        if (o.unitTimeout.isNegative() || o.unitTimeout.isZero()) {
            throw new IllegalArgumentException("--unit-timeout must be positive, was " + o.unitTimeout);
        }
        if (o.pcaK < 1) {
            throw new IllegalArgumentException("--pca-k must be at least 1, was " + o.pcaK);
        }
        if (o.srpEps != null && !(o.srpEps > 0 && o.srpEps < 1)) {
            throw new IllegalArgumentException("--srp-eps must lie strictly between 0 and 1 (the projection's distortion),"
                    + " was " + o.srpEps);
        }
    }

    private static LabelRule labelRule(JobOptions o) {
        if (o.noLabels) {
            if (o.labelRegex != null || o.labelFrom != null) { // --label-from was accepted and ignored (a walk)
                throw new IllegalArgumentException("--no-labels and " + (o.labelRegex != null ? "--label-regex"
                        : "--label-from") + " contradict each other: use one");
            }
            return LabelRule.none();
        }
        if (o.labelRegex == null) {
            if (o.labelFrom != null) { // it chose what a regex reads, and there was none: the label was the parent folder
                throw new IllegalArgumentException("--label-from " + o.labelFrom + " names what --label-regex reads: give"
                        + " --label-regex too (without one the label is the parent folder's name)");
            }
            return LabelRule.parentFolder();
        }
        LabelRule.Source source = switch (labelFrom(o).toLowerCase(Locale.ROOT)) {
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
        if (where.isLocal() && java.nio.file.Files.isDirectory(where.path())) { // it said "Is a directory", exit 1
            throw new IllegalArgumentException("The model " + location + " (--model, or else $ORCHARD_MODEL) is a folder:"
                    + " give the ONNX model file (such as " + ModelLocator.ZOO_FILE + ") itself.");
        }
        byte[] bytes;
        try {
            bytes = stores.forLocation(where).read(where);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IllegalArgumentException("Model file " + location + " (--model, or else $ORCHARD_MODEL) does not"
                    + " exist. Download the ONNX Model Zoo file " + ModelLocator.ZOO_FILE + " and pass --model PATH.");
        }
        try {
            return OnnxModel.load(bytes, location, spec, settings);
        } catch (ModelException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    @Override
    public void close() throws Exception {
        closeImages();
        stores.close();
    }

    private void closeImages() {
        if (images instanceof EarlyListing early) {
            early.close();
        }
    }
}
