package dev.orchard.cli;

import dev.orchard.store.Location;
import dev.orchard.store.ObjectStore;
import java.io.IOException;
import java.util.stream.Stream;

/** A job never mixes its files with an earlier job's: a non-empty output is refused unless --overwrite. */
final class OutputCheck {

    private OutputCheck() {
    }

    static void prepare(ObjectStore store, Location output, boolean overwrite) throws IOException {
        boolean empty;
        try (Stream<dev.orchard.store.StoredObject> existing = store.list(output)) {
            empty = existing.findAny().isEmpty();
        } catch (java.nio.file.NoSuchFileException e) {
            empty = true;
        }
        if (!empty) {
            if (!overwrite) {
                throw new IllegalArgumentException("--output " + output + " is not empty: choose a new location, "
                        + "or pass --overwrite to replace what is there");
            }
            store.deleteAll(output);
        }
        store.checkWritable(output);
    }
}
