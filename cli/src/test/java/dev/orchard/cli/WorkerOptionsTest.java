package dev.orchard.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.orchard.worker.pipeline.PipelineSettings;
import org.junit.jupiter.api.Test;

/** How the worker options turn into ONNX threads, lanes and whether decoding overlaps inference. */
class WorkerOptionsTest {
    private static final int CORES = Runtime.getRuntime().availableProcessors();

    private static WorkerOptions parse(String... args) {
        return OptionsParsing.parse(new WorkerOptions(), args);
    }

    @Test
    void byDefaultEachCoreIsASingleThreadedLaneAndDecodingOverlaps() {
        WorkerOptions options = parse();
        PipelineSettings pipeline = options.pipeline();
        int lanes = Math.min(CORES, 8);
        assertThat(pipeline.inferenceLanes()).isEqualTo(lanes);
        assertThat(options.inference().intraOpThreads()).isEqualTo(Math.max(1, CORES / lanes));
        assertThat(pipeline.decodeYields()).isFalse();
        assertThat(pipeline.batchBuffers()).isGreaterThan(lanes);
        // Single-threaded lanes decode their own batches; lanes of several threads (over 8 cores) get a decode pool.
        assertThat(pipeline.decodesOnLanes()).isEqualTo(options.inference().intraOpThreads() == 1);
    }

    @Test
    void decodeThreadsZeroMeansTheLanesDecodeAndAPoolWhenAskedOrWhenALaneTakesSeveralCores() {
        assertThat(parse("--onnx-threads", "1").pipeline().decodesOnLanes()).isTrue();
        assertThat(parse("--onnx-threads", "1", "--decode-threads", "2").pipeline().decodeThreads()).isEqualTo(2);
        assertThat(parse("--decode-threads", "0").pipeline().decodesOnLanes()).isTrue();
        if (CORES > 1) {
            PipelineSettings oneWideLane = parse("--inference-lanes", "1").pipeline();
            assertThat(oneWideLane.decodesOnLanes()).isFalse();
            assertThat(oneWideLane.decodeThreads()).isEqualTo(Math.max(1, CORES / 2));
        }
        assertThatThrownBy(() -> parse("--decode-threads", "-1").validate())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--decode-threads");
    }

    @Test
    void oneLaneOnEveryCoreDecodesBetweenRuns() {
        WorkerOptions options = parse("--inference-lanes", "1");
        assertThat(options.inference().intraOpThreads()).isEqualTo(CORES);
        assertThat(options.pipeline().decodeYields()).isEqualTo(CORES > 1);
        assertThat(parse("--inference-lanes", "1", "--decode-overlap", "true").pipeline().decodeYields()).isFalse();
    }

    @Test
    void lanesShareTheCores() {
        WorkerOptions options = parse("--inference-lanes", "2");
        assertThat(options.pipeline().inferenceLanes()).isEqualTo(2);
        assertThat(options.inference().intraOpThreads()).isEqualTo(Math.max(1, CORES / 2));
        assertThat(options.pipeline().decodeYields()).isFalse();
    }

    @Test
    void decodingOverlapsWhenOnnxLeavesCoresFreeAndYieldsWhenAsked() {
        if (CORES > 1) {
            assertThat(parse("--inference-lanes", "1", "--onnx-threads", "1").pipeline().decodeYields()).isFalse();
        }
        assertThat(parse("--onnx-threads", "1", "--decode-overlap", "false").pipeline().decodeYields()).isTrue();
    }

    @Test
    void threadsGivenAloneMakeAsManyLanesAsFitTheCores() {
        WorkerOptions options = parse("--onnx-threads", String.valueOf(CORES));
        assertThat(options.pipeline().inferenceLanes()).isEqualTo(1);
        assertThat(options.inference().intraOpThreads()).isEqualTo(CORES);
        assertThat(parse("--onnx-threads", "1").pipeline().inferenceLanes()).isEqualTo(CORES);
    }

    /** More ONNX threads than cores ran as given without a word (an options walk): allowed, and said. */
    @Test
    void moreOnnxThreadsThanCoresAreSaid() throws Exception {
        int cores = WorkerOptions.cores();
        Logged logged = Logged.during(WorkerOptions.class, () -> {
            parse("--inference-lanes", String.valueOf(cores + 1)).validate();
            parse().validate(); // the default: one single-threaded lane per core, nothing said
            return null;
        });
        assertThat(logged.lines()).hasSize(1).first().asString()
                .startsWith((cores + 1) + " ONNX lane(s) × 1 thread(s) = " + (cores + 1) + " threads on " + cores
                        + " core(s): they take turns");
    }

    @Test
    void zeroLanesIsRefusedWithTheOptionNamed() {
        assertThatThrownBy(() -> parse("--inference-lanes", "0").pipeline())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--inference-lanes");
    }

    /**
     * A limit no image can meet refused every image, and the job failed with nothing to say why. The limits are the
     * job's ({@link JobOptions}): every worker decodes by them.
     */
    @Test
    void aPixelOrDecodeLimitBelowOneIsRefusedWithTheOptionNamed() {
        for (String pixels : new String[] {"0", "-1"}) {
            assertThatThrownBy(() -> OptionsParsing.parse(new JobOptions(), "--output", "o", "--max-pixels", pixels)
                    .decodeLimits())
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("--max-pixels must be at least 1, was " + pixels);
        }
        assertThatThrownBy(() -> OptionsParsing.parse(new JobOptions(), "--output", "o", "--max-decode-mib", "0")
                .decodeLimits())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--max-decode-mib must be at least 1");
        assertThat(OptionsParsing.parse(new JobOptions(), "--output", "o", "--max-pixels", "5000", "--no-reduced-decode")
                .decodeLimits()).isEqualTo(new dev.orchard.protocol.DecodeLimits(5000, 512L << 20, false,
                        256L << 20));
        assertThat(OptionsParsing.parse(new JobOptions(), "--output", "o", "--max-object-bytes", "1000").decodeLimits()
                .maxObjectBytes()).isEqualTo(1000);
        assertThatThrownBy(() -> OptionsParsing.parse(new JobOptions(), "--output", "o", "--max-object-bytes", "0")
                .decodeLimits())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("--max-object-bytes must be between 1 and");
        assertThat(OptionsParsing.parse(new JobOptions(), "--output", "o").decodeLimits())
                .isEqualTo(dev.orchard.protocol.DecodeLimits.DEFAULT);
        assertThat(OptionsParsing.parse(new JobOptions(), "--output", "o", "--list-parallelism", "4")
                .listingWith(dev.orchard.store.s3.S3Settings.defaults()).listParallelism()).isEqualTo(4);
        assertThatThrownBy(() -> OptionsParsing.parse(new JobOptions(), "--output", "o", "--list-parallelism", "0")
                .listingWith(dev.orchard.store.s3.S3Settings.defaults()))
                .hasMessageStartingWith("--list-parallelism must be at least 1");
    }
}
