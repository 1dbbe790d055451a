package dev.orchard.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalObjectStoreTest {

    @TempDir
    Path dir;

    private final LocalObjectStore store = new LocalObjectStore();

    @Test
    void checkReadableNamesAMissingPath() throws Exception {
        Files.writeString(dir.resolve("a.jpg"), "x");
        store.checkReadable(Location.local(dir));
        store.checkReadable(Location.local(dir.resolve("a.jpg")));
        assertThatThrownBy(() -> store.checkReadable(Location.local(dir.resolve("Tset"))))
                .isInstanceOf(NoSuchFileException.class)
                .hasMessageContaining(dir.resolve("Tset").toString());
    }

    @Test
    void openAndReadReadTheFile() throws Exception {
        Location a = Location.local(Files.writeString(dir.resolve("a.txt"), "hello"));
        try (InputStream in = store.open(a)) {
            assertThat(in.readAllBytes()).isEqualTo("hello".getBytes());
        }
        assertThat(store.read(a)).isEqualTo("hello".getBytes());
        assertThatThrownBy(() -> store.read(Location.local(dir.resolve("missing")))).isInstanceOf(java.nio.file.NoSuchFileException.class);
    }

    @Test
    void writesLandWholeInNewFoldersWithNothingLeftBehind() throws Exception {
        Location journal = Location.local(dir.resolve("out/_orchard/commits/a.json"));
        store.put(journal, "{\"n\":1}".getBytes());
        store.put(journal, "{\"n\":2}".getBytes());
        Path source = Files.write(dir.resolve("source.bin"), new byte[3_000_000]);
        Location part = Location.local(dir.resolve("out/features/part-000000.parquet"));
        store.putFile(part, source);
        assertThat(Files.readString(journal.path())).isEqualTo("{\"n\":2}");
        assertThat(Files.size(part.path())).isEqualTo(3_000_000);
        try (var files = Files.walk(dir.resolve("out"))) {
            assertThat(files.filter(p -> p.getFileName().toString().contains(".tmp-")).toList()).isEmpty();
        }
        // The default permissions, as any file the user makes, not a temporary file's private ones.
        assertThat(Files.getPosixFilePermissions(part.path()))
                .containsAll(Files.getPosixFilePermissions(source));
    }

    @Test
    void deletingAndPlainListingNeverFollowLinks() throws Exception {
        Path precious = Files.createDirectories(dir.resolve("precious"));
        Files.writeString(precious.resolve("photo.jpg"), "keep me");
        Path out = Files.createDirectories(dir.resolve("out/features"));
        Files.writeString(out.resolve("part.parquet"), "x");
        Files.createSymbolicLink(out.resolve("link"), precious);
        try (var listed = store.list(Location.local(dir.resolve("out")))) {
            assertThat(listed.map(o -> o.location().name()).toList()).containsExactly("part.parquet");
        }
        store.deleteAll(Location.local(out));
        assertThat(out).isEmptyDirectory();
        assertThat(precious.resolve("photo.jpg")).hasContent("keep me");
    }

    @Test
    void aFileAboveTheLimitIsNotRead() throws Exception {
        Location a = Location.local(Files.writeString(dir.resolve("b.jpg"), "0123456789"));
        assertThat(store.read(a, 10)).hasSize(10);
        assertThatThrownBy(() -> store.read(a, 9)).isInstanceOf(ObjectTooLargeException.class)
                .hasMessageContaining("b.jpg is 10 bytes, more than --max-object-bytes (9): not read");
    }
}
