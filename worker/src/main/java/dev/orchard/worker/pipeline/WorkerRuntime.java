package dev.orchard.worker.pipeline;

import dev.orchard.protocol.DecodeLimits;
import dev.orchard.protocol.JobDescription;
import dev.orchard.protocol.ModelSpec;
import dev.orchard.predict.ClassifierException;
import dev.orchard.predict.OnnxClassifier;
import dev.orchard.store.Location;
import dev.orchard.store.ObjectStore;
import dev.orchard.stats.SparseRandomProjection;
import dev.orchard.store.Stores;
import dev.orchard.store.s3.S3Settings;
import dev.orchard.worker.image.ImageDecoder;
import dev.orchard.worker.image.Preprocessor;
import dev.orchard.worker.model.InferenceSettings;
import dev.orchard.worker.model.ModelException;
import dev.orchard.worker.model.OnnxModel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What one worker JVM shares across all its units: the ONNX session (loaded once, checked against the job's
 * SHA-256), the job's classifier (likewise), the fetch and decode thread pools, the batch buffers and the inference
 * lane. Units running at the same time share these, so two units never mean twice the memory or twice the ONNX
 * threads.
 */
public final class WorkerRuntime implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WorkerRuntime.class);
    private final PipelineSettings settings;
    private final InferenceSettings inference;
    private final ThreadPoolExecutor fetchPool;
    /** How many fetch threads read at once; grows while the lanes wait for reads. Guarded by itself. */
    private final ReadConcurrency readConcurrency;
    /** Per inference lane: when its last batch ended ({@link System#nanoTime}; -1 before its first). */
    private final ThreadLocal<long[]> laneIdleSince = ThreadLocal.withInitial(() -> new long[] {-1});
    private final ExecutorService decodePool;
    private final ExecutorService inferencePool;
    private final InferenceGate gate;
    private final java.util.Map<DecodeLimits, ImageDecoder> decoders = new java.util.concurrent.ConcurrentHashMap<>();
    private final Stores stores;
    private final ScratchFolder scratch;
    /** Clearing what dead workers left in the temporary folder, on the fetch pool once the first batch runs. */
    private final java.util.concurrent.CompletableFuture<Void> clearing;
    private final PipelineTotals totals = new PipelineTotals();
    private final RowsCache rowsCache = new RowsCache(PipelineSettings.rowsCacheBytes());
    private final SlowSteps slowSteps = new SlowSteps(System::nanoTime);
    private Loaded loaded; // guarded by this
    private SharedClassifier classifier; // guarded by this
    private volatile SparseRandomProjection projection;
    private final java.util.concurrent.CompletableFuture<Void> firstInference = new java.util.concurrent.CompletableFuture<>();

    /**
     * What a loaded model is for: the file (location and SHA-256), how it is fed (spec, with its feature tensor) and
     * the batch size its buffers are cut for. A job that differs in any of these gets its own session.
     */
    record ModelKey(String location, String sha256, ModelSpec spec, int batchSize) {
        static ModelKey of(JobDescription job) {
            return new ModelKey(job.model(), job.modelSha256(), job.spec(), job.batchSize());
        }
    }

    /**
     * A session and what depends on it, shared by the units that use it. Reference-counted: a session replaced
     * for another job is closed only when its last unit releases it, so a swap never frees one in use.
     */
    static final class Loaded {
        final ModelKey key;
        final OnnxModel model;
        final Preprocessor preprocessor;
        final BatchBuffers buffers;
        private final java.util.concurrent.atomic.AtomicBoolean opened = new java.util.concurrent.atomic.AtomicBoolean();
        private int users;
        private boolean retired;

        Loaded(ModelKey key, OnnxModel model, Preprocessor preprocessor, BatchBuffers buffers) {
            this.key = key;
            this.model = model;
            this.preprocessor = preprocessor;
            this.buffers = buffers;
        }

        OnnxModel model() {
            return model;
        }

        Preprocessor preprocessor() {
            return preprocessor;
        }

        BatchBuffers buffers() {
            return buffers;
        }

        /** True for the one unit that runs this session's first batch: it opens with a short one. */
        boolean takeOpening() {
            return opened.compareAndSet(false, true);
        }
    }

    /**
     * A job's {@code classifier.onnx}, shared by the PUBLISH units that use it; reference-counted like {@link Loaded},
     * so a classifier replaced for another job is closed only when its last unit releases it.
     */
    static final class SharedClassifier {
        final String location;
        final OnnxClassifier classifier;
        private int users;
        private boolean retired;

        SharedClassifier(String location, OnnxClassifier classifier) {
            this.location = location;
            this.classifier = classifier;
        }

        OnnxClassifier classifier() {
            return classifier;
        }
    }

    public WorkerRuntime(PipelineSettings settings, InferenceSettings inference, S3Settings s3) throws IOException {
        this.settings = settings;
        this.stores = new Stores(s3.toBuilder().maxConcurrentGets(Math.max(s3.maxConcurrentGets(), settings.fetchThreads())).build());
        this.inference = inference;
        this.readConcurrency = ReadConcurrency.upTo(settings.fetchThreads());
        this.fetchPool = new ThreadPoolExecutor(readConcurrency.reads(), readConcurrency.reads(), 0, TimeUnit.MILLISECONDS,
                new LinkedBlockingQueue<>(), named("orchard-fetch"));
        this.decodePool = settings.decodesOnLanes() ? null
                : Executors.newFixedThreadPool(settings.decodeThreads(), named("orchard-decode"));
        this.inferencePool = Executors.newFixedThreadPool(settings.inferenceLanes(), named("orchard-infer"));
        this.gate = new InferenceGate(settings.decodeYields());
        ImageDecoder.resolve(settings.jpegDecoder()); // a missing libturbojpeg asked for fails here, not at a unit
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        this.scratch = ScratchFolder.open(tmp);
        this.clearing = firstInference.thenRunAsync(() -> ScratchFolder.clearAbandonedAndLog(tmp), fetchPool);
    }

    /**
     * The model for this job, loading it on first use; fails if the bytes are not the ones the job names. The
     * caller holds it until {@link #release}.
     */
    synchronized Loaded acquire(JobDescription job) throws IOException, ModelException {
        Loaded current = loaded;
        ModelKey key = ModelKey.of(job);
        if (current != null && current.key.equals(key)) {
            current.users++;
            return current;
        }
        Location location = Location.parse(job.model());
        byte[] bytes;
        try {
            bytes = store(location).read(location);
        } catch (java.nio.file.NoSuchFileException e) { // its message is the bare path: the unit's reason said only that
            throw new java.nio.file.NoSuchFileException(job.model(), null, "this worker has no model file at the job's"
                    + " --model " + job.model() + ": every worker reads the model at that path (copy it there, or give"
                    + " the coordinator an s3:// location)");
        }
        ModelSpec spec = job.spec();
        // The new session is checked and warmed up before it replaces the old one, so a failure leaves the
        // runtime as it was and leaks nothing.
        OnnxModel model;
        try {
            model = OnnxModel.load(bytes, job.model(), spec, inference);
        } catch (ModelException e) {
            // Another model at that path fails on the job's tensor first ("has no tensor '464' ... --feature-tensor",
            // advice that does not apply: a user's walk); that it is not the job's file is what to say.
            String sha256 = OnnxModel.sha256(bytes);
            if (!sha256.equals(job.modelSha256())) {
                throw notTheJobs(job, sha256);
            }
            throw e;
        }
        try {
            if (!model.sha256().equals(job.modelSha256())) {
                throw notTheJobs(job, model.sha256());
            }
            warmUp(model, settings.imagesPerRun(job.batchSize())); // the shape of the lanes' runs
        } catch (ModelException | RuntimeException e) {
            closeQuietly(model);
            throw e;
        }
        retire(current);
        Preprocessor pre = new Preprocessor(spec);
        loaded = new Loaded(key, model, pre, new BatchBuffers(settings.batchBuffers(), job.batchSize() * pre.imageSize()));
        loaded.users++;
        return loaded;
    }

    private static ModelException notTheJobs(JobDescription job, String sha256) {
        return new ModelException("Model " + job.model() + " has SHA-256 " + sha256 + " but the job expects "
                + job.modelSha256() + ": the file changed while the job runs, or this worker's copy at that path is"
                + " another file; every worker must read the job's model (then restart the job).");
    }

    /**
     * The job's classifier, loaded on first use and kept for the units after it; fails if the bytes are not the
     * ones the job names (the file changed since the job checked it), or are not a classifier. The caller holds it
     * until {@link #release(SharedClassifier)}.
     */
    synchronized SharedClassifier acquireClassifier(JobDescription job) throws IOException {
        SharedClassifier current = classifier;
        if (current != null && current.location.equals(job.classifier())
                && current.classifier.sha256().equals(job.classifierSha256())) {
            current.users++;
            return current;
        }
        Location location = Location.parse(job.classifier());
        byte[] bytes = store(location).read(location);
        OnnxClassifier loaded;
        try {
            loaded = OnnxClassifier.load(bytes, job.classifier());
        } catch (ClassifierException e) {
            throw new IOException(e.getMessage(), e);
        }
        if (!loaded.sha256().equals(job.classifierSha256())) {
            closeQuietly(loaded);
            throw new IOException("Classifier " + job.classifier() + " has SHA-256 " + loaded.sha256() + " but the job"
                    + " expects " + job.classifierSha256() + ": the file changed while the job runs; restart the job.");
        }
        if (current != null) {
            current.retired = true;
            if (current.users == 0) {
                closeQuietly(current.classifier);
            }
        }
        classifier = new SharedClassifier(job.classifier(), loaded);
        classifier.users++;
        return classifier;
    }

    /** A unit is done with the classifier it acquired. */
    synchronized void release(SharedClassifier shared) {
        shared.users--;
        if (shared.retired && shared.users == 0) {
            closeQuietly(shared.classifier);
        }
    }

    /** A unit is done with the model it acquired. */
    synchronized void release(Loaded model) {
        model.users--;
        if (model.retired && model.users == 0) {
            closeQuietly(model.model);
        }
    }

    private void retire(Loaded old) {
        if (old != null) {
            old.retired = true;
            if (old.users == 0) {
                closeQuietly(old.model);
            }
        }
    }

    /**
     * The job's sparse random projection, generated here from its seed (identical on every worker), or null.
     * Kept across units: for 62,720 → 5,000 dimensions it is ~5 MB and takes tens of milliseconds to make.
     */
    synchronized SparseRandomProjection projection(JobDescription job, int inputDim) {
        if (job.srpDim() <= 0) {
            return null;
        }
        SparseRandomProjection p = projection;
        if (p == null || p.inputDim() != inputDim || p.outputDim() != job.srpDim() || p.seed() != job.srpSeed()) {
            p = new SparseRandomProjection(inputDim, job.srpDim(), job.srpSeed());
            projection = p;
        }
        return p;
    }

    /**
     * Use an already-loaded model (embedded mode loads it once for the coordinator's checks, too). No blank batch
     * runs first, unlike a model a worker loads for a job: loading ran one image through it already, and a blank
     * batch of 32 cost a two-image job 0.45 s of its 2.8 s and ~280 MiB of ONNX Runtime's arena
     * (bench/RESULTS.md); a large job's first real batch pays the same first-run cost once.
     */
    public synchronized void adopt(String location, OnnxModel model, int batchSize) {
        Preprocessor pre = new Preprocessor(model.spec());
        retire(loaded);
        loaded = new Loaded(new ModelKey(location, model.sha256(), model.spec(), batchSize), model, pre,
                new BatchBuffers(settings.batchBuffers(), batchSize * pre.imageSize()));
    }

    private static void warmUp(OnnxModel model, int images) {
        try {
            model.warmUp(images);
        } catch (ai.onnxruntime.OrtException e) {
            throw new IllegalStateException("ONNX Runtime cannot run " + images + " images at once: " + e.getMessage(), e);
        }
    }

    /** The store holding {@code location}, shared by every unit of this JVM. */
    public ObjectStore store(Location location) {
        return stores.forLocation(location);
    }

    /** The rows of this worker's latest FEATURES attempts, for the parts it publishes. */
    RowsCache rowsCache() {
        return rowsCache;
    }

    /** Drops the rows kept for publishing: the job they were for has ended. */
    public void forgetRows() {
        rowsCache.clear();
    }

    /** Threads that read images and other files; as many as {@link ReadConcurrency} allows now. */
    ExecutorService fetchPool() {
        return fetchPool;
    }

    /**
     * On an inference lane, as a batch ends that it {@code started} once the batch's reads, begun at
     * {@code readsBegan}, were done (both {@link System#nanoTime}): counts the run, and the lane's wait for those
     * reads since it ended its previous batch, towards {@link ReadConcurrency}; adds fetch threads when it says so.
     */
    void laneEnds(long readsBegan, long started) {
        laneEnds(readsBegan, started, System.nanoTime());
    }

    /** {@link #laneEnds(long, long)} at {@code now}. */
    void laneEnds(long readsBegan, long started, long now) {
        long[] idleSince = laneIdleSince.get();
        long waited = idleSince[0] < 0 ? 0 : Math.max(0, started - Math.max(idleSince[0], readsBegan));
        idleSince[0] = now;
        int before;
        int reads;
        synchronized (readConcurrency) {
            before = readConcurrency.reads();
            reads = readConcurrency.batchRan(waited, now - started);
            if (reads > before) {
                fetchPool.setMaximumPoolSize(reads);
                fetchPool.setCorePoolSize(reads);
            }
        }
        if (reads > before) {
            LOG.info("Reading up to {} images at once (was {}, at most {}): the inference lanes waited for reads",
                    reads, before, readConcurrency.max());
        }
    }

    /** Fetch threads reading now at most (they grow up to {@code --fetch-threads} while the lanes wait for reads). */
    int fetchThreads() {
        return fetchPool.getMaximumPoolSize();
    }

    ExecutorService decodePool() {
        return decodePool;
    }

    /** One thread per inference lane, shared by every unit of this JVM. */
    ExecutorService inferencePool() {
        return inferencePool;
    }

    /** Completes when the first batch of this JVM enters ONNX Runtime (the end of start-up, as a user sees it). */
    public java.util.concurrent.CompletionStage<Void> firstInference() {
        return firstInference;
    }

    void inferenceStarts() {
        if (!firstInference.isDone()) {
            firstInference.complete(null);
        }
    }

    InferenceGate gate() {
        return gate;
    }

    /** The reads and decodes of images in progress, named in the log when one runs far too long. */
    SlowSteps slowSteps() {
        return slowSteps;
    }

    /** What this JVM's pipeline has done so far, for /metrics. */
    public PipelineTotals totals() {
        return totals;
    }

    /** ONNX runs in progress now (at most the number of inference lanes). */
    public int lanesBusy() {
        return gate.running();
    }

    /** Batch buffers free now (none free: decoding waits for inference). */
    public int batchBuffersFree() {
        Loaded current;
        synchronized (this) {
            current = loaded;
        }
        return current == null ? settings.batchBuffers() : current.buffers().free();
    }

    /** The fetch, decode (when there is one) and inference pools by name, for their queue and thread figures. */
    public java.util.Map<String, ExecutorService> pools() {
        return decodePool == null ? java.util.Map.of("fetch", fetchPool, "infer", inferencePool)
                : java.util.Map.of("fetch", fetchPool, "decode", decodePool, "infer", inferencePool);
    }

    /**
     * The decoder for a job's limits (each job's own: the same images are readable on every worker of it), made once
     * per limits with this worker's JPEG library.
     */
    ImageDecoder decoder(DecodeLimits limits) {
        return decoders.computeIfAbsent(limits,
                l -> new ImageDecoder(l.maxPixels(), l.maxDecodeBytes(), settings.jpegDecoder()));
    }

    Path tempDir() {
        return scratch.dir();
    }

    public PipelineSettings settings() {
        return settings;
    }

    private static ThreadFactory named(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    private static void closeQuietly(AutoCloseable model) {
        try {
            model.close();
        } catch (Exception ignored) {
            // a session that fails to close leaks native memory at worst
        }
    }

    @Override
    public void close() throws Exception {
        if (firstInference.isDone()) {
            clearing.handle((v, e) -> null).join(); // queued on the fetch pool, which shutdownNow would drop
        }
        fetchPool.shutdownNow();
        if (decodePool != null) {
            decodePool.shutdownNow();
        }
        inferencePool.shutdownNow();
        // A run still going on an inference thread must not see its session freed under it.
        inferencePool.awaitTermination(1, TimeUnit.MINUTES);
        synchronized (this) {
            retire(loaded);
            loaded = null;
            if (classifier != null) {
                classifier.retired = true;
                if (classifier.users == 0) {
                    closeQuietly(classifier.classifier);
                }
                classifier = null;
            }
        }
        stores.close();
        scratch.close();
    }
}
