package dev.orchard.coordinator.work.sim;

import dev.orchard.coordinator.work.JournalEntry;
import dev.orchard.protocol.AttemptRef;
import dev.orchard.protocol.ImageError;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What survives a crash: the output store. Rows files of attempts, statistics files (which attempts they hold and
 * their "statistics": the list of images counted, so counting an image twice is visible), the journal, the
 * published parts, errors.csv and _SUCCESS. Checks the invariants that must hold after every write.
 */
final class SimStore {
    record StatisticsFile(List<AttemptRef> attempts, List<String> images) {
    }

    final Map<AttemptRef, List<String>> attemptRows = new HashMap<>();
    final Map<AttemptRef, List<String>> publishAttempts = new HashMap<>();
    final Map<String, StatisticsFile> statistics = new HashMap<>();
    final List<JournalEntry> journal = new ArrayList<>();
    final Map<Integer, List<String>> published = new LinkedHashMap<>();
    final Map<Integer, Integer> committedUnits = new HashMap<>(); // unit → how many journalled commits hold it
    List<ImageError> errorsCsv;
    List<String> solvedStatistics;
    boolean success;
    int finalWritesAfterSuccess;
    int attemptWritesAfterSuccess;

    /** A journal entry lands; a unit in two commits is the bug this whole design exists to prevent. */
    void journal(JournalEntry entry) {
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
                int n = committedUnits.merge(r.id(), 1, Integer::sum);
                check(n == 1, "unit " + r.id() + " journalled in " + n + " commits (again in " + c.statistics() + ")");
            }
            check(file.images().equals(expected), "statistics " + c.statistics() + " do not match the rows of its attempts");
        }
        journal.add(entry);
    }

    JournalEntry.State state() {
        List<JournalEntry.PlanGroup> groups = new ArrayList<>();
        List<JournalEntry.Split> splits = new ArrayList<>();
        JournalEntry.PlanComplete complete = null;
        List<JournalEntry.Commit> commits = new ArrayList<>();
        List<JournalEntry.Quarantine> quarantines = new ArrayList<>();
        JournalEntry.Published published = null;
        for (JournalEntry e : journal) {
            if (e instanceof JournalEntry.Published p) {
                published = p;
            }
            if (e instanceof JournalEntry.PlanGroup g) {
                groups.add(g);
            } else if (e instanceof JournalEntry.Split s) {
                splits.add(s);
            } else if (e instanceof JournalEntry.PlanComplete c) {
                complete = c;
            } else if (e instanceof JournalEntry.Commit c) {
                commits.add(c);
            } else if (e instanceof JournalEntry.Quarantine q) {
                quarantines.add(q);
            }
        }
        return new JournalEntry.State(groups, splits, complete, commits, quarantines, published);
    }

    static void check(boolean condition, String message) {
        if (!condition) {
            throw new AssertionError(message);
        }
    }
}
