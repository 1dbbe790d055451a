package dev.orchard.coordinator.work;

import dev.orchard.coordinator.work.JournalEntry.UpdateCounts;
import java.util.Map;
import java.util.Set;

/**
 * What the generation a job makes holds, frozen when its parts are published, for its inventory: each image this
 * job planned with the part that holds its row (or its error), and, for an update, where the base generation's
 * parts went: a base part untouched or regrouped (some rows dropped) is a source of exactly one new part; one
 * whose every row was dropped is in neither map.
 *
 * @param generation       the generation made (0 for a first run)
 * @param baseGeneration   the generation an update built on; -1 for a first run
 * @param basePartToPart   base part → the new part holding its (kept) rows
 * @param regroupedBase    base parts whose rows were filtered (the paths dropped are in the retired files)
 * @param planned          where every image this job planned ended, in plan order (lazily unpacked)
 * @param counts           how the update's listing compared with the base generation; NONE for a first run
 */
public record GenerationContents(int generation, int baseGeneration, Map<Integer, Integer> basePartToPart,
                                 Set<Integer> regroupedBase, Iterable<InventoryEntry> planned, UpdateCounts counts) {

    public boolean isUpdate() {
        return baseGeneration >= 0;
    }
}
