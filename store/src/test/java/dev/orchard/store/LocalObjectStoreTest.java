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
    void aFileAboveTheLimitIsNotRead() throws Exception {
        Location a = Location.local(Files.writeString(dir.resolve("b.jpg"), "0123456789"));
        assertThat(store.read(a, 10)).hasSize(10);
        assertThatThrownBy(() -> store.read(a, 9)).isInstanceOf(ObjectTooLargeException.class)
                .hasMessageContaining("b.jpg is 10 bytes, more than --max-object-bytes (9): not read");
    }
}
