package dev.orchard.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Part names: a first run's, an update's (naming its generation), and those an earlier Orchard gave an update's. */
class OutputLayoutTest {

    @TempDir
    Path temp;

    @Test
    void anUpdatesPartsNameTheirGeneration() {
        assertThat(OutputLayout.partName(12)).isEqualTo("part-000012.parquet");
        assertThat(OutputLayout.partName(0, 12)).isEqualTo("part-000012.parquet");
        assertThat(OutputLayout.partName(3, 12)).isEqualTo("part-000012-g000003.parquet");
        assertThat(OutputLayout.partNumber("part-000012-g000003.parquet")).isEqualTo(12);
        assertThat(OutputLayout.partNumber("part-1234567.parquet")).isEqualTo(1234567);
        assertThat(OutputLayout.partNumber("part-000012.parquet.crc")).isEqualTo(-1);
        assertThat(OutputLayout.isPartOf("part-000012-g000003.parquet", 3)).isTrue();
        assertThat(OutputLayout.isPartOf("part-000012-g000003.parquet", 2)).isFalse();
        assertThat(OutputLayout.isPartOf("part-000012.parquet", 0)).isTrue();
        assertThat(OutputLayout.isPartOf("part-000012.parquet", 1)).isFalse();
        assertThat(OutputLayout.isPartOf("notes.txt", 0)).isFalse();
    }

    /**
     * A part's name among a folder's files: its own, else a first run's (an earlier Orchard's update), else its own
     * (missing). And what a reader takes for a part is wider than the names Orchard gives them.
     */
    @Test
    void aPartIsNamedAmongItsFoldersFiles() {
        assertThat(OutputLayout.partNameAmong(List.of("part-000001.parquet", "part-000001-g000002.parquet"), 2, 1))
                .isEqualTo("part-000001-g000002.parquet");
        assertThat(OutputLayout.partNameAmong(List.of("part-000001.parquet"), 2, 1)).isEqualTo("part-000001.parquet");
        assertThat(OutputLayout.partNameAmong(List.of("part-000001.parquet"), 2, 0))
                .isEqualTo("part-000000-g000002.parquet");
        assertThat(OutputLayout.partNameAmong(List.of("part-000001-g000002.parquet"), 0, 1))
                .isEqualTo("part-000001.parquet");
        assertThat(OutputLayout.isNamedAsPart("part-000001-g000002.parquet")).isTrue();
        assertThat(OutputLayout.isNamedAsPart("part-00001.parquet")).isTrue();
        assertThat(OutputLayout.partNumber("part-00001.parquet")).isEqualTo(-1);
        assertThat(OutputLayout.isNamedAsPart("part-000001.parquet.crc")).isFalse();
        assertThat(OutputLayout.isNamedAsPart("notes.parquet")).isFalse();
        assertThat(OutputLayout.rowsFolders(true)).containsExactly("features", "pca");
        assertThat(OutputLayout.rowsFolders(false)).containsExactly("features");
    }

    /**
     * A base part is read under its generation's name, or, where an earlier Orchard updated the output (its parts of
     * generation 1 and on have a first run's names), under that one.
     */
    @Test
    void aBasePartIsFoundUnderTheNameItWasGiven() throws Exception {
        OutputLayout layout = new OutputLayout(Location.local(temp.resolve("out")));
        LocalObjectStore store = new LocalObjectStore();
        store.put(layout.part(OutputLayout.FEATURES, 2, 0), new byte[] {1});
        store.put(layout.part(OutputLayout.FEATURES, 0, 1), new byte[] {1}); // an earlier Orchard's generation 2
        assertThat(layout.existingPart(store, OutputLayout.FEATURES, 2, 0).path().getFileName())
                .hasToString("part-000000-g000002.parquet");
        assertThat(layout.existingPart(store, OutputLayout.FEATURES, 2, 1).path().getFileName())
                .hasToString("part-000001.parquet");
        assertThat(layout.existingPart(store, OutputLayout.FEATURES, 2, 5).path().getFileName())
                .as("missing: its own name, for the message that names it").hasToString("part-000005-g000002.parquet");
        assertThat(Files.exists(temp.resolve("out/features/part-000000-g000002.parquet"))).isTrue();
    }
}
