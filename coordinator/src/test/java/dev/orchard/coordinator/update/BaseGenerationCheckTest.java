package dev.orchard.coordinator.update;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.orchard.coordinator.work.WorkState;
import dev.orchard.store.LocalObjectStore;
import dev.orchard.store.Location;
import dev.orchard.store.OutputLayout;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What an update's check of its base generation takes for a part that is none of the base's. */
class BaseGenerationCheckTest {

    @TempDir
    Path temp;

    /**
     * A file in features/ that a reader takes for a part ({@link OutputLayout#isNamedAsPart}: orchard classify reads
     * every {@code part-*.parquet}, and refuses an output with one its generation did not write) but that is no name
     * Orchard gives a part (a file manager's copy, a Spark part): the update took only Orchard's own part names for
     * strays, went on, and kept it, and orchard classify then refused the updated output. Refused as the update starts,
     * like a stray of Orchard's own name.
     */
    @Test
    void aFileAReaderTakesForAPartIsAStrayThoughOrchardNamesNoPartSo() throws Exception {
        OutputLayout layout = new OutputLayout(Location.local(temp.resolve("out")));
        LocalObjectStore store = new LocalObjectStore();
        store.put(layout.part(OutputLayout.FEATURES, 0), new byte[10]);
        store.put(layout.rowsFolder(OutputLayout.FEATURES).resolve("NOTES.txt"), new byte[1]); // not a part to anyone
        WorkState.Base base = new WorkState.Base(0, List.of(new WorkState.BasePart(5, 10)));
        assertThatCode(() -> BaseGenerationCheck.requireIntact(store, layout, layout.root(), base))
                .doesNotThrowAnyException();

        store.put(layout.rowsFolder(OutputLayout.FEATURES).resolve("part-000000 (copy).parquet"), new byte[10]);
        store.put(layout.rowsFolder(OutputLayout.PCA).resolve("part-00000-c000.snappy.parquet"), new byte[10]);
        assertThatThrownBy(() -> BaseGenerationCheck.requireIntact(store, layout, layout.root(), base))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("features/part-000000 (copy).parquet is named as a part but is none of generation"
                        + " 0's")
                .hasMessageContaining("pca/part-00000-c000.snappy.parquet is named as a part")
                .hasMessageContaining("move your own files out of features/ and pca/");
    }

    /** A features/ that is a link to the user's folder: the update deleted the old part there (the data-safety walk). */
    @Test
    void anUpdateRefusesAnOutputWhoseFeaturesFolderIsALink() throws Exception {
        OutputLayout layout = new OutputLayout(Location.local(temp.resolve("linked")));
        LocalObjectStore store = new LocalObjectStore();
        Path mine = java.nio.file.Files.createDirectories(temp.resolve("my-folder"));
        java.nio.file.Files.write(mine.resolve(OutputLayout.partName(0)), new byte[10]);
        java.nio.file.Files.createDirectories(layout.root().path());
        java.nio.file.Files.createSymbolicLink(layout.root().path().resolve(OutputLayout.FEATURES), mine);
        WorkState.Base base = new WorkState.Base(0, List.of(new WorkState.BasePart(5, 10)));
        assertThatThrownBy(() -> BaseGenerationCheck.requireIntact(store, layout, layout.root(), base))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(layout.root().path().resolve("features") + " is a link (to " + mine + ")");
    }
}
