package dev.orchard.coordinator.work;

import com.fasterxml.jackson.annotation.JsonIgnore;
import dev.orchard.protocol.AttemptRef;
import dev.orchard.protocol.ImageError;
import dev.orchard.protocol.ImageRef;
import dev.orchard.protocol.UnitReport;
import java.util.List;

/**
 * What the coordinator's journal records: every fact a restarted coordinator needs, each written once and
 * never changed (see {@code JobJournal} for where each lies). A unit counts as planned, split or done only once
 * its entry is written.
 */
public sealed interface JournalEntry {

    /** One planned unit. */
    record PlannedUnit(int id, List<ImageRef> images) {
        public PlannedUnit {
            images = List.copyOf(images);
        }
    }

    /** Units planned together, and the inputs the listing skipped meanwhile (unreadable folders, links…). */
    record PlanGroup(int group, List<PlannedUnit> units, List<ImageError> skipped) implements JournalEntry {
        public PlanGroup {
            units = List.copyOf(units);
            skipped = List.copyOf(skipped);
        }
    }

    /**
     * The listing's end: how many units and images it planned. For an update, also the rows it drops from each part
     * of the base generation (their paths are in the {@code retired} files, written before this entry) and how the
     * listing compared with the base generation.
     * <p>{@code partBytes} and {@code maxUnitsPerPart}: the part settings of the coordinator that ended the listing,
     * which every coordinator of the job groups its parts by from then on, its own settings aside. Nothing is
     * published before this entry is journalled, so a coordinator that takes over always groups as the one before it
     * did: a promotion of that one which lands late (its process frozen past its lease's check, thawed after the
     * takeover) then moves the same images into the part it replaces (the protocol simulator's seed 5300, once
     * promotions could land late). Null in a journal written before they were recorded:
     * the coordinator's own settings are taken.
     */
    record PlanComplete(int units, long images, List<Retirement> retired, UpdateCounts update, Long partBytes,
                        Integer maxUnitsPerPart) implements JournalEntry {
        public PlanComplete {
            retired = retired == null ? List.of() : List.copyOf(retired);
        }

        public PlanComplete(int units, long images) {
            this(units, images, List.of(), null, null, null);
        }
    }

    /** An update drops {@code rows} rows (images removed or changed since) from the base generation's part. */
    record Retirement(int part, long rows) {
    }

    /**
     * How an update's listing compared with the base generation, image by image: new, changed (another size or
     * version), gone, the same, and the same but an error before (tried again); and {@code keptUnlisted}, the rows of
     * base images below a folder the listing could not read (in {@code errors.csv}), kept as they were rather than
     * counted as removed (0 in a journal written before it was counted).
     */
    record UpdateCounts(long added, long changed, long removed, long unchanged, long retried, long keptUnlisted) {
        public static final UpdateCounts NONE = new UpdateCounts(0, 0, 0, 0, 0);

        public UpdateCounts(long added, long changed, long removed, long unchanged, long retried) {
            this(added, changed, removed, unchanged, retried, 0);
        }
    }

    /**
     * The accepted REGROUP attempt of a base part: its kept rows (and their statistics) are in the attempt's
     * files. Journalled before it counts, so a restarted coordinator never regroups a part twice.
     */
    record Regrouped(int part, long epoch, int attempt, int rows, long rowsBytes) implements JournalEntry {
        @JsonIgnore
        public AttemptRef attemptRef() {
            return new AttemptRef(epoch, part, attempt);
        }
    }

    /** A unit replaced by single-image units, because it kept taking its workers down. */
    record Split(int parent, List<PlannedUnit> children) implements JournalEntry {
        public Split {
            children = List.copyOf(children);
        }
    }

    /** A unit's accepted attempt (whose rows file holds its rows) and its report, as journalled with its commit. */
    record UnitRecord(int id, long epoch, int attempt, int rows, long rowsBytes, long bytesRead,
                      List<ImageError> errors, UnitReport.StageNanos stages) {
        public UnitRecord {
            errors = List.copyOf(errors);
        }

        public static UnitRecord of(AttemptRef attempt, UnitReport r) {
            return new UnitRecord(attempt.unit(), attempt.epoch(), attempt.attempt(), r.rows(), r.rowsBytes(),
                    r.bytesRead(), r.errors(), r.stages());
        }

        public UnitReport report() {
            return new UnitReport(rows, errors, bytesRead, rowsBytes, stages);
        }

        @JsonIgnore
        public AttemptRef attemptRef() {
            return new AttemptRef(epoch, id, attempt);
        }
    }

    /** An accepted statistics file and the units in it. */
    record Commit(String statistics, List<UnitRecord> units) implements JournalEntry {
        public Commit {
            units = List.copyOf(units);
        }
    }

    /** A single-image unit whose image kept taking its worker down: it is reported, not retried. */
    record Quarantine(int unit, ImageError error) implements JournalEntry {
    }

    /**
     * Every part is published under its final name: a resumed coordinator only writes the final files (the
     * attempts they came from may be gone). {@code sourcesPerPart}: how many of the job's sources, in order, each
     * part gathered, so a resumed coordinator knows which part holds which image (for the inventory) whatever its
     * part-size settings; {@code partBytes}: the part size they were grouped for, which also decides the sources'
     * order in an update (base parts of a quarter of it or more come first, each a part of its own). Null in a
     * journal written before it was recorded: the resumed coordinator's own part size is taken, and an update
     * resumed with another one put images in the wrong parts of its inventory (the protocol simulator, once its
     * coordinators could differ in part settings).
     */
    record Published(int parts, List<Integer> sourcesPerPart, Long partBytes) implements JournalEntry {
        public Published {
            sourcesPerPart = sourcesPerPart == null ? null : List.copyOf(sourcesPerPart);
        }

        public Published(int parts) {
            this(parts, null, null);
        }
    }

    /** What a restarted coordinator finds. */
    record State(List<PlanGroup> groups, List<Split> splits, PlanComplete complete, List<Commit> commits,
                 List<Quarantine> quarantines, Published published, List<Regrouped> regrouped) {
        public static final State EMPTY = new State(List.of(), List.of(), null, List.of(), List.of(), null, List.of());

        public State(List<PlanGroup> groups, List<Split> splits, PlanComplete complete, List<Commit> commits,
                     List<Quarantine> quarantines) {
            this(groups, splits, complete, commits, quarantines, null, List.of());
        }

        public State(List<PlanGroup> groups, List<Split> splits, PlanComplete complete, List<Commit> commits,
                     List<Quarantine> quarantines, Published published) {
            this(groups, splits, complete, commits, quarantines, published, List.of());
        }

        public State {
            groups = List.copyOf(groups);
            splits = List.copyOf(splits);
            commits = List.copyOf(commits);
            quarantines = List.copyOf(quarantines);
            regrouped = List.copyOf(regrouped);
        }

        /**
         * Nothing was journalled. (Not only "no plan group": an update whose listing planned nothing still journals
         * its end, its regroups and its publication, and must resume from them.)
         */
        public boolean isEmpty() {
            return groups.isEmpty() && splits.isEmpty() && complete == null && commits.isEmpty()
                    && quarantines.isEmpty() && published == null && regrouped.isEmpty();
        }
    }
}
