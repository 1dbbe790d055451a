package dev.orchard.store;

import java.util.List;

/**
 * The one place that knows where a job's files lie below its output location. What users read:
 * <pre>
 *   features/part-NNNNNN.parquet   pca/part-NNNNNN.parquet   pca-model.json   pca.csv   errors.csv
 *   report.html   _SUCCESS (written last)
 * </pre>
 * (an update's parts name their generation, {@code part-NNNNNN-gGGGGGG.parquet}: see {@link #partName(int, int)})
 * and Orchard's own bookkeeping below {@code _orchard/} (journal, statistics, attempts), which readers skip
 * (Spark, Hive and pyarrow ignore names starting with {@code _}).
 * <p>Each job that succeeds makes a <em>generation</em> of the output: a first run makes generation 0, each
 * {@code --update} the next. A generation's bookkeeping (journal, the statistics of its parts, its inventory) lies
 * in {@link #generation(int)}; {@link #current()} names the generation the outputs hold. An update builds its
 * parts and final files in its own staging folder and swaps them in at the end.
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

    /**
     * What {@code orchard classify} writes into a job's output by default: {@code classify-<mode>/} for each of its
     * modes (dev.orchard.classify.Mode; exactly these names, so a user's own {@code classify-notes/} is not taken for
     * Orchard's) and {@code predictions-<classifier>.parquet}.
     */
    private static final java.util.regex.Pattern CLASSIFY_OUTPUTS =
            java.util.regex.Pattern.compile("classify-(pair|one-vs-all|multiclass)|predictions-.+\\.parquet");

    /** A published part's file name, its number captured, and its generation where it names one. */
    private static final java.util.regex.Pattern PART_NAME =
            java.util.regex.Pattern.compile("part-(\\d{6,9})(?:-g(\\d{6,9}))?\\.parquet");

    /**
     * The files a training of {@code orchard classify} writes into its folder ({@code classify-<mode>/} in a job's
     * output by default): dev.orchard.classify.Classifier names them from here.
     */
    public static final String CLASSIFIER_ONNX = "classifier.onnx";
    public static final String CLASSIFIER_JSON = "classifier.json";
    public static final String CLASSIFY_PREDICTIONS = "predictions.parquet";
    public static final String CLASSIFY_REPORT = "report.html";
    private static final List<String> CLASSIFY_FILES = List.of(CLASSIFIER_ONNX, CLASSIFIER_JSON, CLASSIFY_PREDICTIONS,
            CLASSIFY_REPORT);

    /**
     * Whether {@code name}, a file directly in the top-level folder {@code folder} of an output, is one Orchard writes
     * there: a part ({@link #partNumber}) in {@code features/} or {@code pca/}, a training's files in
     * {@code classify-<mode>/}. (All of {@code _orchard/} is Orchard's; anything deeper in the others is not.)
     */
    public static boolean isOwnFileIn(String folder, String name) {
        if (folder.equals(FEATURES) || folder.equals(PCA)) {
            return partNumber(name) >= 0;
        }
        return folder.startsWith("classify-") && isClassifyOutput(folder) && CLASSIFY_FILES.contains(name);
    }

    /** {@link #KNOWN_OUTPUTS} and what {@code orchard classify} adds, as a user reads them in a message. */
    public static final String KNOWN_OUTPUTS_DESCRIBED = String.join(", ", KNOWN_OUTPUTS)
            + ", classify-<mode>/, predictions-<classifier>.parquet";

    /** Whether a top-level name below an output is one Orchard writes (a job, or {@code orchard classify}). */
    public static boolean isKnownOutput(String name) {
        return KNOWN_OUTPUTS.contains(name) || isClassifyOutput(name);
    }

    /** Whether a top-level name below an output is what {@code orchard classify} writes there by default. */
    public static boolean isClassifyOutput(String name) {
        return CLASSIFY_OUTPUTS.matcher(name).matches();
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

    /** A published rows file of a first run (generation 0): {@code features/part-000012.parquet}. */
    public Location part(String kind, int part) {
        return part(kind, 0, part);
    }

    /** A published rows file of generation g, under its final name ({@link #partName(int, int)}). */
    public Location part(String kind, int generation, int part) {
        return rowsFolder(kind).resolve(partName(generation, part));
    }

    /** A first run's part file name: {@code part-000012.parquet}. */
    public static String partName(int part) {
        return partName(0, part);
    }

    /**
     * A part's file name: {@code part-000012.parquet} for a first run (generation 0), {@code part-000012-g000003.parquet}
     * for generation 3. An update's parts never take the names of the generation they replace, so a request to delete
     * the old ones that lands late (a coordinator frozen in its swap, woken after a takeover finished it) finds
     * nothing of the new generation to delete.
     */
    public static String partName(int generation, int part) {
        return generation == 0 ? String.format("part-%06d.parquet", part)
                               : String.format("part-%06d-g%06d.parquet", part, generation);
    }

    /** The folders a generation's parts lie in: {@code features/}, and {@code pca/} where the job ran PCA. */
    public static List<String> rowsFolders(boolean pca) {
        return pca ? List.of(FEATURES, PCA) : List.of(FEATURES);
    }

    /**
     * Whether a reader of the output takes {@code name}, a file in {@code features/} or {@code pca/}, for a part:
     * {@code part-*.parquet}, as orchard classify reads them (and as Spark names its own). Wider than the names Orchard
     * gives its parts ({@link #partNumber}), the only ones it moves or deletes: an update refuses a file named so that
     * is none of its base's parts, since every reader would take its rows for the output's.
     */
    public static boolean isNamedAsPart(String name) {
        return name.startsWith("part-") && name.endsWith(".parquet");
    }

    /** The number of a part's file name ({@code part-000012.parquet}, {@code part-000012-g000003.parquet} → 12), or -1. */
    public static int partNumber(String name) {
        java.util.regex.Matcher m = PART_NAME.matcher(name);
        return m.matches() ? Integer.parseInt(m.group(1)) : -1;
    }

    /**
     * Whether {@code name} is one of generation g's part files. (An Orchard before part names carried their generation
     * named an update's parts as a first run's.)
     */
    public static boolean isPartOf(String name, int generation) {
        java.util.regex.Matcher m = PART_NAME.matcher(name);
        return m.matches() && (m.group(2) == null ? 0 : Integer.parseInt(m.group(2))) == generation;
    }

    /**
     * Where generation g's part lies in {@code store}: under {@link #part(String, int, int)}, or, for an output an
     * Orchard before generation-numbered part names updated (its parts have a first run's names), there.
     */
    public Location existingPart(ObjectStore store, String kind, int generation, int part) throws java.io.IOException {
        List<String> names = partNames(generation, part);
        for (String name : names) {
            Location candidate = rowsFolder(kind).resolve(name);
            if (names.size() == 1 || store.exists(candidate)) {
                return candidate;
            }
        }
        return rowsFolder(kind).resolve(names.get(0));
    }

    /**
     * The names generation g's part may have, the first its own: for g ≥ 1 also a first run's, under which an Orchard
     * before generation-numbered part names kept an updated output's parts ({@link #existingPart}).
     */
    public static List<String> partNames(int generation, int part) {
        return generation == 0 ? List.of(partName(part)) : List.of(partName(generation, part), partName(part));
    }

    /**
     * The name generation g's part has among {@code listed}, the names of its folder's files: the first of
     * {@link #partNames} listed, or its own where none is (for the message that names it missing).
     */
    public static String partNameAmong(java.util.Collection<String> listed, int generation, int part) {
        List<String> names = partNames(generation, part);
        return names.stream().filter(listed::contains).findFirst().orElse(names.get(0));
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

    /** The coordinator's journal folder (plan and commits) of generation 0. */
    public Location journal(String folder) {
        return journal(0, folder);
    }

    // ---------------------------------------------------------------- generations

    /**
     * The bookkeeping of generation {@code g}: generation 0 (a first run) directly below {@code _orchard/}, where a
     * job's journal always lay, so an output that was never updated looks as it always did; generation g ≥ 1 (an
     * update) below {@code _orchard/gen-00000g/}.
     */
    public Location generation(int g) {
        if (g < 0) {
            throw new IllegalArgumentException("no generation " + g);
        }
        return g == 0 ? bookkeeping() : bookkeeping().resolve(generationFolder(g));
    }

    public static String generationFolder(int g) {
        return String.format("gen-%06d", g);
    }

    /** The generation a folder name below {@code _orchard/} holds ({@code gen-000003} → 3), or -1. */
    public static int generationOf(String folderName) {
        if (folderName.matches("gen-\\d{6}")) {
            return Integer.parseInt(folderName.substring(4));
        }
        return -1;
    }

    /** Names the generation the outputs hold (absent: 0); written when an update's swap is done. */
    public Location current() {
        return bookkeeping().resolve("CURRENT");
    }

    /** What determines generation g's result ({@code JobIdentity}); generation 0's is the output's marker. */
    public Location identity(int g) {
        return g == 0 ? marker() : generation(g).resolve("job.json");
    }

    /**
     * The Orchard builds whose rows generation g holds (the base generation's it kept, and each coordinator's that ran
     * it): {@code JobBuilds}.
     */
    public Location builds(int g) {
        return generation(g).resolve("builds.json");
    }

    /** Generation g's journal folder ({@code plan}, {@code commits}). */
    public Location journal(int g, String folder) {
        return generation(g).resolve(folder);
    }

    /** The covariance statistics of exactly the rows of generation g's part: what an update merges untouched parts with. */
    public Location partStatistics(int g, int part) {
        return generation(g).resolve("parts/" + String.format("part-%06d.stats", part));
    }

    /** One line per image of generation g: path, size, version, and its part or its error (written before _SUCCESS). */
    public Location inventory(int g) {
        return generation(g).resolve("inventory.jsonl.gz");
    }

    /** Generation g in brief: its parts (rows and bytes each), counts, what it was updated from. */
    public Location generationSummary(int g) {
        return generation(g).resolve("generation.json");
    }

    /** The paths an update to generation g drops from the base generation's part (one JSON string a line). */
    public Location retired(int g, int basePart) {
        return generation(g).resolve("retired/" + String.format("part-%06d.jsonl", basePart));
    }

    /** Where an update builds the files it swaps in at the end (parts, pca-model.json, pca.csv, errors.csv). */
    public Location staging(int g) {
        return generation(g).resolve("staging");
    }

    /** Where generation g's {@code kind} ({@code features} or {@code pca}) parts are published: final for 0, staged after. */
    public Location publishedFolder(int g, String kind) {
        return g == 0 ? rowsFolder(kind) : staging(g).resolve(kind);
    }

    /**
     * Where generation g's part is published (see {@link #publishedFolder}): for an update, under a first run's name
     * in its staging folder, which its swap moves to the generation's own name ({@link #part(String, int, int)}).
     */
    public Location published(int g, String kind, int part) {
        return publishedFolder(g, kind).resolve(partName(part));
    }

    /** A final file ({@code pca-model.json}, {@code pca.csv}, {@code errors.csv}) as generation g writes it. */
    public Location finalFile(int g, Location file) {
        return g == 0 ? file : staging(g).resolve(root.relativize(file));
    }

    /** Written when generation g's swap has taken the old generation's parts out of view. */
    public Location swapCleared(int g) {
        return generation(g).resolve("_CLEARED");
    }

    /** Written when generation g's staged files are complete: from then on its swap only moves forward. */
    public Location swapMarker(int g) {
        return generation(g).resolve("_SWAP");
    }

    /**
     * Where an earlier Orchard's swap to generation g put the folders it took out of view (renamed aside locally);
     * deleted once the swap is done. This Orchard's swap deletes the old parts by name instead.
     */
    public Location replaced(int g) {
        return generation(g).resolve("replaced");
    }

    /**
     * Generation g's bookkeeping, to delete once another generation is current, its summary last: for generation 0,
     * what it keeps directly below {@code _orchard/} (never the marker, the lease or CURRENT); for g ≥ 1, the
     * contents of its folder.
     */
    public List<Location> generationBookkeeping(int g) {
        Location folder = generation(g);
        List<Location> all = new java.util.ArrayList<>(List.of(folder.resolve("plan"), folder.resolve("commits"),
                folder.resolve("seals"), folder.resolve("parts"), folder.resolve("retired"), staging(g), replaced(g),
                inventory(g), builds(g)));
        if (g > 0) {
            all.addAll(List.of(identity(g), swapMarker(g), swapCleared(g)));
        }
        all.add(generationSummary(g));
        return List.copyOf(all);
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

    /** Where PUBLISH attempts write: {@code _orchard/attempts/parts/}. */
    public Location publishAttempts() {
        return attempts().resolve("parts");
    }

    /** What one PUBLISH attempt wrote of {@code kind} ({@code features} or {@code pca}) for a part. */
    public Location publishAttempt(String kind, long epoch, int part, int attempt) {
        return publishAttempts().resolve(String.format("part-%06d-%016x-a%d.%s.parquet", part, epoch, attempt, kind));
    }

    /** The kept rows one REGROUP attempt wrote of a base part. */
    public Location regroupRows(long epoch, int basePart, int attempt) {
        return attempts().resolve(String.format("regroup/r%06d-%016x-a%d.parquet", basePart, epoch, attempt));
    }

    /** The statistics of those kept rows. */
    public Location regroupStatistics(long epoch, int basePart, int attempt) {
        return attempts().resolve(String.format("regroup/r%06d-%016x-a%d.stats", basePart, epoch, attempt));
    }

    /** The statistics of the rows one PUBLISH attempt gathered into a part. */
    public Location publishStatistics(long epoch, int part, int attempt) {
        return publishAttempts().resolve(String.format("part-%06d-%016x-a%d.stats", part, epoch, attempt));
    }

    /** The coordinator's claim on this output (see OutputLease). */
    public Location lease() {
        return bookkeeping().resolve("lease.json");
    }

    /**
     * The object a coordinator writes, tries conditional writes on and deletes, to learn whether the store evaluates
     * them (see ConditionProbe): {@code _orchard/conditions-probe-<owner>.json}.
     */
    public Location conditionsProbe(String owner) {
        return bookkeeping().resolve(CONDITIONS_PROBE + owner + ".json");
    }

    private static final String CONDITIONS_PROBE = "conditions-probe-";

    /** Whether {@code object} is a {@link #conditionsProbe} of any owner. */
    public boolean isConditionsProbe(Location object) {
        return object.parent().equals(bookkeeping()) && object.name().startsWith(CONDITIONS_PROBE)
                && object.name().endsWith(".json");
    }

    /** A statistics file a worker writes: {@code _orchard/partials/<name>.stats}. */
    public Location statistics(String name) {
        return bookkeeping().resolve("partials/" + name + ".stats");
    }
}
