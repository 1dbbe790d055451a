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

        // One image: the bound gives K = 0, which meant "no projection", and the job wrote the map unprojected (a walk).
        Path one = temp.resolve("one");
        Files.createDirectories(one.resolve("Kiwi"));
        try (Stream<Path> files = Files.list(input.resolve("Kiwi"))) {
            Path first = files.sorted().findFirst().orElseThrow();
            Files.copy(first, one.resolve("Kiwi").resolve(first.getFileName()));
        }
        JobRun single = JobRun.of(temp.resolve("one-out"), "run", "--input", one.toString(), "--output",
                temp.resolve("one-out").toString(), "--model", JobRun.model(), "--feature-tensor", "627", "--reduce", "srp",
                "--srp-eps", "0.3");
        assertThat(single.exitCode()).as(single.messages()).isEqualTo(2);
        assertThat(single.messages()).contains("--srp-eps 0.3 for 1 image(s): the Johnson-Lindenstrauss bound gives K = 0")
                .contains("Give --srp-dim K instead.");
        assertThat(temp.resolve("one-out/features")).doesNotExist();
        // --seed without a projection was ignored, where --srp-dim was refused.
        JobRun seed = JobRun.of(null, "run", "--input", input.toString(), "--output", temp.resolve("z").toString(),
                "--model", JobRun.model(), "--seed", "7");
        assertThat(seed.exitCode()).isEqualTo(2);
        assertThat(seed.messages()).contains("--srp-dim/--srp-eps/--seed need --reduce srp or --reduce srp+pca");
        // srp+pca's K over the widest PCA: said as that, not "reduce them first with --reduce srp+pca" (a walk).
        JobRun wide = JobRun.of(null, "run", "--input", input.toString(), "--output", temp.resolve("w").toString(),
                "--model", JobRun.model(), "--feature-tensor", "627", "--reduce", "srp+pca", "--srp-dim", "9000");
        assertThat(wide.exitCode()).isEqualTo(2);
        assertThat(wide.messages()).contains("--reduce srp+pca projects to K = 9000, more than the 8192 dimensions")
                .contains("give --srp-dim K of at most 8192");
    }

    /**
     * An update keeps the output's reduction: the same command with --srp-eps was refused ("--srp-dim: was 177, now
     * 263": the bound chose K anew for the larger input), and one without the reduction's options listed "--seed: was
     * 42, now 0" and "--srp-dim: was 256, now 0", options the user had never set (the incremental helper's walk).
     */
    @Test
    void anUpdateKeepsTheOutputsReductionItsKAndSeed() throws Exception {
        Path in = temp.resolve("growing");
        for (String fruit : List.of("Banana", "Kiwi")) {
            Files.createDirectories(in.resolve(fruit));
            try (Stream<Path> files = Files.list(input.resolve(fruit))) {
                for (Path p : files.toList()) {
                    Files.copy(p, in.resolve(fruit).resolve(p.getFileName()));
                }
            }
        }
        Path eps = temp.resolve("eps-update");
        String[] byEps = {"run", "--input", in.toString(), "--output", eps.toString(), "--model", JobRun.model(),
                "--reduce", "srp", "--srp-eps", "0.5", "--batch-size", "8"};
        assertThat(JobRun.of(eps, byEps).exitCode()).isZero();
        Path srpPca = temp.resolve("srp-pca-update");
        assertThat(JobRun.of(srpPca, "run", "--input", in.toString(), "--output", srpPca.toString(), "--model",
                JobRun.model(), "--reduce", "srp+pca", "--srp-dim", "64", "--seed", "7", "--pca-k", "3").exitCode()).isZero();
        int k = SparseRandomProjection.johnsonLindenstraussDim(16, 0.5);
        Files.createDirectories(in.resolve("Raspberry"));
        try (Stream<Path> files = Files.list(input.resolve("Raspberry"))) {
            for (Path p : files.toList()) {
                Files.copy(p, in.resolve("Raspberry").resolve(p.getFileName()));
            }
        }
        assertThat(SparseRandomProjection.johnsonLindenstraussDim(24, 0.5)).as("the bound moves with the count").isNotEqualTo(k);
        String[] update = java.util.Arrays.copyOf(byEps, byEps.length + 1);
        update[byEps.length] = "--update";
        JobRun same = JobRun.of(eps, update);
        assertThat(same.exitCode()).as(same.messages()).isZero();
        assertThat(same.rows("features")).hasSize(24).allSatisfy(r -> assertThat(r.values()).hasSize(k));
        JobRun bare = JobRun.of(srpPca, "run", "--input", in.toString(), "--output", srpPca.toString(), "--model",
                JobRun.model(), "--update");
        assertThat(bare.exitCode()).as(bare.messages()).isZero();
        var success = new ObjectMapper().readTree(srpPca.resolve("_SUCCESS").toFile());
        assertThat(success.at("/sparseRandomProjection/dim").asInt()).isEqualTo(64);
        assertThat(success.at("/sparseRandomProjection/seed").asLong()).isEqualTo(7);
        assertThat(success.at("/pca/k").asInt()).isEqualTo(3);
        assertThat(bare.rows("pca")).hasSize(24);

        // The output's feature tensor is kept too: an update of a tensor-627 output without --feature-tensor checked
        // its K = 2048 against the pooled 1280 and blamed "--srp-dim 2048", which the user never typed (a walk).
        Path unpooled = temp.resolve("unpooled-update");
        Path fewer = temp.resolve("in-unpooled");
        Files.createDirectories(fewer.resolve("Kiwi"));
        try (Stream<Path> files = Files.list(input.resolve("Kiwi"))) {
            for (Path p : files.sorted().limit(4).toList()) {
                Files.copy(p, fewer.resolve("Kiwi").resolve(p.getFileName()));
            }
        }
        assertThat(JobRun.of(unpooled, "run", "--input", fewer.toString(), "--output", unpooled.toString(), "--model",
                JobRun.model(), "--feature-tensor", "627", "--reduce", "srp", "--srp-dim", "2048").exitCode()).isZero();
        try (Stream<Path> files = Files.list(input.resolve("Kiwi"))) {
            for (Path p : files.sorted().skip(4).limit(2).toList()) {
                Files.copy(p, fewer.resolve("Kiwi").resolve(p.getFileName()));
            }
        }
        JobRun unpooledUpdate = JobRun.of(unpooled, "run", "--input", fewer.toString(), "--output", unpooled.toString(),
                "--model", JobRun.model(), "--update");
        assertThat(unpooledUpdate.exitCode()).as(unpooledUpdate.messages()).isZero();
        assertThat(unpooledUpdate.rows("features")).hasSize(6).allSatisfy(r -> assertThat(r.values()).hasSize(2048));
    }
}
