package dev.orchard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orchard.worker.image.TestImages;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One typo must not destroy a data set: an --output that is, contains or lies inside the input (however spelled:
 * a symbolic link, "..", a trailing slash) is refused with exit 2 before anything is written or deleted, even with
 * --overwrite, and every input byte stays in place. So is a manifest whose images lie inside the output.
 */
class OverlapJobTest {

    @TempDir
    Path temp;

    private Path images() throws Exception {
        Path in = temp.resolve("data/images");
        for (String name : List.of("Apple/a.jpg", "Apple/b.jpg", "Kiwi/c.png", "top.jpg")) {
            Path p = in.resolve(name);
            Files.createDirectories(p.getParent());
            Files.write(p, TestImages.encode(TestImages.gradient(20, 10, BufferedImage.TYPE_3BYTE_BGR),
                    name.endsWith(".png") ? "png" : "jpg"));
        }
        return in;
    }

    private static JobRun refused(String... args) {
        JobRun run = JobRun.of(null, args);
        assertThat(run.exitCode()).as(run.messages()).isEqualTo(2);
        return run;
    }

    @Test
    void anOutputThatIsContainsOrLiesInsideTheInputIsRefusedAndTheInputKept() throws Exception {
        Path in = images();
        Path data = temp.resolve("data");
        Path alias = Files.createSymbolicLink(temp.resolve("alias"), in);
        Path parentAlias = Files.createSymbolicLink(temp.resolve("up"), data);
        Files.writeString(data.resolve("readme.txt"), "the data set's notes");
        Map<String, String> before = Tree.hashes(temp);
        List<String> outputs = List.of(in.toString(), in + "/", data.toString(), temp.toString(), in.resolve("out").toString(),
                in.resolve("Apple").toString(), alias.toString(), parentAlias.toString(), parentAlias.resolve("images").toString(),
                in.resolve("../images").toString(), "file://" + in);
        for (String output : outputs) {
            JobRun run = refused("run", "--input", in.toString(), "--output", output, "--overwrite", "--model", JobRun.model());
            assertThat(run.messages()).as(output).contains("--input " + in).contains("--output").contains("must not overlap");
            if (output.equals(data.toString())) { // beside the input would lie inside this output: beside the output
                assertThat(run.messages()).contains("e.g. " + temp.resolve("data-orchard") + ".");
            } else if (output.equals(in.toString())) {
                assertThat(run.messages()).contains("e.g. " + data.resolve("images-orchard") + ".");
            }
            assertThat(Tree.hashes(temp)).as(output).isEqualTo(before);
        }
        // The other way round: the input given through the link, the output the real folder.
        refused("run", "--input", alias.toString(), "--output", data.toString(), "--overwrite");
        assertThat(Tree.hashes(temp)).isEqualTo(before);
    }

    @Test
    void aManifestWhoseImagesLieInsideTheOutputIsRefused() throws Exception {
        Path in = images();
        // An earlier Orchard output that a user also kept images in: --overwrite would delete features/.
        Path out = temp.resolve("out");
        OutputCheck.prepare(new dev.orchard.store.LocalObjectStore(), dev.orchard.store.Location.local(out), false, "test");
        Files.createDirectories(out.resolve("features"));
        Files.copy(in.resolve("top.jpg"), out.resolve("features/kept.jpg"));
        Path manifest = Files.writeString(temp.resolve("list.txt"), in.resolve("Apple/a.jpg") + "\n"
                + out.resolve("features/kept.jpg") + "\n");
        Map<String, String> before = Tree.hashes(temp);
        JobRun run = refused("run", "--input-manifest", manifest.toString(), "--output", out.toString(), "--overwrite",
                "--model", JobRun.model());
        assertThat(run.messages()).contains("names " + out.resolve("features/kept.jpg")).contains("lies inside --output");
        // The manifest itself inside the output is refused too.
        Path inside = Files.writeString(out.resolve("list.txt"), in.resolve("Apple/a.jpg") + "\n");
        before = Tree.hashes(temp);
        JobRun insideRun = refused("run", "--input-manifest", inside.toString(), "--output", out.toString(), "--overwrite",
                "--model", JobRun.model());
        assertThat(Tree.hashes(temp)).isEqualTo(before);
        // Its suggestion lies outside the output it refused (it was out/list.txt-orchard, a walk).
        assertThat(insideRun.messages()).contains("Choose an --output outside the input, e.g. " + temp.resolve("out-orchard"));
    }

    @Test
    void overlappingS3PrefixesAreRefusedBeforeS3IsAsked() {
        // No server runs: the refusal comes before any request (S3JobTest checks the bytes on a real server).
        for (String[] pair : new String[][] {{"s3://b/in", "s3://b/in/"}, {"s3a://b/in/", "s3://b/in/out"},
                {"s3://b/in/sub", "s3://b/in"}, {"s3://b/in", "s3://b"}, {"s3://b/", "s3://b/o"}}) {
            JobRun run = refused("run", "--input", pair[0], "--output", pair[1], "--overwrite", "--endpoint",
                    "http://127.0.0.1:9", "--path-style");
            assertThat(run.messages()).contains("must not overlap");
            if (pair[1].equals("s3://b") || pair[0].equals("s3://b/")) { // a bucket's root holds every name beside it
                assertThat(run.messages()).contains("e.g. a folder outside both (another bucket).")
                        .doesNotContain("e.g. s3://b/");
            }
        }
    }
}
