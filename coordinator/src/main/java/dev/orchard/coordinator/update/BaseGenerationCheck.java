package dev.orchard.coordinator.update;

import dev.orchard.coordinator.work.WorkState;
import dev.orchard.store.Location;
import dev.orchard.store.ObjectStore;
import dev.orchard.store.OutputLayout;
import dev.orchard.store.StoredObject;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Refuses an update whose base generation's rows are no longer as that generation wrote them: a features part missing,
 * of another size than its generation recorded (truncated by a copy, rewritten), or not a plain file. An update builds
 * its new generation from the base parts (all but those that lose every row, which it cannot know before its
 * listing), so such a part failed its publish stage only after every new image was featurised, three times, and again
 * on every rerun, with a message that named no file (a user's walk: "footer is too large", or a bare path). One
 * listing of {@code features/}, before the update is recorded ({@code UpdateCheck}) and again as its coordinator
 * starts. A part damaged in place at its own size is found only as it is read (its publish then names it).
 */
public final class BaseGenerationCheck {
    /** How many damaged parts a refusal names before it counts the rest. */
    private static final int NAMED = 5;

    private BaseGenerationCheck() {
    }

    /** Throws, naming the damaged parts and what to do, unless every part of {@code base} is as it was written. */
    public static void requireIntact(ObjectStore store, OutputLayout layout, Location output, WorkState.Base base)
            throws IOException {
        requireOwnFolders(output);
        Location folder = layout.rowsFolder(OutputLayout.FEATURES);
        Map<String, Long> sizes = ownFiles(store, folder);
        List<String> problems = new ArrayList<>();
        for (int p = 0; p < base.parts().size(); p++) {
            String name = OutputLayout.partNameAmong(sizes.keySet(), base.generation(), p); // its own, or a first run's
            Long size = sizes.get(name);
            long written = base.parts().get(p).bytes();
            if (size == null && store.exists(folder.resolve(name))) {
                // Listed by no listing but there: a link (to a DVC or git-annex store, say). The swap deletes the old
                // parts it lists, so the old generation's rows would stay beside the new.
                problems.add(name + " is a link or not a plain file: make it the file itself");
            } else if (size == null) {
                problems.add(name + " is missing");
            } else if (written > 0 && size != written) {
                problems.add(name + " has " + size + " bytes, where it was written with " + written);
            }
        }
        if (problems.isEmpty()) {
            List<String> strays = strays(store, layout, base.generation(), base.parts().size());
            if (!strays.isEmpty()) {
                throw new IllegalArgumentException("--update refused: " + String.join("; ", strays.subList(0,
                        Math.min(NAMED, strays.size()))) + (strays.size() > NAMED ? "; and " + (strays.size() - NAMED)
                        + " more" : "") + " (in " + output + "). Spark and DuckDB read such a file as rows of the output,"
                        + " and orchard classify refuses the output: move your own files out of features/ and pca/ (a"
                        + " part an earlier Orchard left there may be deleted), then run this command again. This"
                        + " command featurised nothing.");
            }
            return;
        }
        String named = String.join("; ", problems.subList(0, Math.min(NAMED, problems.size())))
                + (problems.size() > NAMED ? "; and " + (problems.size() - NAMED) + " more" : "");
        throw new IllegalArgumentException("--update refused: the rows of " + output + " are not as its generation "
                + base.generation() + " wrote them (" + folder + "): " + named + ". An update builds on those rows,"
                + " and cannot make them again without featurising their images: restore the files and run this"
                + " command again, or make the output again from the input with --overwrite. This command featurised"
                + " nothing.");
    }

    /**
     * Refuses a local output whose {@code features/}, {@code pca/} or {@code _orchard/} is a link: an update deletes
     * the old parts and writes its bookkeeping there, and did it in the folder the link led to, the user's (the
     * data-safety walk; --overwrite refuses such links).
     */
    private static void requireOwnFolders(Location output) throws IOException {
        if (!output.isLocal()) {
            return;
        }
        for (String name : List.of(OutputLayout.FEATURES, OutputLayout.PCA, OutputLayout.BOOKKEEPING)) {
            java.nio.file.Path folder = output.path().resolve(name);
            if (java.nio.file.Files.isSymbolicLink(folder)) {
                throw new IllegalArgumentException("--update refused: " + folder + " is a link (to "
                        + java.nio.file.Files.readSymbolicLink(folder) + "), and an update deletes and writes files in"
                        + " it, in the folder it leads to: make it a folder of the output's own (move the files in"
                        + " place of the link), then run this command again. This command featurised nothing.");
            }
        }
    }

    /**
     * Files in {@code features/} or {@code pca/} named as a part that are none of the base generation's parts (by the
     * name each of its parts has there, its own or a first run's): a file of the user's (an update deleted
     * {@code part-000050.parquet} beside an output of one part, a walk, and now keeps it), or a part an earlier
     * Orchard left beside the others (a --resume with other part settings did, until 2026-12-05). Either is read as
     * rows of the output by Spark or DuckDB, and makes orchard classify refuse it; the update neither deletes nor keeps
     * one without a word. Named as a part as a reader takes it ({@link OutputLayout#isNamedAsPart}), not only as Orchard
     * names its own: a {@code part-000000 (copy).parquet} passed, and orchard classify refused the updated output.
     */
    private static List<String> strays(ObjectStore store, OutputLayout layout, int generation, int parts)
            throws IOException {
        List<String> strays = new ArrayList<>();
        for (String kind : OutputLayout.rowsFolders(true)) {
            Map<String, Long> files = ownFiles(store, layout.rowsFolder(kind));
            java.util.Set<String> own = new java.util.HashSet<>();
            for (int p = 0; p < parts; p++) {
                own.add(OutputLayout.partNameAmong(files.keySet(), generation, p));
            }
            files.keySet().stream().filter(n -> OutputLayout.isNamedAsPart(n) && !own.contains(n)).sorted()
                    .forEach(n -> strays.add(kind + "/" + n + " is named as a part but is none of generation "
                            + generation + "'s"));
        }
        return strays;
    }

    /**
     * Throws, naming them, where files named as parts that are none of the base generation's (its {@code parts} parts)
     * lie in {@code features/} or {@code pca/} as an update's swap is about to begin: {@link #requireIntact} looks as
     * the update starts, and a file put there while it ran was replaced by the swap's move (one with the new
     * generation's part name) or kept beside the new parts (the data-safety walk). Before the swap nothing of the
     * output has changed, and the same command goes on from its journal once they are moved.
     */
    public static void requireNoStraysBeforeSwap(ObjectStore store, OutputLayout layout, int generation, int parts)
            throws IOException {
        List<String> strays = strays(store, layout, generation, parts);
        if (!strays.isEmpty()) {
            throw new IllegalArgumentException("--update stopped before its swap: " + String.join("; ",
                    strays.subList(0, Math.min(NAMED, strays.size()))) + (strays.size() > NAMED ? "; and "
                    + (strays.size() - NAMED) + " more" : "") + " (in " + layout.root() + "), put there while the"
                    + " update ran. The swap would replace or keep it beside the new parts: move your own files out"
                    + " of features/ and pca/, then run this command again, which goes on from where it stopped.");
        }
    }

    /** The folder's own files (not those in its subfolders) and their sizes; none where there is no folder. */
    private static Map<String, Long> ownFiles(ObjectStore store, Location folder) throws IOException {
        Map<String, Long> sizes = new HashMap<>();
        try (Stream<StoredObject> listing = store.list(folder)) {
            listing.filter(o -> o.location().parent().equals(folder)) // not a copy in a subfolder
                    .forEach(o -> sizes.put(o.location().name(), o.size()));
        } catch (NoSuchFileException e) {
            // no such folder
        }
        return sizes;
    }
}
