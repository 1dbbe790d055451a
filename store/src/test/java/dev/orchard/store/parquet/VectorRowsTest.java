package dev.orchard.store.parquet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.orchard.store.LocalObjectStore;
import dev.orchard.store.Location;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VectorRowsTest {

    @TempDir
    Path dir;

    @Test
    void rowsRoundTripThroughParquet() throws Exception {
        var store = new LocalObjectStore();
        Location target = Location.local(dir.resolve("features/part-00001.parquet"));
        Random random = new Random(7);
        float[] a = new float[1280];
        for (int i = 0; i < a.length; i++) {
            a[i] = random.nextFloat();
        }
        try (var writer = new VectorRowsWriter(store, target, "features", dir.resolve("tmp"))) {
            writer.write(new VectorRow("/data/Apple Red 1/1_100.jpg", "Apple Red 1", a));
            writer.write(new VectorRow("/data/é/ü.jpg", null, new float[] {1f, -2f}));
            writer.write(new VectorRow("/data/empty.jpg", "x", new float[0]));
            assertThat(Files.exists(target.path())).as("invisible before commit").isFalse();
            writer.commit();
        }
        assertThat(Files.list(dir.resolve("tmp"))).isEmpty();

        List<VectorRow> rows = VectorRowsReader.readAll(store, target, "features");
        assertThat(rows).hasSize(3);
        assertThat(rows.get(0).path()).isEqualTo("/data/Apple Red 1/1_100.jpg");
        assertThat(rows.get(0).label()).isEqualTo("Apple Red 1");
        assertThat(rows.get(0).values()).containsExactly(a);
        assertThat(rows.get(1).label()).isNull();
        assertThat(rows.get(1).values()).containsExactly(1f, -2f);
        assertThat(rows.get(2).values()).isEmpty();
    }

    @Test
    void writerClosedWithoutCommitLeavesNothing() throws Exception {
        var store = new LocalObjectStore();
        Location target = Location.local(dir.resolve("part.parquet"));
        try (var writer = new VectorRowsWriter(store, target, "pca", dir)) {
            writer.write(new VectorRow("p", "l", new float[] {1f}));
        }
        assertThat(Files.list(dir)).isEmpty();
    }

    @Test
    void readingAnotherSchemaSaysWhatItIs() throws Exception {
        var store = new LocalObjectStore();
        Location target = Location.local(dir.resolve("part.parquet"));
        try (var writer = new VectorRowsWriter(store, target, "pca", dir.resolve("t"))) {
            writer.write(new VectorRow("p", "l", new float[] {1f}));
            writer.commit();
        }
        assertThatThrownBy(() -> VectorRowsReader.readAll(store, target, "features"))
                .hasMessageContaining("Not an Orchard 'features' file");
    }
}
