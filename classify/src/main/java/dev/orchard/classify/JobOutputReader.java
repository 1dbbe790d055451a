package dev.orchard.classify;

import dev.orchard.store.s3.S3Settings;
import dev.orchard.store.Location;
import dev.orchard.store.ObjectStore;
import dev.orchard.store.ObjectStores;
import dev.orchard.store.OutputLayout;
import dev.orchard.store.PartSizes;
import dev.orchard.store.StoredObject;
import dev.orchard.store.parquet.VectorRow;
import dev.orchard.store.parquet.VectorRowsReader;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** Reads every part of a job's {@code features/} or {@code pca/} folder and checks the vectors belong together. */
final class JobOutputReader {
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    private JobOutputReader() {
    }

    static Samples read(Location input, VectorColumn use, S3Settings s3) throws IOException {
        Location folder = input.resolve(use.column());
        List<VectorRow> rows = new ArrayList<>();
        int dimension = -1;
        String firstSeen = null;
        try (ObjectStore store = ObjectStores.forLocation(input, s3)) {
            byte[] finished = requireFinished(store, input);
            List<Location> parts = parts(store, input, use, finished);
            for (Location part : parts) {
                for (VectorRow row : readPart(store, part, use)) {
                    String here = part.name() + " (" + row.path() + ")";
                    if (dimension < 0) {
                        dimension = row.values().length;
                        firstSeen = here;
                    } else if (row.values().length != dimension) {
                        throw new ClassifyException("Vectors of mixed dimensions in " + folder + ": " + dimension
                                + " in " + firstSeen + " but " + row.values().length + " in " + here
                                + ". The folder mixes the outputs of different jobs or models: run the job again"
                                + " into an empty folder.");
                    }
                    rows.add(row);
                }
            }
            requireUnchanged(store, input, finished);
            requireEveryRow(folder, rows.size(), finished);
        }
        if (dimension == 0) {
            throw new ClassifyException("The vectors in " + folder + " are empty (dimension 0): nothing to learn from");
        }
        return labelled(rows, dimension, folder);
    }

    /**
     * Refuses an output whose {@code _SUCCESS} is no longer what it was when its parts were listed: an update swapped
     * a generation in while they were read, and the rows may be of two generations (a reader checks {@code _SUCCESS}
     * before and after, as GenerationSwap says).
     */
    static void requireUnchanged(ObjectStore store, Location input, byte[] before) throws IOException {
        byte[] after;
        try {
            after = store.read(new OutputLayout(input).success());
        } catch (NoSuchFileException e) {
            after = null;
        }
        if (!java.util.Arrays.equals(before, after)) {
            throw new ClassifyException(input + " changed while it was read (an update swapped its new rows in, or"
                    + " another job replaced it): run orchard classify again.");
        }
    }

    /** Every row of a part; one that is not readable Parquet is bad input (exit 2), named, with what to do. */
    static List<VectorRow> readPart(ObjectStore store, Location part, VectorColumn use) throws IOException {
        try {
            return VectorRowsReader.readAll(store, part, use.column());
        } catch (dev.orchard.store.parquet.UnreadablePartException e) {
            throw new ClassifyException(e.getMessage() + " Make the output again (the job's command with --overwrite),"
                    + " or restore the file.");
        }
    }

    /**
     * Refuses a folder whose parts hold another number of rows than the output's {@code _SUCCESS} records: a part was
     * removed or changed since the job wrote it (a user's walk: a removed part was read as "no features", a
     * truncated one as Parquet's "footer is too large", and with several parts the rest were used without a word).
     * An output whose {@code _SUCCESS} records no count (an Orchard before counts were recorded) is not checked.
     */
    static void requireEveryRow(Location folder, long read, byte[] finished) {
        long recorded;
        try {
            var counts = JSON.readTree(finished).path("counts");
            recorded = counts.path("rows").isIntegralNumber() ? counts.path("rows").asLong() : -1;
        } catch (IOException e) {
            recorded = -1; // not JSON (a _SUCCESS another tool wrote): nothing to compare with
        }
        if (recorded >= 0 && read != recorded) {
            throw new ClassifyException(folder + " holds " + read + " rows, but the job's _SUCCESS records " + recorded
                    + (read < recorded ? ": a part was removed or changed since the job wrote it."
                                       : ": a file named as a part was added, or a part changed, since the job wrote it.")
                    + " Make the output again (the job's command with --overwrite), or restore its files.");
        }
    }

    /**
     * Refuses a finished output whose {@code use} folder holds no part although the job wrote rows there (its
     * {@code _SUCCESS} counts them; {@code pca/} only where the job ran PCA): damaged, not an output without rows.
     */
    static void requireSomeIfWritten(ObjectStore store, Location input, VectorColumn use, List<Location> parts,
                                     byte[] finished) throws IOException {
        if (parts.isEmpty() && (use == VectorColumn.FEATURES || store.exists(new OutputLayout(input).pcaModel()))) {
            requireUnchanged(store, input, finished); // an update's swap between the old parts and the new: read again
            requireEveryRow(input.resolve(use.column()), 0, finished);
        }
    }

    /**
     * The output's {@code _SUCCESS}, read once: its bytes, which {@link #requireUnchanged} compares after the rows are
     * read. Refuses an output with nothing there, or without {@code _SUCCESS}: the job that writes it has not finished
     * (an output copied without it was trained on and applied to with no word, its rows perhaps partial or of an
     * update's swap).
     */
    static byte[] requireFinished(ObjectStore store, Location input) throws IOException {
        if (input.isLocal() && java.nio.file.Files.isRegularFile(input.path())) { // it said "…/_SUCCESS: Not a directory"
            throw new ClassifyException(input + " is a file: give the output folder of an 'orchard run' job (its --output,"
                    + " the folder that holds _SUCCESS)" + inside(store, input) + ".");
        }
        try {
            return store.read(new OutputLayout(input).success());
        } catch (NoSuchFileException e) {
            boolean empty;
            try (Stream<StoredObject> listing = store.list(input)) {
                empty = listing.findAny().isEmpty();
            } catch (NoSuchFileException none) {
                empty = true;
            }
            if (empty) {
                throw new ClassifyException("Nothing at " + input + ": give the output folder of an 'orchard run' job"
                        + " (--output of orchard run)" + inside(store, input) + ".");
            }
            if (!store.exists(new OutputLayout(input).marker())) { // a folder of images, or one inside an output
                throw new ClassifyException(input + " is not the output of an 'orchard run' job (it has no "
                        + OutputLayout.BOOKKEEPING + "/ with the job's marker): give the folder that job wrote, its"
                        + " --output" + inside(store, input) + ".");
            }
            throw new ClassifyException(input + " has no _SUCCESS: the job that writes it has not finished (or an update"
                    + " is swapping its new rows in), so its rows may be partial. Wait for a run that is writing it, or"
                    + " finish it (a first run: its command with --resume; an update: its own command again), then"
                    + " classify.");
        }
    }

    /**
     * Where {@code input} lies inside a job's output, up to three folders down (its features/, a part, a classifier's
     * folder): ": INPUT lies inside the output OUTPUT, which is what to give"; else nothing.
     */
    private static String inside(ObjectStore store, Location input) throws IOException {
        Location at = input;
        for (int up = 0; up < 3; up++) {
            Location parent = at.parent();
            if (parent.equals(at)) {
                break; // the root
            }
            at = parent;
            if (store.exists(new OutputLayout(at).marker())) {
                return ": " + input + " lies inside the output " + at + ", which is what to give";
            }
        }
        return "";
    }

    /**
     * The folder's {@code part-*.parquet} files in name order; none when the folder is missing or empty. They are
     * checked against the sizes the job recorded ({@link #requireWrittenSizes}).
     */
    static List<Location> listParts(ObjectStore store, Location input, VectorColumn use, byte[] finished)
            throws IOException {
        Location folder = input.resolve(use.column());
        List<StoredObject> parts = new ArrayList<>();
        try (Stream<StoredObject> listing = store.list(folder)) {
            listing.filter(o -> o.location().parent().equals(folder)) // not a copy in a subfolder
                    .filter(o -> OutputLayout.isNamedAsPart(o.location().name()))
                    .forEach(parts::add);
        } catch (NoSuchFileException e) {
            // no folder: no parts
        }
        parts.sort(Comparator.comparing(o -> o.location().name()));
        requireWrittenSizes(store, input, use, parts, finished);
        return parts.stream().map(StoredObject::location).toList();
    }

    /**
     * Refuses a {@code features/} or {@code pca/} folder whose parts are not the files its generation recorded (their
     * names and sizes, in {@code generation.json}, which {@code --update} checks too): a part of another job with as
     * many rows was read as this output's, its images labelled or learnt from as if they were this job's (a user's
     * walk). An output whose generation recorded no sizes (an Orchard before they were; for {@code pca/}, before
     * 2026-12-07) is not checked; a part changed in place at its own size is not found here.
     */
    static void requireWrittenSizes(ObjectStore store, Location input, VectorColumn use, List<StoredObject> parts,
                                    byte[] finished) throws IOException {
        int generation;
        try {
            var g = JSON.readTree(finished).path("generation");
            if (!g.canConvertToInt()) {
                return;
            }
            generation = g.asInt();
        } catch (IOException e) {
            return; // not JSON: requireFinished said what it is
        }
        PartSizes summary = PartSizes.read(store, new OutputLayout(input), generation);
        List<Long> written = summary == null ? null : summary.of(use.column());
        if (written == null) {
            return;
        }
        java.util.Map<String, Long> sizes = new java.util.HashMap<>();
        parts.forEach(o -> sizes.put(o.location().name(), o.size()));
        List<String> problems = new ArrayList<>();
        java.util.Set<String> recorded = new java.util.HashSet<>();
        for (int p = 0; p < written.size(); p++) {
            String name = OutputLayout.partNameAmong(sizes.keySet(), generation, p);
            recorded.add(name);
            long bytes = written.get(p);
            Long size = sizes.get(name);
            if (size == null) {
                problems.add(name + " is missing");
            } else if (bytes > 0 && size != bytes) {
                problems.add(name + " has " + size + " bytes, where the job wrote " + bytes);
            }
        }
        sizes.keySet().stream().filter(n -> !recorded.contains(n)).sorted()
                .forEach(n -> problems.add(n + " is not a part the job wrote"));
        if (!problems.isEmpty()) {
            throw new ClassifyException(input.resolve(use.column()) + " is not as the job wrote it: "
                    + String.join("; ", problems.subList(0, Math.min(5, problems.size())))
                    + (problems.size() > 5 ? "; and " + (problems.size() - 5) + " more" : "")
                    + ". Make the output again (the job's command with --overwrite), or restore its files.");
        }
    }

    private static List<Location> parts(ObjectStore store, Location input, VectorColumn use, byte[] finished)
            throws IOException {
        Location folder = input.resolve(use.column());
        List<Location> parts = listParts(store, input, use, finished);
        requireSomeIfWritten(store, input, use, parts, finished);
        if (parts.isEmpty()) {
            String hint = use == VectorColumn.PCA
                    ? " The job writes pca/ only when it ran PCA; try --use features."
                    : " Give the output folder of an 'orchard run' job (the one holding features/ and _SUCCESS).";
            throw new ClassifyException("No " + use.column() + " in " + input + ": " + folder
                    + " has no part-*.parquet files." + hint);
        }
        return parts;
    }

    private static Samples labelled(List<VectorRow> rows, int dimension, Location folder) {
        List<VectorRow> kept = new ArrayList<>(rows.size());
        for (VectorRow row : rows) {
            if (row.label() != null) {
                kept.add(row);
            }
        }
        if (kept.isEmpty()) {
            throw new ClassifyException("None of the " + rows.size() + " images in " + folder + " has a label."
                    + " Run the job with labels (by default each image's parent folder, or --label-regex).");
        }
        kept.sort(Comparator.comparing(VectorRow::path));
        String[] paths = new String[kept.size()];
        String[] labels = new String[kept.size()];
        float[][] vectors = new float[kept.size()][];
        for (int i = 0; i < paths.length; i++) {
            paths[i] = kept.get(i).path();
            labels[i] = kept.get(i).label();
            vectors[i] = kept.get(i).values();
        }
        return new Samples(paths, labels, vectors, dimension, rows.size() - kept.size());
    }
}
