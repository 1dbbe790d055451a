package dev.orchard.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * A job JVM's CPU and minor page faults by kind of thread, read from {@code /proc/PID/task/TID/stat} while it runs:
 * each thread's last sample is kept (a thread that ends between samples keeps what it had), so the totals are a
 * little below the process's own. Linux only; elsewhere it reports zeros.
 */
public final class JobThreads {
    /** The kinds of thread reported apart, in the reports' column order. */
    public static final List<String> KINDS = List.of("inference", "decode", "fetch", "units", "JIT", "GC", "other");

    /** Per thread ("TID name"): CPU ticks (user + system) and minor faults at its last sample. */
    private final Map<String, long[]> last = new ConcurrentHashMap<>();

    /** The kind of a thread, by the name Linux shows (its first 15 characters). */
    public static String kind(String threadName) {
        if (threadName.startsWith("orchard-infer")) {
            return "inference";
        }
        if (threadName.startsWith("orchard-decode")) {
            return "decode";
        }
        if (threadName.startsWith("orchard-fetch")) {
            return "fetch";
        }
        if (threadName.startsWith("orchard-unit")) {
            return "units";
        }
        if (threadName.startsWith("C1 Compiler") || threadName.startsWith("C2 Compiler")) {
            return "JIT";
        }
        if (threadName.startsWith("G1 ") || threadName.startsWith("GC Thread") || threadName.startsWith("VM Thread")) {
            return "GC";
        }
        return "other";
    }

    /** Reads every thread of process {@code pid} once; a process or thread that has ended is skipped. */
    public void sample(long pid) {
        try (Stream<Path> tasks = Files.list(Path.of("/proc", String.valueOf(pid), "task"))) {
            for (Path task : tasks.toList()) {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                    String[] f = fields(stat);
                    last.put(task.getFileName() + " " + name, new long[] {cpuTicks(f), Long.parseLong(f[MINFLT])});
                } catch (IOException | RuntimeException gone) {
                    // the thread ended meanwhile
                }
            }
        } catch (IOException | RuntimeException gone) {
            // the process ended meanwhile
        }
    }

    /** A process's CPU so far (user + system, all its threads, the ended ones included), from /proc/PID/stat. */
    public static double processCpuSeconds(long pid) throws IOException {
        return cpuTicks(fields(Files.readString(Path.of("/proc", String.valueOf(pid), "stat")))) / (double) TICKS_PER_SECOND;
    }

    /** The fields of a /proc stat line after the command name (which may hold spaces): index 0 is field 3, state. */
    private static String[] fields(String stat) {
        return stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    }

    /** utime + stime: fields 14 and 15. */
    private static long cpuTicks(String[] fields) {
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }

    /** minflt: field 10. */
    private static final int MINFLT = 7;

    /** CPU seconds by kind, every kind of {@link #KINDS} present. */
    public Map<String, Double> cpuSeconds() {
        Map<String, Double> seconds = new LinkedHashMap<>();
        byKind(0).forEach((kind, ticks) -> seconds.put(kind, ticks / (double) TICKS_PER_SECOND));
        return seconds;
    }

    /** Minor page faults by kind, every kind of {@link #KINDS} present. */
    public Map<String, Long> minorFaults() {
        return byKind(1);
    }

    /** Column {@code i} of the threads' last samples, summed by kind of thread. */
    private Map<String, Long> byKind(int i) {
        Map<String, Long> sums = new LinkedHashMap<>();
        KINDS.forEach(k -> sums.put(k, 0L));
        last.forEach((id, v) -> sums.merge(kind(id.substring(id.indexOf(' ') + 1)), v[i], Long::sum));
        return sums;
    }

    /** USER_HZ: the kernel fixes it at 100 for /proc. */
    private static final int TICKS_PER_SECOND = 100;
}
