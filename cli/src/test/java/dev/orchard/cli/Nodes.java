package dev.orchard.cli;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Orchard nodes as separate JVMs on loopback, for the multi-JVM tests: each runs {@code java -jar orchard.jar}
 * with its output in a log file, and is killed (SIGKILL or SIGTERM) or awaited like a process on a real host.
 */
final class Nodes implements AutoCloseable {
    private final Path logs;
    private final List<Process> started = new ArrayList<>();

    Nodes(Path logs) throws IOException {
        this.logs = Files.createDirectories(logs);
    }

    static Path jar() {
        Path jar = Path.of(System.getProperty("orchard.jar", "target/orchard.jar")).toAbsolutePath();
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: the multi-JVM tests run after 'mvn package'");
        }
        return jar;
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** A config file that detects and downs dead nodes in seconds rather than the production defaults. */
    static Path fastFailureDetection(Path dir) throws IOException {
        Path conf = dir.resolve("fast-failure.conf");
        Files.writeString(conf, """
                pekko.cluster.split-brain-resolver.stable-after = 3s
                pekko.cluster.failure-detector.heartbeat-interval = 500ms
                pekko.cluster.failure-detector.acceptable-heartbeat-pause = 2s
                pekko.cluster.down-removal-margin = 1s
                pekko.cluster.singleton.hand-over-retry-interval = 500ms
                """);
        return conf;
    }

    Process start(String name, Map<String, String> env, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g", "-XX:+UseSerialGC",
                "-jar", jar().toString()));
        command.addAll(List.of(args));
        boolean node = args.length > 0 && (args[0].equals("coordinator") || args[0].equals("worker"));
        if (node && !command.contains("--http") && !command.contains("--no-http")) {
            command.addAll(List.of("--http", "127.0.0.1:0")); // many nodes on one host: not the default ports
        }
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(logs.resolve(name + ".log").toFile());
        builder.environment().putAll(env);
        Process process = builder.start();
        started.add(process);
        return process;
    }

    Process start(String name, String... args) throws IOException {
        return start(name, Map.of(), args);
    }

    String log(String name) throws IOException {
        Path file = logs.resolve(name + ".log");
        return Files.exists(file) ? Files.readString(file) : "";
    }

    static void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what);
            }
            Thread.sleep(200);
        }
    }

    /** Sends a signal (STOP, CONT, TERM…) to a node's process, as an operator or the kernel would. */
    static void signal(Process p, String signal) throws IOException, InterruptedException {
        int exit = new ProcessBuilder("kill", "-" + signal, String.valueOf(p.pid())).inheritIO().start().waitFor();
        if (exit != 0) {
            throw new IllegalStateException("kill -" + signal + " " + p.pid() + " failed with " + exit);
        }
    }

    static int exitCode(Process p, Duration timeout) throws InterruptedException {
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("process did not finish within " + timeout);
        }
        return p.exitValue();
    }

    @Override
    public void close() {
        for (Process p : started) {
            p.destroyForcibly();
        }
        for (Process p : started) {
            try {
                p.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
