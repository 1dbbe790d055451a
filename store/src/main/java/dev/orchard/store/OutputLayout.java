package dev.orchard.store;

import java.util.List;

/**
 * The one place that knows where a job's files lie below its output location. What users read:
 * <pre>
 *   features/part-NNNNNN.parquet   pca/part-NNNNNN.parquet   pca-model.json   pca.csv   errors.csv
 *   report.html   _SUCCESS (written last)
 * </pre>
 * and Orchard's own bookkeeping below {@code _orchard/} (journal, statistics, attempts), which readers skip
 * (Spark, Hive and pyarrow ignore names starting with {@code _}).
 */
public final class OutputLayout {
    /** Bookkeeping folder; its {@link #marker()} says "Orchard wrote this output". */
    public static final String BOOKKEEPING = "_orchard";
    public static final String FEATURES = "features";
    public static final String PCA = "pca";

    /**
     * Every top-level name an Orchard job writes: {@code --overwrite} deletes these, and only these, from an
     * output that holds the {@link #marker()}.
     */
    public static final List<String> KNOWN_OUTPUTS = List.of(FEATURES, PCA, BOOKKEEPING, "pca-model.json", "pca.csv",
            "errors.csv", "report.html", "report.json", "_SUCCESS");

    /** What {@code orchard classify} writes into a job's output: {@code classify-<mode>/}, {@code predictions-*.parquet}. */
    private static final java.util.regex.Pattern CLASSIFY_OUTPUTS =
            java.util.regex.Pattern.compile("classify-[A-Za-z_]+|predictions-.+\\.parquet");

    /** Whether a top-level name below an output is one Orchard writes (a job, or {@code orchard classify}). */
    public static boolean isKnownOutput(String name) {
        return KNOWN_OUTPUTS.contains(name) || CLASSIFY_OUTPUTS.matcher(name).matches();
    }

    private final Location root;

    public OutputLayout(Location root) {
        this.root = root;
    }

    public static OutputLayout of(String output) {
        return new OutputLayout(Location.parse(output));
    }

    public Location root() {
        return root;
    }

    /** {@code features/} or {@code pca/}: the folder of one kind of rows. */
    public Location rowsFolder(String kind) {
        return root.resolve(kind);
    }

    /** A published rows file: {@code features/part-000012.parquet}. */
    public Location part(String kind, int part) {
        return rowsFolder(kind).resolve(partName(part));
    }

    public static String partName(int part) {
        return String.format("part-%06d.parquet", part);
    }

    public Location pcaModel() {
        return root.resolve("pca-model.json");
    }

    public Location pcaCsv() {
        return root.resolve("pca.csv");
    }

    public Location errorsCsv() {
        return root.resolve("errors.csv");
    }

    /**
     * Where {@code orchard classify --apply} writes the labels a classifier gave this output's images:
     * {@code predictions-<classifier>.parquet}, one file per classifier name.
     */
    public Location predictions(String classifierName) {
        return root.resolve("predictions-" + classifierName + ".parquet");
    }

    public Location report(String extension) {
        return root.resolve("report." + extension);
    }

    /** Written last: its presence means every other output is complete. */
    public Location success() {
        return root.resolve("_SUCCESS");
    }

    public Location bookkeeping() {
        return root.resolve(BOOKKEEPING);
    }

    /** Written before anything else a job writes: this output is Orchard's (what {@code --overwrite} trusts). */
    public Location marker() {
        return bookkeeping().resolve("job.json");
    }

    /** What the input's listing could not list (for errors.csv), saved when the listing ends. */
    public Location listingErrors() {
        return bookkeeping().resolve("listing-errors.json");
    }

    /** The coordinator's journal folder (plan and commits). */
    public Location journal(String folder) {
        return bookkeeping().resolve(folder);
    }

    /**
     * Where attempts write before the coordinator picks one: every file below holds one attempt's output, named
     * after the attempt, so attempts never overwrite each other. Deleted before {@code _SUCCESS}.
     */
    public Location attempts() {
        return bookkeeping().resolve("attempts");
    }

    /** The rows one FEATURES attempt wrote: {@code _orchard/attempts/units/u000012-<epoch>-a7.parquet}. */
    public Location attemptRows(long epoch, int unit, int attempt) {
        return attempts().resolve(String.format("units/u%06d-%016x-a%d.parquet", unit, epoch, attempt));
    }

    /** What one PUBLISH attempt wrote of {@code kind} ({@code features} or {@code pca}) for a part. */
    public Location publishAttempt(String kind, long epoch, int part, int attempt) {
        return attempts().resolve(String.format("parts/part-%06d-%016x-a%d.%s.parquet", part, epoch, attempt, kind));
    }

    /** The coordinator's claim on this output (see OutputLease). */
    public Location lease() {
        return bookkeeping().resolve("lease.json");
    }

    /** A statistics file a worker writes: {@code _orchard/partials/<name>.stats}. */
    public Location statistics(String name) {
        return bookkeeping().resolve("partials/" + name + ".stats");
    }
}
