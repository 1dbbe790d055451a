package dev.orchard.worker.pipeline;

import dev.orchard.protocol.JobDescription;
import dev.orchard.protocol.PartSource;
import dev.orchard.protocol.UnitReport;
import dev.orchard.protocol.WorkUnit;
import dev.orchard.stats.CovariancePartial;
import dev.orchard.stats.PcaModel;
import dev.orchard.stats.PcaModelJson;
import dev.orchard.store.AsyncFailure;
import dev.orchard.store.DamagedFileException;
import dev.orchard.store.Location;
import dev.orchard.store.ObjectStore;
import dev.orchard.store.OutputLayout;
import dev.orchard.store.parquet.ParquetOptions;
import dev.orchard.store.parquet.PredictedBy;
import dev.orchard.store.parquet.UnreadablePartException;
import dev.orchard.store.parquet.VectorRow;
import dev.orchard.store.parquet.VectorRowsReader;
import dev.orchard.store.parquet.VectorRowsWriter;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;

/**
 * One PUBLISH attempt: the rows of consecutive sources → one {@code features} file of about the target size and,
 * when the job has a PCA, the same rows projected on it → one {@code pca} file and the covariance statistics of
 * exactly its rows (what a later update merges an untouched part with); all under this attempt's own names. The
 * coordinator makes the first finished attempt's files visible under the final names.
 * <p>A source is an accepted unit's rows file (its statistics are folded from the rows), or, in an update, a whole
 * part of the base generation or the kept rows of a regrouped one (their statistics are stored: merged as they are).
 * Old rows are re-projected from their stored features: no image is read again. A part that is one untouched base
 * part keeps its features file byte for byte (copied; it keeps the Parquet encoding it was written with, and the
 * predictions of the same classifier, which an update requires).
 *
 * <p>With a {@code --classifier}, every row is labelled here, and its {@code predicted} and {@code score} go into
 * both files. Here rather than in the FEATURES stage: these are the accepted rows, each image exactly once, with
 * the very floats written to {@code features/}, so the predictions equal those {@code classify --apply} makes
 * from the output; a losing or speculative attempt labels nothing; the attempt files keep one schema; and the PCA
 * projection, which a classifier of PCA coordinates would read, exists only here.
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

    /**
     * Whether a part of {@code job} decodes its accepted units' rows: to project them on a PCA and fold its statistics,
     * or to label them with a classifier. Without either nothing is decoded: the files' row groups are copied.
     */
    static boolean decodesRows(JobDescription job) {
        return job.pca() || job.classifier() != null;
    }

    public UnitOutcome run(JobDescription job, WorkUnit unit, BooleanSupplier cancelled) throws IOException {
        if (job.classifier() == null) {
            return run(job, unit, cancelled, null, null);
        }
        WorkerRuntime.SharedClassifier shared = runtime.acquireClassifier(job);
        try {
            PredictedBy by = new PredictedBy(job.classifier(), shared.classifier().sha256());
            return run(job, unit, cancelled, new RowLabeller(shared.classifier(), job), by);
        } finally {
            runtime.release(shared);
        }
    }

    private UnitOutcome run(JobDescription job, WorkUnit unit, BooleanSupplier cancelled, RowLabeller labeller,
                            PredictedBy predictedBy) throws IOException {
        OutputLayout layout = OutputLayout.of(job.output());
        ObjectStore store = runtime.store(layout.root());
        SourceFiles files = SourceFiles.of(store, layout, job, unit.sources());
        PcaModel pca = job.pcaModel() == null ? null : model(store, job.pcaModel(), job.pcaModelSha256());
        long read = 0;
        long classify = 0;
        long write = 0;
        long statisticsNanos = 0;
        long rows = 0;
        long featureBytes;
        CovariancePartial statistics = null;
        Location featuresTarget = layout.publishAttempt(OutputLayout.FEATURES, unit.epoch(), unit.id(), unit.attempt());
        Location pcaTarget = layout.publishAttempt(OutputLayout.PCA, unit.epoch(), unit.id(), unit.attempt());
        ParquetOptions parquet = new ParquetOptions(job.parquetByteStreamSplit());
        // A part that is one untouched base part keeps its features file as it is (a copy: the old generation stays
        // in view until the swap); only its projection is new. Encoding 10,000 rows again cost ~1.3 s of a ~7 s update.
        boolean wholeBasePart = unit.sources().size() == 1 && unit.sources().get(0).kind() == PartSource.Kind.BASE;
        try (VectorRowsWriter features = new VectorRowsWriter(store, featuresTarget, OutputLayout.FEATURES, runtime.tempDir(),
                parquet, predictedBy);
             VectorRowsWriter projected = pca == null ? null
                     : new VectorRowsWriter(store, pcaTarget, OutputLayout.PCA, runtime.tempDir(), parquet, predictedBy)) {
            // Two threads' work on two cores: while this thread labels, projects and writes one source's rows, the
            // next source is read, and the rows already written are folded into the part's statistics (in source
            // order, so the sums are the same whatever the timing), both on the fetch pool, idle while a job publishes.
            List<PartSource> sources = unit.sources();
            LongAdder readNanos = new LongAdder();
            LongAdder foldNanos = new LongAdder();
            // Without a classifier, a source's rows go to the features part as they were written: its row groups are
            // copied, not decoded and encoded again (publish phase of a 10,200-image job: 2.1-3.1 s -> 1.5-1.9 s).
            // Its rows are then decoded only for the projection and the statistics.
            boolean copyRowGroups = labeller == null && !wholeBasePart;
            boolean decode = decodesRows(job) || !copyRowGroups;
            CompletableFuture<SourceRows> next = sources.isEmpty() ? null
                    : readAhead(store, files, sources.get(0), copyRowGroups, decode, readNanos);
            CompletableFuture<CovariancePartial> folded = CompletableFuture.completedFuture(null);
            for (int s = 0; s < sources.size(); s++) {
                if (cancelled.getAsBoolean()) {
                    throw new CancellationException("attempt cancelled");
                }
                PartSource source = sources.get(s);
                SourceRows fetched = await(next);
                List<VectorRow> sourceRows = fetched.rows();
                if (s + 1 < sources.size()) {
                    next = readAhead(store, files, sources.get(s + 1), copyRowGroups, decode, readNanos);
                }
                long t1 = System.nanoTime();
                if (labeller != null) {
                    sourceRows = labeller.label(sourceRows);
                }
                long t2 = System.nanoTime();
                float[][] projections = projected == null ? null : project(pca, sourceRows);
                long sourceCount;
                try {
                    sourceCount = copyRowGroups ? features.append(fetched.file()) : sourceRows.size();
                } catch (UnreadablePartException e) { // not a failure to write the part: that one propagates
                    throw UnreadableRows.of(files.of(source), source, e);
                }
                if (decode && sourceCount != sourceRows.size()) { // rows from RowsCache: their file must agree
                    throw new IOException(files.of(source) + " holds " + sourceCount + " rows, but " + sourceRows.size()
                            + " were written to it");
                }
                for (int i = 0; i < sourceRows.size(); i++) {
                    VectorRow row = sourceRows.get(i);
                    if (!wholeBasePart && !copyRowGroups) {
                        features.write(row);
                    }
                    if (projected != null) {
                        projected.write(row.withValues(projections[i]));
                    }
                }
                long t3 = System.nanoTime();
                if (pca != null) {
                    List<VectorRow> written = sourceRows;
                    Location rowsFile = files.of(source);
                    folded = folded.thenCompose(into -> onFetchPool(
                            () -> statisticsOf(store, layout, job, source, rowsFile, written, into), foldNanos));
                }
                rows += sourceCount;
                classify += t2 - t1;
                write += t3 - t2;
            }
            // The two Parquet files are committed while the statistics' fold, on the fetch pool, ends: a 10,200-row
            // part's fold ended 0.24-0.41 s after the loop, and its commits took 0.22-0.24 s after that.
            long t4 = System.nanoTime();
            if (projected != null) {
                projected.commit();
            }
            if (wholeBasePart) {
                Location kept = files.of(unit.sources().get(0));
                store.copy(kept, featuresTarget);
                featureBytes = sizeOf(store, featuresTarget);
            } else {
                featureBytes = features.commit();
            }
            write += System.nanoTime() - t4;
            statistics = await(folded);
            read = readNanos.sum();
            statisticsNanos = foldNanos.sum();
            long t5 = System.nanoTime();
            if (statistics != null) {
                store.put(layout.publishStatistics(unit.epoch(), unit.id(), unit.attempt()), statistics.encode());
            }
            write += System.nanoTime() - t5;
        }
        // The classifier's time counts as inference (it is a model's run, if a tiny one next to the CNN's).
        var stages = new UnitReport.StageNanos(read, 0, 0, classify, statisticsNanos, write);
        return new UnitOutcome(new UnitReport((int) rows, List.of(), 0, featureBytes, stages), null);
    }

    /** A source's rows file: its bytes (null when not needed), and its rows (none when they were not needed). */
    private record SourceRows(byte[] file, List<VectorRow> rows) {
    }

    /**
     * A source's rows file on the fetch pool: its bytes when {@code copy} (its row groups are copied), and its rows
     * when {@code decode}. The rows of an attempt this worker ran come from {@link RowsCache} while it holds them.
     */
    private CompletableFuture<SourceRows> readAhead(ObjectStore store, SourceFiles files, PartSource source,
                                                    boolean copy, boolean decode, LongAdder nanos) {
        Location rows = files.of(source);
        List<VectorRow> cached = source.kind() == PartSource.Kind.ROWS ? runtime.rowsCache().take(rows) : null;
        return onFetchPool(() -> {
            if (cached != null) {
                return new SourceRows(copy ? store.read(rows) : null, decode ? cached : List.of());
            }
            byte[] file;
            try {
                file = store.read(rows);
            } catch (java.nio.file.NoSuchFileException e) {
                throw UnreadableRows.of(rows, source, e); // other failures to read (a store's) propagate as they were
            }
            try {
                return new SourceRows(file, decode ? VectorRowsReader.readAll(file, OutputLayout.FEATURES) : List.of());
            } catch (IOException | RuntimeException e) { // in memory: the file's content is at fault
                throw UnreadableRows.of(rows, source, e);
            }
        }, nanos);
    }

    /** A step of I/O work. */
    private interface IoWork<T> {
        T run() throws IOException;
    }

    /** {@code work} run on the fetch pool, its time added to {@code nanos}. */
    private <T> CompletableFuture<T> onFetchPool(IoWork<T> work, LongAdder nanos) {
        return CompletableFuture.supplyAsync(() -> {
            long t = System.nanoTime();
            try {
                return work.run();
            } catch (IOException e) {
                throw new CompletionException(e);
            } finally {
                nanos.add(System.nanoTime() - t);
            }
        }, runtime.fetchPool());
    }

    /** The value of a read or a fold, its failure thrown as it was thrown there. */
    private static <T> T await(CompletableFuture<T> future) throws IOException {
        try {
            return future.join();
        } catch (CompletionException e) {
            throw AsyncFailure.cause(e);
        }
    }

    /** Every row's projection (an update re-projects its whole base generation here): see {@link PcaModel#projectAll}. */
    private static float[][] project(PcaModel pca, List<VectorRow> rows) {
        float[][] values = new float[rows.size()][];
        for (int i = 0; i < values.length; i++) {
            values[i] = rows.get(i).values();
        }
        return pca.projectAll(values);
    }

    private static long sizeOf(ObjectStore store, Location file) throws IOException {
        try (var listed = store.list(file)) {
            return listed.filter(o -> o.location().equals(file)).findFirst()
                    .orElseThrow(() -> new IOException(file + " is missing after it was copied")).size();
        }
    }

    /**
     * Where the sources' rows lie: an attempt's file, or a part of the base generation (still under its final name,
     * which names that generation; the name of each base source is looked up once, as the part starts).
     */
    private record SourceFiles(OutputLayout layout, java.util.Map<Integer, Location> baseParts) {
        static SourceFiles of(ObjectStore store, OutputLayout layout, JobDescription job, List<PartSource> sources)
                throws IOException {
            java.util.Map<Integer, Location> base = new java.util.HashMap<>();
            for (PartSource source : sources) {
                if (source.kind() == PartSource.Kind.BASE) {
                    base.put(source.id(), layout.existingPart(store, OutputLayout.FEATURES, job.generation() - 1,
                            source.id()));
                }
            }
            return new SourceFiles(layout, base);
        }

        Location of(PartSource source) {
            return switch (source.kind()) {
                case ROWS -> layout.attemptRows(source.epoch(), source.id(), source.attempt());
                case REGROUPED -> layout.regroupRows(source.epoch(), source.id(), source.attempt());
                case BASE -> baseParts.get(source.id());
            };
        }
    }

    /**
     * {@code into} with the source's rows (read from {@code rowsFile}) folded in: computed from the rows, or the stored
     * statistics merged.
     */
    private static CovariancePartial statisticsOf(ObjectStore store, OutputLayout layout, JobDescription job,
                                                  PartSource source, Location rowsFile, List<VectorRow> rows,
                                                  CovariancePartial into) throws IOException {
        if (source.kind() == PartSource.Kind.ROWS) {
            return RowStatistics.add(into, rows);
        }
        Location file = source.kind() == PartSource.Kind.BASE
                ? layout.partStatistics(job.generation() - 1, source.id())
                : layout.regroupStatistics(source.epoch(), source.id(), source.attempt());
        CovariancePartial stored = DamagedFileException.decode(store.read(file), file, CovariancePartial::decode,
                DamagedFileException.STATISTICS, DamagedFileException.RESTORE);
        if (stored.count() != rows.size()) {
            String mismatch = rowsFile + " (" + source + ") holds " + rows.size() + " rows, but " + file + " counts "
                    + stored.count();
            // A base part and its statistics were written together, and the coordinator checks the statistics against
            // the generation's summary before its solve: one of the two was damaged since, which no attempt mends.
            throw source.kind() == PartSource.Kind.BASE
                    ? new DamagedFileException(mismatch + ": one of the two was damaged since they were written; "
                            + DamagedFileException.RESTORE_BOTH, null)
                    : new IOException(mismatch + ": the output's bookkeeping does not match its parts");
        }
        if (into == null) {
            return stored;
        }
        into.merge(stored);
        return into;
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
