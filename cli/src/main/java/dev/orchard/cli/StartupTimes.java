package dev.orchard.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;

/**
 * When each step of a job's start-up ended, in seconds since the process started (the OS's start time of this
 * JVM), so that "JVM and jar", "model", "actors" and "first batch in ONNX" add up to what a user waits. One line
 * goes to the log when the first batch reaches ONNX Runtime; bench/EndToEnd reads it.
 */
final class StartupTimes {
    /** Set as early as the class loads (before the logger below: Logback's start is not the JVM's): main touches it first. */
    private static final long MAIN_MILLIS = System.currentTimeMillis();
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(StartupTimes.class);
    private final long processStart;
    private final Map<String, Double> marks = new LinkedHashMap<>();

    StartupTimes() {
        processStart = processStartMillis();
        marks.put("main", seconds(MAIN_MILLIS));
    }

    /** Called first thing in main, so the class (and MAIN_MILLIS) loads then. */
    static void touch() {
        // class initialisation is the point
    }

    synchronized void mark(String step) {
        marks.putIfAbsent(step, seconds(System.currentTimeMillis()));
    }

    /** Marks the last step and logs them all: {@code start-up (s since process start): main=0.41 model=1.52 ...}. */
    synchronized void log(String lastStep) {
        mark(lastStep);
        StringJoiner line = new StringJoiner(" ");
        marks.forEach((step, at) -> line.add(String.format(Locale.ROOT, "%s=%.3f", step, at)));
        LOG.info("start-up (s since process start): {}", line);
    }

    /**
     * When this process started, in epoch milliseconds. On Linux from /proc: the process's start and the clock
     * since boot, both in 10 ms ticks. ({@code ProcessHandle.Info.startInstant()} adds the boot time from
     * /proc/stat's {@code btime}, which has whole seconds only: its answer is up to a second early, which made every
     * start-up step look up to a second slower than it was.)
     */
    static long processStartMillis() {
        try {
            String stat = Files.readString(Path.of("/proc/self/stat"));
            // Fields after the command name (in parentheses, which may hold spaces): state is field 3, starttime 22.
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            double startedAfterBoot = Long.parseLong(fields[22 - 3]) / (double) CLOCK_TICKS_PER_SECOND;
            double uptime = Double.parseDouble(Files.readString(Path.of("/proc/uptime")).split(" ")[0]);
            return System.currentTimeMillis() - Math.round((uptime - startedAfterBoot) * 1000);
        } catch (IOException | RuntimeException notLinux) {
            return ProcessHandle.current().info().startInstant().map(Instant::toEpochMilli).orElse(MAIN_MILLIS);
        }
    }

    /** USER_HZ, which the kernel fixes at 100 for /proc on every architecture Orchard runs on. */
    private static final int CLOCK_TICKS_PER_SECOND = 100;

    private double seconds(long epochMillis) {
        return (epochMillis - processStart) / 1000.0;
    }
}
