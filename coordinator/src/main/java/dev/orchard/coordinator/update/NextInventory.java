package dev.orchard.coordinator.update;

import dev.orchard.coordinator.work.GenerationContents;
import dev.orchard.coordinator.work.InventoryEntry;
import java.io.IOException;
import java.util.Iterator;
import java.util.Set;

/**
 * The inventory of the generation a job made: for an update, the base generation's rows that were kept, each now
 * in the new part its base part went to, then every image the job planned (its row's part, or its error). Base
 * errors are never carried: an error image still listed was planned again, one no longer listed is gone. Pure: the
 * coordinator streams files through it, the simulator lists.
 */
public final class NextInventory {

    /** The paths dropped from a regrouped base part (its retired file). */
    @FunctionalInterface
    public interface RetiredLookup {
        Set<String> paths(int basePart) throws IOException;
    }

    @FunctionalInterface
    public interface Sink {
        void accept(InventoryEntry entry) throws IOException;
    }

    private NextInventory() {
    }

    /**
     * Writes the new generation's entries to {@code sink}; {@code base} is the base generation's inventory (null for
     * a first run), read once, in its order.
     */
    public static void write(GenerationContents contents, Iterator<InventoryEntry> base, RetiredLookup retired, Sink sink)
            throws IOException {
        if (contents.isUpdate()) {
            int cachedPart = -1;
            Set<String> cached = Set.of();
            while (base.hasNext()) {
                InventoryEntry e = base.next();
                Integer part = e.isRow() ? contents.basePartToPart().get(e.part()) : null;
                if (part == null) {
                    continue; // an error, or a row of a base part that lost every row
                }
                if (contents.regroupedBase().contains(e.part())) {
                    if (e.part() != cachedPart) {
                        cached = retired.paths(e.part());
                        cachedPart = e.part();
                    }
                    if (cached.contains(e.path())) {
                        continue;
                    }
                }
                sink.accept(InventoryEntry.row(e.path(), e.size(), e.version(), part));
            }
        }
        for (InventoryEntry e : contents.planned()) {
            sink.accept(e);
        }
    }
}
