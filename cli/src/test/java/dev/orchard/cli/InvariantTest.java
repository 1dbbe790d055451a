package dev.orchard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orchard.store.parquet.VectorRow;
import dev.orchard.worker.image.TestImages;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DESIGN.md's invariant on a folder mixing good images of every awkward kind with broken ones: each readable
 * input appears in the output exactly once, each unreadable one in errors.csv with its reason, and the job
 * succeeds.
 */
class InvariantTest {

    @TempDir
    Path temp;

    private final Set<String> good = new TreeSet<>();
    private final Map<String, String> bad = new HashMap<>();

    private Path put(Path root, String relative, byte[] bytes) throws Exception {
        Path p = root.resolve(relative);
        Files.createDirectories(p.getParent());
        Files.write(p, bytes);
        return p;
    }

    @Test
    void everyReadableImageOnceEveryBadOneInErrors() throws Exception {
        Path in = temp.resolve("input");
        Path fruit = JobRun.shared().resolve("data/fruits360-sample/Banana");
        List<Path> bananas;
        try (var files = Files.list(fruit)) {
            bananas = files.sorted().limit(5).toList();
        }
        for (Path b : bananas) {
            good.add(put(in, "Äpfel und Bananen/" + b.getFileName(), Files.readAllBytes(b)).toString());
        }
        good.add(put(in, "Grün 2/gray.png", TestImages.encode(TestImages.gradient(50, 30, BufferedImage.TYPE_BYTE_GRAY), "png")).toString());
        good.add(put(in, "Grün 2/alpha.PNG", TestImages.encode(TestImages.gradient(30, 50, BufferedImage.TYPE_INT_ARGB), "png")).toString());
        good.add(put(in, "Grün 2/deep16.png", TestImages.png16(40, 40)).toString());
        good.add(put(in, "Grün 2/sideways.JPG", TestImages.jpegWithOrientation(
                TestImages.gradient(80, 40, BufferedImage.TYPE_3BYTE_BGR), 6)).toString());
        good.add(put(in, "Grün 2/tiny.jpeg", TestImages.encode(TestImages.gradient(3, 2, BufferedImage.TYPE_3BYTE_BGR), "jpg")).toString());
        byte[] banana = Files.readAllBytes(bananas.get(0));
        bad.put(put(in, "broken/truncated.jpg", Arrays.copyOf(banana, banana.length / 2)).toString(), "truncated");
        bad.put(put(in, "broken/empty.jpg", new byte[0]).toString(), "empty");
        bad.put(put(in, "broken/notes.jpg", "these are notes, not pixels".getBytes()).toString(), "not an image");
        bad.put(put(in, "broken/bomb.png", TestImages.pngHeaderOnly(60_000, 60_000)).toString(), "pixel limit");
        // Not inputs at all: hidden, or not matching the glob.
        put(in, ".thumbnails/x.jpg", banana);
        put(in, "Grün 2/.x.jpg", banana);
        put(in, "readme.txt", "hello".getBytes());
        put(in, "Grün 2/anim.gif", banana);

        Path out = temp.resolve("out");
        // Small units and batches so the bad images land in several units and batches.
        JobRun run = JobRun.of(out, "run", "--input", in.toString(), "--output", out.toString(), "--pca-k", "3",
                "--unit-size", "4", "--batch-size", "3", "--model", JobRun.model());
        assertThat(run.exitCode()).as(run.messages()).isZero();

        List<VectorRow> rows = run.rows("features");
        assertThat(rows.stream().map(VectorRow::path).toList()).doesNotHaveDuplicates();
        Set<String> paths = rows.stream().map(VectorRow::path).collect(Collectors.toCollection(TreeSet::new));
        assertThat(paths).isEqualTo(good);
        assertThat(run.rows("pca").stream().map(VectorRow::path).collect(Collectors.toSet())).isEqualTo(good);

        Map<String, String> errors = new HashMap<>();
        try (CSVParser csv = CSVParser.parse(out.resolve("errors.csv"), java.nio.charset.StandardCharsets.UTF_8,
                CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).get())) {
            for (CSVRecord r : csv) {
                errors.put(r.get("path"), r.get("reason"));
            }
        }
        assertThat(errors.keySet()).isEqualTo(bad.keySet());
        bad.forEach((path, reason) -> assertThat(errors.get(path)).containsIgnoringCase(reason));
    }
}
