package dev.orchard.coordinator.update;

import dev.orchard.coordinator.work.InventoryEntry;
import dev.orchard.coordinator.work.JournalEntry.Retirement;
import dev.orchard.coordinator.work.JournalEntry.UpdateCounts;
import dev.orchard.protocol.ImageRef;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * An update's listing compared, image by image and in listing order, with the base generation's inventory. Pure:
 * the lister thread feeds it the listing and the inventory; the simulator feeds it the same way.
 * <ul>
 *   <li>an image the base generation does not have is <b>added</b>: planned;</li>
 *   <li>one it has as a row, with the same size and version, is <b>unchanged</b>: its row is kept, its features are
 *   not computed again;</li>
 *   <li>one with another size or version is <b>changed</b>: planned, its old row dropped;</li>
 *   <li>one that was an error is tried again (<b>retried</b>): a transient failure or a fixed file gets its row;</li>
 *   <li>a base image the listing no longer gives is <b>removed</b>: its row dropped; unless it lies below a folder
 *   the listing could not read (an {@code errors.csv} line of its own: no permission, a path too long, a link to a
 *   drive not mounted), whose images may well be there still: its row is <b>kept unlisted</b>, as it was.</li>
 * </ul>
 * A resumed update lists again from the start (to know which base images are still there), but the images up to
 * the last one it planned before (the "prefix") keep the decisions the journal made: planned if the journal planned
 * them, kept if the base has their row; a file that appeared in the prefix meanwhile waits for the next update.
 */
public final class UpdateComparison {

    /** Where each dropped row goes (the retired file of its base part). */
    @FunctionalInterface
    public interface RetiredSink {
        void retire(int basePart, String path) throws IOException;
    }

    /** What the listing dropped from each base part, and the counts. */
    public record Result(List<Retirement> retirements, UpdateCounts counts) {
    }

    private final InventoryIndex index;
    private final Set<String> plannedBefore;
    private final Predicate<String> afterLastPlanned;
    private final Set<String> addedPaths = new HashSet<>();
    private final Set<String> notListed = new HashSet<>();
    private long added;
    private long changed;
    private long unchanged;
    private long retried;

    /**
     * @param baseInventory    the base generation's inventory
     * @param plannedBefore    the paths the journal planned before a restart (empty for a fresh update)
     * @param afterLastPlanned tells, for each listed path in order, whether it comes after the last image planned
     *                         before a restart (always true for a fresh update)
     */
    public UpdateComparison(Iterator<InventoryEntry> baseInventory, Set<String> plannedBefore,
                            Predicate<String> afterLastPlanned) {
        this.index = InventoryIndex.of(baseInventory);
        this.plannedBefore = plannedBefore;
        this.afterLastPlanned = afterLastPlanned;
    }

    /** Images in the base generation (rows and errors). */
    public int baseImages() {
        return index.size();
    }

    /** One listed image, in listing order: whether to plan it. */
    public boolean compare(ImageRef image) {
        int slot = index.lookup(image.path());
        if (slot >= 0 ? index.has(slot, InventoryIndex.LISTED) : addedPaths.contains(image.path())) {
            return false; // listed twice (a manifest that repeats a key): once is enough
        }
        if (!afterLastPlanned.test(image.path())) {
            if (plannedBefore.contains(image.path())) {
                classify(slot, image);
                if (slot >= 0) {
                    index.mark(slot, InventoryIndex.LISTED);
                } else {
                    addedPaths.add(image.path());
                }
            } else if (slot >= 0 && index.part(slot) >= 0) {
                index.mark(slot, (byte) (InventoryIndex.LISTED | InventoryIndex.KEPT));
                unchanged++;
            }
            // Otherwise it appeared (or, as an error, came back) while the update was stopped: the next update
            // sees it. An error that came back counts as removed: it is neither planned nor kept.
            return false;
        }
        boolean plan = classify(slot, image);
        if (slot < 0) {
            addedPaths.add(image.path());
        } else {
            index.mark(slot, plan ? InventoryIndex.LISTED : (byte) (InventoryIndex.LISTED | InventoryIndex.KEPT));
        }
        return plan;
    }

    /**
     * A path the listing could not list (its {@code errors.csv} line): where it is a folder, the base images below it
     * keep their rows. (A file's path has nothing below it.)
     */
    public void notListed(String path) {
        notListed.add(path);
    }

    /** Counts the image by how it compares with the base; true when it is to be planned. */
    private boolean classify(int slot, ImageRef image) {
        if (slot < 0) {
            added++;
            return true;
        }
        boolean same = index.sameContent(slot, image.size(), image.version());
        if (!same) {
            changed++;
            return true;
        }
        if (index.part(slot) < 0) {
            retried++;
            return true;
        }
        unchanged++;
        return false;
    }

    /**
     * After the listing: reads the base inventory again, gives every dropped row (removed or changed) to
     * {@code sink}, and says how many rows each base part loses.
     */
    public Result finish(Iterator<InventoryEntry> baseInventory, RetiredSink sink) throws IOException {
        Map<Integer, Long> perPart = new TreeMap<>();
        long removed = 0;
        long keptUnlisted = 0;
        while (baseInventory.hasNext()) {
            InventoryEntry e = baseInventory.next();
            int slot = index.lookup(e.path());
            if (slot < 0) {
                throw new IllegalStateException("the base inventory changed while the update read it: " + e.path());
            }
            boolean listed = index.has(slot, InventoryIndex.LISTED);
            // Below a folder it could not list: the row stays as it was (a base error is not carried, as always),
            // unless a resumed update planned the image before it stopped, and a new row comes.
            if (!listed && !plannedBefore.contains(e.path()) && belowNotListed(e.path())) {
                if (e.isRow()) {
                    keptUnlisted++;
                }
                continue;
            }
            if (!listed) {
                removed++;
            }
            if (e.isRow() && !index.has(slot, InventoryIndex.KEPT)) {
                sink.retire(e.part(), e.path());
                perPart.merge(e.part(), 1L, Long::sum);
            }
        }
        List<Retirement> retirements = new ArrayList<>();
        perPart.forEach((part, rows) -> retirements.add(new Retirement(part, rows)));
        return new Result(retirements, new UpdateCounts(added, changed, removed, unchanged, retried, keptUnlisted));
    }

    private boolean belowNotListed(String path) {
        if (notListed.isEmpty()) {
            return false;
        }
        for (int slash = path.lastIndexOf('/'); slash > 0; slash = path.lastIndexOf('/', slash - 1)) {
            if (notListed.contains(path.substring(0, slash))) {
                return true;
            }
        }
        return false;
    }
}
