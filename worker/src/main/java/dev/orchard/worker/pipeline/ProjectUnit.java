package dev.orchard.worker.pipeline;

import dev.orchard.protocol.JobDescription;
import dev.orchard.protocol.UnitReport;
import dev.orchard.protocol.WorkUnit;
import dev.orchard.stats.PcaModel;
import dev.orchard.stats.PcaModelJson;
import dev.orchard.store.Location;
import dev.orchard.store.ObjectStore;
import dev.orchard.store.OutputLayout;
import dev.orchard.store.parquet.ParquetOptions;
import dev.orchard.store.parquet.VectorRow;
import dev.orchard.store.parquet.VectorRowsReader;
import dev.orchard.store.parquet.VectorRowsWriter;
import java.io.IOException;
import java.util.List;

/** One PROJECT unit: the features part of the same id → each row projected on the PCA axes → the pca part. */
public final class ProjectUnit {
    private final WorkerRuntime runtime;
    private volatile Cached cached;

    private record Cached(String location, PcaModel model) {
    }

    public ProjectUnit(WorkerRuntime runtime) {
        this.runtime = runtime;
    }

    public UnitOutcome run(JobDescription job, WorkUnit unit) throws IOException {
        Location output = Location.parse(job.output());
        ObjectStore store = runtime.store(output);
        OutputLayout layout = new OutputLayout(output);
        PcaModel pca = model(store, job.pcaModel());
        long t0 = System.nanoTime();
        List<VectorRow> rows = VectorRowsReader.readAll(store, layout.part(OutputLayout.FEATURES, unit.id()), "features");
        long t1 = System.nanoTime();
        try (VectorRowsWriter writer = new VectorRowsWriter(store, layout.part(OutputLayout.PCA, unit.id()), "pca",
                runtime.tempDir(), new ParquetOptions(job.parquetByteStreamSplit()))) {
            for (VectorRow row : rows) {
                writer.write(new VectorRow(row.path(), row.label(), pca.project(row.values())));
            }
            writer.commit();
        }
        long t2 = System.nanoTime();
        var stages = new UnitReport.StageNanos(t1 - t0, 0, 0, 0, 0, t2 - t1);
        return new UnitOutcome(new UnitReport(rows.size(), List.of(), 0, stages), null);
    }

    private PcaModel model(ObjectStore store, String location) throws IOException {
        Cached c = cached;
        if (c == null || !c.location().equals(location)) {
            c = new Cached(location, PcaModelJson.read(store.read(Location.parse(location))));
            cached = c;
        }
        return c.model();
    }
}
