package dev.orchard.coordinator.update;

import dev.orchard.store.Location;
import dev.orchard.store.ObjectStore;
import dev.orchard.store.OutputLayout;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Makes an update's staged generation the output's, so that a reader never sees two generations at once:
 * <ol>
 *   <li>{@link #begin}: the staged files are complete (parts, pca-model.json, pca.csv, errors.csv); from here the
 *   swap only moves forward;</li>
 *   <li>{@code _SUCCESS} is removed, then every output of the old generation is taken out of view ({@code features/},
 *   {@code pca/}, {@code pca-model.json}, {@code pca.csv}, {@code errors.csv}): locally each is renamed aside in
 *   one step (a folder disappears whole); on S3, which has no rename, each object is deleted;</li>
 *   <li>the staged outputs are moved in: locally one rename per folder or file (a folder appears whole); on S3 a
 *   server-side copy and a delete per object;</li>
 *   <li>{@code _orchard/CURRENT} names the new generation, then {@code _SUCCESS} is written, naming it.</li>
 * </ol>
 * A reader therefore sees the old generation, then a subset of it, then nothing, then a growing subset of the new
 * one, then all of it with {@code _SUCCESS}; never old and new side by side. Locally the window without
 * {@code _SUCCESS} lasts a few renames; on S3 it lasts as long as the deletes and copies, and a reader that lists
 * during it sees some parts missing — one that checks {@code _SUCCESS} first, and again after, never reads a
 * partial generation. Every step can be repeated: a coordinator that dies during the swap finishes it when resumed.
 */
public final class GenerationSwap {
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

    /** Declares generation g's staged files complete. */
    public void begin(int g) throws IOException {
        store.put(layout.swapMarker(g), EMPTY);
    }

    /** Takes the old generation out of view and moves generation g in; {@code success} is its {@code _SUCCESS}. */
    public void complete(int g, boolean pca, byte[] success) throws IOException {
        if (!begun(g)) {
            throw new IllegalStateException("generation " + g + " is not staged completely: it cannot be swapped in");
        }
        Location cleared = layout.generation(g).resolve("_CLEARED");
        if (!store.exists(cleared)) {
            store.delete(layout.success());
            for (String kind : kinds(pca)) {
                takeOutOfView(g, layout.rowsFolder(kind), true);
            }
            for (Location file : files(pca)) {
                takeOutOfView(g, file, false);
            }
            store.put(cleared, EMPTY);
        }
        for (String kind : kinds(pca)) {
            store.moveAll(layout.publishedFolder(g, kind), layout.rowsFolder(kind));
        }
        for (Location file : files(pca)) {
            Location staged = layout.finalFile(g, file);
            if (store.exists(staged)) {
                store.move(staged, file);
            }
        }
        store.put(layout.current(), Integer.toString(g).getBytes(StandardCharsets.UTF_8));
        store.put(layout.success(), success);
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
     * Locally a rename aside (a folder disappears whole, and is deleted after the swap); on S3, where there is no
     * rename, a delete.
     */
    private void takeOutOfView(int g, Location output, boolean folder) throws IOException {
        if (!store.renamesFolders()) {
            store.deleteAll(output);
            return;
        }
        Location aside = layout.replaced(g).resolve(layout.root().relativize(output));
        if (folder) {
            store.moveAll(output, aside);
        } else if (store.exists(output)) {
            store.move(output, aside);
        }
    }

    private static List<String> kinds(boolean pca) {
        return pca ? List.of(OutputLayout.FEATURES, OutputLayout.PCA) : List.of(OutputLayout.FEATURES);
    }

    private List<Location> files(boolean pca) {
        List<Location> reports = List.of(layout.report("html"), layout.report("json"));
        List<Location> files = new java.util.ArrayList<>(pca ? List.of(layout.pcaModel(), layout.pcaCsv(),
                layout.errorsCsv()) : List.of(layout.errorsCsv()));
        files.addAll(reports);
        return files;
    }
}
