package dev.orchard.classify;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orchard.store.Location;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NewFoldersTest {

    @TempDir
    Path dir;

    @Test
    void onlyTheFoldersMadeSinceAndStillEmptyAreRemoved() throws Exception {
        Path mine = Files.createDirectories(dir.resolve("mine"));
        NewFolders made = NewFolders.before(Location.local(mine.resolve("a/b/classify-one-vs-all")));
        Files.createDirectories(mine.resolve("a/b/classify-one-vs-all"));
        made.removeIfEmpty();
        assertThat(mine).exists().isEmptyDirectory(); // a, b and the leaf were made since: gone; mine stays

        NewFolders written = NewFolders.before(Location.local(mine.resolve("c/out")));
        Files.createDirectories(mine.resolve("c/out"));
        Files.writeString(mine.resolve("c/out/predictions.parquet"), "x");
        written.removeIfEmpty();
        assertThat(mine.resolve("c/out/predictions.parquet")).exists(); // something in it: it stays, with c

        NewFolders existing = NewFolders.before(Location.local(mine));
        existing.removeIfEmpty();
        assertThat(mine).exists(); // there before: never removed
    }
}
