package dev.orchard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job names its model by an absolute path, as its input and classifier: workers read the model at the path the
 * job names, and a relative --model was read from each worker's own working directory (a worker started in another
 * folder failed the job, its reason the bare path: a user's walk).
 */
class ModelPathTest {
    @TempDir
    Path temp;

    @Test
    void aRelativeModelPathIsRecordedAbsolute() throws Exception {
        Path in = temp.resolve("in/Kiwi");
        Files.createDirectories(in);
        try (var files = Files.list(JobRun.shared().resolve("data/fruits360-sample/Kiwi"))) {
            for (Path p : files.sorted().limit(3).toList()) {
                Files.copy(p, in.resolve(p.getFileName()));
            }
        }
        Path model = Path.of(JobRun.model());
        String relative = Path.of("").toAbsolutePath().relativize(model).toString();
        assertThat(relative).startsWith("..");
        Path out = temp.resolve("out");
        JobRun run = JobRun.of(out, "run", "--input", temp.resolve("in").toString(), "--output", out.toString(),
                "--model", relative, "--pca-k", "2");
        assertThat(run.exitCode()).as(run.messages()).isZero();
        assertThat(Outputs.success(out).at("/model/location").asText()).isEqualTo(model.toString());
    }
}
