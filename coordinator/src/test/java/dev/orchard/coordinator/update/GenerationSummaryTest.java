package dev.orchard.coordinator.update;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orchard.coordinator.work.WorkState;
import dev.orchard.store.LocalObjectStore;
import dev.orchard.store.Location;
import dev.orchard.store.OutputLayout;
import dev.orchard.store.PartSizes;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The summary the coordinator writes lists its parts as {@link PartSizes} reads them (orchard classify and the swap
 * read them so): a writer and a reader of one file, held together here.
 */
class GenerationSummaryTest {

    @TempDir
    Path temp;

    @Test
    void itsPartsReadBackAsPartSizes() throws Exception {
        OutputLayout layout = new OutputLayout(Location.local(temp));
        LocalObjectStore store = new LocalObjectStore();
        List<WorkState.BasePart> parts = List.of(new WorkState.BasePart(10, 1234), new WorkState.BasePart(3, 567));
        new GenerationSummary(2, 1, parts, 13, 0, null, List.of(89L, 12L)).write(store, layout);
        new GenerationSummary(0, -1, parts.subList(0, 1), 10, 0, null, null).write(store, layout);

        PartSizes two = PartSizes.read(store, layout, 2);
        assertThat(two.of(OutputLayout.FEATURES)).containsExactly(1234L, 567L);
        assertThat(two.of(OutputLayout.PCA)).containsExactly(89L, 12L);
        assertThat(two.parts()).isEqualTo(2);
        PartSizes zero = PartSizes.read(store, layout, 0);
        assertThat(zero.of(OutputLayout.FEATURES)).containsExactly(1234L);
        assertThat(zero.of(OutputLayout.PCA)).as("no pca/ sizes recorded").isNull();
        assertThat(PartSizes.read(store, layout, 1)).as("no summary").isNull();
    }
}
