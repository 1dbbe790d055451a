package dev.orchard.cli;

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
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(StartupTimes.class);
    /** Set as early as the class loads: Orchard.main touches it first. */
    private static final long MAIN_MILLIS = System.currentTimeMillis();
    private final long processStart;
    private final Map<String, Double> marks = new LinkedHashMap<>();

    StartupTimes() {
        processStart = ProcessHandle.current().info().startInstant().map(Instant::toEpochMilli).orElse(MAIN_MILLIS);
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

    private double seconds(long epochMillis) {
        return (epochMillis - processStart) / 1000.0;
    }
}
