package dev.orchard.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OverlapTest {

    @TempDir
    Path dir;

    private static String overlap(String input, String output) throws Exception {
        return new Overlap(Location.parse(output)).with(Location.parse(input)).orElse("apart");
    }

    @Test
    void localFoldersThatAreEqualNestedOrAliasedOverlap() throws Exception {
        Path in = Files.createDirectories(dir.resolve("data/images"));
        Files.createDirectories(dir.resolve("other"));
        assertThat(overlap(in.toString(), in.toString())).isEqualTo("is the same location as");
        assertThat(overlap(in.toString(), in + "/")).isEqualTo("is the same location as");
        assertThat(overlap(in.toString(), dir.resolve("data/images/../images").toString())).isEqualTo("is the same location as");
        assertThat(overlap(in.toString(), dir.resolve("data").toString())).isEqualTo("lies inside");
        assertThat(overlap(in.toString(), dir.toString())).isEqualTo("lies inside");
        assertThat(overlap(in.toString(), in.resolve("out/run1").toString())).isEqualTo("contains"); // not there yet
        assertThat(overlap(in.toString(), dir.resolve("data/images-out").toString())).isEqualTo("apart");
        assertThat(overlap(in.toString(), dir.resolve("other").toString())).isEqualTo("apart");

        // A link to the input (or to its parent) is the input, however it is spelled.
        Path alias = Files.createSymbolicLink(dir.resolve("alias"), in);
        Path parentAlias = Files.createSymbolicLink(dir.resolve("up"), dir.resolve("data"));
        assertThat(overlap(in.toString(), alias.toString())).isEqualTo("is the same location as");
        assertThat(overlap(alias.toString(), in.toString())).isEqualTo("is the same location as");
        assertThat(overlap(in.toString(), parentAlias.toString())).isEqualTo("lies inside");
        assertThat(overlap(in.toString(), parentAlias.resolve("images/new/deeper").toString())).isEqualTo("contains");
        assertThat(overlap(in.toString(), "file://" + alias)).isEqualTo("is the same location as");
    }

    @Test
    void s3PrefixesOverlapBySegmentsWhateverTheSpelling() throws Exception {
        assertThat(overlap("s3://b/in", "s3://b/in/")).isEqualTo("is the same location as");
        assertThat(overlap("s3a://b/in/", "s3://b/in")).isEqualTo("is the same location as");
        assertThat(overlap("s3://b/in", "s3://b/in/out")).isEqualTo("contains");
        assertThat(overlap("s3://b/in/x", "s3://b/in")).isEqualTo("lies inside");
        assertThat(overlap("s3://b/in", "s3://b/")).isEqualTo("lies inside");
        assertThat(overlap("s3://b/in", "s3://b")).isEqualTo("lies inside");
        assertThat(overlap("s3://b/in", "s3://b/input")).isEqualTo("apart");
        assertThat(overlap("s3://b/in", "s3://c/in")).isEqualTo("apart");
        assertThat(overlap("s3://b/in", dir.resolve("in").toString())).isEqualTo("apart");
    }

    @Test
    void manifestKeysInsideTheOutputAreFound() throws Exception {
        Path out = Files.createDirectories(dir.resolve("out"));
        Path alias = Files.createSymbolicLink(dir.resolve("alias"), out);
        Overlap local = new Overlap(Location.local(out));
        assertThat(local.holds(Location.local(out.resolve("features/x.jpg")))).isTrue();
        assertThat(local.holds(Location.local(alias.resolve("x.jpg")))).isTrue();
        assertThat(local.holds(Location.local(dir.resolve("outside.jpg")))).isFalse();
        assertThat(local.holds(Location.local(dir.resolve("out2/x.jpg")))).isFalse();
        assertThat(local.holds(Location.parse("s3://b/out/x.jpg"))).isFalse();

        Overlap s3 = new Overlap(Location.parse("s3a://b/out/"));
        assertThat(s3.holds(Location.parse("s3://b/out/a/x.jpg"))).isTrue();
        assertThat(s3.holds(Location.parse("s3://b/output/x.jpg"))).isFalse();
        assertThat(s3.holds(Location.parse("s3://c/out/x.jpg"))).isFalse();
    }

    @Test
    void aFolderMountedTwiceIsOneFolder() throws Exception {
        Path in = Files.createDirectories(dir.resolve("images"));
        Path mount = Files.createDirectories(dir.resolve("mounted"));
        // Needs root and a mount namespace that allows it (CI's container as root does); skipped elsewhere.
        boolean mounted = new ProcessBuilder("mount", "--bind", in.toString(), mount.toString())
                .redirectErrorStream(true).start().waitFor() == 0;
        org.junit.jupiter.api.Assumptions.assumeTrue(mounted, "cannot bind-mount here");
        try {
            assertThat(overlap(in.toString(), mount.toString())).isEqualTo("is the same location as");
            assertThat(overlap(in.toString(), mount.resolve("out").toString())).isEqualTo("contains");
            Files.createDirectories(in.resolve("sub"));
            assertThat(overlap(mount.resolve("sub").toString(), in.toString())).isEqualTo("lies inside");
            assertThat(overlap(in.toString(), dir.resolve("elsewhere").toString())).isEqualTo("apart");
        } finally {
            new ProcessBuilder("umount", mount.toString()).start().waitFor();
        }
    }
}
