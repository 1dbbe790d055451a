package dev.orchard.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orchard.store.LocalObjectStore;
import dev.orchard.store.Location;
import dev.orchard.store.ObjectStore;
import dev.orchard.store.OutputLayout;
import dev.orchard.store.parquet.VectorRow;
import dev.orchard.store.parquet.VectorRowsWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The soak's verdict on an output: what it counts as lost, duplicated and in errors.csv. */
class SoakOutcomeTest {
    private static final Set<String> IMAGES = Set.of("a.jpg", "b.jpg", "c.jpg", "d.jpg");

    @TempDir
    Path dir;

    @Test
    void anOutputWithEveryImageOnceIsClean() throws Exception {
        Location out = output(List.of("a.jpg", "b.jpg", "c.jpg"), List.of("a.jpg", "b.jpg", "c.jpg"), "d.jpg");
        assertThat(outcome(out)).isEqualTo(new Soak.Outcome(0, 0, 1));
    }

    @Test
    void anImageInNeitherTheRowsNorErrorsCsvIsLost() throws Exception {
        Location out = output(List.of("a.jpg", "b.jpg"), List.of("a.jpg", "b.jpg"), "d.jpg");
        assertThat(outcome(out)).isEqualTo(new Soak.Outcome(1, 0, 1));
    }

    @Test
    void aFeaturesRowWithoutItsPcaRowIsLost() throws Exception {
        Location out = output(List.of("a.jpg", "b.jpg", "c.jpg", "d.jpg"), List.of("a.jpg", "b.jpg", "c.jpg"), null);
        assertThat(outcome(out)).isEqualTo(new Soak.Outcome(1, 0, 0));
    }

    @Test
    void aPathTwiceInEitherFolderIsDuplicated() throws Exception {
        Location out = output(List.of("a.jpg", "b.jpg", "c.jpg", "d.jpg", "a.jpg"),
                List.of("a.jpg", "b.jpg", "c.jpg", "d.jpg", "b.jpg", "c.jpg"), null);
        assertThat(outcome(out)).isEqualTo(new Soak.Outcome(0, 3, 0));
    }

    private Soak.Outcome outcome(Location out) throws Exception {
        try (ObjectStore store = new LocalObjectStore()) {
            return Soak.outcome(store, out, IMAGES);
        }
    }

    /** An output folder: a part of {@code features} rows, one of {@code pca} rows, and errors.csv with {@code error}. */
    private Location output(List<String> features, List<String> pca, String error) throws Exception {
        Location out = Location.local(dir.resolve("out"));
        try (ObjectStore store = new LocalObjectStore()) {
            write(store, out, OutputLayout.FEATURES, features, 4);
            write(store, out, OutputLayout.PCA, pca, 2);
        }
        Files.writeString(dir.resolve("out/errors.csv"), "path,reason\r\n" + (error == null ? "" : error + ",unreadable\r\n"),
                StandardCharsets.UTF_8);
        return out;
    }

    private void write(ObjectStore store, Location out, String column, List<String> paths, int dim) throws Exception {
        try (VectorRowsWriter writer = new VectorRowsWriter(store, out.resolve(column).resolve("part-00000.parquet"), column,
                Files.createDirectories(dir.resolve("tmp")))) {
            for (String path : paths) {
                writer.write(new VectorRow(path, "label", new float[dim]));
            }
            writer.commit();
        }
    }
}
