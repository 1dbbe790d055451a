package dev.orchard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orchard.store.parquet.VectorRow;
import dev.orchard.worker.image.BadImageCorpus;
import dev.orchard.worker.image.TestImages;
import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The real job, in a JVM of its own, on a generated folder of every awkward and hostile kind of file
 * ({@link BadImageCorpus}: 34 kinds, among them a 9000×9000 16-bit RGBA PNG and a 2000-scan JPEG) and of every
 * listing problem (a dangling link, a link to a folder, an unreadable folder, an empty lost+found, a named pipe):
 * each file is either in the features or in errors.csv with its reason, the job succeeds, and the JVM's peak RSS
 * stays under {@value #RSS_BOUND_MIB} MiB with {@value #HEAP}. Both ways of decoding: on the ONNX lanes ({@code --decode-threads
 * 0}, the default with single-threaded lanes) and in a pool of decode threads.
 */
class CorpusJobTest {
    private static final long SEED = 12;
    private static final String HEAP = "-Xmx1g";
    /** Measured 2026-11: about 700 MiB (see the report printed below); the 16-bit RGBA PNG alone would add ~850. */
    private static final int RSS_BOUND_MIB = 1_100;

    @TempDir
    Path temp;

    private final Set<String> good = new TreeSet<>();
    private final Map<String, String> bad = new HashMap<>();

    private Path put(Path root, String relative, byte[] bytes) throws Exception {
        Path p = root.resolve(relative);
        Files.createDirectories(p.getParent());
        return Files.write(p, bytes);
    }

    @ParameterizedTest(name = "decode threads: {0}")
    @ValueSource(strings = {"0", "1"}) // on the lanes, and in a pool of one thread: whatever this machine's cores
    void everyFileIsUsedOrReportedWithItsReasonAndTheJvmStaysSmall(String decodeThreads) throws Exception {
        Path in = temp.resolve("in");
        for (BadImageCorpus.Sample sample : BadImageCorpus.generate(SEED)) {
            String path = put(in, "Gemischt, \"bunt\"/" + sample.name(), sample.bytes()).toString();
            if (sample.decodes()) {
                good.add(path);
            } else {
                bad.put(path, sample.reason());
            }
        }
        byte[] jpeg = TestImages.encode(TestImages.gradient(40, 30, BufferedImage.TYPE_3BYTE_BGR), "jpg");
        good.add(put(in, "=SUM(1+1)/label is a formula.jpg", jpeg).toString());
        // Listing problems: each reported, none stops the job.
        Files.createDirectories(in.resolve("links"));
        bad.put(Files.createSymbolicLink(in.resolve("links/gone.jpg"), in.resolve("nowhere.jpg")).toString(),
                "skipped: symbolic link");
        bad.put(Files.createSymbolicLink(in.resolve("links/more"), in.resolve("=SUM(1+1)")).toString(),
                "--follow-links");
        Path locked = put(in, "locked/inside.jpg", jpeg).getParent();
        Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("---------"));
        Files.createDirectories(in.resolve("lost+found"));
        Files.setPosixFilePermissions(in.resolve("lost+found"), PosixFilePermissions.fromString("rwx------"));
        Path pipe = in.resolve("links/pipe.jpg");
        boolean fifo = new ProcessBuilder("mkfifo", pipe.toString()).start().waitFor() == 0;
        if (fifo) {
            bad.put(pipe.toString(), "not a regular file");
        }
        // As root (CI) a folder without permissions is still read: then its image is used; otherwise it is reported.
        boolean lockedOut;
        try (var entries = Files.newDirectoryStream(locked)) {
            lockedOut = false;
        } catch (java.nio.file.AccessDeniedException e) {
            lockedOut = true;
        }
        if (lockedOut) {
            bad.put(locked.toString(), "cannot read folder: permission denied");
        } else {
            good.add(locked.resolve("inside.jpg").toString());
        }

        Path out = temp.resolve("out");
        // The class path goes in an argument file: ONNX Runtime 1.29 crashes (SIGSEGV) while loading in a process
        // whose command line is longer than about 4 KB, and the test class path is 18 KB.
        Path classPath = Files.writeString(temp.resolve("classpath.args"), "-cp \""
                + System.getProperty("java.class.path").replace("\\", "\\\\") + "\"\n");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                HEAP, "@" + classPath, PeakRssMain.class.getName(),
                "run", "--input", in.toString(), "--output", out.toString(), "--overwrite", "--pca-k", "2",
                "--unit-size", "8", "--batch-size", "4", "--model", JobRun.model()));
        command.addAll(List.of("--decode-threads", decodeThreads));
        Path log = temp.resolve("job.log");
        Process job = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        boolean ended = job.waitFor(5, TimeUnit.MINUTES);
        Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("rwx------"));
        String output = Files.readString(log);
        assertThat(ended).as(output).isTrue();
        assertThat(job.exitValue()).as(output).isZero();

        List<VectorRow> rows = Outputs.rows(out, "features");
        Set<String> paths = rows.stream().map(VectorRow::path).collect(Collectors.toCollection(TreeSet::new));
        assertThat(rows).hasSize(paths.size());
        assertThat(paths).isEqualTo(good);
        Map<String, String> errors = new HashMap<>();
        try (CSVParser csv = CSVParser.parse(out.resolve("errors.csv"), StandardCharsets.UTF_8,
                CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).get())) {
            for (CSVRecord r : csv) {
                errors.put(r.get("path"), r.get("reason"));
            }
        }
        assertThat(errors.keySet()).as("seed %d", SEED).isEqualTo(bad.keySet());
        bad.forEach((path, reason) -> assertThat(errors.get(path)).as(path).contains(reason));
        // The label that is a formula is written so that a spreadsheet shows it as text.
        assertThat(Files.readString(out.resolve("pca.csv"))).contains(",'=SUM(1+1),");

        long peakKib = Long.parseLong(output.lines().filter(l -> l.startsWith("peak-rss-kib ")).findFirst()
                .orElseThrow(() -> new AssertionError("no peak-rss line in:\n" + output)).substring(13).trim());
        System.out.printf("CorpusJobTest (decode threads: %s): %d files, %d used, %d in errors.csv; peak RSS %d MiB with %s"
                + " (bound %d MiB)%n", decodeThreads, good.size() + bad.size(), good.size(), bad.size(), peakKib >> 10, HEAP,
                RSS_BOUND_MIB);
        assertThat(peakKib >> 10).isLessThan(RSS_BOUND_MIB);
    }
}
