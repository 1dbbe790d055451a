package dev.orchard.worker.pipeline;

import dev.orchard.store.Location;
import dev.orchard.store.parquet.VectorRow;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The rows of this worker's latest FEATURES attempts, kept after their rows files are committed, so that a part
 * published by the same worker takes its sources' rows from here instead of reading and decoding the files again.
 * They are the very rows written (the file stores each float exactly); where the part copies the file's row groups
 * (no classifier), the file's record count is checked against them. Bounded by the floats held: the oldest attempts
 * go first, and an attempt's rows are taken (removed) when a part uses them, so a retried or losing attempt falls
 * back to its file; the rest are dropped when the job ends (a worker node's next job, or a part published by another
 * worker, never uses them).
 *
 * <p>Measured (bench/README.md, the twenty-first session): in the publish stage of a 10,200-image job, waiting for
 * the next source's rows to be read and decoded took 0.39-0.59 s of the attempt's 1.5-1.6 s; with the rows held,
 * 0.02-0.05 s.
 */
final class RowsCache {
    private final long capacityFloats;
    private final Map<Location, List<VectorRow>> entries = new LinkedHashMap<>(); // oldest first; guarded by this
    private long floats; // guarded by this

    /** @param capacityBytes the most the rows' floats may take (4 bytes each); 0 keeps nothing */
    RowsCache(long capacityBytes) {
        this.capacityFloats = capacityBytes / Float.BYTES;
    }

    /** Keeps the rows just committed to {@code file}, dropping the oldest entries to make room. */
    synchronized void put(Location file, List<VectorRow> rows) {
        take(file); // rows held for this file before are not its rows any more, kept or not
        long size = floatsOf(rows);
        if (size > capacityFloats) {
            return;
        }
        for (Iterator<List<VectorRow>> oldest = entries.values().iterator(); floats + size > capacityFloats; ) {
            floats -= floatsOf(oldest.next());
            oldest.remove();
        }
        entries.put(file, List.copyOf(rows));
        floats += size;
    }

    /** The rows committed to {@code file}, removed from the cache; null when they are not held. */
    synchronized List<VectorRow> take(Location file) {
        List<VectorRow> rows = entries.remove(file);
        if (rows != null) {
            floats -= floatsOf(rows);
        }
        return rows;
    }

    /** Drops every entry. */
    synchronized void clear() {
        entries.clear();
        floats = 0;
    }

    /** The floats held, for tests. */
    synchronized long floats() {
        return floats;
    }

    private static long floatsOf(List<VectorRow> rows) {
        long n = 0;
        for (VectorRow row : rows) {
            n += row.values().length;
        }
        return n;
    }
}
