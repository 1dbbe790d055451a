package dev.orchard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import dev.orchard.coordinator.Build;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.cluster.typed.JoinSeedNodes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every node of a cluster runs the same Orchard build: one of another is refused as it joins, by real Pekko nodes in
 * this JVM that differ only in the build they say they run (nothing else is told apart by the check, so the outcome
 * does not depend on timing: the test only waits for it).
 */
class SameBuildCheckTest {

    @Test
    void aNodeOfAnotherBuildIsRefusedAndOneOfTheSameJoins() throws Exception {
        try (ClusterNode first = node("build-a")) {
            Cluster.get(first.system()).manager().tell(Join.create(Cluster.get(first.system()).selfMember().address()));
            await(() -> first.membership().members().contains(first.address()), "the first node forms its cluster");

            try (ClusterNode other = node("build-b")) {
                joinSeed(other, first);
                other.system().getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
                assertThat(other.refusedAtJoin()).as("the joining node stops, refused").isTrue();
                assertThat(first.membership().members()).doesNotContain(other.address());
            }

            try (ClusterNode same = node("build-a")) {
                joinSeed(same, first);
                await(() -> first.membership().members().contains(same.address()), "a node of the same build joins");
                assertThat(same.refusedAtJoin()).isFalse();
            }
        }
    }

    @Test
    void aNodeOfAnOrchardThatSaysNoBuildIsRefused() {
        assertThat(SameBuildCheck.problem("a1", "a1")).isNull();
        assertThat(SameBuildCheck.problem("b2", "a1")).isEqualTo("the other node runs Orchard build b2, this one build"
                + " a1 ('orchard --version' says a node's). Run the same orchard.jar on every node");
        assertThat(SameBuildCheck.problem(null, "a1")).startsWith("the other node runs an Orchard from before"
                + " 2026-12-06, which says no build; this one runs build a1");
    }

    /** Two jars of the same classes written at other times are one build; a changed class makes another. */
    @Test
    void aJarsBuildIsItsEntriesContentNotTheirTimes(@TempDir Path dir) throws Exception {
        Path one = jar(dir.resolve("one.jar"), Instant.parse("2026-01-01T00:00:00Z"), "class A", "class B");
        Path again = jar(dir.resolve("again.jar"), Instant.parse("2026-06-01T12:00:00Z"), "class A", "class B");
        Path changed = jar(dir.resolve("changed.jar"), Instant.parse("2026-01-01T00:00:00Z"), "class A", "class B2");
        assertThat(Build.of(one)).hasSize(16).isEqualTo(Build.of(again)).isNotEqualTo(Build.of(changed));
        assertThat(Build.of(dir)).isEqualTo("classes " + dir.toAbsolutePath().normalize());
        Path broken = Files.writeString(dir.resolve("broken.jar"), "not a zip");
        assertThat(Build.of(broken)).startsWith("unreadable jar " + broken.toAbsolutePath());
    }

    /**
     * The build stamps its jar with the build ({@code Build.main}, cli/pom.xml) so that no node digests the jar at its
     * start: the stamp is left out of the digest, so a stamped jar's build is the one it had, and stamping again
     * writes the same.
     */
    @Test
    void aStampedJarKeepsItsBuild(@TempDir Path dir) throws Exception {
        Path one = jar(dir.resolve("one.jar"), Instant.parse("2026-01-01T00:00:00Z"), "class A", "class B");
        String build = Build.of(one);
        assertThat(Build.stamp(one)).isNull();
        Build.main(new String[] {one.toString()});
        try (var zip = new java.util.zip.ZipFile(one.toFile())) {
            assertThat(new String(zip.getInputStream(zip.getEntry(Build.STAMP)).readAllBytes(),
                    java.nio.charset.StandardCharsets.UTF_8)).startsWith(build + " ");
            assertThat(zip.getEntry("dev/A.class")).isNotNull();
        }
        assertThat(Build.stamp(one)).isEqualTo(build).isEqualTo(Build.of(one));
        long size = Files.size(one);
        Build.main(new String[] {one.toString()});
        assertThat(Build.of(one)).isEqualTo(build);
        assertThat(Files.size(one)).isEqualTo(size);

        // A file added after the build: the stamp no longer holds (the size moved), so the jar is digested.
        try (var zip = java.nio.file.FileSystems.newFileSystem(one)) {
            Files.writeString(zip.getPath("dev/extra.txt"), "added later");
        }
        assertThat(Build.stamp(one)).isNull();
        assertThat(Build.of(one)).isNotEqualTo(build);
    }

    private static Path jar(Path file, Instant time, String a, String b) throws Exception {
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(file))) {
            for (var entry : List.of(Map.entry("dev/A.class", a), Map.entry("dev/B.class", b))) {
                JarEntry e = new JarEntry(entry.getKey());
                e.setLastModifiedTime(FileTime.from(time));
                out.putNextEntry(e);
                out.write(entry.getValue().getBytes(java.nio.charset.StandardCharsets.UTF_8));
                out.closeEntry();
            }
        }
        return file;
    }

    private static ClusterNode node(String build) {
        Config config = ConfigFactory.parseMap(Map.of(
                "pekko.remote.artery.canonical.hostname", "127.0.0.1",
                "pekko.remote.artery.canonical.port", 0,
                "pekko.cluster.seed-nodes", List.of(),
                "pekko.cluster.roles", List.of("worker"),
                SameBuildCheck.KEY, build)).withFallback(ConfigFactory.load());
        return new ClusterNode(config, null, null, 0, null, null);
    }

    private static void joinSeed(ClusterNode node, ClusterNode seed) {
        Cluster.get(node.system()).manager().tell(new JoinSeedNodes(
                List.of(Cluster.get(seed.system()).selfMember().address())));
    }

    private static void await(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as(what + " within 60 s").isLessThan(deadline);
            Thread.sleep(50);
        }
    }
}
