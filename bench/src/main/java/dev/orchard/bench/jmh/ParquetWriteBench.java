package dev.orchard.bench.jmh;

import dev.orchard.store.LocalObjectStore;
import dev.orchard.store.Location;
import dev.orchard.store.parquet.VectorRow;
import dev.orchard.store.parquet.VectorRowsWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One features part of 1,000 rows (path, label, 1280 floats) written with the job's {@link VectorRowsWriter}
 * (its default encodings: PLAIN floats, ZSTD pages) to a local temporary file and committed (copy + atomic rename) into a local output
 * folder: the full cost of a unit's Parquet output on local disk, about 5 MB of floats.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ParquetWriteBench {
    private static final int ROWS = 1000;
    private static final int DIM = 1280;
    private static final String[] LABELS = {"Apple Braeburn", "Banana", "Clementine", "Kiwi", "Lemon", "Mango"};

    private VectorRow[] rows;
    private Path folder;
    private LocalObjectStore store;
    private Location target;

    @Setup
    public void setup() throws IOException {
        float[] values = BenchData.reluLikeRows(ROWS, DIM, 1000);
        rows = new VectorRow[ROWS];
        for (int r = 0; r < ROWS; r++) {
            String label = LABELS[r % LABELS.length];
            rows[r] = new VectorRow("/data/fruits360/Training/" + label + "/r_" + r + "_100.jpg", label,
                    Arrays.copyOfRange(values, r * DIM, (r + 1) * DIM));
        }
        folder = Files.createTempDirectory("orchard-parquet-bench");
        Files.createDirectories(folder.resolve("features"));
        store = new LocalObjectStore();
        target = Location.local(folder.resolve("features/part-00000.parquet"));
    }

    @TearDown
    public void deleteFolder() throws IOException {
        try (Stream<Path> walk = Files.walk(folder)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    @Benchmark
    public long writeAndCommit() throws IOException {
        try (VectorRowsWriter writer = new VectorRowsWriter(store, target, "features", folder.resolve("tmp"))) {
            for (VectorRow row : rows) {
                writer.write(row);
            }
            writer.commit();
            return writer.rows();
        }
    }
}
