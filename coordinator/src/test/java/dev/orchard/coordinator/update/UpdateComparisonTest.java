package dev.orchard.coordinator.update;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orchard.coordinator.work.InventoryEntry;
import dev.orchard.coordinator.work.JournalEntry.Retirement;
import dev.orchard.coordinator.work.JournalEntry.UpdateCounts;
import dev.orchard.protocol.ImageRef;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** How an update's listing compares with the base generation, fresh and after a restart. */
class UpdateComparisonTest {

    private static final List<InventoryEntry> BASE = List.of(
            InventoryEntry.row("/in/a.jpg", 10, "1", 0),
            InventoryEntry.row("/in/b.jpg", 10, "1", 0),
            InventoryEntry.row("/in/c.jpg", 10, "1", 1),
            InventoryEntry.error("/in/d.jpg", 10, "1", "truncated"),
            InventoryEntry.row("/in/g.jpg", 10, null, 1)); // a plain manifest gives no version

    private static ImageRef image(String name, long size, String version) {
        return new ImageRef("/in/" + name, "x", size, version);
    }

    private record Outcome(List<String> planned, Map<Integer, Set<String>> retired, List<Retirement> retirements,
                           UpdateCounts counts) {
    }

    private static Outcome compare(Set<String> plannedBefore, String lastPlanned, List<ImageRef> listing) throws Exception {
        UpdateComparison c = new UpdateComparison(BASE.iterator(), plannedBefore,
                path -> lastPlanned == null || path.compareTo(lastPlanned) > 0);
        assertThat(c.baseImages()).isEqualTo(BASE.size());
        List<String> planned = new ArrayList<>();
        for (ImageRef image : listing) {
            if (c.compare(image)) {
                planned.add(image.path());
            }
        }
        Map<Integer, Set<String>> retired = new TreeMap<>();
        UpdateComparison.Result r = c.finish(BASE.iterator(), (part, path) -> retired.computeIfAbsent(part,
                p -> new TreeSet<>()).add(path));
        return new Outcome(planned, retired, r.retirements(), r.counts());
    }

    @Test
    void newChangedAndFailedImagesArePlannedRemovedAndChangedRowsRetired() throws Exception {
        Outcome o = compare(Set.of(), null, List.of(
                image("a.jpg", 10, "1"),     // the same
                image("b.jpg", 12, "2"),     // rewritten
                image("d.jpg", 10, "1"),     // an error before: tried again
                image("e.jpg", 5, "1"),      // new
                image("e.jpg", 5, "1"),      // a manifest that repeats a key: once is enough
                image("g.jpg", 10, null)));  // the same, without versions
        assertThat(o.planned()).containsExactly("/in/b.jpg", "/in/d.jpg", "/in/e.jpg");
        assertThat(o.retired()).isEqualTo(Map.of(0, Set.of("/in/b.jpg"), 1, Set.of("/in/c.jpg")));
        assertThat(o.retirements()).containsExactly(new Retirement(0, 1), new Retirement(1, 1));
        assertThat(o.counts()).isEqualTo(new UpdateCounts(1, 1, 1, 2, 1));
    }

    @Test
    void aSizeOrAVersionAloneIsAChange() throws Exception {
        Outcome o = compare(Set.of(), null, List.of(image("a.jpg", 11, "1"), image("b.jpg", 10, "2"),
                image("c.jpg", 10, "1"), image("g.jpg", 10, "7")));
        assertThat(o.planned()).containsExactly("/in/a.jpg", "/in/b.jpg", "/in/g.jpg");
        assertThat(o.counts()).isEqualTo(new UpdateCounts(0, 3, 1, 1, 0)); // d (an error) is gone: removed
        assertThat(o.retired()).isEqualTo(Map.of(0, Set.of("/in/a.jpg", "/in/b.jpg"), 1, Set.of("/in/g.jpg")));
    }

    /**
     * A restart after the journal planned b, d and e (e last): those keep their decisions, a is kept even though it
     * changed meanwhile (the next update sees that), c2 appeared meanwhile before e and waits for the next update,
     * and only f, after e, is planned now.
     */
    @Test
    void aResumedListingKeepsTheDecisionsUpToTheLastPlannedImage() throws Exception {
        Outcome o = compare(Set.of("/in/b.jpg", "/in/d.jpg", "/in/e.jpg"), "/in/e.jpg", List.of(
                image("a.jpg", 99, "9"),
                image("b.jpg", 12, "2"),
                image("c2.jpg", 1, "1"),
                image("d.jpg", 10, "1"),
                image("e.jpg", 5, "1"),
                image("f.jpg", 5, "1"),
                image("g.jpg", 10, null)));
        assertThat(o.planned()).containsExactly("/in/f.jpg");
        assertThat(o.retired()).isEqualTo(Map.of(0, Set.of("/in/b.jpg"), 1, Set.of("/in/c.jpg")));
        assertThat(o.counts()).isEqualTo(new UpdateCounts(2, 1, 1, 2, 1));
    }

    /**
     * The rows of images below a folder the listing could not read stay: a permissions change or a passing error on
     * one folder had an update drop them, counted as "removed" (a user's walk). A file that could not be listed (its
     * own errors.csv line) has nothing below it: gone from the rows as before.
     */
    @Test
    void rowsBelowAFolderThatCouldNotBeListedAreKeptNotRemoved() throws Exception {
        List<InventoryEntry> base = List.of(
                InventoryEntry.row("/in/a.jpg", 10, "1", 0),
                InventoryEntry.row("/in/locked/b.jpg", 10, "1", 0),
                InventoryEntry.row("/in/locked/deeper/c.jpg", 10, "1", 1),
                InventoryEntry.error("/in/locked/d.jpg", 10, "1", "truncated"),
                InventoryEntry.row("/in/locked2.jpg", 10, "1", 1),
                InventoryEntry.row("/in/lockedfile.jpg", 10, "1", 1));
        UpdateComparison c = new UpdateComparison(base.iterator(), Set.of(), path -> true);
        assertThat(c.compare(image("a.jpg", 10, "1"))).isFalse();
        c.notListed("/in/locked");         // a folder: cannot read folder: permission denied
        c.notListed("/in/lockedfile.jpg"); // a file: not a regular file
        Map<Integer, Set<String>> retired = new TreeMap<>();
        UpdateComparison.Result r = c.finish(base.iterator(), (part, path) -> retired.computeIfAbsent(part,
                p -> new TreeSet<>()).add(path));
        assertThat(retired).isEqualTo(Map.of(1, Set.of("/in/locked2.jpg", "/in/lockedfile.jpg")));
        assertThat(r.counts()).isEqualTo(new UpdateCounts(0, 0, 2, 1, 0, 2)); // d was an error: no row to keep
    }

    /**
     * A resumed update whose folder became unreadable after it planned an image there: the planned unit writes the
     * image's new row, so its old one goes (kept, the image had two rows: a review).
     */
    @Test
    void aResumedUpdateDropsTheOldRowOfAnImageItPlannedBelowAFolderItNowCannotList() throws Exception {
        List<InventoryEntry> base = List.of(
                InventoryEntry.row("/in/a.jpg", 10, "1", 0),
                InventoryEntry.row("/in/locked/b.jpg", 10, "1", 0),
                InventoryEntry.row("/in/locked/c.jpg", 10, "1", 0),
                InventoryEntry.row("/in/z.jpg", 10, "1", 0));
        UpdateComparison c = new UpdateComparison(base.iterator(), Set.of("/in/locked/b.jpg"),
                path -> path.compareTo("/in/locked/b.jpg") > 0);
        assertThat(c.compare(image("a.jpg", 10, "1"))).isFalse();
        c.notListed("/in/locked");
        assertThat(c.compare(image("z.jpg", 10, "1"))).isFalse();
        List<String> retired = new ArrayList<>();
        UpdateComparison.Result r = c.finish(base.iterator(), (part, path) -> retired.add(path));
        assertThat(retired).containsExactly("/in/locked/b.jpg");
        assertThat(r.counts().keptUnlisted()).isEqualTo(1); // c
        // Which of the listing's problems are recorded is WorkState's (WorkStateTest).
    }
}
