package dev.orchard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orchard.store.parquet.VectorRow;
import dev.orchard.worker.image.TestImages;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole life of an output: the first job marks it before writing anything else; --overwrite replaces that
 * job's results (a stale part of the old job included) but is refused, leaving every byte, once a user's file is
 * there; symbolic links below the input are followed with --follow-links; a manifest's repeated keys are used once.
 */
class OverwriteJobTest {

    @TempDir
    Path temp;

    private Path image(Path root, String relative, int shade) throws Exception {
        Path p = root.resolve(relative);
        Files.createDirectories(p.getParent());
        BufferedImage img = TestImages.gradient(32 + shade, 24, BufferedImage.TYPE_3BYTE_BGR);
        return Files.write(p, TestImages.encode(img, "jpg"));
    }

    private static String[] job(String... args) {
        List<String> all = new java.util.ArrayList<>(List.of("run", "--pca-k", "2", "--model", JobRun.model()));
        all.addAll(List.of(args));
        return all.toArray(String[]::new);
    }

    /**
     * A standby coordinator node started before the first one writes the marker of the job it will wait for, and
     * nothing else: the first one's plain command was refused ("has not finished (no _SUCCESS): ... --resume") until
     * given --resume (a user's walk). The same job, not begun, is taken; another job's marker is refused as before.
     */
    @Test
    void theMarkerAloneOfTheSameJobIsTakenAndAnotherJobsRefused() throws Exception {
        Path in = temp.resolve("in");
        for (int i = 0; i < 3; i++) {
            image(in, "Apple/a" + i + ".jpg", i);
        }
        Path out = temp.resolve("out");
        JobRun first = JobRun.of(out, job("--input", in.toString(), "--output", out.toString()));
        assertThat(first.exitCode()).as(first.messages()).isZero();
        byte[] marker = Files.readAllBytes(out.resolve("_orchard/job.json"));
        Path standbys = temp.resolve("standbys");
        Files.createDirectories(standbys.resolve("_orchard"));
        Files.write(standbys.resolve("_orchard/job.json"), marker); // all a standby that started first wrote

        JobRun other = JobRun.of(standbys, job("--input", in.toString(), "--output", standbys.toString(), "--glob",
                "*.jpg"));
        assertThat(other.exitCode()).as(other.messages()).isEqualTo(2);
        assertThat(other.messages()).contains("holds an Orchard job's results and it has not finished");
        assertThat(standbys.resolve("_orchard/job.json")).hasBinaryContent(marker);

        JobRun same = JobRun.of(standbys, job("--input", in.toString(), "--output", standbys.toString()));
        assertThat(same.exitCode()).as(same.messages()).isZero();
        assertThat(paths(same)).hasSize(3);
    }

    /**
     * Two coordinator nodes of one job started at the same moment (as EC2 boots them): each found the output empty when
     * it first looked, and the other's marker there when it came to claim it. The first node's plain command and the
     * standby's --resume were each refused ("--resume continues it", exit 2; with the standby first, the seed was
     * refused and the standby waited for it for good: a user's walk). The output is read when the command decides:
     * the plain command takes the marker alone of its own job, the --resume goes on with its job, and another job's
     * marker is refused with its differences.
     */
    @Test
    void theOtherNodesMarkerWrittenWhileACommandStartedIsItsJobs() throws Exception {
        Path in = temp.resolve("in");
        for (int i = 0; i < 3; i++) {
            image(in, "Apple/a" + i + ".jpg", i);
        }
        Path done = temp.resolve("done");
        assertThat(JobRun.of(done, job("--input", in.toString(), "--output", done.toString())).exitCode()).isZero();
        byte[] marker = Files.readAllBytes(done.resolve("_orchard/job.json"));
        try {
            JobSetup.beforeOutputDecision = output -> {
                try {
                    Files.createDirectories(output.path().resolve("_orchard"));
                    Files.write(output.path().resolve("_orchard/job.json"), marker); // the other node's, meanwhile
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            };
            Path seed = temp.resolve("seed");
            JobRun plain = JobRun.of(seed, job("--input", in.toString(), "--output", seed.toString()));
            assertThat(plain.exitCode()).as(plain.messages()).isZero();
            assertThat(paths(plain)).hasSize(3);

            Path standby = temp.resolve("standby");
            JobRun resumed = JobRun.of(standby, job("--input", in.toString(), "--output", standby.toString(), "--resume"));
            assertThat(resumed.exitCode()).as(resumed.messages()).isZero();
            assertThat(paths(resumed)).hasSize(3);

            Path another = temp.resolve("another");
            JobRun refused = JobRun.of(another, job("--input", in.toString(), "--output", another.toString(), "--resume",
                    "--glob", "*.jpg"));
            assertThat(refused.exitCode()).as(refused.messages()).isEqualTo(2);
            assertThat(refused.messages()).contains("--resume refused: this command describes another job");
            assertThat(another.resolve("_orchard/job.json")).hasBinaryContent(marker);
        } finally {
            JobSetup.beforeOutputDecision = output -> { };
        }
    }

    @Test
    void markedFirstOverwrittenOnlyWhileOrchardsAndLinksFollowedWhenAsked() throws Exception {
        Path in = temp.resolve("in");
        Path elsewhere = temp.resolve("elsewhere");
        for (int i = 0; i < 3; i++) {
            image(in, "Apple/a" + i + ".jpg", i);
            image(elsewhere, "Kiwi/k" + i + ".jpg", 10 + i);
        }
        Files.createSymbolicLink(in.resolve("Kiwi"), elsewhere.resolve("Kiwi"));
        Path out = temp.resolve("out");

        // Without --follow-links the linked folder is reported, not read.
        JobRun first = JobRun.of(out, job("--input", in.toString(), "--output", out.toString()));
        assertThat(first.exitCode()).as(first.messages()).isZero();
        assertThat(paths(first)).hasSize(3).allMatch(p -> p.contains("/Apple/"));
        assertThat(Files.readString(out.resolve("errors.csv"))).contains(in.resolve("Kiwi") + ",skipped: symbolic link to ");
        // The marker is the first file the job wrote.
        FileTime marked = Files.getLastModifiedTime(out.resolve("_orchard/job.json"));
        try (Stream<Path> files = Files.walk(out)) {
            assertThat(files.filter(Files::isRegularFile).toList())
                    .allSatisfy(f -> assertThat(Files.getLastModifiedTime(f)).isGreaterThanOrEqualTo(marked));
        }

        // A stale part of the earlier job goes with --overwrite; the links are followed this time.
        Files.copy(out.resolve("features/part-000000.parquet"), out.resolve("features/part-000099.parquet"));
        JobRun second = JobRun.of(out, job("--input", in.toString(), "--output", out.toString(), "--overwrite",
                "--follow-links"));
        assertThat(second.exitCode()).as(second.messages()).isZero();
        assertThat(paths(second)).hasSize(6).anyMatch(p -> p.startsWith(in.resolve("Kiwi") + "/"));
        assertThat(out.resolve("features/part-000099.parquet")).doesNotExist();
        assertThat(Files.readString(out.resolve("errors.csv"))).isEqualTo("path,reason\r\n");

        // A user's file in the output: --overwrite is refused, and nothing changes.
        Files.writeString(out.resolve("my notes.txt"), "mine");
        Map<String, String> before = Tree.hashes(out);
        JobRun refused = JobRun.of(out, job("--input", in.toString(), "--output", out.toString(), "--overwrite"));
        assertThat(refused.exitCode()).isEqualTo(2);
        assertThat(refused.messages()).contains("my notes.txt").contains("--overwrite refused");
        assertThat(Tree.hashes(out)).isEqualTo(before);
    }

    @Test
    void aManifestsRepeatedImagesAreUsedOnce() throws Exception {
        Path in = temp.resolve("in");
        StringBuilder manifest = new StringBuilder();
        for (int i = 0; i < 4; i++) {
            manifest.append(image(in, "Pear/p" + i + ".jpg", i)).append('\n');
        }
        manifest.append(in.resolve("Pear/p0.jpg")).append('\n').append(in.resolve("Pear/p2.jpg")).append('\n')
                .append(in.resolve("Pear/p0.jpg")).append('\n');
        Path list = Files.writeString(temp.resolve("list.txt"), manifest);
        Path out = temp.resolve("out");
        JobRun run = JobRun.of(out, job("--input-manifest", list.toString(), "--output", out.toString(), "--unit-size", "2"));
        assertThat(run.exitCode()).as(run.messages()).isZero();
        List<String> paths = run.rows("features").stream().map(VectorRow::path).toList();
        assertThat(paths).doesNotHaveDuplicates().hasSize(4);
    }

    /**
     * Entries of a text list that --glob does not take were left out unsaid (3 of 5 images, each line ending in a
     * space); a list names its images, so such a job is refused, naming them. Hidden folders on an absolute path's
     * way are not a listing's metadata there: taken.
     */
    @Test
    void aListsEntriesThatAreNotImagesAreNamedNotLeftOut() throws Exception {
        Path in = temp.resolve("in");
        Path a = image(in, "Pear/a.jpg", 1);
        Path b = image(in, "_raw/.cache/Pear/b.jpg", 2);
        Path list = Files.writeString(temp.resolve("list.txt"), a + "\n" + b + " \n" + in.resolve("Pear") + "\n");
        Path out = temp.resolve("out");
        JobRun refused = JobRun.of(out, job("--input-manifest", list.toString(), "--output", out.toString()));
        assertThat(refused.exitCode()).as(refused.messages()).isEqualTo(2);
        assertThat(refused.messages()).contains("names 2 entries that --glob '*.jpg,*.jpeg,*.png' does not take as images")
                .contains("'" + b + " ' (it ends in a space").contains("'" + in.resolve("Pear") + "'");
        assertThat(out).doesNotExist();

        Files.writeString(list, a + "\n" + b + "\n");
        JobRun run = JobRun.of(out, job("--input-manifest", list.toString(), "--output", out.toString()));
        assertThat(run.exitCode()).as(run.messages()).isZero();
        assertThat(paths(run)).containsExactlyInAnyOrder(a.toString(), b.toString());
    }

    private static Set<String> paths(JobRun run) throws Exception {
        return run.rows("features").stream().map(VectorRow::path).collect(Collectors.toSet());
    }
}
