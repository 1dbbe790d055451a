package dev.orchard.worker.pipeline;

/**
 * Sizes of a worker JVM's pipeline.
 *
 * @param fetchThreads   the most concurrent reads of image bytes (I/O bound: many for S3, a few for local disks); a
 *                       worker starts with fewer and adds threads while its lanes wait for reads
 *                       ({@link ReadConcurrency})
 * @param decodeThreads  threads decoding and preprocessing (CPU bound); 0: none, each inference lane decodes the
 *                       batch it is about to run (see {@link #decodesOnLanes()})
 * @param batchBuffers   input batches that may be decoded ahead of inference (bounds memory)
 * @param inferenceLanes ONNX runs allowed at once
 * @param decodeYields   decode threads start no image while ONNX runs (see {@link InferenceGate}): right when
 *                       ONNX's threads take every core, wrong when they leave some free
 * @param jpegDecoder    which library decodes JPEGs (auto: TurboJPEG when the system has it); what a job takes as a
 *                       readable image is the job's ({@link dev.orchard.protocol.DecodeLimits}), not the worker's
 */
public record PipelineSettings(int fetchThreads, int decodeThreads, int batchBuffers, int inferenceLanes,
                               boolean decodeYields, dev.orchard.worker.image.JpegDecoder jpegDecoder) {

    public PipelineSettings {
        if (decodeThreads < 0) {
            throw new IllegalArgumentException("decode threads must be 0 (the lanes decode) or more, was " + decodeThreads);
        }
    }

    /**
     * How many images all lanes of a worker hand to ONNX Runtime at once: a lane runs its batch in runs of
     * {@link #imagesPerRun} images. A run's activations (MobileNetV2 at 224×224: ~8 MiB per image) are what a worker's
     * memory grows with: 8 lanes at batch 32, in single runs, peaked at 3.5 GiB. They also decide how much of a run
     * stays in the core's caches: on 2 cores (Zen 4, 1 MiB of L2 each), runs of 4 images took less CPU per image than
     * runs of 16 (raw ONNX Runtime, 2 lanes, 5 alternated rounds: 383-446 images/s against 345-400), and
     * 10,200-image jobs alternated against runs of 16 took 1.8 s less wall time on average (5 of 6 pairs faster) and
     * peaked at 0.81-0.90 GiB instead of 1.06-1.18. Runs of 2 measured as runs of 4; runs of 1 between 4 and 16
     * (bench/RESULTS.md, fourteenth session).
     */
    public static final int IMAGES_IN_ONNX = 8;

    /**
     * The images of a session's first batch. The first full batch took one cold decode thread 0.6-0.8 s, with every
     * lane idle; a short one reaches ONNX Runtime at once and warms it while the next batch decodes.
     */
    public static final int OPENING_BATCH = 4;

    /**
     * The images of a unit's closing batches: its last batch's worth of images is cut this small. A lane runs a whole
     * batch, so a unit's last full batch kept one lane busy while the other had nothing left to run: at the end of a
     * job the two lanes' last batches ended 26-333 ms apart (9 jobs of 600 and 3,072 images), 2-48 ms apart with
     * closing batches of 8 (bench/RESULTS.md, twenty-eighth session). ONNX Runtime's runs are no smaller than before
     * ({@link #IMAGES_IN_ONNX} images across the lanes).
     */
    public static final int CLOSING_BATCH = 8;

    /**
     * Rows a unit folds into its covariance statistics at once, gathered over its inference batches. Each fold
     * reads and writes the whole packed triangle (6.6 MB at d = 1280), so the cost per row falls with the rows per
     * fold: 121 µs at 32 (one batch), 65 µs at 128, 50 µs at 256 (CovarianceAccumulateBench.addRowsAtOnce,
     * bench/README.md). At 256 rows of d = 2048 the gathered floats take 2 MB per unit in flight.
     */
    public static final int ROWS_PER_FOLD = 256;

    /**
     * The most a worker keeps of its FEATURES attempts' rows for the parts it publishes ({@link RowsCache}): 128 MiB
     * of floats, ~26,000 rows of 1280 (a 10,200-image job holds 52 MB until its publish stage), or an eighth of the
     * heap where that is less.
     */
    static long rowsCacheBytes() {
        return Math.min(128L << 20, Runtime.getRuntime().maxMemory() / 8);
    }

    /**
     * Whether each inference lane decodes and preprocesses its own batch just before running it, instead of a pool
     * of decode threads filling batches ahead. Right for single-threaded lanes, one per core: then the only threads
     * that want a core are the lanes, and none is preempted mid-run by a decode thread. A 10,200-image job on 2
     * shared cores, alternated against one decode thread: 11% faster in 3 pairs while the host ran slow, no
     * different in 6 pairs and in 2 pairs of the end-to-end harness while it ran fast; the same rows byte for byte
     * (bench/RESULTS.md). Wrong for lanes whose ONNX threads take several cores: a lane that decodes would leave
     * them idle.
     */
    public boolean decodesOnLanes() {
        return decodeThreads == 0;
    }

    /**
     * The default number of decode threads: none ({@link #decodesOnLanes()}) when each lane runs one ONNX thread,
     * else half the cores, at least 1. (2 cores, a decode pool beside single-threaded lanes: 1 thread measured
     * 197-202 images/s, 2 threads 180-187: every extra runnable thread preempts a lane.)
     */
    public static int defaultDecodeThreads(int cores, int onnxThreadsPerLane) {
        return onnxThreadsPerLane == 1 ? 0 : Math.max(1, cores / 2);
    }

    /** The most images one lane gives ONNX Runtime in one run: the batch, or a share of {@link #IMAGES_IN_ONNX}. */
    public int imagesPerRun(int batchSize) {
        return imagesPerRun(batchSize, inferenceLanes);
    }

    /** As {@link #imagesPerRun(int)}, for {@code lanes} lanes. */
    public static int imagesPerRun(int batchSize, int lanes) {
        return Math.max(1, Math.min(batchSize, IMAGES_IN_ONNX / lanes));
    }

    /**
     * The defaults: one single-threaded ONNX lane per core (at most 8), which measured faster on 2 cores than one
     * lane with 2 threads, both alone and in the job (bench/RESULTS.md); decode threads as
     * {@link #defaultDecodeThreads}; a batch buffer more than lanes, so a fetched batch is always waiting.
     */
    public static PipelineSettings forCores(int cores) {
        int lanes = Math.max(1, Math.min(cores, 8));
        // Reads wait on I/O, not the CPU: up to 32 in flight hide S3 latency; ReadConcurrency starts with fewer.
        return new PipelineSettings(32, defaultDecodeThreads(cores, Math.max(1, cores / lanes)), Math.max(3, lanes + 1),
                lanes, false, dev.orchard.worker.image.JpegDecoder.AUTO);
    }
}
