package dev.orchard.coordinator.work.sim;

import dev.orchard.coordinator.work.InventoryEntry;
import dev.orchard.coordinator.work.JournalEntry;
import dev.orchard.coordinator.work.WorkState;
import dev.orchard.protocol.AttemptRef;
import dev.orchard.protocol.ImageError;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What survives a crash: the output store. Rows files of attempts, statistics files (which attempts they hold and
 * their "statistics": the list of images counted, so counting an image twice is visible), each generation's
 * journal, the parts a reader sees (each tagged with its generation) and an update's staged ones, the statistics of
 * each generation's parts, inventories, summaries and retired files, errors.csv, CURRENT and _SUCCESS. Checks the
 * invariants that must hold after every write, and what a reader may see at every step of a swap.
 */
final class SimStore {
    record StatisticsFile(List<AttemptRef> attempts, List<String> images) {
    }

    /** A published part as a reader sees it: its rows and the generation it belongs to. */
    record Visible(int generation, List<String> rows) {
    }

    final Map<AttemptRef, List<String>> attemptRows = new HashMap<>();
    final Map<AttemptRef, List<String>> publishAttempts = new HashMap<>();
    final Map<AttemptRef, List<String>> publishStatistics = new HashMap<>();
    final Map<AttemptRef, List<String>> regroupRows = new HashMap<>();
    final Map<AttemptRef, List<String>> regroupStatistics = new HashMap<>();
    final Map<String, StatisticsFile> statistics = new HashMap<>();
    private final Map<Integer, List<JournalEntry>> journals = new HashMap<>();
    private final Map<Integer, Map<Integer, Integer>> committedUnits = new HashMap<>(); // per generation: unit → commits
    /** The parts a reader sees ({@code features/}). */
    final Map<Integer, Visible> published = new TreeMap<>();
    /** An update's parts, promoted to its staging folder. */
    final Map<Integer, Map<Integer, List<String>>> staged = new HashMap<>();
    final Map<Integer, Map<Integer, List<String>>> partStatistics = new HashMap<>();
    /** The test's own record of every part each generation published (never deleted): what a reader must see. */
    final Map<Integer, Map<Integer, List<String>>> generationParts = new HashMap<>();
    final Map<Integer, List<InventoryEntry>> inventories = new HashMap<>();
    final Map<Integer, WorkState.Base> summaries = new HashMap<>();
    final Map<Integer, Map<Integer, Set<String>>> retired = new HashMap<>();
    final Map<Integer, List<ImageError>> stagedErrors = new HashMap<>();
    final Set<Integer> swapBegun = new HashSet<>();
    /** Attempts that read a part of another generation than their base (late copies, run after the swap). */
    final Set<AttemptRef> staleReads = new HashSet<>();
    /** Per generation, the parts whose statistics file was damaged since (it counts another number of rows). */
    final Map<Integer, Set<Integer>> damagedStatistics = new HashMap<>();
    /** Updates refused on damaged statistics, then run again once the file was restored. */
    int restoredStatistics;
    final Set<Integer> cleared = new HashSet<>();
    List<ImageError> errorsCsv;
    List<String> solvedStatistics;
    int current;
    boolean success;
    int successGeneration = -1;
    int finalWritesAfterSuccess;
    /** Promotions of dead coordinators that landed (see {@code SimCoordinator#promoteIo}). */
    int latePromotions;
    int attemptWritesAfterSuccess;
    /** Steps of dead coordinators' swaps that landed late, and _SUCCESS files written again after one removed it. */
    int lateSwapSteps;
    int successRewritten;
    long swapSteps;

    List<JournalEntry> journal(int generation) {
        return journals.computeIfAbsent(generation, g -> new ArrayList<>());
    }

    /** A journal entry lands; a unit in two commits is the bug this whole design exists to prevent. */
    void journal(int generation, JournalEntry entry) {
        if (entry instanceof JournalEntry.Commit c) {
            StatisticsFile file = statistics.get(c.statistics());
            check(file != null, "commit of " + c.statistics() + " journalled, but the file does not exist");
            check(file.attempts().equals(c.units().stream().map(JournalEntry.UnitRecord::attemptRef).toList()),
                    "commit " + c.statistics() + " names other attempts than its file holds");
            List<String> expected = new ArrayList<>();
            for (JournalEntry.UnitRecord r : c.units()) {
                List<String> rows = attemptRows.get(r.attemptRef());
                check(rows != null, "commit " + c.statistics() + " holds " + r.attemptRef() + " whose rows file is gone");
                check(rows.size() == r.rows(), "report of " + r.attemptRef() + " says " + r.rows() + " rows, file has " + rows.size());
                expected.addAll(rows);
                int n = committedUnits.computeIfAbsent(generation, g -> new HashMap<>()).merge(r.id(), 1, Integer::sum);
                check(n == 1, "unit " + r.id() + " journalled in " + n + " commits (again in " + c.statistics() + ")");
            }
            check(file.images().equals(expected), "statistics " + c.statistics() + " do not match the rows of its attempts");
        } else if (entry instanceof JournalEntry.Regrouped r) {
            check(!staleReads.contains(r.attemptRef()), "regroup " + r.attemptRef() + " read another generation's part");
            List<String> rows = regroupRows.get(r.attemptRef());
            check(rows != null && rows.size() == r.rows(), "regroup of base part " + r.part() + " journalled, but its"
                    + " rows file " + (rows == null ? "is gone" : "holds " + rows.size() + " rows, not " + r.rows()));
            check(rows.equals(regroupStatistics.get(r.attemptRef())), "the statistics of regrouped base part "
                    + r.part() + " are not exactly its kept rows");
        } else if (entry instanceof JournalEntry.PlanComplete c) {
            for (JournalEntry.Retirement r : c.retired()) {
                Set<String> paths = retired.getOrDefault(generation, Map.of()).get(r.part());
                check(paths != null && paths.size() == r.rows(), "the plan drops " + r.rows() + " rows from base part "
                        + r.part() + " but its retired file " + (paths == null ? "is missing" : "names " + paths.size()));
            }
        }
        journal(generation).add(entry);
    }

    JournalEntry.State state(int generation) {
        List<JournalEntry.PlanGroup> groups = new ArrayList<>();
        List<JournalEntry.Split> splits = new ArrayList<>();
        JournalEntry.PlanComplete complete = null;
        List<JournalEntry.Commit> commits = new ArrayList<>();
        List<JournalEntry.Quarantine> quarantines = new ArrayList<>();
        List<JournalEntry.Regrouped> regrouped = new ArrayList<>();
        JournalEntry.Published published = null;
        for (JournalEntry e : journal(generation)) {
            if (e instanceof JournalEntry.Published p) {
                published = p;
            } else if (e instanceof JournalEntry.PlanGroup g) {
                groups.add(g);
            } else if (e instanceof JournalEntry.Split s) {
                splits.add(s);
            } else if (e instanceof JournalEntry.PlanComplete c) {
                complete = c;
            } else if (e instanceof JournalEntry.Commit c) {
                commits.add(c);
            } else if (e instanceof JournalEntry.Quarantine q) {
                quarantines.add(q);
            } else if (e instanceof JournalEntry.Regrouped r) {
                regrouped.add(r);
            }
        }
        return new JournalEntry.State(groups, splits, complete, commits, quarantines, published, regrouped);
    }

    /**
     * What a reader sees must be one generation: every visible part of the same one and, while _SUCCESS is there,
     * all of the generation it names (with CURRENT naming it too).
     */
    void checkReaderView() {
        swapSteps++;
        Set<Integer> generations = new HashSet<>();
        published.values().forEach(v -> generations.add(v.generation()));
        check(generations.size() <= 1, "a reader sees parts of generations " + generations + " side by side");
        if (success) {
            check(current == successGeneration, "_SUCCESS names generation " + successGeneration + ", CURRENT " + current);
            Map<Integer, List<String>> complete = generationParts.getOrDefault(successGeneration, Map.of());
            Map<Integer, List<String>> visible = new LinkedHashMap<>();
            published.forEach((p, v) -> visible.put(p, v.rows()));
            check(visible.equals(complete), "_SUCCESS names generation " + successGeneration
                    + " but a reader sees other parts than it published");
        }
    }

    static void check(boolean condition, String message) {
        if (!condition) {
            throw new AssertionError(message);
        }
    }
}
