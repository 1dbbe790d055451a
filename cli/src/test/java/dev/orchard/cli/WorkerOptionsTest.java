package dev.orchard.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.orchard.worker.pipeline.PipelineSettings;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** How the worker options turn into ONNX threads, lanes and whether decoding overlaps inference. */
class WorkerOptionsTest {
    private static final int CORES = Runtime.getRuntime().availableProcessors();

    private static WorkerOptions parse(String... args) {
        WorkerOptions options = new WorkerOptions();
        new CommandLine(options).parseArgs(args);
        return options;
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

    @Test
    void zeroLanesIsRefusedWithTheOptionNamed() {
        assertThatThrownBy(() -> parse("--inference-lanes", "0").pipeline())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--inference-lanes");
    }
}
