package dev.orchard.worker.pipeline;

import dev.orchard.protocol.DecodeLimits;
import dev.orchard.protocol.ImageError;
import dev.orchard.protocol.ImageRef;
import dev.orchard.protocol.JobDescription;
import dev.orchard.protocol.UnitReport;
import dev.orchard.protocol.WorkUnit;
import dev.orchard.stats.CovariancePartial;
import dev.orchard.stats.SparseRandomProjection;
import dev.orchard.store.FailureReason;
import dev.orchard.store.Location;
import dev.orchard.store.ObjectStore;
import dev.orchard.store.OutputLayout;
import dev.orchard.store.parquet.ParquetOptions;
import dev.orchard.store.parquet.VectorRow;
import dev.orchard.store.parquet.VectorRowsWriter;
import dev.orchard.worker.image.BadImageException;
import dev.orchard.worker.image.ImageDecoder;
import dev.orchard.worker.image.RgbImage;
import dev.orchard.worker.model.ModelException;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.NoSuchFileException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.BooleanSupplier;

/**
 * One FEATURES unit, image by image: fetch bytes (fetch pool) → decode and preprocess into a slot of a batch
 * buffer (on the inference lane that will run the batch, or a decode pool: {@link PipelineSettings#decodesOnLanes})
 * → ONNX on the whole batch (inference lane) → rows to the unit's Parquet part, and the batch's features into the
 * unit's covariance partial. Batches are fetched (and with a decode pool decoded) ahead of inference up to the
 * number of free buffers, so reading overlaps inference and memory stays bounded. A bad image becomes an
 * {@link ImageError}; it never fails the unit.
 */
public final class FeatureUnit {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(FeatureUnit.class);
    /** How often a unit waiting for its batch looks for reads and decodes that run long ({@link SlowSteps}). */
    private static final java.time.Duration LOOK_EVERY = java.time.Duration.ofSeconds(10);
    private final WorkerRuntime runtime;

    public FeatureUnit(WorkerRuntime runtime) {
        this.runtime = runtime;
    }

    /**
     * A batch on its way: decoded into its buffer, then run by ONNX on an inference lane, which gives the buffer
     * back. Any free lane takes it, so one unit alone (the last of a job) still keeps every lane busy.
     */
    private record PendingBatch(List<ImageRef> images, CompletableFuture<Inferred> result) {
    }

    /** A unit's batches in order: {@code next} is the first not started; {@code ahead} those started, oldest first. */
    private static final class UnitBatches {
        final List<List<ImageRef>> all;
        final Deque<PendingBatch> ahead = new ArrayDeque<>();
        int next;

        UnitBatches(List<List<ImageRef>> all) {
            this.all = all;
        }

        boolean allStarted() {
            return next == all.size();
        }
    }

    /** Per slot the image's error (null when the slot held pixels), and the model's output for the batch. */
    private record Inferred(String[] slotErrors, float[] raw) {
    }

    /**
     * Runs one attempt; its rows go to the attempt's own file ({@link OutputLayout#attemptRows}), so attempts never
     * overwrite each other. {@code cancelled} is checked between batches: a cancelled attempt ends with a
     * {@link java.util.concurrent.CancellationException} and writes nothing.
     */
    public UnitOutcome run(JobDescription job, WorkUnit unit, BooleanSupplier cancelled)
            throws IOException, ModelException, InterruptedException {
        WorkerRuntime.Loaded loaded = runtime.acquire(job);
        try {
            return run(job, unit, cancelled, loaded);
        } finally {
            runtime.release(loaded);
        }
    }

    private UnitOutcome run(JobDescription job, WorkUnit unit, BooleanSupplier cancelled, WorkerRuntime.Loaded loaded)
            throws IOException, InterruptedException {
        int batchSize = job.batchSize();
        int modelDim = loaded.model().featureDim();
        SparseRandomProjection projection = runtime.projection(job, modelDim);
        int dim = projection == null ? modelDim : projection.outputDim();
        StageClock clock = new StageClock(runtime.totals());
        List<ImageError> errors = new ArrayList<>();
        Location output = Location.parse(job.output());
        Location part = new OutputLayout(output).attemptRows(unit.epoch(), unit.id(), unit.attempt());
        ObjectStore outStore = runtime.store(output);

        UnitBatches batches = new UnitBatches(batches(unit.images(), batchSize,
                loaded.takeOpening() ? Math.min(batchSize, PipelineSettings.OPENING_BATCH) : batchSize,
                Math.min(batchSize, PipelineSettings.CLOSING_BATCH)));
        DecodeLimits limits = job.decode();
        int rows = 0;
        try {
            // The first batches start before the unit's statistics and Parquet file are made: a worker's first unit
            // loads the system BLAS there (~50 ms) and parquet-java (~1,500 classes) on this thread, and a job's first
            // batch waited for both before.
            startAhead(loaded, batches, clock, unit, limits);
            // A job without a PCA folds no covariance: its statistics count the rows alone, for the units' bookkeeping.
            int foldDim = job.pca() ? dim : 0;
            CovariancePartial statistics = CovariancePartial.empty(foldDim);
            float[] fold = new float[Math.min(PipelineSettings.ROWS_PER_FOLD, unit.images().size()) * foldDim]; // to fold
            int folded = 0;
            List<VectorRow> written = new ArrayList<>(unit.images().size());
            try (VectorRowsWriter writer = new VectorRowsWriter(outStore, part, "features", runtime.tempDir(),
                    new ParquetOptions(job.parquetByteStreamSplit()))) {
                while (!batches.allStarted() || !batches.ahead.isEmpty()) {
                    if (cancelled.getAsBoolean()) {
                        throw new java.util.concurrent.CancellationException("attempt cancelled");
                    }
                    startAhead(loaded, batches, clock, unit, limits);
                    PendingBatch batch = batches.ahead.peek();
                    awaitStartingMore(batch.result(), loaded.buffers(), () -> {
                        if (cancelled.getAsBoolean()) {
                            return false; // a cancelled attempt starts nothing more: the loop's next turn ends it
                        }
                        startAhead(loaded, batches, clock, unit, limits);
                        return !batches.allStarted();
                    }, LOOK_EVERY, () -> runtime.slowSteps().overdue().forEach(LOG::warn));
                    batches.ahead.poll();
                    Inferred inferred = resultOf(batch.result(), unit);
                    String[] slotErrors = inferred.slotErrors();
                    float[] raw = inferred.raw();
                    int n = batch.images().size();

                    runtime.gate().awaitTurnForCpu(); // another unit's batch may be running: do not stall it
                    long t1 = System.nanoTime();
                    int rawDim = raw.length / n;
                    float[] features = raw;
                    if (projection != null) {
                        features = new float[n * dim];
                        projection.project(raw, n, features);
                    }
                    int kept = 0;
                    long folding = 0;
                    for (int i = 0; i < n; i++) {
                        ImageRef image = batch.images().get(i);
                        if (slotErrors[i] != null) {
                            errors.add(new ImageError(image.path(), slotErrors[i]));
                            continue;
                        }
                        int nonFinite = firstNonFinite(raw, i * rawDim, rawDim);
                        if (nonFinite >= 0) {
                            errors.add(new ImageError(image.path(), nonFiniteReason(raw, i * rawDim, nonFinite, rawDim,
                                    job.spec().featureTensor(), "")));
                            continue;
                        }
                        int projectedNonFinite = projection == null ? -1 : firstNonFinite(features, i * dim, dim);
                        if (projectedNonFinite >= 0) { // finite values too large for a float once projected
                            errors.add(new ImageError(image.path(), nonFiniteReason(features, i * dim, projectedNonFinite,
                                    dim, job.spec().featureTensor(), ", projected to " + dim + " dimensions,")));
                            continue;
                        }
                        float[] values = new float[dim];
                        System.arraycopy(features, i * dim, values, 0, dim);
                        kept++;
                        VectorRow row = new VectorRow(image.path(), image.label(), values);
                        writer.write(row);
                        written.add(row);
                        System.arraycopy(values, 0, fold, folded * foldDim, foldDim);
                        if (++folded == PipelineSettings.ROWS_PER_FOLD) {
                            long t2 = System.nanoTime();
                            statistics.addBatch(fold, folded);
                            folded = 0;
                            folding += System.nanoTime() - t2;
                        }
                    }
                    clock.statistics.add(folding);
                    clock.write.add(System.nanoTime() - t1 - folding);
                    rows += kept;
                    runtime.totals().imagesWritten.add(kept);
                    runtime.totals().imagesFailed.add(n - kept);
                }
                long t2 = System.nanoTime();
                statistics.addBatch(fold, folded);
                long t3 = System.nanoTime();
                clock.statistics.add(t3 - t2);
                long rowsBytes = writer.commit();
                if (PublishUnit.decodesRows(job)) { // for this worker's publish stage: no second read and decode
                    runtime.rowsCache().put(part, written);
                }
                clock.write.add(System.nanoTime() - t3);
                return new UnitOutcome(new UnitReport(rows, errors, clock.bytes.sum(), rowsBytes, clock.snapshot()), statistics);
            }
        } finally {
            // On failure, let batches still in flight finish: each gives its buffer back when done.
            for (PendingBatch b : batches.ahead) {
                b.result().handle((r, e) -> null).join();
            }
        }
    }

    /**
     * The first of {@code length} values from {@code from} that is NaN or infinite, or -1. A model can give them (a
     * custom one's Sqrt or division of what the image made negative or zero): such a row folded NaN into the covariance
     * and the job failed at the PCA with "convergence failed", or, without a PCA, wrote NaN rows with exit 0 (a user's
     * check). The image is one the model could not describe: it goes to errors.csv.
     */
    static int firstNonFinite(float[] values, int from, int length) {
        for (int j = 0; j < length; j++) {
            if (!Float.isFinite(values[from + j])) {
                return j;
            }
        }
        return -1;
    }

    /** Why a row whose {@code index}-th value (of {@code length}, from {@code from}) is not finite is no row. */
    static String nonFiniteReason(float[] values, int from, int index, int length, String tensor, String projected) {
        return "the model's output '" + tensor + "' for this image" + projected + " holds " + values[from + index]
                + " (value " + (index + 1) + " of " + length + "): no feature vector; a model that gives NaN or infinity"
                + " for usable images needs mending";
    }

    /**
     * Starts the unit's batches not started yet, one into every free buffer. It waits for a buffer only when this unit
     * holds none: a unit that waits while holding buffers could deadlock with another unit doing the same.
     */
    private void startAhead(WorkerRuntime.Loaded loaded, UnitBatches batches, StageClock clock, WorkUnit unit,
                            DecodeLimits limits) throws InterruptedException {
        while (!batches.allStarted()) {
            FloatBuffer buffer = batches.ahead.isEmpty() ? loaded.buffers().take() : loaded.buffers().poll();
            if (buffer == null) {
                break;
            }
            batches.ahead.add(startBatch(loaded, buffer, batches.all.get(batches.next++), clock, unit, limits));
        }
    }

    /**
     * Waits until {@code oldest} (the unit's oldest batch in flight) is done, and meanwhile, each time a buffer is
     * free, calls {@code startMore}, which starts batches into free buffers and says whether the unit has more to
     * start. A unit started batches only once its oldest had ended before: a buffer that another unit's batch gave back
     * lay unused until then, and a lane had nothing to run (after most units' ends, 20-100 ms each; in a 10,200-image
     * job, ~0.7 s of the two lanes' time). {@code overdue} runs whenever {@code lookEvery} passes with nothing new.
     */
    static void awaitStartingMore(CompletableFuture<?> oldest, BatchBuffers buffers, StartMore startMore,
                                  java.time.Duration lookEvery, Runnable overdue) throws InterruptedException {
        oldest.whenComplete((r, e) -> buffers.changed()); // wakes the wait below (the buffer is given back just before)
        boolean more = true;
        while (true) {
            long seen = buffers.changes();
            if (oldest.isDone()) {
                return;
            }
            if (more && buffers.free() > 0) {
                more = startMore.start();
            } else if (!buffers.awaitChange(seen, lookEvery)) {
                overdue.run();
            }
        }
    }

    /** Starts batches into the buffers free now; says whether batches are left to start. */
    @FunctionalInterface
    interface StartMore {
        boolean start() throws InterruptedException;
    }

    /**
     * The unit's images cut into batches, in order: the first of {@code first} images; then batches of {@code size};
     * the last {@code size} images (after the first batch) in batches of {@code closing}.
     */
    static List<List<ImageRef>> batches(List<ImageRef> images, int size, int first, int closing) {
        List<List<ImageRef>> batches = new ArrayList<>();
        int n = images.size();
        int opened = Math.min(first, n);
        if (opened > 0) {
            batches.add(images.subList(0, opened));
        }
        int closingFrom = closing >= size ? n : Math.max(opened, n - size);
        cut(images, opened, closingFrom, size, batches);
        cut(images, closingFrom, n, closing, batches);
        return batches;
    }

    /** Adds images [from, to) to {@code batches} in batches of {@code size} (the last one may be shorter). */
    private static void cut(List<ImageRef> images, int from, int to, int size, List<List<ImageRef>> batches) {
        for (int i = from; i < to; i += size) {
            batches.add(images.subList(i, Math.min(to, i + size)));
        }
    }

    /** Starts fetching and decoding every image of the batch into {@code buffer}, then its inference. */
    private PendingBatch startBatch(WorkerRuntime.Loaded loaded, FloatBuffer buffer, List<ImageRef> images,
                                    StageClock clock, WorkUnit unit, DecodeLimits limits) {
        int size = loaded.preprocessor().imageSize();
        ImageDecoder decoder = runtime.decoder(limits); // the job's limits: every worker reads the same images
        // Large JPEGs may be decoded smaller, but never below what the preprocessor's resize needs (with margin).
        int minShortSide = limits.reducedDecode() ? ImageDecoder.reducedDecodeMinimum(loaded.model().spec()) : 0;
        String[] errors = new String[images.size()];
        boolean onLanes = runtime.settings().decodesOnLanes();
        // Per slot, once read: the image's bytes when the lane is to decode them; null when a decode thread already
        // has, or when the slot failed (then it is zeroed and its error recorded).
        @SuppressWarnings("unchecked")
        CompletableFuture<byte[]>[] slots = new CompletableFuture[images.size()];
        long readsBegan = System.nanoTime();
        for (int i = 0; i < images.size(); i++) {
            int slot = i;
            ImageRef image = images.get(i);
            CompletableFuture<byte[]> read = CompletableFuture.supplyAsync(
                    () -> fetch(image, limits.maxObjectBytes(), clock, unit.id()), runtime.fetchPool());
            if (!onLanes) {
                read = read.thenApplyAsync(bytes -> {
                    try {
                        runtime.gate().awaitTurnForCpu();
                        decodeInto(loaded, decoder, buffer, slot, size, minShortSide, bytes, errors, clock, image.path(),
                                unit.id());
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt(); // the worker is shutting down
                        fail(buffer, slot, size, errors, "not decoded: the worker stopped");
                    }
                    return null;
                }, runtime.decodePool());
            }
            slots[i] = read.exceptionally(e -> {
                fail(buffer, slot, size, errors, FailureReason.of(e));
                return null;
            });
        }
        CompletableFuture<Inferred> result = CompletableFuture.allOf(slots)
                .thenApplyAsync(v -> {
                    long started = System.nanoTime();
                    try {
                        // On the lanes, the lane that runs the batch decodes it first: no other thread takes its core.
                        for (int slot = 0; slot < slots.length; slot++) {
                            byte[] bytes = slots[slot].join();
                            if (bytes != null) {
                                decodeInto(loaded, decoder, buffer, slot, size, minShortSide, bytes, errors, clock,
                                        images.get(slot).path(), unit.id());
                            }
                        }
                        return infer(loaded, buffer, images.size(), errors, clock, unit);
                    } finally {
                        runtime.laneEnds(readsBegan, started);
                    }
                }, runtime.inferencePool())
                .whenComplete((r, e) -> loaded.buffers().give(buffer));
        return new PendingBatch(images, result);
    }

    /** One image's bytes → pixels → its slot of the batch buffer; a failure zeroes the slot and records why. */
    private void decodeInto(WorkerRuntime.Loaded loaded, ImageDecoder decoder, FloatBuffer buffer, int slot, int size,
                            int minShortSide, byte[] bytes, String[] errors, StageClock clock, String path, int unitId) {
        Object step = runtime.slowSteps().begin("decoding", path, unitId);
        try {
            long t0 = System.nanoTime();
            RgbImage pixels = decoder.decode(bytes, minShortSide);
            long t1 = System.nanoTime();
            loaded.preprocessor().write(pixels, buffer, slot * size);
            clock.decode.add(t1 - t0);
            clock.preprocess.add(System.nanoTime() - t1);
        } catch (BadImageException e) {
            fail(buffer, slot, size, errors, e.getMessage());
        } catch (RuntimeException | Error e) {
            fail(buffer, slot, size, errors, "cannot decode: " + e);
        } finally {
            runtime.slowSteps().end(step);
        }
    }

    /** On an inference lane: the whole batch through ONNX Runtime. */
    private Inferred infer(WorkerRuntime.Loaded loaded, FloatBuffer buffer, int n, String[] slotErrors, StageClock clock,
                           WorkUnit unit) {
        runtime.gate().beginInference();
        runtime.inferenceStarts();
        long t0 = System.nanoTime();
        try {
            Inferred result = new Inferred(slotErrors, loaded.model().features(buffer, n, runtime.settings().imagesPerRun(n)));
            runtime.totals().batches.increment();
            return result;
        } catch (ai.onnxruntime.OrtException e) {
            throw new CompletionException(new IOException(
                    "ONNX Runtime failed on a batch of unit " + unit.id() + ": " + e.getMessage(), e));
        } finally {
            runtime.gate().endInference();
            clock.infer.add(System.nanoTime() - t0);
        }
    }

    /** One image's bytes; one of more than {@code maxBytes} (the job's {@code --max-object-bytes}) is not read. */
    private byte[] fetch(ImageRef image, long maxBytes, StageClock clock, int unitId) {
        long t0 = System.nanoTime();
        Object step = runtime.slowSteps().begin("reading", image.path(), unitId);
        try {
            Location location = Location.parse(image.path());
            // Listed with a size, it was a regular file then; a manifest's line is read as it names (a pipe included).
            byte[] bytes = image.size() >= 0 ? runtime.store(location).readListed(location, maxBytes)
                                             : runtime.store(location).read(location, maxBytes);
            clock.bytes.add(bytes.length);
            return bytes;
        } catch (NoSuchFileException e) {
            throw new CompletionException(new IOException("cannot read: no such file (not there when its unit ran)"));
        } catch (IOException e) {
            throw new CompletionException(new IOException("cannot read: " + FailureReason.withoutFile(e), e));
        } finally {
            runtime.slowSteps().end(step);
            clock.read.add(System.nanoTime() - t0);
        }
    }

    /** A failed slot is zeroed (it still rides through ONNX with its batch) and its row dropped afterwards. */
    private static void fail(FloatBuffer buffer, int slot, int size, String[] errors, String reason) {
        for (int i = slot * size, end = i + size; i < end; i++) {
            buffer.put(i, 0f);
        }
        errors[slot] = reason;
    }

    /**
     * The result of a batch that is done ({@link #awaitStartingMore} waited for it, looking for slow reads and
     * decodes meanwhile), its failure as the IOException it was, or as unexpected.
     */
    private static Inferred resultOf(CompletableFuture<Inferred> done, WorkUnit unit) throws IOException {
        try {
            return done.join();
        } catch (CompletionException e) {
            Throwable cause = e.getCause() instanceof CompletionException c && c.getCause() != null ? c.getCause() : e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            throw new IllegalStateException("a batch of unit " + unit.id() + " failed unexpectedly", cause);
        }
    }
}
