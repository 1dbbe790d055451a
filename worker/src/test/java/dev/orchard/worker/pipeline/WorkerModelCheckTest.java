package dev.orchard.worker.pipeline;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.orchard.protocol.JobDescription;
import dev.orchard.protocol.ModelSpec;
import dev.orchard.store.s3.S3Settings;
import dev.orchard.worker.SharedFiles;
import dev.orchard.worker.model.InferenceSettings;
import dev.orchard.worker.model.ModelException;
import dev.orchard.worker.model.OnnxModel;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

/**
 * A worker whose file at the job's model path is another model says that, not what the other model lacks: the INT8
 * MobileNetV2 there (no tensor '464') said "has no tensor '464' ... Name one with --feature-tensor", advice that does
 * not apply (a user's walk with several worker JVMs).
 */
class WorkerModelCheckTest {

    @Test
    void anotherModelAtTheJobsPathIsNamedByItsSha256() throws Exception {
        String expected = OnnxModel.sha256(Files.readAllBytes(SharedFiles.float32Model()));
        var int8 = SharedFiles.root().resolve("models/mobilenetv2-12-int8.onnx");
        JobDescription job = new JobDescription("job", "/tmp/out", int8.toString(), expected, ModelSpec.mobileNetV2(), 4);
        try (WorkerRuntime runtime = new WorkerRuntime(PipelineSettings.forCores(1), InferenceSettings.forCores(1),
                S3Settings.defaults())) {
            assertThatThrownBy(() -> runtime.acquire(job)).isInstanceOf(ModelException.class)
                    .hasMessageContaining("has SHA-256 " + OnnxModel.sha256(Files.readAllBytes(int8)))
                    .hasMessageContaining("but the job expects " + expected)
                    .hasMessageContaining("this worker's copy at that path is another file")
                    .hasMessageNotContaining("--feature-tensor");
        }
    }
}
