package dev.orchard.store.parquet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orchard.store.LocalObjectStore;
import dev.orchard.store.Location;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A Parquet file's key-value metadata from its tail alone: what tells Orchard's predictions from a user's file. */
class ParquetMetadataTest {
    @TempDir
    Path dir;

    @Test
    void theMetadataIsReadFromTheTailAndAnotherFileHasNone() throws Exception {
        LocalObjectStore store = new LocalObjectStore();
        Path small = Files.write(dir.resolve("small.parquet"), ParquetFooterFixture.footerOnly(Map.of("orchard.schema", "path,label"), 10));
        assertThat(ParquetMetadata.of(store, Location.local(small))).containsEntry("orchard.schema", "path,label");
        // A footer longer than the first read of the tail (64 KiB): read again, whole
        String longValue = "x".repeat(100_000);
        Path large = Files.write(dir.resolve("large.parquet"), ParquetFooterFixture.footerOnly(Map.of("k", longValue), 1 << 20));
        assertThat(ParquetMetadata.of(store, Location.local(large))).containsEntry("k", longValue);
        // Not Parquet, too short, or a footer length past the file: none
        Path text = Files.writeString(dir.resolve("notes.parquet"), "my notes, not a Parquet file");
        assertThat(ParquetMetadata.of(store, Location.local(text))).isEmpty();
        Path tiny = Files.writeString(dir.resolve("tiny.parquet"), "PAR1");
        assertThat(ParquetMetadata.of(store, Location.local(tiny))).isEmpty();
        byte[] lying = ParquetFooterFixture.footerOnly(Map.of("k", "v"), 0);
        lying[lying.length - 6] = 0x7f; // a footer length of ~8 MB in a file of a few bytes
        assertThat(ParquetMetadata.of(store, Location.local(Files.write(dir.resolve("lying.parquet"), lying)))).isEmpty();
    }

    /**
     * Whose a file is: Orchard's by its footer key; not Parquet, or a folder of that name, is no one's Orchard knows.
     * A store's failure to read is thrown, not taken for "not Orchard's" (the read-back: two callers caught every
     * IOException, and a transient S3 error called an Orchard part the user's).
     */
    @Test
    void aFileIsOrchardsByItsFooterAndAFailedReadIsNoVerdict() throws Exception {
        LocalObjectStore store = new LocalObjectStore();
        Path part = Files.write(dir.resolve("part-000000.parquet"),
                ParquetFooterFixture.footerOnly(Map.of(ParquetMetadata.ORCHARD_SCHEMA, "path,label,features"), 10));
        assertThat(ParquetMetadata.isOrchards(store, Location.local(part))).isTrue();
        Path text = Files.writeString(dir.resolve("part-000001.parquet"), "mine");
        assertThat(ParquetMetadata.isOrchards(store, Location.local(text))).isFalse();
        Path folder = Files.createDirectories(dir.resolve("part-000002.parquet"));
        assertThat(ParquetMetadata.isOrchards(store, Location.local(folder))).isFalse();
        dev.orchard.store.ObjectStore failing = (dev.orchard.store.ObjectStore) java.lang.reflect.Proxy.newProxyInstance(
                getClass().getClassLoader(), new Class<?>[] {dev.orchard.store.ObjectStore.class}, (proxy, method, args) -> {
                    throw new java.io.IOException("Could not read it: SlowDown, HTTP 503");
                });
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ParquetMetadata.isOrchards(failing, Location.local(part)))
                .isInstanceOf(java.io.IOException.class).hasMessageContaining("SlowDown");
    }
}
