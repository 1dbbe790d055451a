package dev.orchard.coordinator.update;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SequenceWriter;
import dev.orchard.coordinator.work.InventoryEntry;
import dev.orchard.store.LocalObjectStore;
import dev.orchard.store.Location;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InventoryFileTest {
    private final LocalObjectStore store = new LocalObjectStore();

    @TempDir
    Path dir;

    /** Paths as buckets have them: spaces, quotes, backslashes, control characters, any script, emoji. */
    private static List<InventoryEntry> awkwardEntries() {
        List<InventoryEntry> entries = new ArrayList<>();
        entries.add(InventoryEntry.row("s3://b/Apple Braeburn/1.jpg", 2439, "\"9f2c\"", 0));
        entries.add(InventoryEntry.row("/data/a \"quoted\" \\ back\\slash.jpg", 0, null, 3));
        entries.add(InventoryEntry.row("/data/tab\there/new\nline/\u0001.jpg", Long.MAX_VALUE, "", 7));
        entries.add(InventoryEntry.row("/data/Ünïcødé/日本語/🍎.jpg", 12, "1796016939593527160", Integer.MAX_VALUE));
        entries.add(InventoryEntry.error("/data/broken.jpg", 17, "v", "not a JPEG: \"bad\" marker\nat 0"));
        entries.add(InventoryEntry.error("/data/unreadable.jpg", 0, null, null));
        Random random = new Random(18);
        for (int i = 0; i < 2_000; i++) {
            StringBuilder path = new StringBuilder("/r/");
            for (int c = 0, n = 1 + random.nextInt(40); c < n; c++) {
                path.append((char) (random.nextBoolean() ? 32 + random.nextInt(95) : random.nextInt(0x3000)));
            }
            path.append('/').append(i);
            entries.add(random.nextInt(10) == 0
                    ? InventoryEntry.error(path.toString(), random.nextInt(1 << 20), Long.toString(random.nextLong()), "reason " + i)
                    : InventoryEntry.row(path.toString(), random.nextInt(1 << 20),
                            random.nextBoolean() ? null : Long.toString(random.nextLong()), random.nextInt(100)));
        }
        return entries;
    }

    private static List<InventoryEntry> readAll(InventoryFile.Reader reader) throws IOException {
        try (reader) {
            List<InventoryEntry> read = new ArrayList<>();
            reader.forEachRemaining(read::add);
            return read;
        }
    }

    @Test
    void whatIsWrittenReadsBackEntryForEntry() throws IOException {
        List<InventoryEntry> entries = awkwardEntries();
        Location file = Location.parse(dir.resolve("inventory.jsonl.gz").toString());
        long written = InventoryFile.write(store, file, sink -> {
            for (InventoryEntry e : entries) {
                sink.accept(e);
            }
        });
        assertThat(written).isEqualTo(entries.size());
        assertThat(readAll(InventoryFile.read(store, file))).containsExactlyElementsOf(entries);
    }

    /** An output written by an Orchard that bound the records with Jackson's ObjectMapper is read the same. */
    @Test
    void readsInventoriesWrittenByDataBinding() throws IOException {
        List<InventoryEntry> entries = awkwardEntries();
        Path old = dir.resolve("old.jsonl.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(old));
             SequenceWriter lines = new ObjectMapper().writer().withRootValueSeparator("\n").writeValues(out)) {
            for (InventoryEntry e : entries) {
                lines.write(e);
            }
        }
        assertThat(readAll(InventoryFile.read(store, Location.parse(old.toString())))).containsExactlyElementsOf(entries);

        // And what is written now is what data binding wrote, byte for byte.
        Location now = Location.parse(dir.resolve("now.jsonl.gz").toString());
        InventoryFile.write(store, now, sink -> {
            for (InventoryEntry e : entries) {
                sink.accept(e);
            }
        });
        assertThat(gunzip(Path.of(now.toString()))).isEqualTo(gunzip(old));
    }

    @Test
    void fieldsInAnyOrderAndUnknownFieldsAreRead() throws IOException {
        Location file = gzipped("{\"part\":2,\"extra\":{\"a\":[1,{\"b\":2}]},\"version\":null,\"size\":5,\"path\":\"/x.jpg\"}\n"
                + "{\"error\":\"bad\",\"path\":\"/y.jpg\",\"part\":-1,\"size\":0}");
        assertThat(readAll(InventoryFile.read(store, file))).containsExactly(
                InventoryEntry.row("/x.jpg", 5, null, 2), InventoryEntry.error("/y.jpg", 0, null, "bad"));
    }

    @Test
    void aDamagedInventoryIsAnErrorNotAShorterList() throws IOException {
        Location truncated = gzipped("{\"path\":\"/x.jpg\",\"size\":5,\"part\":2}\n{\"path\":\"/y.jpg\",\"si");
        InventoryFile.Reader reader = InventoryFile.read(store, truncated);
        assertThat(reader.next()).isEqualTo(InventoryEntry.row("/x.jpg", 5, null, 2));
        assertThatThrownBy(reader::hasNext).isInstanceOf(UncheckedIOException.class);
        reader.close();

        Location noPath = gzipped("{\"size\":5,\"part\":2}");
        assertThatThrownBy(() -> readAll(InventoryFile.read(store, noPath)))
                .isInstanceOf(UncheckedIOException.class).hasMessageContaining("no path");

        Location both = gzipped("{\"path\":\"/z.jpg\",\"size\":5,\"part\":2,\"error\":\"bad\"}");
        assertThatThrownBy(() -> readAll(InventoryFile.read(store, both)))
                .isInstanceOf(UncheckedIOException.class).hasMessageContaining("/z.jpg");
    }

    /** An inventory cut short (empty, or its gzip stream truncated) is damage too, as one not gzipped is (a review). */
    @Test
    void anEmptyOrTruncatedInventoryIsDamaged() throws IOException {
        Location whole = gzipped("{\"path\":\"/x.jpg\",\"size\":5,\"part\":2}\n".repeat(200));
        byte[] bytes = Files.readAllBytes(Path.of(whole.toString()));
        Path empty = Files.write(dir.resolve("empty.jsonl.gz"), new byte[0]);
        Path half = Files.write(dir.resolve("half.jsonl.gz"), java.util.Arrays.copyOf(bytes, bytes.length / 2));
        for (Path p : List.of(empty, half)) {
            Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(
                    () -> readAll(InventoryFile.read(store, Location.parse(p.toString()))));
            assertThat(dev.orchard.store.DamagedFileException.in(thrown)).as(p.getFileName() + ": " + thrown).isNotNull()
                    .hasMessageStartingWith(p + " is damaged (it ends early");
        }
    }

    private Location gzipped(String text) throws IOException {
        Path file = Files.createTempFile(dir, "inventory", ".jsonl.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        }
        return Location.parse(file.toString());
    }

    private static String gunzip(Path file) throws IOException {
        try (var in = new java.util.zip.GZIPInputStream(Files.newInputStream(file))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
