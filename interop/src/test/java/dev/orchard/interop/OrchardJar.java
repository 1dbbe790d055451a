package dev.orchard.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the packaged {@code orchard.jar} in a child JVM through the {@code orchard} launcher, as users do. Orchard's
 * classes (parquet-java 1.16, Jackson 2.19, Hadoop API 3.4) thus never share a classpath with Spark's.
 */
final class OrchardJar {
    private final Process process;
    private final Path log;
    private final List<String> args;
    private final long start = System.nanoTime();

    private OrchardJar(Path log, List<String> args) throws IOException {
        this.log = log;
        this.args = args;
        List<String> command = new ArrayList<>(List.of(launcher().toString()));
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().keySet().removeIf(variable -> variable.startsWith("ORCHARD_"));
        builder.environment().putAll(Map.of("ORCHARD_JAR", jar().toString(),
                "ORCHARD_JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "ORCHARD_JAVA_OPTS", "-Xmx1g"));
        this.process = builder.start();
    }

    /** The {@code orchard} launcher, which starts the jar as users start it. */
    static Path launcher() {
        String location = System.getProperty("orchard.launcher");
        assertThat(location).as("-Dorchard.launcher (set by this module's failsafe configuration)").isNotNull();
        return Path.of(location);
    }

    static Path jar() {
        String location = System.getProperty("orchard.jar");
        assertThat(location).as("-Dorchard.jar (set by this module's failsafe configuration)").isNotNull();
        Path jar = Path.of(location);
        assertThat(jar).as("the runnable jar: build it with 'mvn package -pl cli -am' (verify does)").exists();
        return jar;
    }

    /** Starts one orchard command; its output goes to {@code log}. */
    static OrchardJar start(Path log, String... args) throws IOException {
        return new OrchardJar(log, List.of(args));
    }

    /** Ends the command if it still runs (after another one failed). */
    void stop() {
        process.destroyForcibly();
    }

    /** Waits for the command; fails the test with the end of its output unless it exits 0. */
    void await() throws IOException, InterruptedException {
        if (!process.waitFor(10, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError("orchard " + args.get(0) + " did not finish in 10 minutes; see " + log);
        }
        if (process.exitValue() != 0) {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            throw new AssertionError("orchard " + String.join(" ", args) + " exited " + process.exitValue() + ":\n"
                    + String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size())));
        }
        System.out.printf("orchard %s: %.1f s (log: %s)%n", args.get(0), (System.nanoTime() - start) / 1e9, log);
    }
}
