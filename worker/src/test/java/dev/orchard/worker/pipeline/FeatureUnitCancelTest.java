package dev.orchard.worker.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.orchard.protocol.ImageRef;
import dev.orchard.protocol.JobDescription;
import dev.orchard.protocol.ModelSpec;
import dev.orchard.protocol.WorkUnit;
import dev.orchard.store.OutputLayout;
import dev.orchard.store.s3.S3Settings;
import dev.orchard.worker.SharedFiles;
import dev.orchard.worker.model.InferenceSettings;
import dev.orchard.worker.model.OnnxModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A FEATURES attempt cancelled while it runs (a speculative copy that lost, a worker that stops) ends with a
 * {@link CancellationException}, writes no rows file, runs no batch beyond those in flight when it saw the cancel, and
 * gives every batch buffer back: the cancel's contract, held on the loop that starts batches while it waits. (It held
 * on the loop before too; that the wait asks before starting more is not told apart here: a batch or two at most.)
 * The real model on 24 of the shared sample's images in batches of 2; the attempt is cancelled once a batch has run.
 */
class FeatureUnitCancelTest {
    @TempDir
    Path dir;

    @Test
    void aCancelledAttemptEndsWritingNothingAndGivesItsBuffersBack() throws Exception {
        Path model = SharedFiles.float32Model();
        List<ImageRef> images;
        try (Stream<Path> kiwis = Files.list(SharedFiles.fruits().resolve("Kiwi"))) {
            images = kiwis.sorted().limit(24).map(p -> new ImageRef(p.toString(), "Kiwi")).toList();
        }
        Path output = dir.resolve("out");
        int batch = 2;
        PipelineSettings settings = PipelineSettings.forCores(2);
        try (WorkerRuntime runtime = new WorkerRuntime(settings, InferenceSettings.forCores(2), S3Settings.defaults())) {
            OnnxModel loaded = OnnxModel.load(Files.readAllBytes(model), model.toString(), ModelSpec.mobileNetV2(),
                    InferenceSettings.forCores(2));
            runtime.adopt(model.toString(), loaded, batch); // the runtime closes it
            JobDescription job = new JobDescription("job", output.toString(), model.toString(), loaded.sha256(),
                    ModelSpec.mobileNetV2(), batch).withPca(true);
            long[] startedWhenSeen = {-1};
            FeatureUnit unit = new FeatureUnit(runtime);
            assertThatThrownBy(() -> unit.run(job, WorkUnit.features(1, 0, 1, images), () -> {
                boolean cancel = runtime.totals().batches() >= 1;
                if (cancel && startedWhenSeen[0] < 0) {
                    startedWhenSeen[0] = runtime.totals().batches();
                }
                return cancel;
            })).isInstanceOf(CancellationException.class);

            assertThat(Files.exists(OutputLayout.of(output.toString()).attemptRows(1, 0, 1).path()))
                    .as("no rows file for a cancelled attempt").isFalse();
            assertThat(runtime.batchBuffersFree()).as("every buffer given back").isEqualTo(settings.batchBuffers());
            // Only batches in flight (one per buffer) when the cancel was first seen run after it, not the unit's 12.
            assertThat(runtime.totals().batches()).as("batches run of the unit's 12").isLessThanOrEqualTo(
                    startedWhenSeen[0] + settings.batchBuffers());
        }
    }
}
