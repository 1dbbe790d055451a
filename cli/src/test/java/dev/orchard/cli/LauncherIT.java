package dev.orchard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code orchard} launcher passes a stop on to its job and waits for it. On the first run after a build (when it
 * records the class-data-sharing archive) Java runs as the script's child; a SIGTERM to the script alone killed
 * the script and left the job running on, orphaned, and the half-written archive behind.
 */
class LauncherIT {

    @Test
    void aStoppedLauncherEndsOnlyWithItsJobAndLeavesNoPartArchive(@TempDir Path temp) throws Exception {
        // No archive yet in this home: this run records one, with Java as the script's child.
        Path home = launcherHome(temp);
        Path target = home.resolve("cli/target");
        Path script = home.resolve("orchard");
        Path log = temp.resolve("launcher.log");
        Process launcher = new ProcessBuilder(script.toString(), "run",
                "--input", JobRun.shared().resolve("data/fruits360-sample").toString(),
                "--output", temp.resolve("out").toString(), "--model", JobRun.model(), "--pca-k", "2")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();

        ProcessHandle job = awaitJavaChild(launcher, Duration.ofMinutes(2));
        launcher.destroy(); // SIGTERM to the script only
        boolean ended = launcher.waitFor(3, TimeUnit.MINUTES);
        String output = Files.readString(log);
        assertThat(ended).as(output).isTrue();
        assertThat(job.isAlive()).as("the job's JVM outlived its launcher\n" + output).isFalse();
        try (Stream<Path> files = Files.list(target)) {
            assertThat(files.map(p -> p.getFileName().toString())).as(output).noneMatch(n -> n.endsWith(".tmp"));
        }
    }

    @Test
    void anUpdateRunsWithTheQuickCompilerUnlessTheUserSetsTheJavaOptions(@TempDir Path temp) throws Exception {
        Path home = launcherHome(temp);
        // A stand-in for java on the PATH that prints the options it was given: the launcher's rule, not the JVM's.
        Path bin = Files.createDirectories(temp.resolve("bin"));
        Path java = Files.writeString(bin.resolve("java"), "#!/bin/sh\necho \"$*\"\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));

        assertThat(launch(home, bin, null, "run", "--input", "in", "--output", "out", "--update"))
                .contains("-XX:TieredStopAtLevel=1").contains("-Xmx4g");
        assertThat(launch(home, bin, null, "run", "--input", "in", "--output", "out"))
                .doesNotContain("TieredStopAtLevel");
        assertThat(launch(home, bin, "-Xmx2g", "run", "--input", "in", "--output", "out", "--update"))
                .doesNotContain("TieredStopAtLevel").contains("-Xmx2g");
    }

    /** A launcher home of its own: the script and the built jar, no archive yet. */
    private static Path launcherHome(Path temp) throws Exception {
        Path home = temp.resolve("home");
        Path target = Files.createDirectories(home.resolve("cli/target"));
        Path script = Files.copy(Nodes.jar().getParent().getParent().getParent().resolve("orchard"), home.resolve("orchard"));
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.createSymbolicLink(target.resolve("orchard.jar"), Nodes.jar());
        return home;
    }

    /** What the launcher in {@code home} ran, with {@code bin} first on the PATH. */
    private static String launch(Path home, Path bin, String javaOptions, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(home.resolve("orchard").toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("PATH", bin + ":" + builder.environment().get("PATH"));
        builder.environment().put("ORCHARD_CDS", "off");
        if (javaOptions == null) {
            builder.environment().remove("ORCHARD_JAVA_OPTS");
        } else {
            builder.environment().put("ORCHARD_JAVA_OPTS", javaOptions);
        }
        Process launcher = builder.start();
        String output = new String(launcher.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(launcher.waitFor(1, TimeUnit.MINUTES)).as(output).isTrue();
        assertThat(launcher.exitValue()).as(output).isZero();
        return output;
    }

    /** The launcher's Java child, once it has one (a condition polled, with a deadline for a broken launcher). */
    private static ProcessHandle awaitJavaChild(Process launcher, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < deadline) {
            Optional<ProcessHandle> java = launcher.toHandle().children()
                    .filter(c -> c.info().command().map(command -> command.endsWith("java")).orElse(false))
                    .findFirst();
            if (java.isPresent()) {
                return java.get();
            }
            assertThat(launcher.isAlive()).as("the launcher ended before starting Java").isTrue();
            Thread.sleep(20);
        }
        throw new AssertionError("the launcher started no Java within " + limit);
    }
}
