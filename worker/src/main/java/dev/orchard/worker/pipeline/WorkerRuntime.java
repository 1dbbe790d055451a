package dev.orchard.worker.pipeline;

import dev.orchard.protocol.JobDescription;
import dev.orchard.protocol.ModelSpec;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What one worker JVM shares across all its units: the ONNX session (loaded once, checked against the job's
 * SHA-256), the fetch and decode thread pools, the batch buffers and the inference lane. Units running at the
 * same time share these, so two units never mean twice the memory or twice the ONNX threads.
 */
public final class WorkerRuntime implements AutoCloseable {
    private final PipelineSettings settings;
    private final InferenceSettings inference;
    private final ExecutorService fetchPool;
    private final long maxObjectBytes;
    private final ExecutorService decodePool;
    private final ExecutorService inferencePool;
    private final InferenceGate gate;
    private final ImageDecoder decoder;
    private final Stores stores;
    private final Path tempDir;
    private volatile Loaded loaded;
    private volatile SparseRandomProjection projection;

    /** The model and what depends on its spec, for one (model, sha) pair. */
    record Loaded(String location, String sha256, OnnxModel model, Preprocessor preprocessor, BatchBuffers buffers) {
    }

    public WorkerRuntime(PipelineSettings settings, InferenceSettings inference, S3Settings s3) throws IOException {
        this.settings = settings;
        this.maxObjectBytes = s3.maxObjectBytes();
        this.stores = new Stores(s3.toBuilder().maxConcurrentGets(Math.max(s3.maxConcurrentGets(), settings.fetchThreads())).build());
        this.inference = inference;
        this.fetchPool = Executors.newFixedThreadPool(settings.fetchThreads(), named("orchard-fetch"));
        this.decodePool = Executors.newFixedThreadPool(settings.decodeThreads(), named("orchard-decode"));
        this.inferencePool = Executors.newFixedThreadPool(settings.inferenceLanes(), named("orchard-infer"));
        this.gate = new InferenceGate(settings.decodeYields());
        this.decoder = new ImageDecoder(settings.maxPixels(), settings.jpegDecoder());
        this.tempDir = Files.createTempDirectory("orchard-worker");
    }

    /** The model for this job, loading it on first use; fails if the bytes are not the ones the job names. */
    synchronized Loaded model(JobDescription job) throws IOException, ModelException {
        Loaded current = loaded;
        if (current != null && current.location().equals(job.model()) && current.sha256().equals(job.modelSha256())) {
            return current;
        }
        Location location = Location.parse(job.model());
        byte[] bytes = store(location).read(location);
        ModelSpec spec = job.spec();
        // The new session is checked and warmed up before it replaces the old one, so a failure leaves the
        // runtime as it was and leaks nothing.
        OnnxModel model = OnnxModel.load(bytes, job.model(), spec, inference);
        try {
            if (!model.sha256().equals(job.modelSha256())) {
                throw new ModelException("Model " + job.model() + " has SHA-256 " + model.sha256() + " but the job expects "
                        + job.modelSha256() + ": the file changed while the job runs; restart the job.");
            }
            warmUp(model, job.batchSize());
        } catch (ModelException | RuntimeException e) {
            closeQuietly(model);
            throw e;
        }
        if (current != null) {
            closeQuietly(current.model());
        }
        String sha = model.sha256();
        Preprocessor pre = new Preprocessor(spec);
        loaded = new Loaded(job.model(), sha, model, pre,
                new BatchBuffers(settings.batchBuffers(), job.batchSize() * pre.imageSize()));
        return loaded;
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

    /** Use an already-loaded model (embedded mode loads it once for the coordinator's checks, too). */
    public synchronized void adopt(String location, OnnxModel model, int batchSize) {
        warmUp(model, batchSize);
        Preprocessor pre = new Preprocessor(model.spec());
        loaded = new Loaded(location, model.sha256(), model, pre,
                new BatchBuffers(settings.batchBuffers(), batchSize * pre.imageSize()));
    }

    private static void warmUp(OnnxModel model, int batchSize) {
        try {
            model.warmUp(batchSize);
        } catch (ai.onnxruntime.OrtException e) {
            throw new IllegalStateException("ONNX Runtime cannot run a batch of " + batchSize + ": " + e.getMessage(), e);
        }
    }

    /** The store holding {@code location}, shared by every unit of this JVM. */
    /** The largest image to read ({@code --max-object-bytes}); a larger one is recorded as an error, unread. */
    long maxObjectBytes() {
        return maxObjectBytes;
    }

    public ObjectStore store(Location location) {
        return stores.forLocation(location);
    }

    ExecutorService fetchPool() {
        return fetchPool;
    }

    ExecutorService decodePool() {
        return decodePool;
    }

    /** One thread per inference lane, shared by every unit of this JVM. */
    ExecutorService inferencePool() {
        return inferencePool;
    }

    InferenceGate gate() {
        return gate;
    }

    ImageDecoder decoder() {
        return decoder;
    }

    Path tempDir() {
        return tempDir;
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

    private static void closeQuietly(OnnxModel model) {
        try {
            model.close();
        } catch (Exception ignored) {
            // a session that fails to close leaks native memory at worst
        }
    }

    @Override
    public void close() throws Exception {
        fetchPool.shutdownNow();
        decodePool.shutdownNow();
        inferencePool.shutdownNow();
        // A run still going on an inference thread must not see its session freed under it.
        inferencePool.awaitTermination(1, java.util.concurrent.TimeUnit.MINUTES);
        if (loaded != null) {
            loaded.model().close();
        }
        stores.close();
        try (var files = Files.list(tempDir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Files.deleteIfExists(p);
            }
        }
        Files.deleteIfExists(tempDir);
    }
}
