package dev.orchard.coordinator.outputs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orchard.coordinator.work.GenerationContents;
import dev.orchard.coordinator.work.InventoryEntry;
import dev.orchard.coordinator.work.JournalEntry;
import dev.orchard.store.LocalObjectStore;
import dev.orchard.store.Location;
import dev.orchard.store.OutputLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobOutputsTest {
    @TempDir
    Path dir;

    /**
     * A coordinator that grouped the rows into more parts (another --config's part size, on a standby or before a
     * --resume) promoted parts 1 and 2 before it died; this one groups every row into parts 0 and 1, promoted over the
     * earlier ones. The earlier coordinator's part 2 held images part 0 and 1 hold now: left there, a reader of
     * features/*.parquet saw them twice (a reviewer's schedule, seen with max-units-per-part=1 and a kill mid-publish).
     */
    @Test
    void theFinalFilesLeaveNoPartAnEarlierPlanPublishedBeyondThisOnesParts() throws Exception {
        Path out = dir.resolve("out");
        for (int part : new int[] {0, 1, 2, 7}) {
            writePart(out.resolve("features").resolve(OutputLayout.partName(part)));
        }
        write(out.resolve("_orchard/parts").resolve(String.format("part-%06d.stats", 2)));
        write(out.resolve("features/notes.txt")); // not a part's name: not Orchard's to remove
        List<InventoryEntry> planned = List.of(InventoryEntry.row("/in/a.jpg", 10, "v1", 0),
                InventoryEntry.row("/in/b.jpg", 10, "v1", 1));
        GenerationContents contents = new GenerationContents(0, -1, Map.of(), Set.of(), planned,
                JournalEntry.UpdateCounts.NONE);

        new JobOutputs(new LocalObjectStore(), Location.local(out)).writeFinal(2, false, List.of(), contents,
                new JobOutputs.Report(success(), null, List.of()));

        try (Stream<Path> files = Files.list(out.resolve("features"))) {
            assertThat(files.map(p -> p.getFileName().toString()).sorted())
                    .containsExactly("notes.txt", "part-000000.parquet", "part-000001.parquet");
        }
        assertThat(out.resolve("_orchard/parts/part-000002.stats")).doesNotExist();
        assertThat(out.resolve("_SUCCESS")).exists();
    }

    /**
     * A user's files named as parts beyond the plan's, in a job that an earlier coordinator may have published under
     * other part settings: a text file, and a copy of an Orchard part without the statistics its promotion moves
     * first. They were deleted as that coordinator's (a walk: its --resume after _SUCCESS was removed); now the job's
     * end refuses, naming them, and removes nothing, not even the earlier coordinator's part beside them.
     */
    @Test
    void aUsersFilesNamedAsPartsAreNotRemovedAsAnEarlierPlansParts() throws Exception {
        Path out = dir.resolve("mine");
        for (int part : new int[] {0, 1, 2}) {
            writePart(out.resolve("features").resolve(OutputLayout.partName(part)));
            writePart(out.resolve("pca").resolve(OutputLayout.partName(part)));
            write(out.resolve("_orchard/parts").resolve(String.format("part-%06d.stats", part)));
        }
        Files.writeString(out.resolve("features/part-000042.parquet"), "mine");
        Files.copy(out.resolve("pca/part-000000.parquet"), out.resolve("pca/part-000007.parquet"));
        List<InventoryEntry> planned = List.of(InventoryEntry.row("/in/a.jpg", 10, "v1", 0),
                InventoryEntry.row("/in/b.jpg", 10, "v1", 1));
        GenerationContents contents = new GenerationContents(0, -1, Map.of(), Set.of(), planned,
                JournalEntry.UpdateCounts.NONE);

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new JobOutputs(new LocalObjectStore(),
                        Location.local(out)).writeFinal(2, true, List.of(), contents,
                        new JobOutputs.Report(success(), null, List.of())))
                .hasMessageContaining("features/part-000042.parquet").hasMessageContaining("pca/part-000007.parquet")
                .hasMessageContaining("are none of this job's").hasMessageNotContaining("part-000002");
        assertThat(out.resolve("features/part-000042.parquet")).hasContent("mine");
        assertThat(out.resolve("pca/part-000007.parquet")).exists();
        assertThat(out.resolve("features/part-000002.parquet")).exists();
        assertThat(out.resolve("_SUCCESS")).doesNotExist();
    }

    /**
     * A file named as a part put into features/ while an update ran (after the update's check at its start): the swap
     * replaced one of the new generation's name with its own part, and kept another beside the new parts, the output
     * then holding rows twice (the data-safety walk). The update's end looks again before the swap begins, and stops
     * with nothing of the output changed.
     */
    @Test
    void anUpdateStopsBeforeItsSwapWhereAFileNamedAsAPartAppearedMeanwhile() throws Exception {
        Path out = dir.resolve("updated");
        OutputLayout layout = new OutputLayout(Location.local(out));
        LocalObjectStore store = new LocalObjectStore();
        writePart(out.resolve("features/part-000000.parquet"));
        new dev.orchard.coordinator.update.GenerationSummary(0, -1, List.of(new dev.orchard.coordinator.work.WorkState
                .BasePart(2, Files.size(out.resolve("features/part-000000.parquet")))), 2, 0, null, null)
                .write(store, layout);
        Files.writeString(out.resolve("features/part-000000-g000001.parquet"), "my notes");
        GenerationContents contents = new GenerationContents(1, 0, Map.of(), Set.of(), List.of(),
                JournalEntry.UpdateCounts.NONE);

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new JobOutputs(store, Location.local(out), 1)
                        .writeFinal(1, false, List.of(), contents, new JobOutputs.Report(success(), null, List.of())))
                .hasMessageContaining("--update stopped before its swap: features/part-000000-g000001.parquet is named"
                        + " as a part but is none of generation 0's");
        assertThat(out.resolve("features/part-000000-g000001.parquet")).hasContent("my notes");
        assertThat(out.resolve("features/part-000000.parquet")).exists();
    }

    /** A part's file as Orchard writes one, as far as a check reads it: Parquet with Orchard's schema in its footer. */
    private static void writePart(Path file) throws Exception {
        Files.createDirectories(file.getParent());
        Files.write(file, dev.orchard.store.parquet.ParquetFooterFixture.footerOnly(
                Map.of("orchard.schema", "path,label,features"), 100));
    }

    private static void write(Path file) throws Exception {
        Files.createDirectories(file.getParent());
        Files.write(file, new byte[] {1, 2, 3});
    }

    private static Map<String, Object> success() {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("job", "job-1");
        s.put("output", "/out");
        s.put("counts", Map.of("images", 2, "rows", 2, "errors", 0, "units", 2, "parts", 2));
        s.put("model", Map.of("location", "m.onnx", "sha256", "ab".repeat(32), "spec", "mobilenetv2", "featureTensor", "464"));
        s.put("seconds", Map.of("features", 1.0, "publish", 0.1, "total", 1.5));
        s.put("stageSeconds", Map.of("list", 0.1, "read", 0.1, "decode", 0.1, "preprocess", 0.1, "infer", 1.0,
                "statistics", 0.1, "write", 0.1));
        s.put("workers", Map.of());
        s.put("versions", Map.of("orchard", "test"));
        return s;
    }
}
