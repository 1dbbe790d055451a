package dev.orchard.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Runs {@code orchard} with the given arguments in this JVM, then prints the JVM's peak resident set size (VmHWM,
 * from /proc) as {@code peak-rss-kib N} and exits with the command's code: a child JVM started with this main
 * measures a job's memory exactly, with nothing of the test JVM mixed in.
 */
public final class PeakRssMain {

    private PeakRssMain() {
    }

    public static void main(String[] args) throws Exception {
        int code = Orchard.execute(new PrintWriter(System.err, true), args);
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmHWM:")) {
                System.out.println("peak-rss-kib " + line.replaceAll("[^0-9]", ""));
            }
        }
        System.out.flush();
        System.exit(code);
    }
}
