package dev.orchard.coordinator.update;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.orchard.store.LocalObjectStore;
import dev.orchard.store.Location;
import dev.orchard.store.ObjectStore;
import dev.orchard.store.OutputLayout;
import dev.orchard.store.StoredObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The real {@link GenerationSwap} on real files, killed after each of its writes in turn and run again, or frozen at
 * one and that request landing late: after every single write, whatever came before, a reader sees the rows of one
 * generation only, no final file beside rows of another, and while _SUCCESS is there, all of the generation it and
 * CURRENT name. Run twice: as a local store (a folder deleted or moved in one request) and as S3 (a listing's keys
 * deleted in one request, a batch; moves object by object).
 */
class GenerationSwapTest {

    /**
     * In memory where the machine has a tmpfs (its fsyncs cost nothing: the late-request case runs ~1,500 swaps, 31 s
     * on a disk), else in a temporary folder.
     */
    @TempDir(factory = InMemoryWhereItCan.class)
    Path temp;

    static final class InMemoryWhereItCan implements org.junit.jupiter.api.io.TempDirFactory {
        @Override
        public Path createTempDirectory(org.junit.jupiter.api.extension.AnnotatedElementContext element,
                                        org.junit.jupiter.api.extension.ExtensionContext context) throws IOException {
            Path shm = Path.of("/dev/shm");
            if (Files.isDirectory(shm) && Files.isWritable(shm)) {
                return Files.createTempDirectory(shm, "orchard-swap-test");
            }
            return Files.createTempDirectory("orchard-swap-test");
        }
    }

    /** The final files a reader may find: generation 0 has them all, generation 1 no report.html. */
    private static final java.util.function.Function<OutputLayout, List<Location>> FINAL_FILES = l -> List.of(
            l.pcaModel(), l.pcaCsv(), l.errorsCsv(), l.report("html"), l.report("json"));

    private static final int OLD_PARTS = 3;
    private static final int NEW_PARTS = 2;

    /** Stops the swap after {@code limit} writes; a reader looks after every one. */
    private static final class Killed extends RuntimeException {
    }

    /** One write request, as a coordinator sends it. */
    @FunctionalInterface
    private interface Request {
        void send() throws IOException;
    }

    /**
     * The local store, seen through a reader after every write, renaming or not (as on S3: no rename, a deletion of
     * many objects one request of the keys a listing gave, as a DeleteObjects batch). It can be killed at a chosen
     * write, or frozen there: the request is then held, not sent ({@link #held}), as by a coordinator frozen between
     * its lease's check and the request, to land later ({@link #lateAt}).
     */
    private final class Watched implements ObjectStore {
        private final LocalObjectStore store = new LocalObjectStore();
        private final boolean renames;
        int writes;
        int limit = Integer.MAX_VALUE;
        /** The write to hold rather than send (then the coordinator is killed), or 0. */
        int holdAt;
        Request held;
        /** A request another coordinator held, sent right after this store's write number {@link #lateAt}. */
        Request late;
        int lateAt = -1;
        boolean lateLanded;

        Watched(boolean renames) {
            this.renames = renames;
        }

        private void write(Request request) throws IOException {
            writes++;
            if (writes == holdAt) {
                held = request;
                throw new Killed();
            }
            request.send();
            assertReaderSeesOneGeneration();
            if (writes == lateAt) {
                land();
            }
            if (writes >= limit) {
                throw new Killed();
            }
        }

        /** The held request lands; one that fails (its source gone) does nothing, as a late copy of a gone object. */
        void land() {
            if (late != null && !lateLanded) {
                lateLanded = true;
                try {
                    late.send();
                } catch (IOException gone) {
                    // nothing happened
                }
                assertReaderSeesOneGeneration();
            }
        }

        @Override
        public Stream<StoredObject> list(Location prefix) throws IOException {
            return store.list(prefix);
        }

        @Override
        public byte[] read(Location location) throws IOException {
            return store.read(location);
        }

        @Override
        public Tagged readTagged(Location location) throws IOException {
            return store.readTagged(location);
        }

        @Override
        public String putIf(Location target, byte[] bytes, String expectedTag) throws IOException {
            String[] tag = new String[1];
            write(() -> tag[0] = store.putIf(target, bytes, expectedTag));
            return tag[0];
        }

        @Override
        public boolean evaluatesConditions() {
            return store.evaluatesConditions();
        }

        @Override
        public boolean exists(Location location) {
            return store.exists(location);
        }

        @Override
        public void put(Location target, byte[] bytes) throws IOException {
            write(() -> store.put(target, bytes));
        }

        @Override
        public void putFile(Location target, Path file) throws IOException {
            write(() -> store.putFile(target, file));
        }

        @Override
        public void deleteAll(Location prefix) throws IOException {
            if (renames) {
                write(() -> store.deleteAll(prefix));
                return;
            }
            // As on S3: the keys a listing gave, deleted in one request.
            List<Location> objects;
            try (Stream<StoredObject> listed = store.list(prefix)) {
                objects = listed.map(StoredObject::location).toList();
            } catch (java.nio.file.NoSuchFileException e) {
                return;
            }
            if (!objects.isEmpty()) {
                write(() -> {
                    for (Location o : objects) {
                        store.delete(o);
                    }
                });
            }
        }

        @Override
        public void delete(Location location) throws IOException {
            write(() -> store.delete(location));
        }

        @Override
        public void deleteObjects(List<Location> objects, Fence fence) throws IOException {
            if (renames) {
                ObjectStore.super.deleteObjects(objects, fence); // one request each, through delete()
            } else if (!objects.isEmpty()) {
                write(() -> { // as on S3: one DeleteObjects request of the keys
                    for (Location o : objects) {
                        store.delete(o);
                    }
                });
            }
        }

        @Override
        public void move(Location from, Location to) throws IOException {
            if (renames) {
                write(() -> store.move(from, to));
            } else { // as on S3: a server-side copy, then a delete of the source, two requests
                write(() -> store.copy(from, to));
                write(() -> store.delete(from));
            }
        }

        @Override
        public void moveAll(Location from, Location to) throws IOException {
            if (renames) {
                write(() -> store.moveAll(from, to));
            } else {
                ObjectStore.super.moveAll(from, to); // object by object, each through move()
            }
        }

        @Override
        public void checkWritable(Location prefix) {
        }

        @Override
        public void checkReadable(Location location) {
        }
    }

    private Path out;
    private OutputLayout layout;

    /** Generation 0 in place with _SUCCESS, generation 1 staged and declared complete. */
    private void outputs(ObjectStore store) throws IOException {
        out = temp.resolve("out-" + System.nanoTime());
        layout = new OutputLayout(Location.local(out));
        for (int p = 0; p < OLD_PARTS; p++) {
            write(layout.part(OutputLayout.FEATURES, p), "0");
            write(layout.part(OutputLayout.PCA, p), "0");
        }
        for (Location f : List.of(layout.pcaModel(), layout.pcaCsv(), layout.errorsCsv(), layout.report("html"),
                layout.report("json"), layout.success())) {
            write(f, "0");
        }
        java.util.List<dev.orchard.coordinator.work.WorkState.BasePart> oldParts = new java.util.ArrayList<>();
        for (int p = 0; p < OLD_PARTS; p++) {
            oldParts.add(new dev.orchard.coordinator.work.WorkState.BasePart(10, 1));
        }
        new GenerationSummary(0, -1, oldParts, 10L * OLD_PARTS, 0, null, null).write(new LocalObjectStore(), layout);
        write(layout.inventory(0), "0");
        write(layout.journal(0, "plan").resolve("units-000000.jsonl"), "0");
        for (int p = 0; p < NEW_PARTS; p++) {
            write(layout.published(1, OutputLayout.FEATURES, p), "1");
            write(layout.published(1, OutputLayout.PCA, p), "1");
        }
        // Generation 1's report page could not be drawn: it has report.json, and no report.html.
        for (Location f : List.of(layout.pcaModel(), layout.pcaCsv(), layout.errorsCsv(), layout.report("json"))) {
            write(layout.finalFile(1, f), "1");
        }
        write(layout.generationSummary(1), "{}");
        write(layout.attempts().resolve("units/u000001-a1.parquet"), "x");
        new GenerationSwap(store, layout).begin(1, true, "1".getBytes(StandardCharsets.UTF_8));
    }

    private static void write(Location l, String text) throws IOException {
        Files.createDirectories(l.path().getParent());
        Files.writeString(l.path(), text);
    }

    /**
     * What a reader finds in the outputs: rows of one generation only, and no final file beside rows of another
     * generation; while _SUCCESS is there, all of the generation it and CURRENT name, and nothing else.
     */
    private void assertReaderSeesOneGeneration() {
        try {
            Set<String> rows = new HashSet<>();
            int parts = 0;
            for (String kind : List.of(OutputLayout.FEATURES, OutputLayout.PCA)) {
                Path folder = out.resolve(kind);
                if (Files.isDirectory(folder)) {
                    try (Stream<Path> files = Files.list(folder)) {
                        for (Path f : files.filter(f -> !f.getFileName().toString().startsWith(".")).toList()) {
                            rows.add(Files.readString(f));
                            parts++;
                        }
                    }
                }
            }
            Set<String> finals = new HashSet<>();
            for (Location f : FINAL_FILES.apply(layout)) {
                if (Files.exists(f.path())) {
                    finals.add(Files.readString(f.path()));
                }
            }
            assertThat(rows).as("generations whose rows a reader sees side by side").hasSizeLessThanOrEqualTo(1);
            if (!rows.isEmpty()) {
                assertThat(rows).as("the rows' generation, beside final files of " + finals).containsAll(finals);
            }
            if (Files.exists(out.resolve("_SUCCESS"))) {
                String g = Files.readString(out.resolve("_SUCCESS"));
                String current = Files.exists(layout.current().path()) ? Files.readString(layout.current().path()) : "0";
                assertThat(current).as("CURRENT while _SUCCESS names " + g).isEqualTo(g);
                assertThat(rows).containsExactly(g);
                assertThat(finals).containsExactly(g);
                assertThat(parts).isEqualTo(2 * (g.equals("0") ? OLD_PARTS : NEW_PARTS));
                for (Location f : List.of(layout.pcaModel(), layout.pcaCsv(), layout.errorsCsv(), layout.report("json"))) {
                    assertThat(f.path()).exists();
                }
                assertThat(Files.exists(layout.report("html").path())).as("report.html").isEqualTo(g.equals("0"));
            }
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * A coordinator frozen in its swap between its lease's check and a request (a GC pause, a stopped VM) sends that
     * request when it wakes, after the coordinator that took over from it began or finished the same swap: the lease
     * can stop its next requests, not that one. For every write of the swap held so, landing before, after each write
     * of the takeover's swap, or after all of it: nothing of the new generation is lost, and at worst its _SUCCESS is
     * (a late removal of the old one), which the next command's start writes again from the swap's record
     * ({@link GenerationSwap#finish}). The removal of the old parts was one listing's keys (one S3 batch), or one
     * rename of the folder: landing late, it took the new generation's parts of the same names with it (a reviewer's
     * schedule, read in code; here it failed on both stores before the parts were named by their generation).
     */
    @ParameterizedTest(name = "a folder in one request: {0}")
    @ValueSource(booleans = {true, false})
    void aRequestOfAFrozenCoordinatorLandingLateLosesNothingOfTheNewGeneration(boolean renames) throws Exception {
        int total = writesOfASwap(renames);
        int cases = 0;
        for (int holdAt = 1; holdAt <= total; holdAt++) {
            for (int lateAt = 0; ; lateAt++) {
                Request held = frozenAt(renames, holdAt);
                Watched takeover = new Watched(renames);
                takeover.late = held;
                takeover.lateAt = lateAt;
                String schedule = "request " + holdAt + " of the frozen swap, landing after write " + lateAt
                        + " of the takeover's swap (or after all of it)";
                boolean afterAll;
                try {
                    if (lateAt == 0) {
                        takeover.land();
                    }
                    swap(takeover);
                    afterAll = !takeover.lateLanded;
                    takeover.land();
                    assertThat(newGeneration()).containsExactly("1");
                } catch (AssertionError e) {
                    throw new AssertionError(schedule + ": " + e.getMessage(), e);
                }
                cases++;
                if (!Files.exists(out.resolve("_SUCCESS"))) {
                    assertThat(new GenerationSwap(takeover, layout).finish(1)).as(schedule).isTrue(); // the next start
                }
                assertSwapped();
                deleteOutput(); // ~1,500 outputs a run: in memory, not kept to the test's end
                if (afterAll) {
                    break;
                }
            }
        }
        assertThat(cases).isGreaterThan(total * 5);
    }

    /**
     * A swap an earlier Orchard began (its record empty; it took the old final files and parts out before _CLEARED and
     * then moved the parts in under a first run's names, on S3 a copy and a delete each) is finished from what is
     * staged, under the names it used (killed between a part's copy and its delete, a part under two names was in view
     * twice: the second review), and recorded, so that a late removal of its _SUCCESS is repaired too.
     */
    @ParameterizedTest(name = "cleared and part 0 copied in by the earlier Orchard: {0}")
    @ValueSource(booleans = {false, true})
    void aSwapAnEarlierOrchardBeganIsFinishedUnderItsNamesAndRecorded(boolean partlyMoved) throws Exception {
        Watched store = new Watched(false);
        outputs(store);
        store.put(layout.swapMarker(1), new byte[0]);
        if (partlyMoved) { // as the earlier Orchard's swap, killed between part 0's copy and its delete
            store.delete(layout.success());
            for (String kind : List.of(OutputLayout.FEATURES, OutputLayout.PCA)) {
                store.deleteAll(layout.rowsFolder(kind));
            }
            for (Location f : FINAL_FILES.apply(layout)) {
                store.delete(f);
            }
            store.put(layout.swapCleared(1), new byte[0]);
            store.copy(layout.published(1, OutputLayout.FEATURES, 0), layout.part(OutputLayout.FEATURES, 0, 0));
        }
        GenerationSwap swap = new GenerationSwap(store, layout);
        swap.complete(1, true, "1".getBytes(StandardCharsets.UTF_8));
        swap.cleanUp(1);
        assertSwapped();
        assertThat(Files.exists(layout.part(OutputLayout.FEATURES, 0, 1).path())).as("a first run's name").isTrue();
        assertThat(Files.size(layout.swapMarker(1).path())).isPositive();
        Files.delete(out.resolve("_SUCCESS"));
        assertThat(swap.finish(1)).isTrue();
        assertSwapped();
    }

    /**
     * A request of a frozen swap to generation 1 that lands after a later generation was named (the next update
     * finished meanwhile): it never names generation 1 again ({@code CURRENT} is written on condition, never lowered).
     */
    @ParameterizedTest(name = "a folder in one request: {0}")
    @ValueSource(booleans = {true, false})
    void aRequestLandingAfterTheNextGenerationNeverNamesItsOwnAgain(boolean renames) throws Exception {
        int total = writesOfASwap(renames);
        for (int holdAt = 1; holdAt <= total; holdAt++) {
            Request held = frozenAt(renames, holdAt);
            swap(new Watched(renames));
            Files.writeString(layout.current().path(), "2"); // the next update's swap, as far as CURRENT goes
            try {
                held.send();
            } catch (IOException gone) {
                // nothing happened
            }
            assertThat(Files.readString(layout.current().path())).as("CURRENT after request " + holdAt).isEqualTo("2");
            deleteOutput();
        }
    }

    /**
     * A _SUCCESS found once the old generation is cleared is not this swap's (an earlier generation's, put back by a
     * late request): it goes before any part of the new generation is in view, or a reader would take the new rows
     * for the old generation's complete output.
     */
    @ParameterizedTest(name = "a folder in one request: {0}")
    @ValueSource(booleans = {true, false})
    void aStaleSuccessFoundAfterTheClearingGoesBeforeTheNewRows(boolean renames) throws Exception {
        int total = writesOfASwap(renames);
        int cleared = 0;
        for (int killAt = 1; killAt <= total; killAt++) {
            Watched store = new Watched(renames);
            outputs(store);
            store.writes = 0;
            store.limit = killAt;
            assertThatThrownBy(() -> swap(store)).isInstanceOf(Killed.class);
            store.limit = Integer.MAX_VALUE;
            if (Files.exists(layout.swapCleared(1).path()) && !Files.exists(layout.success().path())) {
                cleared++;
                Files.writeString(layout.success().path(), "0"); // generation 0's, landing late
                swap(store); // the reader's view is checked after each of its writes
                assertSwapped();
            }
            deleteOutput();
        }
        assertThat(cleared).isGreaterThan(3);
    }

    /** A file of the user's beside the parts is not a part: the swap leaves it where it is (it deleted it). */
    @org.junit.jupiter.api.Test
    void aUsersFilesBesideThePartsStay() throws Exception {
        LocalObjectStore store = new LocalObjectStore();
        outputs(store);
        Location notes = layout.rowsFolder(OutputLayout.FEATURES).resolve("NOTES.txt");
        Location backup = layout.rowsFolder(OutputLayout.PCA).resolve("my-backup.parquet");
        write(notes, "mine");
        write(backup, "mine");
        swap(store);
        assertThat(notes.path()).hasContent("mine");
        assertThat(backup.path()).hasContent("mine");
        try (Stream<Path> parts = Files.list(layout.rowsFolder(OutputLayout.FEATURES).path())) {
            assertThat(parts.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("part-")).toList())
                    .containsExactlyInAnyOrder(OutputLayout.partName(1, 0), OutputLayout.partName(1, 1));
        }
    }

    /**
     * A file of the user's named as a part the base generation never had (part 50 of an output of 3) is not one of its
     * parts: it stays. An update deleted it, taking every name of a part's pattern (a user's walk).
     */
    @org.junit.jupiter.api.Test
    void aUsersFileNamedAsAPartTheBaseNeverHadStays() throws Exception {
        LocalObjectStore store = new LocalObjectStore();
        outputs(store);
        Location mine = layout.rowsFolder(OutputLayout.FEATURES).resolve(OutputLayout.partName(50));
        Location alsoMine = layout.rowsFolder(OutputLayout.PCA).resolve(OutputLayout.partName(OLD_PARTS));
        Location ofAnotherGeneration = layout.rowsFolder(OutputLayout.PCA).resolve(OutputLayout.partName(7, 0));
        write(mine, "mine");
        write(alsoMine, "mine");
        write(ofAnotherGeneration, "mine");
        swap(store);
        assertThat(mine.path()).hasContent("mine");
        assertThat(alsoMine.path()).hasContent("mine");
        assertThat(ofAnotherGeneration.path()).hasContent("mine");
        for (int p = 0; p < OLD_PARTS; p++) {
            assertThat(layout.part(OutputLayout.FEATURES, p).path()).as("base part %d", p).doesNotExist();
        }
        assertThat(layout.part(OutputLayout.PCA, 0).path()).doesNotExist();
        assertThat(layout.part(OutputLayout.FEATURES, 1, 0).path()).hasContent("1");
    }

    /** How many writes a whole swap of fresh outputs makes (then swapped, and checked so). */
    private int writesOfASwap(boolean renames) throws IOException {
        Watched store = new Watched(renames);
        outputs(store);
        store.writes = 0;
        swap(store);
        assertSwapped();
        return store.writes;
    }

    /** Fresh outputs, and a coordinator's swap of them frozen at its write {@code holdAt}: the request it holds. */
    private Request frozenAt(boolean renames, int holdAt) throws IOException {
        Watched frozen = new Watched(renames);
        outputs(frozen);
        frozen.writes = 0;
        frozen.holdAt = holdAt;
        assertThatThrownBy(() -> swap(frozen)).as("frozen at write %d", holdAt).isInstanceOf(Killed.class);
        assertThat(frozen.held).isNotNull();
        return frozen.held;
    }

    private void deleteOutput() throws IOException {
        try (Stream<Path> walk = Files.walk(out)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** The generations of the rows and final files in view, once every part and file of generation 1 is. */
    private Set<String> newGeneration() throws IOException {
        Set<String> generations = new HashSet<>();
        int parts = 0;
        for (String kind : List.of(OutputLayout.FEATURES, OutputLayout.PCA)) {
            for (Path f : files(layout.rowsFolder(kind))) {
                generations.add(Files.readString(f));
                parts++;
            }
        }
        assertThat(parts).as("parts in view").isEqualTo(2 * NEW_PARTS);
        for (Location f : List.of(layout.pcaModel(), layout.pcaCsv(), layout.errorsCsv(), layout.report("json"))) {
            assertThat(f.path()).exists();
            generations.add(Files.readString(f.path()));
        }
        assertThat(layout.report("html").path()).as("generation 0's report.html").doesNotExist();
        assertThat(Files.readString(layout.current().path())).isEqualTo("1");
        return generations;
    }

    @ParameterizedTest(name = "a folder in one request: {0}")
    @ValueSource(booleans = {true, false})
    void killedAfterAnyWriteAReaderSeesOneGenerationAndARerunFinishes(boolean renames) throws Exception {
        int total = writesOfASwap(renames);
        assertThat(total).isGreaterThan(renames ? 8 : 15);
        for (int killAt = 1; killAt <= total; killAt++) {
            Watched store = new Watched(renames);
            outputs(store);
            store.writes = 0;
            store.limit = killAt;
            int at = killAt;
            assertThatThrownBy(() -> swap(store)).as("killed at write %d", at).isInstanceOf(Killed.class);
            store.limit = Integer.MAX_VALUE;
            swap(store); // the resumed coordinator runs the same steps again
            assertSwapped();
        }
    }

    private void swap(ObjectStore store) throws IOException {
        GenerationSwap swap = new GenerationSwap(store, layout);
        swap.complete(1, true, "1".getBytes(StandardCharsets.UTF_8));
        swap.cleanUp(1);
    }

    private void assertSwapped() throws IOException {
        assertReaderSeesOneGeneration();
        assertThat(Files.readString(out.resolve("_SUCCESS"))).isEqualTo("1");
        assertThat(Files.readString(layout.current().path())).isEqualTo("1");
        assertThat(files(layout.staging(1))).isEmpty();
        assertThat(files(layout.replaced(1))).isEmpty();
        assertThat(files(layout.attempts())).isEmpty();
        assertThat(layout.generationSummary(0).path()).doesNotExist();
        assertThat(layout.inventory(0).path()).doesNotExist();
        assertThat(files(layout.journal(0, "plan"))).isEmpty();
        assertThat(layout.generationSummary(1).path()).exists();
        assertThat(layout.marker().path()).doesNotExist(); // this test made none; the swap never makes or removes it
    }

    private static List<Path> files(Location folder) throws IOException {
        if (!Files.exists(folder.path())) {
            return List.of();
        }
        try (Stream<Path> walk = Files.walk(folder.path())) {
            return walk.filter(Files::isRegularFile).toList();
        }
    }
}
