package dev.orchard.worker.pipeline;

import dev.orchard.protocol.AttemptRef;
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
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;

/**
 * One PUBLISH attempt: the accepted rows files of consecutive units → one {@code features} file of about the target
 * size and, when the job has a PCA, the same rows projected on it → one {@code pca} file; both under this attempt's
 * own names. The coordinator makes the first finished attempt's files visible under the final names.
 */
public final class PublishUnit {
    private final WorkerRuntime runtime;
    private volatile Cached cached;

    /** The PCA model last used, by location and SHA-256 (a re-run to the same output has another model). */
    private record Cached(String location, String sha256, PcaModel model) {
    }

    public PublishUnit(WorkerRuntime runtime) {
        this.runtime = runtime;
    }

    public UnitOutcome run(JobDescription job, WorkUnit unit, BooleanSupplier cancelled) throws IOException {
        OutputLayout layout = OutputLayout.of(job.output());
        ObjectStore store = runtime.store(layout.root());
        PcaModel pca = job.pcaModel() == null ? null : model(store, job.pcaModel(), job.pcaModelSha256());
        long read = 0;
        long write = 0;
        long rows = 0;
        long featureBytes;
        Location featuresTarget = layout.publishAttempt(OutputLayout.FEATURES, unit.epoch(), unit.id(), unit.attempt());
        Location pcaTarget = layout.publishAttempt(OutputLayout.PCA, unit.epoch(), unit.id(), unit.attempt());
        ParquetOptions parquet = new ParquetOptions(job.parquetByteStreamSplit());
        try (VectorRowsWriter features = new VectorRowsWriter(store, featuresTarget, OutputLayout.FEATURES, runtime.tempDir(),
                parquet);
             VectorRowsWriter projected = pca == null ? null
                     : new VectorRowsWriter(store, pcaTarget, OutputLayout.PCA, runtime.tempDir(), parquet)) {
            for (AttemptRef source : unit.sources()) {
                if (cancelled.getAsBoolean()) {
                    throw new CancellationException("attempt cancelled");
                }
                long t0 = System.nanoTime();
                List<VectorRow> sourceRows = VectorRowsReader.readAll(store,
                        layout.attemptRows(source.epoch(), source.unit(), source.attempt()), OutputLayout.FEATURES);
                long t1 = System.nanoTime();
                for (VectorRow row : sourceRows) {
                    features.write(row);
                    if (projected != null) {
                        projected.write(new VectorRow(row.path(), row.label(), pca.project(row.values())));
                    }
                }
                rows += sourceRows.size();
                read += t1 - t0;
                write += System.nanoTime() - t1;
            }
            long t2 = System.nanoTime();
            if (projected != null) {
                projected.commit();
            }
            featureBytes = features.commit();
            write += System.nanoTime() - t2;
        }
        var stages = new UnitReport.StageNanos(read, 0, 0, 0, 0, write);
        return new UnitOutcome(new UnitReport((int) rows, List.of(), 0, featureBytes, stages), null);
    }

    private PcaModel model(ObjectStore store, String location, String sha256) throws IOException {
        Cached c = cached;
        if (c == null || !c.location().equals(location) || !c.sha256().equals(sha256)) {
            byte[] bytes = store.read(Location.parse(location));
            String actual = sha256(bytes);
            if (sha256 != null && !sha256.equals(actual)) {
                throw new IOException("PCA model " + location + " has SHA-256 " + actual + " but the job expects "
                        + sha256 + ": it was replaced while the job runs");
            }
            c = new Cached(location, actual, PcaModelJson.read(bytes));
            cached = c;
        }
        return c.model();
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
