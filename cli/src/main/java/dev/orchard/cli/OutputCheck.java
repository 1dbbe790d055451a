package dev.orchard.cli;

import dev.orchard.coordinator.OutputLease;
import dev.orchard.store.Location;
import dev.orchard.store.ObjectStore;
import dev.orchard.store.OutputLayout;
import dev.orchard.store.OutputMarker;
import dev.orchard.store.StoredObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * A job never mixes its files with an earlier job's, and never deletes a file it did not write. A non-empty output
 * is refused unless {@code --overwrite}; {@code --overwrite} deletes only Orchard's own outputs
 * ({@link OutputLayout#KNOWN_OUTPUTS}), and only from a folder that holds Orchard's {@link OutputMarker} and nothing
 * else: a folder with other files is refused with their names, never emptied. The marker is the first file a job
 * writes to its output, and the last one an overwrite deletes (it is replaced, never absent while Orchard's files
 * are there).
 */
final class OutputCheck {
    /** How many names of other files a refusal shows. */
    private static final int NAMES_SHOWN = 10;
    private OutputCheck() {
    }

    /** Refuses an --overwrite of {@code output} where {@code contents} found files Orchard did not write, naming them. */
    private static void refuseWhatIsNotOrchards(Location output, Contents contents) {
        if (!contents.foreign.isEmpty()) {
            throw new IllegalArgumentException("--overwrite refused: --output " + output + " holds files Orchard did "
                    + "not write: " + dev.orchard.store.Printable.joined(contents.foreign) + (contents.more ? ", …" : "")
                    + ". Orchard deletes only its own results (" + OutputLayout.KNOWN_OUTPUTS_DESCRIBED
                    + ") and only from a folder that holds nothing else. Choose a new --output, or move those away.");
        }
    }

    /** Makes {@code output} ready for a new job (clearing an earlier job's results with {@code overwrite}) and marks it. */
    static void prepare(ObjectStore store, Location output, boolean overwrite, String version) throws IOException {
        OutputLayout layout = new OutputLayout(output);
        Contents contents = check(store, output, overwrite);
        if (!contents.names.isEmpty()) {
            // Here, once, right before the clear: check runs up to three times a command, and reading every part's
            // footer three times was a ranged read per part each time on S3.
            contents.readParts(store, output);
            refuseWhatIsNotOrchards(output, contents);
            OutputMarker.clearing(version).write(store, layout); // first: no job to resume until the clear has ended
            clear(store, layout, contents.names);
        }
        store.checkWritable(output);
        OutputMarker.now(version).write(store, layout);
    }

    /**
     * Whether {@code output} holds Orchard's marker and nothing else: a job that has not begun (no lease, no journal, no
     * file), as a standby coordinator node started before the first one leaves it while it waits for a cluster.
     */
    static boolean holdsOnlyMarker(ObjectStore store, Location output) throws IOException {
        return holdsOnlyMarker(store, output, false);
    }

    /**
     * As {@link #holdsOnlyMarker(ObjectStore, Location)}, with {@code andLease} the lease's own files too (a setup's: the
     * lease file, the local store's lock file beside it, its conditional writes' probe).
     */
    static boolean holdsOnlyMarker(ObjectStore store, Location output, boolean andLease) throws IOException {
        OutputLayout layout = new OutputLayout(output);
        try (Stream<StoredObject> objects = store.list(output)) {
            List<Location> found = objects.limit(4).map(StoredObject::location).toList();
            return found.contains(layout.marker()) && found.stream().allMatch(o -> o.equals(layout.marker())
                    || andLease && (o.equals(layout.lease()) || layout.isConditionsProbe(o)
                            || o.parent().equals(layout.bookkeeping())
                            && layout.lease().name().equals(ObjectStore.leftoverOf(o.name()))));
        } catch (NoSuchFileException e) {
            return false;
        }
    }

    /**
     * Refuses an output that {@link #prepare} would refuse, changing nothing: called first, so that a wrong
     * {@code --output} costs a second, not a model load; {@link #prepare} checks again when it is time to write.
     */
    static Contents check(ObjectStore store, Location output, boolean overwrite) throws IOException {
        OutputLayout layout = new OutputLayout(output);
        Contents contents = Contents.of(store, output);
        if (!contents.names.isEmpty()) {
            if (contents.isFile) {
                throw new IllegalArgumentException("--output " + output + " is a file, not a folder: give a folder "
                        + "(or prefix) for the results");
            }
            if (!overwrite && OutputMarker.read(store, layout).isPresent()) { // an Orchard job's: say what goes on
                // Taken since this command first looked (the loser of two runs started at once was told "no coordinator
                // holds its lease now" of a lease just taken: the diff's review); this process's own setup lease aside.
                if (OutputLease.claim(store, output, OutputLease.thisProcess(), dev.orchard.coordinator.ClusterMembership.NONE,
                        java.time.Instant.now()) instanceof OutputLease.Claim.Refused running) {
                    throw new IllegalArgumentException(running.message());
                }
                throw new IllegalArgumentException("--output " + output + " holds an Orchard job's results"
                        + (store.exists(layout.success())
                                ? ": --update adds new images to them, --overwrite replaces them, or choose a new location"
                                // Not "--resume continues it" alone: the loser of two runs started within half a
                                // second was told so of the winner's job, whose lease was not written yet (a walk).
                                : " and it has not finished (no _SUCCESS); no coordinator holds its lease now (a job"
                                        + " started there a moment ago may not yet): if its job has stopped, the same"
                                        + " command with --resume continues it, --overwrite replaces it, or choose a new"
                                        + " location"));
            }
            if (!overwrite) {
                throw new IllegalArgumentException("--output " + output + " is not empty: choose a new location, "
                        + "or pass --overwrite to replace an earlier Orchard job's results there");
            }
            if (OutputMarker.read(store, layout).isEmpty()) {
                throw new IllegalArgumentException("--overwrite refused: --output " + output + " holds "
                        + dev.orchard.store.Printable.joined(contents.names) + " but not Orchard's marker " + layout.marker()
                        + ", so Orchard cannot tell that it wrote them. Choose a new --output, or delete them yourself.");
            }
            contents.readClassifyFolders(store, output);
            refuseWhatIsNotOrchards(output, contents);
        }
        return contents;
    }

    /**
     * Deletes Orchard's outputs below {@code layout}'s root, the marker last (it is then rewritten, not deleted), but not
     * the lease: it counts the terms of the coordinators that wrote here, so that a write of the earlier job's that lands
     * late cannot outrank the new job's journal ({@code JobJournal}).
     */
    private static void clear(ObjectStore store, OutputLayout layout, Set<String> names) throws IOException {
        for (String name : names) {
            if (!name.equals(OutputLayout.BOOKKEEPING)) {
                store.deleteAll(layout.root().resolve(name));
            }
        }
        Location bookkeeping = layout.bookkeeping();
        Set<String> inside = new TreeSet<>();
        try (Stream<StoredObject> objects = store.list(bookkeeping)) {
            objects.forEach(o -> inside.add(firstSegment(bookkeeping.relativize(o.location()))));
        } catch (NoSuchFileException e) {
            return;
        }
        String marker = layout.marker().name();
        String lease = layout.lease().name();
        for (String name : inside) {
            if (!name.equals(marker) && !name.equals(lease) && !name.isEmpty()) {
                store.deleteAll(bookkeeping.resolve(name));
            }
        }
    }

    /**
     * What {@code orchard classify} wrote into {@code output} ({@code classify-<mode>/}, {@code predictions-*.parquet}),
     * folders with a trailing slash: made from the rows an update has since replaced. Read, as --overwrite reads them:
     * a folder of those names holding someone else's files is not named as orchard classify's (the review).
     */
    static List<String> classifyOutputs(ObjectStore store, Location output) throws IOException {
        List<String> found = new java.util.ArrayList<>();
        for (String name : Contents.of(store, output, false).names) {
            if (OutputLayout.isClassifyOutput(name) && notClassifys(store, output, name).isEmpty()) {
                found.add(name.endsWith(".parquet") ? name : name + "/");
            }
        }
        return found;
    }

    /**
     * What of the top-level {@code name}, one of orchard classify's names, orchard classify did not write, read not
     * named ({@link dev.orchard.classify.TrainingFolder}): the file itself (a predictions-*.parquet, by its footer),
     * or the files in the folder (classify-<mode>/) that are not its; none when all is orchard classify's.
     */
    private static List<String> notClassifys(ObjectStore store, Location output, String name) throws IOException {
        if (name.endsWith(".parquet")) {
            return dev.orchard.classify.TrainingFolder.isOrchardsPredictions(store, output.resolve(name))
                    ? List.of() : List.of(name);
        }
        return dev.orchard.classify.TrainingFolder.notOrchards(store, output.resolve(name)).stream()
                .map(file -> name + "/" + file).toList();
    }

    /** The top-level names below an output, and those Orchard did not write (the first {@value #NAMES_SHOWN}). */
    static final class Contents {
        final Set<String> names = new TreeSet<>();
        final Set<String> foreign = new LinkedHashSet<>();
        boolean more;
        boolean isFile;

        /** Lists until the names of others' files to show are found (a refusal needs no more). */
        static Contents of(ObjectStore store, Location output) throws IOException {
            return of(store, output, true);
        }

        /** @param stopAtShown stop once {@value #NAMES_SHOWN} names Orchard did not write are found, else list all */
        static Contents of(ObjectStore store, Location output, boolean stopAtShown) throws IOException {
            Contents contents = new Contents();
            contents.foldersInsideOrchards(output);
            // Links, sockets and folders that cannot be read are not Orchard's: they count as other files.
            try (Stream<StoredObject> objects = store.list(output, false, p -> contents.add(output, p.location(), true))) {
                for (Iterator<StoredObject> it = objects.iterator(); it.hasNext() && !(stopAtShown && contents.more); ) {
                    Location found = it.next().location();
                    if (found.equals(output)) {
                        contents.isFile = true;
                        contents.names.add(found.name());
                        break;
                    }
                    contents.add(output, found, false);
                }
            } catch (NoSuchFileException e) {
                return contents; // nothing there yet
            } catch (UncheckedIOException e) {
                throw e.getCause();
            }
            return contents;
        }

        /**
         * What orchard classify wrote is Orchard's by its name only if orchard classify wrote it: a text file called
         * classifier.onnx was deleted by --overwrite with the user's report.html beside it (a walk). The files of
         * {@code classify-<mode>/} are read ({@link dev.orchard.classify.TrainingFolder}), and the footers of
         * {@code predictions-*.parquet} at the top (a ranged read of each: an --apply's file is not read whole).
         */
        private void readClassifyFolders(ObjectStore store, Location output) throws IOException {
            for (String name : List.copyOf(names)) {
                if (OutputLayout.isClassifyOutput(name)) {
                    for (String theirs : notClassifys(store, output, name)) {
                        notOrchards(theirs);
                    }
                }
            }
        }

        /** The files named as parts in {@code features/} and {@code pca/}, to be read ({@link #readParts}). */
        private final List<Location> parts = new ArrayList<>();

        /**
         * A file named as a part is Orchard's only where its footer carries Orchard's schema: --overwrite deleted a
         * user's text file called {@code features/part-0000000.parquet}, and one of a generation the output never had
         * (a walk). Read from each part's tail, a ranged read on S3.
         */
        private void readParts(ObjectStore store, Location output) throws IOException {
            for (Location part : parts) {
                if (!dev.orchard.store.parquet.ParquetMetadata.isOrchards(store, part)) {
                    notOrchards(output.relativize(part));
                }
            }
        }

        /** Folders inside Orchard's folders, named "features/x/": none of them is Orchard's. */
        private final Set<String> foreignFolders = new LinkedHashSet<>();

        /**
         * Locally, the folders inside {@code features/}, {@code pca/} and {@code classify-<mode>/}: Orchard makes none,
         * and a listing of files does not show an empty one, which --overwrite then deleted with its parent without a
         * word (the diff's review). (S3 has no empty folders; a console's folder object is listed as a file.)
         */
        private void foldersInsideOrchards(Location output) throws IOException {
            if (!output.isLocal() || !Files.isDirectory(output.path(), LinkOption.NOFOLLOW_LINKS)) {
                return;
            }
            try (Stream<Path> top = Files.list(output.path())) {
                for (Path folder : top.toList()) {
                    String name = folder.getFileName().toString();
                    if (name.equals(OutputLayout.BOOKKEEPING) || !OutputLayout.isKnownOutput(name)
                            || !Files.isDirectory(folder, LinkOption.NOFOLLOW_LINKS)) {
                        continue;
                    }
                    try (Stream<Path> inside = Files.list(folder)) {
                        for (Path p : inside.toList()) {
                            if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                                String named = name + "/" + p.getFileName() + "/";
                                foreignFolders.add(named);
                                names.add(name);
                                notOrchards(named);
                            }
                        }
                    }
                }
            } catch (AccessDeniedException e) {
                // the listing below reports what cannot be read
            }
        }

        /**
         * One object below the output: Orchard's if it is one of its outputs ({@link OutputLayout#isKnownOutput}), but
         * inside {@code features/}, {@code pca/} and {@code classify-<mode>/} only the files Orchard writes there (a
         * user's notes or plots in them are theirs: an overwrite that deleted the folders took them, a user's walk),
         * named by their path; {@code problem}: a link or a folder that cannot be read, never Orchard's.
         */
        private void add(Location output, Location found, boolean problem) {
            String relative = output.relativize(found);
            String name = firstSegment(relative);
            names.add(name);
            if (foreignFolders.stream().anyMatch(relative::startsWith)) {
                return; // in a folder of the user's, named already
            }
            if (problem || !isOrchards(name, relative)) {
                notOrchards(relative.equals(name) || !OutputLayout.isKnownOutput(name) ? name : relative);
            } else if ((name.equals(OutputLayout.FEATURES) || name.equals(OutputLayout.PCA))
                    && OutputLayout.partNumber(relative.substring(name.length() + 1)) >= 0) {
                parts.add(found); // a crash's temporary file of a part is not read: Orchard's by its name
            }
        }

        /** Names one of the first {@value #NAMES_SHOWN} things Orchard did not write; past those, notes there are more. */
        private void notOrchards(String named) {
            if (foreign.contains(named)) {
                return;
            }
            if (foreign.size() == NAMES_SHOWN) {
                more = true;
            } else {
                foreign.add(named);
            }
        }
    }

    /**
     * Whether {@code relative}, below an output, whose top-level name is {@code name}, is a file Orchard writes, or what
     * a crash left of one ({@link ObjectStore#leftoverOf}: a write's temporary file, the write probe).
     */
    private static boolean isOrchards(String name, String relative) {
        if (!OutputLayout.isKnownOutput(name)) {
            String leftover = ObjectStore.leftoverOf(name);
            return leftover != null && (leftover.equals(name) || OutputLayout.isKnownOutput(leftover));
        }
        if (relative.equals(name)) { // a file at the top: Orchard's if named as its files, not as one of its folders
            return !isFolderOutput(name);
        }
        if (name.equals(OutputLayout.BOOKKEEPING)) {
            return true;
        }
        String inside = relative.substring(name.length() + 1);
        if (inside.isEmpty()) {
            return true; // an S3 console's empty "folder" object: no file of anyone's
        }
        if (inside.contains("/")) {
            return false;
        }
        String leftover = ObjectStore.leftoverOf(inside); // a crash's leftover of a write of one of these files
        return OutputLayout.isOwnFileIn(name, leftover != null ? leftover : inside);
    }

    /** Whether Orchard writes {@code name} as a folder: a file of that name is not Orchard's (the review). */
    private static boolean isFolderOutput(String name) {
        return name.equals(OutputLayout.FEATURES) || name.equals(OutputLayout.PCA) || name.equals(OutputLayout.BOOKKEEPING)
                || OutputLayout.isClassifyOutput(name) && !name.endsWith(".parquet");
    }

    private static String firstSegment(String relative) {
        int slash = relative.indexOf('/');
        return slash < 0 ? relative : relative.substring(0, slash);
    }
}
