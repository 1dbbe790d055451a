package dev.orchard.coordinator.outputs;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.orchard.coordinator.update.GenerationSummary;
import dev.orchard.coordinator.update.GenerationSwap;
import dev.orchard.coordinator.update.InventoryFile;
import dev.orchard.coordinator.update.NextInventory;
import dev.orchard.coordinator.work.GenerationContents;
import dev.orchard.coordinator.work.WorkState;
import dev.orchard.coordinator.JobTimeline;
import dev.orchard.protocol.AttemptRef;
import dev.orchard.protocol.ImageError;
import dev.orchard.protocol.Phase;
import dev.orchard.stats.CovariancePartial;
import dev.orchard.stats.PcaModel;
import dev.orchard.stats.PcaModelJson;
import dev.orchard.stats.PrincipalComponents;
import dev.orchard.stats.UnitStatistics;
import dev.orchard.store.AsyncFailure;
import dev.orchard.store.DamagedFileException;
import dev.orchard.store.Location;
import dev.orchard.store.ObjectStore;
import dev.orchard.store.OutputLayout;
import dev.orchard.store.RetiredPaths;
import dev.orchard.store.StoredObject;
import dev.orchard.store.parquet.VectorRow;
import dev.orchard.store.parquet.VectorRowsReader;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

/**
 * The coordinator's writing side: merges the journalled statistics into the PCA model, publishes the winning
 * attempts' parts under their final names, and writes the job's final files. Text values in the CSV files are made
 * safe to open in a spreadsheet ({@link SpreadsheetCell}). Every method does blocking I/O: the coordinator calls
 * them on its I/O dispatcher, never on the actor's thread.
 * <p>A first run (generation 0) publishes straight to the final names. An update (generation g ≥ 1) writes
 * everything it publishes to its staging folder, and swaps it in at the end ({@link GenerationSwap}).
 */
public final class JobOutputs {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(JobOutputs.class);

    private final ObjectStore store;
    private final OutputLayout layout;
    private final int generation;

    public JobOutputs(ObjectStore store, Location output) {
        this(store, output, 0);
    }

    /** The outputs of the job that makes {@code generation} of the output. */
    public JobOutputs(ObjectStore store, Location output, int generation) {
        this.store = store;
        this.layout = new OutputLayout(output);
        this.generation = generation;
    }

    public int generation() {
        return generation;
    }

    public OutputLayout layout() {
        return layout;
    }

    /** The solved PCA and where it was written, with the SHA-256 of that file (workers check it). */
    public record SolvedPca(PcaModel model, String location, String sha256) {
    }

    /**
     * Merges the journalled statistics files (by name, below {@code _orchard/partials/}), checking that together
     * they hold each unit of {@code expected} exactly once, solves the PCA and writes {@code pca-model.json}. Files
     * are merged in name order; what each holds depends on the order its worker's units finished, so a rerun's
     * statistics equal these to rounding (~1e-15), not bit for bit.
     */
    public SolvedPca solvePca(List<String> statistics, BitSet expected, int k) throws IOException {
        return solvePca(statistics, expected, Collections.emptySortedMap(), List.of(), k);
    }

    /**
     * As {@link #solvePca(List, BitSet, int)}, for an update: first the stored statistics of the base generation's
     * untouched parts {@code baseParts} (by number, with the rows its summary records for each) and of the regrouped
     * parts' kept rows ({@code regrouped}), each in part order, then the new units' files. Every source holds exactly
     * its rows, so nothing is subtracted.
     */
    public SolvedPca solvePca(List<String> statistics, BitSet expected, SortedMap<Integer, Long> baseParts,
                              List<AttemptRef> regrouped, int k) throws IOException {
        List<String> ordered = new ArrayList<>(statistics);
        ordered.sort(Comparator.naturalOrder());
        CovariancePartial total = null;
        for (Map.Entry<Integer, Long> part : baseParts.entrySet()) {
            Location file = layout.partStatistics(generation - 1, part.getKey());
            CovariancePartial partial = partialAt(file);
            if (partial.count() != part.getValue()) {
                // Written with its part, in one step: damaged since (edited, or another part's). Found here, before the
                // solve: only the worker that published the part from it found it, after the PCA was solved with it.
                throw new DamagedFileException(file, "it counts " + partial.count() + " rows, but "
                        + layout.generationSummary(generation - 1) + " records " + part.getValue() + " for base part "
                        + part.getKey(), DamagedFileException.STATISTICS, DamagedFileException.RESTORE, null);
            }
            total = merged(total, partial);
        }
        List<AttemptRef> byPart = new ArrayList<>(regrouped);
        byPart.sort(Comparator.comparingInt(AttemptRef::unit));
        for (AttemptRef a : byPart) {
            total = merged(total, partialAt(layout.regroupStatistics(a.epoch(), a.unit(), a.attempt())));
        }
        BitSet seen = new BitSet();
        for (String name : ordered) {
            UnitStatistics stats = DamagedFileException.decode(store.read(layout.statistics(name)),
                    layout.statistics(name), UnitStatistics::decode, DamagedFileException.STATISTICS, DamagedFileException.RESTORE);
            for (int unit : stats.unitIds()) {
                if (seen.get(unit)) {
                    throw new IllegalStateException("unit " + unit + " is counted twice (again in " + name + ")");
                }
                seen.set(unit);
            }
            if (total == null) {
                total = stats.partial().copy();
            } else {
                total.merge(stats.partial());
            }
        }
        if (!seen.equals(expected)) {
            BitSet missing = (BitSet) expected.clone();
            missing.andNot(seen);
            BitSet extra = (BitSet) seen.clone();
            extra.andNot(expected);
            throw new IllegalStateException("statistics are missing for units " + missing + (extra.isEmpty() ? ""
                    : " and hold units not expected " + extra));
        }
        long readable = total == null ? 0 : total.count();
        if (readable < 2) {
            // An update's listing is done by now, and the same command only finishes what it found: it cannot take
            // the images added since (it said "run the update again once the input holds more", which then failed
            // the same way for good; the review of the change).
            throw new IllegalArgumentException("PCA needs at least 2 readable images; this job has " + readable
                    + (generation == 0 ? ": run it again on an input with more readable images, or, where a decode"
                            + " limit (--max-pixels, --max-decode-mib, --max-object-bytes) refused those below, with one"
                            + " that admits them (--overwrite replaces this output)."
                            : ": this update has listed its images and cannot take more. Once the input holds more"
                            + " readable images, run the job afresh with --overwrite (without --update) and a --pca-k"
                            + " below their number."));
        }
        if (k > readable) { // the listing checked k against the files; some could not be read
            throw new IllegalArgumentException("--pca-k " + k + " is larger than the number of readable images ("
                    + readable + "): " + PcaModel.kAdvice(readable) + (generation == 0
                    ? " and go on with --resume and the new --pca-k (a job that has not published takes another k)."
                    : " and run this update again with it."));
        }
        PcaModel model = PrincipalComponents.fit(total, k);
        warnOfComponentsWithoutVariance(model, readable);
        byte[] json = PcaModelJson.write(model);
        Location target = layout.finalFile(generation, layout.pcaModel());
        store.put(target, json);
        return new SolvedPca(model, target.toString(), sha256(json));
    }

    /** The covariance statistics stored at {@code file}. */
    private CovariancePartial partialAt(Location file) throws IOException {
        return DamagedFileException.decode(store.read(file), file, CovariancePartial::decode,
                DamagedFileException.STATISTICS, DamagedFileException.RESTORE);
    }

    /** {@code partial} merged into {@code total}, which is null before the first. */
    private static CovariancePartial merged(CovariancePartial total, CovariancePartial partial) {
        if (total == null) {
            return partial;
        }
        total.merge(partial);
        return total;
    }

    /**
     * The PCA this generation's published parts were projected with: its {@code pca-model.json} as the solve wrote it,
     * for a coordinator resumed after the parts were published; null where there is none (solve then).
     */
    public SolvedPca solvedBefore() throws IOException {
        Location file = layout.finalFile(generation, layout.pcaModel());
        if (!store.exists(file)) {
            return null;
        }
        byte[] json = store.read(file);
        return new SolvedPca(PcaModelJson.read(json), file.toString(), sha256(json));
    }

    /** Says where components explain no variance: their directions are arbitrary, and the rows' projections ~0. */
    static void warnOfComponentsWithoutVariance(PcaModel model, long readable) {
        int varying = model.varyingComponents();
        if (varying == 0) {
            LOG.warn("PCA: the features of all {} readable images are the same, so no component explains any variance"
                    + " and every image's projection is 0 (are the images copies of one image?)", readable);
        } else if (varying < model.k()) {
            String which = varying + 1 == model.k()
                    ? "component " + model.k() + " has an arbitrary direction and every image's projection on it is ~0"
                    : "components " + (varying + 1) + "-" + model.k()
                            + " have arbitrary directions and every image's projection on them is ~0";
            LOG.warn("PCA: only {} of the k = {} components explain{} variance: the features of the {} readable"
                    + " images vary along {} independent direction{}{}, so {}."
                    + " --pca-k {} keeps only the meaningful ones.", varying == 1 ? "the first" : "the first " + varying,
                    model.k(), varying == 1 ? "s" : "", readable, varying, varying == 1 ? "" : "s",
                    readable <= model.k() ? " (n images span at most n - 1)" : "", which, varying);
        }
    }

    /**
     * Deletes every publish attempt there is, each file fenced by the lease: before a coordinator hands out its first
     * publish unit, so that an earlier coordinator's promotion that lands late (frozen past its lease's check) finds
     * nothing to move, whatever part settings or k that coordinator had.
     */
    public void clearPublishAttempts() throws IOException {
        store.deleteAll(layout.publishAttempts());
    }

    /**
     * Makes one part's winning attempt visible under the names of this generation ({@code features/}, and
     * {@code pca/}; an update's staging folder), with the statistics of its rows beside the generation's journal.
     */
    public void promote(int part, AttemptRef attempt, boolean pca) throws IOException {
        if (pca) {
            store.move(layout.publishStatistics(attempt.epoch(), part, attempt.attempt()),
                    layout.partStatistics(generation, part));
            store.move(layout.publishAttempt(OutputLayout.PCA, attempt.epoch(), part, attempt.attempt()),
                    layout.published(generation, OutputLayout.PCA, part));
        }
        store.move(layout.publishAttempt(OutputLayout.FEATURES, attempt.epoch(), part, attempt.attempt()),
                layout.published(generation, OutputLayout.FEATURES, part));
    }

    /** Removes what a losing attempt wrote. */
    public void deleteAttempt(Phase phase, AttemptRef a) throws IOException {
        if (phase == Phase.FEATURES) {
            store.delete(layout.attemptRows(a.epoch(), a.unit(), a.attempt()));
        } else if (phase == Phase.REGROUP) {
            store.delete(layout.regroupRows(a.epoch(), a.unit(), a.attempt()));
            store.delete(layout.regroupStatistics(a.epoch(), a.unit(), a.attempt()));
        } else {
            store.delete(layout.publishAttempt(OutputLayout.FEATURES, a.epoch(), a.unit(), a.attempt()));
            store.delete(layout.publishAttempt(OutputLayout.PCA, a.epoch(), a.unit(), a.attempt()));
            store.delete(layout.publishStatistics(a.epoch(), a.unit(), a.attempt()));
        }
    }

    public void deleteStatistics(String name) throws IOException {
        store.delete(layout.statistics(name));
    }

    /**
     * What the final files say about the job.
     *
     * @param success                what {@code _SUCCESS} holds (the report page shows these same numbers)
     * @param explainedVarianceRatio the PCA's, for the scree plot; null without a PCA
     * @param throughput             images done over time, for the images/s plot
     */
    public record Report(Map<String, Object> success, double[] explainedVarianceRatio,
                         List<JobTimeline.Sample> throughput) {
    }

    /**
     * The job's final files, in an order that leaves nothing half-done visible: {@code pca.csv} and
     * {@code errors.csv}, the generation's inventory and summary, then the attempts are removed, and {@code _SUCCESS}
     * comes last (only the coordinator's lease is released after it), followed by the units' statistics files, of no
     * use once the job has finished (the parts' statistics replace them). An update writes
     * the same files to its staging folder, then swaps them in ({@link GenerationSwap}); a resumed one that finds the
     * swap begun only finishes it.
     */
    public void writeFinal(int parts, boolean pca, List<ImageError> errors, GenerationContents contents, Report report)
            throws IOException {
        if (contents.generation() != generation) {
            throw new IllegalStateException("outputs of generation " + contents.generation() + " written as " + generation);
        }
        GenerationSwap swap = new GenerationSwap(store, layout);
        boolean begun = generation > 0 && swap.begun(generation);
        byte[] success = JSON.writeValueAsBytes(report.success());
        if (!begun) {
            if (generation > 0) {
                dev.orchard.store.PartSizes base = dev.orchard.store.PartSizes.read(store, layout, generation - 1);
                dev.orchard.coordinator.update.BaseGenerationCheck.requireNoStraysBeforeSwap(store, layout,
                        generation - 1, base == null ? 0 : base.parts());
            }
            removeUnplannedParts(parts, pca);
            // The inventory (reading the base generation's, for an update) on a second core while pca.csv, errors.csv
            // and the report are written here (10,000 rows: 0.1-0.2 s and 0.3-0.45 s). Its own thread: it blocks on
            // I/O, which the common ForkJoin pool is not for.
            java.util.concurrent.FutureTask<Void> inventory = new java.util.concurrent.FutureTask<>(() -> {
                writeInventory(parts, pca, contents);
                return null;
            });
            Thread inventoryWriter = new Thread(inventory, "orchard-inventory");
            inventoryWriter.setDaemon(true);
            inventoryWriter.start();
            try {
                PcaSample sample = pca ? writePcaCsv(parts) : null;
                List<ImageError> sorted = writeErrors(errors);
                writeReport(report, sample, sorted);
            } finally {
                awaitInventory(inventory);
            }
        }
        if (generation == 0) {
            store.deleteAll(layout.attempts());
            store.put(layout.success(), success);
            // As after an update's swap (GenerationSwap.cleanUp); a 1280-d PCA left 6.6 MB per 32 units here. Files
            // no journal names (refused, or a dead coordinator's) go too; a crash just before leaves them to the
            // next update, and no reader of the output looks at them.
            try {
                store.deleteAll(layout.bookkeeping().resolve("partials"));
            } catch (IOException e) { // the job is finished: what is left is only space (a reviewer)
                LOG.warn("The job is finished, but its statistics files below {} could not be removed ({}): the next"
                        + " --update removes them, or delete that folder", layout.bookkeeping().resolve("partials"),
                        e.toString());
            }
            return;
        }
        if (!begun) {
            swap.begin(generation, pca, success);
        }
        swap.complete(generation, pca, success);
        try {
            swap.cleanUp(generation);
        } catch (IOException e) { // the update is finished (_SUCCESS names it): what is left is space, as above
            LOG.warn("The update is finished, but what it replaced could not all be removed from {} ({}): the next"
                    + " --update removes it", layout.bookkeeping(), e.toString());
        }
    }

    /**
     * Removes the parts numbered {@code parts} and above from this generation's published folders (and their
     * statistics): an earlier coordinator of the job that grouped the rows into more parts (another
     * {@code --config}'s part size, on a standby or before a {@code --resume}) may have promoted some before it
     * died, each holding images the parts of this plan hold too. Parts below {@code parts} were all promoted again,
     * over the earlier ones. Each is checked first to be such a promotion ({@link #promotedEarlier}), and none is
     * removed unless all are: a user's files named as parts were deleted here as an earlier coordinator's (a walk).
     */
    private void removeUnplannedParts(int parts, boolean pca) throws IOException {
        Map<Location, Integer> unplanned = new LinkedHashMap<>();
        for (String kind : OutputLayout.rowsFolders(pca)) {
            Location folder = layout.publishedFolder(generation, kind);
            try (Stream<StoredObject> files = store.list(folder)) {
                files.forEach(f -> {
                    int part = OutputLayout.partNumber(folder.relativize(f.location()));
                    if (part >= parts) {
                        unplanned.put(f.location(), part);
                    }
                });
            } catch (java.nio.file.NoSuchFileException e) {
                // nothing published there
            }
        }
        List<Location> foreign = new ArrayList<>();
        for (Map.Entry<Location, Integer> file : unplanned.entrySet()) {
            if (!promotedEarlier(file.getKey(), file.getValue(), pca)) {
                foreign.add(file.getKey());
            }
        }
        if (!foreign.isEmpty()) {
            throw new IOException(foreign.size() + " file(s) named as parts of " + layout.root() + " are none of this"
                    + " job's: " + foreign.stream().limit(5).map(Location::toString).collect(Collectors.joining(", "))
                    + (foreign.size() > 5 ? " and " + (foreign.size() - 5) + " more" : "") + ". Orchard did not write"
                    + " them (its parts carry its schema in their footer and their statistics beside its journal),"
                    + " and every reader of the output would take their rows for the job's: move them out of the"
                    + " output, then run the same command with --resume, which finishes the job.");
        }
        int removed = 0;
        for (Map.Entry<Location, Integer> file : unplanned.entrySet()) {
            store.delete(file.getKey());
            if (file.getKey().parent().name().equals(OutputLayout.FEATURES)) {
                store.delete(layout.partStatistics(generation, file.getValue()));
                removed++;
            }
        }
        if (removed > 0) {
            LOG.info("Removed {} part(s) numbered from {} that an earlier coordinator of this job published under "
                    + "other part settings: their images are in the {} part(s) of this one", removed, parts, parts);
        }
    }

    /**
     * Whether {@code file}, named as part {@code part}, is one an earlier coordinator of this job promoted: Parquet
     * with Orchard's schema in its footer and, in a job with a PCA, the part's statistics beside the journal (a
     * promotion moves them first).
     */
    private boolean promotedEarlier(Location file, int part, boolean pca) throws IOException {
        return (!pca || store.exists(layout.partStatistics(generation, part)))
                && dev.orchard.store.parquet.ParquetMetadata.isOrchards(store, file);
    }

    private static void awaitInventory(java.util.concurrent.Future<Void> inventory) throws IOException {
        try {
            inventory.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while the inventory was written");
        } catch (java.util.concurrent.ExecutionException e) {
            throw AsyncFailure.cause(e);
        }
    }

    /**
     * The generation's inventory (one line per image), then its summary (rows and bytes of each part, and with
     * {@code pca} the bytes of each pca/ part).
     */
    private void writeInventory(int parts, boolean pca, GenerationContents contents) throws IOException {
        long[] rows = new long[parts];
        long total = InventoryFile.write(store, layout.inventory(generation), sink -> {
            InventoryFile.Reader base = contents.isUpdate()
                    ? InventoryFile.read(store, layout.inventory(contents.baseGeneration())) : null;
            try {
                NextInventory.write(contents, base, part -> RetiredPaths.read(store, layout.retired(generation, part)),
                        e -> {
                            if (e.isRow()) {
                                if (e.part() >= parts) {
                                    throw new IllegalStateException(e.path() + " is in part " + e.part() + " of " + parts);
                                }
                                rows[e.part()]++;
                            }
                            sink.accept(e);
                        });
            } finally {
                if (base != null) {
                    base.close();
                }
            }
        });
        Map<String, Long> bytes = publishedSizes(generation, OutputLayout.FEATURES);
        Map<String, Long> projected = pca ? publishedSizes(generation, OutputLayout.PCA) : Map.of();
        List<WorkState.BasePart> summary = new ArrayList<>();
        List<Long> pcaBytes = pca ? new ArrayList<>() : null;
        long rowCount = 0;
        for (int p = 0; p < parts; p++) {
            Long size = bytes.get(OutputLayout.partName(p));
            if (size == null) {
                throw new IllegalStateException("part " + p + " of generation " + generation + " is missing");
            }
            summary.add(new WorkState.BasePart(rows[p], size));
            rowCount += rows[p];
            if (pca) {
                Long pcaSize = projected.get(OutputLayout.partName(p));
                if (pcaSize == null) {
                    throw new IllegalStateException("pca/ part " + p + " of generation " + generation + " is missing");
                }
                pcaBytes.add(pcaSize);
            }
        }
        new GenerationSummary(generation, contents.baseGeneration(), summary, rowCount, total - rowCount,
                contents.counts(), pcaBytes).write(store, layout);
    }

    /** The sizes of generation g's published {@code kind} parts by name; none when it published none. */
    private Map<String, Long> publishedSizes(int generation, String kind) throws IOException {
        Map<String, Long> bytes = new HashMap<>();
        try (Stream<StoredObject> files = store.list(layout.publishedFolder(generation, kind))) {
            files.forEach(f -> bytes.put(f.location().name(), f.size()));
        } catch (java.nio.file.NoSuchFileException e) {
            // no rows at all, or no pca/: no parts
        }
        return bytes;
    }

    /**
     * {@code report.html} (the page) and {@code report.json} (its time series, for other tools), just before
     * {@code _SUCCESS} (an update's staged, and swapped in with its generation): a reader who sees {@code _SUCCESS}
     * finds them. A page that cannot be drawn is a defect of
     * Orchard's, not of the job: it is logged and the job still succeeds.
     */
    private void writeReport(Report report, PcaSample sample, List<ImageError> sortedErrors) throws IOException {
        Map<String, Object> series = new LinkedHashMap<>();
        series.put("job", report.success().get("job"));
        List<double[]> throughput = new ArrayList<>();
        for (JobTimeline.Sample s : report.throughput()) {
            throughput.add(new double[] {s.seconds(), s.imagesDone(), s.errors()});
        }
        series.put("throughputColumns", List.of("seconds", "imagesDone", "errors"));
        series.put("throughput", throughput);
        if (report.explainedVarianceRatio() != null) {
            series.put("explainedVarianceRatio", report.explainedVarianceRatio());
        }
        store.put(layout.finalFile(generation, layout.report("json")), JSON.writeValueAsBytes(series));
        String html;
        try {
            html = ReportPage.render(report, sample, sortedErrors);
        } catch (RuntimeException e) {
            LOG.warn("Could not draw {}: {} (the job's other outputs are complete)", layout.report("html"), e.toString(), e);
            return;
        }
        store.put(layout.finalFile(generation, layout.report("html")), html.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * {@code pca.csv} ({@link PcaCsv}). Streamed part by part through a local file, so its size is not bounded by
     * memory.
     */
    private PcaSample writePcaCsv(int parts) throws IOException {
        PcaSample sample = new PcaSample(PcaSample.MAX_POINTS);
        Path temp = Files.createTempFile("orchard-pca", ".csv");
        try (OutputStream text = new BufferedOutputStream(Files.newOutputStream(temp), 1 << 16)) {
            text.write(PcaCsv.HEADER);
            for (int part = 0; part < parts; part++) {
                List<VectorRow> rows = VectorRowsReader.readAll(store, layout.published(generation, OutputLayout.PCA, part),
                        OutputLayout.PCA);
                for (VectorRow row : rows) {
                    sample.offer(row.path(), row.label(), row.values());
                }
                PcaCsv.write(rows, text);
            }
        }
        try {
            store.putFile(layout.finalFile(generation, layout.pcaCsv()), temp);
        } finally {
            Files.deleteIfExists(temp);
        }
        return sample;
    }

    private static List<ImageError> sortedErrors(List<ImageError> errors) {
        List<ImageError> sorted = new ArrayList<>(errors);
        sorted.sort(Comparator.comparing(ImageError::path));
        return sorted;
    }

    /**
     * {@code errors.csv}: path, reason, sorted by path (written even when empty, so "no errors" is explicit). Returns
     * the errors in that order (the report lists them so).
     */
    List<ImageError> writeErrors(List<ImageError> errors) throws IOException {
        List<ImageError> sorted = sortedErrors(errors);
        StringWriter text = new StringWriter();
        try (CSVPrinter csv = new CSVPrinter(text, CSVFormat.RFC4180.builder().setHeader("path", "reason").get())) {
            for (ImageError e : sorted) {
                csv.printRecord(SpreadsheetCell.of(e.path()), SpreadsheetCell.of(e.reason()));
            }
        }
        store.put(layout.finalFile(generation, layout.errorsCsv()), text.toString().getBytes(StandardCharsets.UTF_8));
        return sorted;
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
