package dev.orchard.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Orchard nodes as separate JVMs on loopback, for the multi-JVM tests: each starts through the {@code orchard}
 * launcher with its output in a log file, and is killed (SIGKILL or SIGTERM) or awaited like a process on a real
 * host.
 */
final class Nodes implements AutoCloseable {
    private static final Pattern STATUS_PAGE = Pattern.compile("status page (http://\\S+/)");
    /** How long the nodes {@link #awaitFrozen} watches run between two looks. */
    static final long RUN_BETWEEN_LOOKS_MS = 50;
    /** What {@link #report()} keeps of each log: its last lines, the warnings and errors before them, line starts. */
    private static final int LOG_TAIL = 15;
    private static final int LOG_PROBLEMS = 8;
    private static final int LOG_LINE = 300;
    /**
     * A {@code --bind} for a node that nobody has to find (a worker): the OS picks a free port as the node binds. A
     * node others must find gets its port from {@link dev.orchard.store.LoopbackPorts#pick()}.
     */
    static final String ANY_PORT = "127.0.0.1:0";
    private final Path logs;
    /** Each node's process by name (a name is its log file's too), in the order they started. */
    private final Map<String, Process> started = new java.util.LinkedHashMap<>();

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

    /** The repository's {@code orchard} launcher (-Dorchard.launcher; by default beside this module's folder). */
    static Path launcher() {
        Path launcher = Path.of(System.getProperty("orchard.launcher", "../orchard")).toAbsolutePath().normalize();
        if (!Files.isExecutable(launcher)) {
            throw new IllegalStateException(launcher + " is missing or not executable: the multi-JVM tests start their"
                    + " nodes through it");
        }
        return launcher;
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

    /**
     * Starts a node as deploy-ec2's {@code orchard-node} does on a host: through the {@code orchard} launcher, with
     * the built jar as the installed one ({@code ORCHARD_JAR}), so that it runs with the launcher's JVM settings and
     * the build's class-data-sharing archive. The launcher {@code exec}s Java: the process is the JVM, and a signal
     * reaches it as on a host. Each node gets a 1 GiB heap and the serial collector (many JVMs share two cores here).
     */
    Process start(String name, Map<String, String> env, String... args) throws IOException {
        if (started.containsKey(name)) {
            throw new IllegalArgumentException("a node named " + name + " was started already: its log would be lost");
        }
        List<String> command = new ArrayList<>(List.of(launcher().toString()));
        command.addAll(List.of(args));
        boolean node = args.length > 0 && (args[0].equals("coordinator") || args[0].equals("worker"));
        if (node && !command.contains("--http") && !command.contains("--no-http")) {
            command.addAll(List.of("--http", "127.0.0.1:0")); // many nodes on one host: not the default ports
        }
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(logs.resolve(name + ".log").toFile());
        builder.environment().keySet().removeIf(variable -> variable.startsWith("ORCHARD_"));
        builder.environment().putAll(Map.of("ORCHARD_JAR", jar().toString(),
                "ORCHARD_JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "ORCHARD_JAVA_OPTS", "-Xmx1g -XX:+UseSerialGC"));
        builder.environment().putAll(env);
        Process process = builder.start();
        started.put(name, process);
        return process;
    }

    Process start(String name, String... args) throws IOException {
        return start(name, Map.of(), args);
    }

    /**
     * The address of node {@code name}'s status page ({@code http://127.0.0.1:PORT/}), once it has printed it. Fails
     * with the node's log when it does not within a minute, and at once when the node's process has exited without
     * printing it.
     */
    String statusPage(String name) throws InterruptedException {
        String[] found = new String[1];
        Process process = started.get(name);
        try {
            poll(name + "'s status page address", Duration.ofMinutes(1), () -> {
                Matcher m = STATUS_PAGE.matcher(logOrEmpty(name));
                if (m.find()) {
                    found[0] = m.group(1);
                    return true;
                }
                if (process != null && !process.isAlive()) {
                    throw new AssertionError(name + " exited with " + process.exitValue()
                            + " without printing its status page's address");
                }
                return false;
            });
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; " + name + "'s log:\n" + logOrEmpty(name), e);
        }
        return found[0];
    }

    String logOrEmpty(String name) {
        try {
            return log(name);
        } catch (IOException e) {
            return "";
        }
    }

    String log(String name) throws IOException {
        Path file = logs.resolve(name + ".log");
        return Files.exists(file) ? Files.readString(file) : "";
    }

    /** Whether node {@code name}'s log holds {@code text} yet (false while it cannot be read). */
    boolean logContains(String name, String text) {
        return logOrEmpty(name).contains(text);
    }

    /** Waits for {@code condition}, looking every 200 ms; fails after {@code timeout}. */
    static void poll(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what);
            }
            Thread.sleep(200);
        }
    }

    /** {@link #poll}, failing with {@link #report()}. */
    void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        try {
            poll(what, timeout, condition);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; " + report(), e);
        }
    }

    /**
     * Every node's state and how its log ends, for a failure message: which node had exited, and why, is what a
     * timeout in a multi-JVM test needs, and the logs go with the test's temporary folder. CI shows a failure's first
     * line and the tail of the output, so the one-line summary of the nodes comes first and last; between them, each
     * log's warnings and errors ({@value #LOG_PROBLEMS} at most) and its last {@value #LOG_TAIL} lines.
     */
    String report() {
        List<String> states = new ArrayList<>();
        StringBuilder logs = new StringBuilder();
        for (Map.Entry<String, Process> node : started.entrySet()) {
            Process p = node.getValue();
            String state = node.getKey() + " " + (p.isAlive() ? "running" : "exited " + p.exitValue());
            states.add(state);
            List<String> lines = logOrEmpty(node.getKey()).lines().toList();
            int tail = Math.max(0, lines.size() - LOG_TAIL);
            List<String> problems = lines.subList(0, tail).stream()
                    .filter(line -> line.contains(" WARN ") || line.contains(" ERROR ")).toList();
            logs.append("--- ").append(state).append(": ").append(lines.size()).append(" log lines; ")
                    .append(problems.size()).append(" warnings and errors before the last ").append(LOG_TAIL)
                    .append('\n');
            List<String> shown = new ArrayList<>(problems.subList(Math.max(0, problems.size() - LOG_PROBLEMS),
                    problems.size()));
            shown.addAll(lines.subList(tail, lines.size()));
            shown.forEach(line -> logs.append(shortened(line)));
        }
        String summary = "nodes: " + String.join(", ", states);
        return summary + "\n" + logs + summary;
    }

    private static String shortened(String line) {
        return (line.length() > LOG_LINE ? line.substring(0, LOG_LINE) + " [...]" : line) + "\n";
    }

    /** Awaits a node's exit, failing with {@link #report()} if it runs past {@code timeout} (then it is killed). */
    int exitCode(Process p, Duration timeout) throws InterruptedException {
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            String report = report();
            p.destroyForcibly();
            throw new AssertionError("process did not finish within " + timeout + "; " + report);
        }
        return p.exitValue();
    }

    /**
     * Waits for {@code condition}, looking only while the nodes {@code names} are frozen (SIGSTOP), and returns with
     * them frozen; between two looks they run for {@value #RUN_BETWEEN_LOOKS_MS} ms. A test that must act on another
     * node before these have done more than a little work past the condition (before a job's end, say) can so rely on
     * it by construction: polled while they ran, they would have had the poll's interval and a signal's start to go
     * further in.
     */
    void awaitFrozen(String what, Duration timeout, BooleanSupplier condition, String... names)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            signal("STOP", names);
            if (condition.getAsBoolean()) {
                return;
            }
            signal("CONT", names);
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what + "; " + report());
            }
            Thread.sleep(RUN_BETWEEN_LOOKS_MS);
        }
    }

    /** Sends a signal to the processes of the nodes {@code names}, with one {@code kill}: all of them at once. */
    void signal(String signal, String... names) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("kill", "-" + signal));
        for (String name : names) {
            Process p = started.get(name);
            if (p == null) {
                throw new IllegalArgumentException("no node named " + name + " was started");
            }
            command.add(String.valueOf(p.pid()));
        }
        int exit = new ProcessBuilder(command).inheritIO().start().waitFor();
        if (exit != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed with " + exit);
        }
    }

    /** Sends a signal (STOP, CONT, TERM…) to a node's process, as an operator or the kernel would. */
    static void signal(Process p, String signal) throws IOException, InterruptedException {
        int exit = new ProcessBuilder("kill", "-" + signal, String.valueOf(p.pid())).inheritIO().start().waitFor();
        if (exit != 0) {
            throw new IllegalStateException("kill -" + signal + " " + p.pid() + " failed with " + exit);
        }
    }

    @Override
    public void close() {
        for (Process p : started.values()) {
            p.destroyForcibly();
        }
        for (Process p : started.values()) {
            try {
                p.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
