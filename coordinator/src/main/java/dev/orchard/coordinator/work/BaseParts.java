package dev.orchard.coordinator.work;

import dev.orchard.coordinator.work.JournalEntry.Regrouped;
import dev.orchard.coordinator.work.JournalEntry.Retirement;
import dev.orchard.coordinator.work.JournalEntry.UpdateCounts;
import dev.orchard.protocol.AttemptRef;
import dev.orchard.protocol.PartSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * An update's side of its job: the parts of the base generation it builds on, and what becomes of each once its
 * listing has ended. A part that loses none of its rows is a source as it is; one that loses some is
 * <em>regrouped</em> by a worker (its kept rows and exactly their statistics, a {@link Regroup}); one that loses every
 * row is gone. The regroups are made only once the listing's end (with what it drops) is journalled: a regroup is
 * never done against a listing a restarted coordinator would redo differently.
 */
final class BaseParts {

    private final WorkState.Base base;
    private List<Retirement> retirements;
    private UpdateCounts counts = UpdateCounts.NONE;
    private final Map<Integer, Regroup> regroups = new LinkedHashMap<>();
    private boolean regroupsMade;
    private int openRegroups;
    private long keptRows;

    BaseParts(WorkState.Base base) {
        this.base = base;
    }

    /** The generation the update builds on. */
    int generation() {
        return base.generation();
    }

    /**
     * The listing ended dropping {@code retired} rows from the base parts, having compared as {@code counts} says;
     * null, or why the drops do not fit the base generation.
     */
    String listingEnded(List<Retirement> retired, UpdateCounts counts) {
        long dropped = 0;
        for (Retirement r : retired) {
            if (r.part() < 0 || r.part() >= base.parts().size() || r.rows() < 1
                    || r.rows() > base.parts().get(r.part()).rows()) {
                return "The update's listing drops " + r.rows() + " rows from base part " + r.part()
                        + ", which the base generation does not have: its inventory does not match its parts";
            }
            dropped += r.rows();
        }
        retirements = List.copyOf(retired);
        this.counts = counts;
        keptRows = base.rows() - dropped;
        return null;
    }

    /** A resumed coordinator's: the listing's end as the journal holds it. */
    void listingJournalled(List<Retirement> retired, UpdateCounts counts) {
        retirements = retired;
        this.counts = counts == null ? UpdateCounts.NONE : counts;
    }

    List<Retirement> retirements() {
        return retirements;
    }

    UpdateCounts counts() {
        return counts;
    }

    /** The base generation's rows the update keeps (those of the parts it does not drop whole, less the drops). */
    long keptRows() {
        return keptRows;
    }

    boolean regroupsMade() {
        return regroupsMade;
    }

    /**
     * Makes the regroups of the base parts that lose some rows but not all, queued on {@code pending}; the others
     * that lose rows lose them all (done at once, and no source).
     */
    void makeRegroups(PendingQueue pending) {
        regroupsMade = true;
        keptRows = base.rows();
        for (Retirement r : retirements) {
            if (r.part() < 0 || r.part() >= base.parts().size() || r.rows() > base.parts().get(r.part()).rows()
                    || regroups.containsKey(r.part())) {
                throw new IllegalStateException("the journal drops " + r.rows() + " rows from base part " + r.part()
                        + ", which the base generation does not have (or twice)");
            }
            keptRows -= r.rows();
            long kept = base.parts().get(r.part()).rows() - r.rows();
            Regroup g = new Regroup(r.part(), kept);
            regroups.put(r.part(), g);
            if (kept > 0) {
                openRegroups++;
                pending.add(g, false);
            } else {
                g.status = Regroup.Status.DONE; // every row dropped: nothing to regroup, and no source
            }
        }
    }

    /** A resumed coordinator's: a regroup the journal holds is done, with what it recorded. */
    void regroupedBefore(Regrouped r, PendingQueue pending) {
        Regroup g = regroups.get(r.part());
        if (g == null || g.status != Regroup.Status.PENDING) {
            throw new IllegalStateException("the journal regroups base part " + r.part() + " "
                    + (g == null ? "that loses no rows" : "twice"));
        }
        g.status = Regroup.Status.DONE;
        g.accepted = r.attemptRef();
        g.rowsBytes = r.rowsBytes();
        openRegroups--;
        pending.remove(g);
    }

    /** A regroup's result is journalled: it is done. */
    void regroupJournalled(Regrouped r) {
        Regroup g = regroups.get(r.part());
        if (g != null && g.status == Regroup.Status.JOURNALLING) {
            g.status = Regroup.Status.DONE;
            openRegroups--;
        }
    }

    /** Whether every regroup is done (or none was needed). */
    boolean allRegrouped() {
        return openRegroups == 0;
    }

    /**
     * The base parts the solve merges by their stored statistics, those the update leaves untouched, each with the
     * rows its generation recorded (which its statistics must count).
     */
    SortedMap<Integer, Long> untouched() {
        SortedMap<Integer, Long> untouched = new TreeMap<>();
        for (int p = 0; p < base.parts().size(); p++) {
            if (!regroups.containsKey(p)) {
                untouched.put(p, base.parts().get(p).rows());
            }
        }
        return untouched;
    }

    /** The regroups' accepted attempts, whose statistics the solve merges, in base part order. */
    List<AttemptRef> regrouped() {
        List<AttemptRef> regrouped = new ArrayList<>();
        for (int p = 0; p < base.parts().size(); p++) {
            Regroup g = regroups.get(p);
            if (g != null && g.keptRows > 0) {
                regrouped.add(g.accepted);
            }
        }
        return regrouped;
    }

    /** The base parts regrouped (some rows dropped, some kept), for the generation's contents. */
    Set<Integer> regroupedParts() {
        Set<Integer> regrouped = new TreeSet<>();
        regroups.forEach((part, g) -> {
            if (g.keptRows > 0) {
                regrouped.add(part);
            }
        });
        return regrouped;
    }

    /**
     * The base generation's sources of the new parts: its untouched parts of at least a quarter of {@code partBytes},
     * each a part of its own (its features file is kept as it is, only its projection is written again); then the
     * other untouched parts (smaller) and the regrouped parts' kept rows, in base part order, to be grouped.
     */
    void addSources(PartGrouping grouping, long partBytes) {
        for (int p = 0; p < base.parts().size(); p++) {
            if (!regroups.containsKey(p) && base.parts().get(p).bytes() >= partBytes / 4) {
                grouping.addWhole(PartSource.base(p), base.parts().get(p).bytes());
            }
        }
        for (int p = 0; p < base.parts().size(); p++) {
            Regroup g = regroups.get(p);
            if (g == null) {
                if (base.parts().get(p).bytes() < partBytes / 4) {
                    grouping.add(PartSource.base(p), base.parts().get(p).bytes());
                }
            } else if (g.keptRows > 0) {
                grouping.add(PartSource.regrouped(g.accepted), g.rowsBytes);
            }
        }
    }
}
