package dev.orchard.coordinator.update;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orchard.store.CurrentGeneration;
import dev.orchard.store.Location;
import dev.orchard.store.ObjectStore;
import dev.orchard.store.OutputLayout;
import dev.orchard.store.PartSizes;
import dev.orchard.store.StoredObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Makes an update's staged generation the output's:
 * <ol>
 *   <li>{@link #begin}: the staged files are complete (parts, pca-model.json, pca.csv, errors.csv, the report); the
 *   swap's record ({@code _SWAP}) names the final files staged and holds the {@code _SUCCESS} to write; from here the
 *   swap only moves forward;</li>
 *   <li>{@code _SUCCESS} is removed, then the old generation's parts ({@code features/}, {@code pca/}) by name
 *   (on S3 1,000 names a request), and the final files the new generation has none of (a report that could not be
 *   drawn); {@code _CLEARED} marks that done;</li>
 *   <li>the staged final files are moved over the old ones (each in one step: locally a rename, on S3 a server-side
 *   copy), then the staged parts are moved in, each to its generation's name;</li>
 *   <li>{@code _orchard/CURRENT} names the new generation (written on condition, never lowered), then
 *   {@code _SUCCESS} is written, naming it.</li>
 * </ol>
 * A reader therefore sees the old generation, a subset of its parts, its final files without parts, then the new
 * final files (during their moves, some old and some new) without parts, then a growing subset of the new parts, then
 * all of them with {@code _SUCCESS}: never the rows of two generations side by side, nor a final file beside rows of
 * another generation. One that checks {@code _SUCCESS} first, and again after, never reads a partial generation.
 * <p>Every step can be repeated: a coordinator that dies during the swap finishes it when resumed. And no step acts
 * on what another coordinator's swap of the same generation put in view, so a request that lands late (its
 * coordinator frozen between its lease's check and the request, and woken after a takeover finished the swap) loses
 * nothing of the new generation: its parts have names of their own ({@link OutputLayout#partName(int, int)}), the
 * final files are only ever replaced by the same generation's, and the old parts are deleted by name (the folder is
 * never deleted or renamed as a whole). What such a request can take is {@code _SUCCESS}: a late removal of it leaves
 * the new generation complete but unmarked, and the next command's start ({@link #finish}) writes it again from the
 * swap's record. (A request frozen through a whole later command, the next update or an {@code --overwrite}, is not
 * covered: README.)
 */
public final class GenerationSwap {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(GenerationSwap.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final byte[] EMPTY = new byte[0];

    private final ObjectStore store;
    private final OutputLayout layout;

    public GenerationSwap(ObjectStore store, OutputLayout layout) {
        this.store = store;
        this.layout = layout;
    }

    /** Whether generation g's staged files were declared complete (its swap may have begun). */
    public boolean begun(int g) throws IOException {
        return store.exists(layout.swapMarker(g));
    }

    /**
     * Declares generation g's staged files complete: records which final files it has, and its {@code _SUCCESS}.
     * Once only: a resumed coordinator that finds the swap begun finishes it ({@link #complete}) as recorded.
     */
    public void begin(int g, boolean pca, byte[] success) throws IOException {
        store.put(layout.swapMarker(g), new Record(pca, finalFiles(g, pca, false), success, false).json());
    }

    /**
     * The final files generation g has: those staged, and with {@code movedIn} those in view too (a swap past its
     * clearing has moved some in).
     */
    private Set<Location> finalFiles(int g, boolean pca, boolean movedIn) throws IOException {
        Set<Location> files = new LinkedHashSet<>();
        for (Location file : files(pca)) {
            if (store.exists(layout.finalFile(g, file)) || movedIn && store.exists(file)) {
                files.add(file);
            }
        }
        return files;
    }

    /**
     * What {@link #begin} recorded; null for a swap an Orchard before this record began (its marker is empty).
     * {@code firstRunPartNames}: the parts go in under a first run's names, as that earlier Orchard moved them (on S3 it
     * may have copied some in already; under another name they would be in view twice).
     */
    private record Record(boolean pca, Set<Location> finalFiles, byte[] success, boolean firstRunPartNames) {
        byte[] json() throws IOException {
            ObjectNode json = JSON.createObjectNode();
            ArrayNode files = json.putArray("finalFiles");
            finalFiles.forEach(f -> files.add(f.name()));
            json.put("pca", pca);
            json.put("success", new String(success, StandardCharsets.UTF_8)); // its text as it is written
            if (firstRunPartNames) {
                json.put("firstRunPartNames", true);
            }
            return JSON.writeValueAsBytes(json);
        }
    }

    private Record record(int g) throws IOException {
        byte[] bytes = store.read(layout.swapMarker(g));
        if (bytes.length == 0) {
            return null;
        }
        JsonNode json = dev.orchard.store.DamagedFileException.readTree(JSON, bytes, layout.swapMarker(g),
                "the record of an --update's swap of generations, which the same command finishes",
                dev.orchard.store.DamagedFileException.RESTORE);
        Set<Location> files = new LinkedHashSet<>();
        json.path("finalFiles").forEach(name -> files.add(layout.root().resolve(name.asText())));
        return new Record(json.path("pca").asBoolean(), files,
                json.path("success").asText().getBytes(StandardCharsets.UTF_8), json.path("firstRunPartNames").asBoolean());
    }

    /**
     * Takes the old generation out of view and moves generation g in, as {@link #begin} recorded it. {@code pca} and
     * {@code success} serve only a swap an earlier Orchard began, with an empty record: its final files are those
     * staged, and its {@code _SUCCESS} this coordinator's.
     */
    public void complete(int g, boolean pca, byte[] success) throws IOException {
        if (!begun(g)) {
            throw new IllegalStateException("generation " + g + " is not staged completely: it cannot be swapped in");
        }
        Record record = record(g);
        if (record == null) {
            // Begun by an earlier Orchard, whose record is empty: recorded now (it took all the old final files out
            // before its clearing, so those in view after it are the generation's), so that finish() can serve it.
            record = new Record(pca, finalFiles(g, pca, store.exists(layout.swapCleared(g))), success, true);
            store.put(layout.swapMarker(g), record.json());
        }
        swapIn(g, record);
    }

    private void swapIn(int g, Record record) throws IOException {
        if (!store.exists(layout.swapCleared(g))) {
            store.delete(layout.success());
            List<Location> old = new ArrayList<>();
            Set<String> baseNames = baseNames(g);
            for (String kind : OutputLayout.rowsFolders(record.pca())) {
                old.addAll(oldParts(g, layout.rowsFolder(kind), baseNames));
            }
            for (Location file : files(record.pca())) {
                if (!record.finalFiles().contains(file) && store.exists(file)) {
                    old.add(file); // the new generation has none: only ever a name it does not use
                }
            }
            store.deleteObjects(old, ObjectStore.Fence.NONE);
            store.put(layout.swapCleared(g), EMPTY);
        } else {
            // A _SUCCESS here is not this swap's (it writes its own last): an earlier generation's, put back by a
            // request that landed late. It goes before any part of this generation comes into view.
            store.delete(layout.success());
        }
        for (Location file : record.finalFiles()) {
            Location staged = layout.finalFile(g, file);
            if (store.exists(staged)) {
                store.move(staged, file);
            }
        }
        for (String kind : OutputLayout.rowsFolders(record.pca())) {
            moveInParts(g, kind, record.firstRunPartNames() ? 0 : g);
        }
        nameCurrent(g);
        store.put(layout.success(), record.success());
    }

    /**
     * {@code CURRENT} names generation g, written on condition that it still names the one it named when read, and
     * never lowered: a request of an earlier generation's swap that lands late is refused, not a rollback.
     */
    private void nameCurrent(int g) throws IOException {
        byte[] name = Integer.toString(g).getBytes(StandardCharsets.UTF_8);
        for (int tries = 0; tries < 3; tries++) {
            ObjectStore.Tagged now = store.readTagged(layout.current());
            if (now != null && CurrentGeneration.parse(layout, now.bytes()) >= g) {
                return; // this generation's, or a later one's: left as it is
            }
            if (store.putIf(layout.current(), name, now == null ? null : now.tag()) != null) {
                return;
            }
        }
        throw new IOException(layout.current() + " kept changing while generation " + g + " was named in it: is"
                + " another Orchard writing to " + layout.root() + "?");
    }

    /**
     * Whether generation g is the output's ({@code CURRENT} names it) but its {@code _SUCCESS} is missing: removed by a
     * late request of a frozen coordinator's swap after the swap had ended (or the swap stopped just before it).
     * Then finishes the swap, which writes {@code _SUCCESS} as recorded; false where it is not so (or the swap was
     * begun by an earlier Orchard, whose record holds no {@code _SUCCESS}).
     */
    public boolean finish(int g) throws IOException {
        if (CurrentGeneration.read(store, layout) != g || store.exists(layout.success())
                || !store.exists(layout.swapCleared(g))) {
            return false;
        }
        Record record = record(g); // a swap is cleared only once begun
        if (record == null) {
            return false;
        }
        swapIn(g, record);
        return true;
    }

    /**
     * Once generation g is the output's: removes what was taken out of view, its staging, the attempts, every
     * statistics file of units (the parts' statistics replace them), and the bookkeeping of older generations
     * (newest first, each one's summary last, so an interrupted clean-up is finished by the next one).
     */
    public void cleanUp(int g) throws IOException {
        store.deleteAll(layout.replaced(g));
        store.deleteAll(layout.staging(g));
        store.deleteAll(layout.generation(g).resolve("retired"));
        store.deleteAll(layout.attempts());
        store.deleteAll(layout.bookkeeping().resolve("partials"));
        for (int old = g - 1; old >= 0; old--) {
            if (!store.exists(layout.generationSummary(old))) {
                break;
            }
            for (Location l : layout.generationBookkeeping(old)) {
                if (!l.equals(layout.generationSummary(old))) {
                    store.deleteAll(l);
                }
            }
            store.delete(layout.generationSummary(old));
            if (old > 0) {
                store.deleteAll(layout.generation(old));
            }
        }
    }

    /**
     * The base generation's parts in {@code folder}, by the names its summary gives them (each part's own name, or a
     * first run's): deleted by name ({@link ObjectStore#deleteObjects}), a deletion that lands late finds only names
     * of older generations. (The folder is not deleted or renamed as a whole, which would take whatever is in it when
     * the request lands.) Only those parts: a file of the user's there ({@code NOTES.txt}, a copy of a part under
     * another name) stays, as it did not before (a user's walk); and so does one named as a part the base never had
     * ({@code features/part-000050.parquet} of an output of one part was deleted by an update, a walk: the names
     * were taken by their pattern; an update now refuses such a file as it starts, BaseGenerationCheck). An output whose
     * base generation's summary was removed by hand since the update started has its parts taken by that pattern, as
     * before, with a warning.
     */
    private List<Location> oldParts(int g, Location folder, Set<String> baseNames) throws IOException {
        try (Stream<StoredObject> listed = store.list(folder)) {
            // Only the folder's own files: a listing takes in subfolders, and a copy of the user's there named as a
            // part (features/backup/part-000000.parquet) was deleted with the old parts (a reviewer, read in code).
            return listed.map(StoredObject::location).filter(o -> o.parent().equals(folder))
                    .filter(o -> !OutputLayout.isPartOf(o.name(), g) && (baseNames != null
                            ? baseNames.contains(o.name()) : OutputLayout.partNumber(o.name()) >= 0)).toList();
        } catch (java.nio.file.NoSuchFileException e) {
            return List.of();
        }
    }

    /**
     * The names the parts of the generation in view (the base of g, until g's swap names g in CURRENT) may have, in
     * {@code features/} and {@code pca/} alike; null where it has no summary (an update refuses such a base as it
     * starts: only one removed by hand since). A failure to read is thrown: the swap, run again, goes on from there.
     */
    private Set<String> baseNames(int g) throws IOException {
        int base = CurrentGeneration.read(store, layout);
        if (base >= g) {
            return Set.of(); // named in CURRENT already: another coordinator's swap cleared the base and went on
        }
        PartSizes summary = PartSizes.read(store, layout, base);
        if (summary == null) {
            LOG.warn("Generation {}'s summary in {} is missing: the swap to generation {} takes every file named as a"
                    + " part in features/ and pca/ for its parts", base, layout.bookkeeping(), g);
            return null;
        }
        Set<String> names = new java.util.HashSet<>();
        for (int p = 0; p < summary.parts(); p++) {
            names.addAll(OutputLayout.partNames(base, p));
        }
        return names;
    }

    /**
     * Moves generation g's staged parts of {@code kind} in, one by one, each to the name of generation {@code namedAs}
     * (g's own; a first run's for a swap an earlier Orchard began); anything else staged there keeps its name, as a
     * folder's move would have kept it.
     */
    private void moveInParts(int g, String kind, int namedAs) throws IOException {
        Location staged = layout.publishedFolder(g, kind);
        List<Location> parts;
        try (Stream<StoredObject> listed = store.list(staged)) {
            parts = listed.map(StoredObject::location).toList();
        } catch (java.nio.file.NoSuchFileException e) {
            return;
        }
        for (Location part : parts) {
            int number = OutputLayout.partNumber(part.name());
            store.move(part, number >= 0 ? layout.part(kind, namedAs, number)
                                         : layout.rowsFolder(kind).resolve(staged.relativize(part))); // as it was

        }
    }

    private List<Location> files(boolean pca) {
        List<Location> reports = List.of(layout.report("html"), layout.report("json"));
        List<Location> files = new java.util.ArrayList<>(pca ? List.of(layout.pcaModel(), layout.pcaCsv(),
                layout.errorsCsv()) : List.of(layout.errorsCsv()));
        files.addAll(reports);
        return files;
    }
}
