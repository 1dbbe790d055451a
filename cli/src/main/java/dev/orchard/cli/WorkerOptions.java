package dev.orchard.cli;

import dev.orchard.worker.image.ImageDecoder;
import dev.orchard.worker.image.JpegDecoder;
import dev.orchard.worker.model.InferenceSettings;
import dev.orchard.worker.pipeline.PipelineSettings;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/** How a JVM's workers use its cores; defaults are chosen from the core count. */
final class WorkerOptions {

    @Option(names = "--workers", description = "Worker actors in this JVM (default: 1 per 8 cores, at least 1); for orchard run and"
            + " orchard worker (orchard coordinator runs none but --local-workers).")
    Integer workers;

    @Option(names = "--onnx-threads", description = "ONNX Runtime intra-op threads per lane (default: cores / lanes).")
    Integer onnxThreads;

    @Option(names = "--inference-lanes",
            description = "ONNX Runtime runs at once, each on its own batch (default: cores / --onnx-threads, else one per core, at most 8).")
    Integer inferenceLanes;

    @Option(names = "--decode-overlap", arity = "1", paramLabel = "true|false",
            description = "With decode threads: decode images while ONNX Runtime runs (default: true, except with one "
                    + "lane whose ONNX threads take every core: then decoding waits for each run to end, so as not to "
                    + "stall ONNX's threads).")
    Boolean decodeOverlap;

    @Option(names = "--onnx-spin", description = "Let ONNX Runtime threads busy-wait between runs (lower latency, more CPU).")
    boolean onnxSpin;

    @Option(names = "--decode-threads",
            description = "Image decoding threads; 0: none, each ONNX lane decodes the batch it runs next (default: 0 "
                    + "when each lane runs one ONNX thread, else half the cores, at least 1).")
    Integer decodeThreads;

    @Option(names = "--fetch-threads", description = "The most concurrent image reads per JVM (default 32; S3 GETs in flight). A worker "
            + "starts with 4 and doubles them while its ONNX lanes wait for reads.")
    Integer fetchThreads;

    @Option(names = "--units-in-flight", defaultValue = "2", description = "Units a worker holds at once (default ${DEFAULT-VALUE}).")
    int unitsInFlight;

    @Option(names = "--commit-every", defaultValue = "32",
            description = "Accepted units per statistics file a worker writes (default ${DEFAULT-VALUE}; a file is"
                    + " also written once its oldest unit has waited a minute, and as the worker stops). A crash redoes the units in no file.")
    int commitEvery;

    @Option(names = "--jpeg-decoder", defaultValue = "auto", converter = JpegDecoderName.class,
            description = "JPEG decoder: auto (TurboJPEG when libturbojpeg is installed, else ImageIO), turbojpeg "
                    + "(fail if it is missing) or imageio (default ${DEFAULT-VALUE}).")
    JpegDecoder jpegDecoder;

    /**
     * Lower-case names on the command line. A wrong one, or turbojpeg on a machine without the library, is refused
     * while parsing, before the job touches its output.
     */
    static final class JpegDecoderName implements ITypeConverter<JpegDecoder> {
        @Override
        public JpegDecoder convert(String value) {
            try {
                JpegDecoder choice = JpegDecoder.parse(value);
                ImageDecoder.resolve(choice);
                return choice;
            } catch (IllegalArgumentException | IllegalStateException e) {
                throw new TypeConversionException(e.getMessage()); // picocli prints just this, after the option
            }
        }
    }

    /** Refuses counts that cannot work, before anything starts. */
    void validate() {
        if (workers != null && workers < 1) {
            throw new IllegalArgumentException("--workers must be at least 1, was " + workers);
        }
        if (unitsInFlight < 1) {
            throw new IllegalArgumentException("--units-in-flight must be at least 1, was " + unitsInFlight);
        }
        if (commitEvery < 1) {
            throw new IllegalArgumentException("--commit-every must be at least 1, was " + commitEvery);
        }
        if (onnxThreads != null && onnxThreads < 1) {
            throw new IllegalArgumentException("--onnx-threads must be at least 1, was " + onnxThreads);
        }
        if (decodeThreads != null && decodeThreads < 0) {
            throw new IllegalArgumentException("--decode-threads must be 0 (the ONNX lanes decode) or more, was "
                    + decodeThreads);
        }
        if (fetchThreads != null && fetchThreads < 1) {
            throw new IllegalArgumentException("--fetch-threads must be at least 1, was " + fetchThreads);
        }
        int threads = lanes() * onnxThreads();
        if (threads > cores()) { // ran as given without a word on 2 cores (an options walk): allowed, but said
            org.slf4j.LoggerFactory.getLogger(WorkerOptions.class).warn("{} ONNX lane(s) × {} thread(s) = {} threads on"
                    + " {} core(s): they take turns, and each image takes longer than with the default (one"
                    + " single-threaded lane per core)", lanes(), onnxThreads(), threads, cores());
        }
    }

    static int cores() {
        return Runtime.getRuntime().availableProcessors();
    }

    dev.orchard.worker.Worker.Settings workerSettings() {
        return new dev.orchard.worker.Worker.Settings(unitsInFlight, commitEvery);
    }

    int workerCount() {
        return workers != null ? workers : Math.max(1, cores() / 8);
    }

    InferenceSettings inference() {
        return new InferenceSettings(onnxThreads(), onnxSpin);
    }

    private int lanes() {
        if (inferenceLanes != null && inferenceLanes < 1) {
            throw new IllegalArgumentException("--inference-lanes must be at least 1, was " + inferenceLanes);
        }
        if (inferenceLanes != null) {
            return inferenceLanes;
        }
        // Threads given alone: as many lanes of that many threads as fit the cores, not every core times that.
        return onnxThreads != null ? Math.max(1, cores() / Math.max(1, onnxThreads))
                                   : PipelineSettings.forCores(cores()).inferenceLanes();
    }

    private int onnxThreads() {
        return onnxThreads != null ? onnxThreads : Math.max(1, cores() / lanes());
    }

    PipelineSettings pipeline() {
        int lanes = lanes();
        PipelineSettings base = PipelineSettings.forCores(cores());
        // Only one lane whose threads take every core gains from decoding between runs; with several lanes the
        // runs overlap, and decoding that waited for a moment with none running would starve them.
        boolean yields = decodeOverlap != null ? !decodeOverlap : lanes == 1 && onnxThreads() > 1 && onnxThreads() >= cores();
        int decoders = decodeThreads != null ? decodeThreads : PipelineSettings.defaultDecodeThreads(cores(), onnxThreads());
        return new PipelineSettings(fetchThreads != null ? fetchThreads : base.fetchThreads(),
                decoders, Math.max(base.batchBuffers(), lanes + 1),
                lanes, yields, jpegDecoder);
    }
}
