package dev.orchard.coordinator.work;

import dev.orchard.coordinator.work.JournalEntry.PlanGroup;
import dev.orchard.coordinator.work.JournalEntry.PlannedUnit;
import dev.orchard.protocol.ImageError;
import dev.orchard.protocol.ImageRef;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The listing made into the job's plan: listed images cut into units, the units gathered into plan groups that are
 * journalled one at a time, in order, so the journal never holds a group without the ones before it (a resumed
 * listing continues after the last planned image and loses none); and the inputs the listing could not take (a
 * dangling link, a folder it cannot read), each path once.
 */
final class ListingPlan {

    private final UnitCutter cutter;
    private final Map<Integer, List<Unit>> inFlight = new HashMap<>(); // group → its units, until journalled
    private final Deque<PlanGroup> toWrite = new ArrayDeque<>();
    private boolean writing;
    private int nextGroup;
    private long listed;
    private int lastPlannedId = -1;
    private String lastPlannedPath;
    private final List<ImageError> skipped = new ArrayList<>();
    /**
     * The paths in {@code skipped}. A resumed listing takes up after the last planned image, but a listing problem is
     * planned (journalled) as soon as it is listed, while the images before it may still wait in the cutter: the
     * listing after a crash reports it again, and errors.csv had it twice (an entry the listing reported anew is
     * dropped here).
     */
    private final Set<String> skippedPaths = new HashSet<>();
    /** A resumed plan's: the paths of the images planned before the restart, gathered when first asked; else null. */
    private java.util.function.Supplier<Set<String>> plannedBefore;
    /**
     * Those paths, gathered at the first problem a resumed listing reports that was not recorded before (most resumes
     * have none and never gather them): ~120 bytes an image while the coordinator lives, as an update's comparison
     * holds them. Gathered once: from every journal group as it was replayed, a resume of 800,000 images took 46 s
     * where it took 0.3 (the diff's review).
     */
    private Set<String> plannedBeforePaths;

    ListingPlan(int unitSize, int unitImageBytes) {
        this.cutter = new UnitCutter(unitSize, unitImageBytes);
    }

    /** Listed images, in listing order: the units they complete. */
    List<List<ImageRef>> cut(List<ImageRef> images) {
        return cutter.add(images);
    }

    /** The listing ended: the last, partial unit's images (empty if none). */
    List<ImageRef> flush() {
        return cutter.flush();
    }

    /**
     * Of {@code listed}, those to record: now kept in {@link #skipped()}. Not one skipped before, nor one at an image
     * planned before a restart: a resumed listing reports its problems from the start, and a planned image that
     * became one while the job was stopped (a file swapped for a link, an entry whose kind can no longer be read)
     * is its unit's to account for, as a row or an error; errors.csv had it besides (a review).
     */
    List<ImageError> skip(List<ImageError> listed) {
        List<ImageError> fresh = new ArrayList<>(listed.size());
        for (ImageError e : listed) {
            if (!skippedPaths.contains(e.path()) && !plannedBeforeResume(e.path())) {
                skippedPaths.add(e.path());
                fresh.add(e);
            }
        }
        skipped.addAll(fresh);
        return fresh;
    }

    /** The plan is a resumed one: {@code plannedBefore} gives the paths of the images planned before the restart. */
    void resumed(java.util.function.Supplier<Set<String>> plannedBefore) {
        this.plannedBefore = plannedBefore;
    }

    private boolean plannedBeforeResume(String path) {
        if (plannedBefore == null) {
            return false;
        }
        if (plannedBeforePaths == null) {
            plannedBeforePaths = plannedBefore.get();
        }
        return plannedBeforePaths.contains(path);
    }

    /** Plans the next group: a unit made by {@code newUnit} of each of {@code cut}, and {@code skippedInputs}. */
    void add(List<List<ImageRef>> cut, List<ImageError> skippedInputs, Function<List<ImageRef>, Unit> newUnit) {
        List<PlannedUnit> planned = new ArrayList<>();
        List<Unit> group = new ArrayList<>();
        for (List<ImageRef> images : cut) {
            Unit u = newUnit.apply(images);
            group.add(u);
            planned.add(new PlannedUnit(u.id, images));
            planned(u.id, images);
        }
        int number = nextGroup++;
        inFlight.put(number, group);
        toWrite.add(new PlanGroup(number, planned, skippedInputs));
    }

    /** The group to journal now, unless one is being written (then null: it follows once that one is). */
    PlanGroup nextToWrite() {
        if (writing || toWrite.isEmpty()) {
            return null;
        }
        writing = true;
        return toWrite.poll();
    }

    /** Group {@code number} is journalled: its units, now part of the job; null if it was not in flight. */
    List<Unit> journalled(int number) {
        List<Unit> group = inFlight.remove(number);
        if (group != null) {
            writing = false;
        }
        return group;
    }

    /** A resumed coordinator's: a group the journal holds (its units are made from the journal by the caller). */
    void replay(PlanGroup g) {
        nextGroup = Math.max(nextGroup, g.group() + 1);
        for (PlannedUnit p : g.units()) {
            planned(p.id(), p.images());
        }
    }

    private void planned(int unit, List<ImageRef> images) {
        listed += images.size();
        if (unit > lastPlannedId) {
            lastPlannedId = unit;
            lastPlannedPath = images.get(images.size() - 1).path();
        }
    }

    /** Whether every group planned is journalled. */
    boolean allJournalled() {
        return inFlight.isEmpty();
    }

    /** The groups planned but not yet journalled, for {@link WorkState#describe()}. */
    Set<Integer> inFlight() {
        return inFlight.keySet();
    }

    /** Groups planned but not yet journalled (the lister waits while there are many). */
    int backlog() {
        return toWrite.size() + (writing ? 1 : 0);
    }

    /** Images planned (those a resumed coordinator found in the journal included). */
    long listed() {
        return listed;
    }

    /** The path of the last image planned (the listing continues after it); null if none. */
    String lastPlannedPath() {
        return lastPlannedPath;
    }

    /** The inputs the listing could not take. */
    List<ImageError> skipped() {
        return skipped;
    }
}
