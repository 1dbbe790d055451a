package dev.orchard.classify;

import dev.orchard.store.Location;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The local folders an output's path lacked before training made them: a training stopped before it wrote anything
 * removes them again while they are empty (an empty {@code classify-one-vs-all/} stayed after a Ctrl-C: a user's walk).
 * Nothing that was there before, and nothing with a file in it, is removed. On S3 a prefix is no folder: nothing to do.
 */
final class NewFolders {
    private final Path leaf;
    private final Path top;

    private NewFolders(Path leaf, Path top) {
        this.leaf = leaf;
        this.top = top;
    }

    /** Taken before anything is created at {@code output}. */
    static NewFolders before(Location output) {
        if (!output.isLocal()) {
            return new NewFolders(null, null);
        }
        Path leaf = output.path().toAbsolutePath();
        Path top = null;
        for (Path p = leaf; p != null && !Files.exists(p); p = p.getParent()) {
            top = p;
        }
        return new NewFolders(top == null ? null : leaf, top);
    }

    /** Removes the folders made since, from the innermost up, each only while it is empty. */
    void removeIfEmpty() {
        if (top == null) {
            return;
        }
        for (Path p = leaf; p != null && p.startsWith(top); p = p.getParent()) {
            try {
                Files.delete(p); // fails on a folder with anything in it, which then stays, with those above
            } catch (IOException notEmptyOrGone) {
                return;
            }
        }
    }
}
