package dev.orchard.worker.pipeline;

import dev.orchard.protocol.JobDescription;
import dev.orchard.protocol.PartSource;
import dev.orchard.protocol.UnitReport;
import dev.orchard.protocol.WorkUnit;
import dev.orchard.stats.CovariancePartial;
import dev.orchard.store.DamagedFileException;
import dev.orchard.store.Location;
import dev.orchard.store.ObjectStore;
import dev.orchard.store.OutputLayout;
import dev.orchard.store.RetiredPaths;
import dev.orchard.store.parquet.ParquetOptions;
import dev.orchard.store.parquet.UnreadablePartException;
import dev.orchard.store.parquet.VectorRow;
import dev.orchard.store.parquet.VectorRowsReader;
import dev.orchard.store.parquet.VectorRowsWriter;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;

/**
 * One REGROUP attempt of an update: a part of the base generation (still published under its final name until the
 * swap) less the rows its retired file names (images removed or changed since) → this attempt's rows file of the
 * rows kept and, with a PCA, a statistics file of exactly those rows. Recomputing the kept rows' statistics, rather
 * than subtracting the dropped ones, keeps the merge exact and free of cancellation.
 * <p>A base part that cannot be read ({@link UnreadableRows}), or that does not hold the rows the update drops from it,
 * was damaged since it was written (or its inventory was): no attempt mends it, so the job ends at once.
 */
public final class RegroupUnit {
    private final WorkerRuntime runtime;

    public RegroupUnit(WorkerRuntime runtime) {
        this.runtime = runtime;
    }

    public UnitOutcome run(JobDescription job, WorkUnit unit, BooleanSupplier cancelled) throws IOException {
        OutputLayout layout = OutputLayout.of(job.output());
        ObjectStore store = runtime.store(layout.root());
        long t0 = System.nanoTime();
        Set<String> retired = RetiredPaths.read(store, layout.retired(job.generation(), unit.id()));
        Location part = layout.existingPart(store, OutputLayout.FEATURES, job.generation() - 1, unit.id());
        List<VectorRow> rows;
        try {
            rows = VectorRowsReader.readAll(store, part, OutputLayout.FEATURES);
        } catch (NoSuchFileException | UnreadablePartException e) { // other failures to read (a store's) propagate
            throw UnreadableRows.of(part, PartSource.base(unit.id()), e);
        }
        if (cancelled.getAsBoolean()) {
            throw new CancellationException("attempt cancelled");
        }
        List<VectorRow> kept = new ArrayList<>(rows.size());
        int dropped = 0;
        for (VectorRow row : rows) {
            if (retired.contains(row.path())) {
                dropped++;
            } else {
                kept.add(row);
            }
        }
        if (dropped != retired.size()) {
            // The retired paths are the inventory's: the part or the inventory was damaged since, which no attempt mends.
            throw new DamagedFileException(part + " (base part " + unit.id() + ") holds " + dropped + " of the "
                    + retired.size() + " rows that " + layout.inventory(job.generation() - 1) + " places in it and the"
                    + " update drops: the inventory or the part was damaged since it was written; "
                    + DamagedFileException.RESTORE_BOTH, null);
        }
        long t1 = System.nanoTime();
        long rowsBytes;
        try (VectorRowsWriter writer = new VectorRowsWriter(store, layout.regroupRows(unit.epoch(), unit.id(), unit.attempt()),
                OutputLayout.FEATURES, runtime.tempDir(), new ParquetOptions(job.parquetByteStreamSplit()))) {
            for (VectorRow row : kept) {
                // An attempt's rows carry no predictions (one schema for every attempt file): a part published with a
                // --classifier has them, and the publish stage labels every row of the new part again.
                writer.write(row.hasPrediction() ? new VectorRow(row.path(), row.label(), row.values()) : row);
            }
            // Without a PCA nothing reads a part's statistics: none are folded (2.1 M multiply-adds a row at d = 2,048).
            CovariancePartial statistics = job.pca() ? RowStatistics.add(null, kept) : null;
            if (statistics != null) {
                store.put(layout.regroupStatistics(unit.epoch(), unit.id(), unit.attempt()), statistics.encode());
            }
            rowsBytes = writer.commit();
        }
        var stages = new UnitReport.StageNanos(t1 - t0, 0, 0, 0, 0, System.nanoTime() - t1);
        return new UnitOutcome(new UnitReport(kept.size(), List.of(), 0, rowsBytes, stages), null);
    }
}
