package dev.orchard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.orchard.stats.SparseRandomProjection;
import dev.orchard.store.parquet.VectorRow;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The 7×7×1280 = 62,720-d unpooled map, reduced by a sparse random projection generated on the worker. */
class ReductionTest {
    @TempDir
    static Path temp;
    private static Path input;

    @BeforeAll
    static void images() throws Exception {
        input = temp.resolve("in");
        for (String fruit : List.of("Banana", "Kiwi", "Raspberry")) {
            Files.createDirectories(input.resolve(fruit));
            try (Stream<Path> files = Files.list(JobRun.shared().resolve("data/fruits360-sample").resolve(fruit))) {
                for (Path p : files.sorted().limit(8).toList()) {
                    Files.copy(p, input.resolve(fruit).resolve(p.getFileName()));
                }
            }
        }
    }

    @Test
    void unpooledMapProjectedThenPcaWithoutADenseMatrix() throws Exception {
        Path out = temp.resolve("srp-pca");
        JobRun run = JobRun.of(out, "run", "--input", input.toString(), "--output", out.toString(), "--model", JobRun.model(),
                "--feature-tensor", "627", "--reduce", "srp+pca", "--srp-dim", "300", "--pca-k", "5", "--batch-size", "8");
        assertThat(run.exitCode()).as(run.messages()).isZero();
        List<VectorRow> rows = run.rows("features");
        assertThat(rows).hasSize(24).allSatisfy(r -> assertThat(r.values()).hasSize(300));
        assertThat(run.rows("pca")).hasSize(24).allSatisfy(r -> assertThat(r.values()).hasSize(5));
        var success = new ObjectMapper().readTree(out.resolve("_SUCCESS").toFile());
        assertThat(success.at("/sparseRandomProjection/dim").asInt()).isEqualTo(300);
        assertThat(success.at("/pca/dim").asInt()).isEqualTo(300);

        // Same seed: the same projection, whichever JVM makes it — a second run gives the same rows.
        Path again = temp.resolve("srp-again");
        JobRun second = JobRun.of(again, "run", "--input", input.toString(), "--output", again.toString(), "--model", JobRun.model(),
                "--feature-tensor", "627", "--reduce", "srp", "--srp-dim", "300", "--batch-size", "8");
        assertThat(second.exitCode()).as(second.messages()).isZero();
        assertThat(again.resolve("pca")).doesNotExist();
        assertThat(second.rows("features").stream().map(VectorRow::values).toList())
                .usingRecursiveComparison().isEqualTo(rows.stream().map(VectorRow::values).toList());
    }

    @Test
    void kFromTheJohnsonLindenstraussBoundAndClearErrors() throws Exception {
        Path out = temp.resolve("eps");
        JobRun run = JobRun.of(out, "run", "--input", input.toString(), "--output", out.toString(), "--model", JobRun.model(),
                "--reduce", "srp", "--srp-eps", "0.5", "--batch-size", "8");
        assertThat(run.exitCode()).as(run.messages()).isZero();
        int k = SparseRandomProjection.johnsonLindenstraussDim(24, 0.5);
        assertThat(run.rows("features")).allSatisfy(r -> assertThat(r.values()).hasSize(k));

        JobRun both = JobRun.of(null, "run", "--input", input.toString(), "--output", temp.resolve("x").toString(),
                "--model", JobRun.model(), "--reduce", "srp", "--srp-dim", "10", "--srp-eps", "0.3");
        assertThat(both.exitCode()).isEqualTo(2);
        assertThat(both.messages()).contains("exactly one of --srp-dim K or --srp-eps E");
        JobRun tooWide = JobRun.of(null, "run", "--input", input.toString(), "--output", temp.resolve("y").toString(),
                "--model", JobRun.model(), "--feature-tensor", "627");
        assertThat(tooWide.exitCode()).isEqualTo(2);
        assertThat(tooWide.messages()).contains("--reduce srp+pca");
        // A bound above the model's 1,280 dimensions reduces nothing: refused as such a --srp-dim is (it warned, and
        // wrote wider features than the model's).
        Path wider = temp.resolve("wider");
        JobRun loose = JobRun.of(wider, "run", "--input", input.toString(), "--output", wider.toString(), "--model",
                JobRun.model(), "--reduce", "srp", "--srp-eps", "0.1");
        assertThat(loose.exitCode()).as(loose.messages()).isEqualTo(2);
        assertThat(loose.messages()).contains("--srp-eps 0.1 for 24 images: The random projection's K = "
                + SparseRandomProjection.johnsonLindenstraussDim(24, 0.1) + " is not below the input dimension d = 1280")
                .contains("Or give --srp-dim K below 1280.");
    }
}
