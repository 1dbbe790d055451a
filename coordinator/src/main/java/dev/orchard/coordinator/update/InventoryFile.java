package dev.orchard.coordinator.update;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SequenceWriter;
import dev.orchard.coordinator.work.InventoryEntry;
import dev.orchard.store.Location;
import dev.orchard.store.ObjectStore;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * A generation's inventory on the store: gzip-compressed JSON lines, one {@link InventoryEntry} each, streamed both
 * ways (a 10⁷-image inventory is never held in memory). Written to a local file, then stored in one atomic write.
 */
public final class InventoryFile {
    private static final ObjectMapper JSON = new ObjectMapper();

    private InventoryFile() {
    }

    /** Writes what {@code entries} gives to {@code target}; returns how many entries it wrote. */
    public static long write(ObjectStore store, Location target, Producer entries) throws IOException {
        Path temp = Files.createTempFile("orchard-inventory", ".jsonl.gz");
        try {
            long[] count = {0};
            try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(temp), 1 << 16);
                 SequenceWriter lines = JSON.writer().withRootValueSeparator("\n").writeValues(out)) {
                entries.produce(e -> {
                    lines.write(e);
                    count[0]++;
                });
            }
            store.putFile(target, temp);
            return count[0];
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** Gives the entries to write, one by one. */
    @FunctionalInterface
    public interface Producer {
        void produce(NextInventory.Sink sink) throws IOException;
    }

    /** The entries of an inventory, lazily, in their order. Close it. */
    public static Reader read(ObjectStore store, Location inventory) throws IOException {
        return new Reader(store.open(inventory));
    }

    /** An open inventory; its iterator throws UncheckedIOException on a read error. */
    public static final class Reader implements Iterator<InventoryEntry>, Closeable {
        private final InputStream in;
        private final MappingIterator<InventoryEntry> entries;

        private Reader(InputStream raw) throws IOException {
            this.in = new GZIPInputStream(raw, 1 << 16);
            this.entries = JSON.readerFor(InventoryEntry.class).readValues(in);
        }

        @Override
        public boolean hasNext() {
            try {
                return entries.hasNextValue();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public InventoryEntry next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            try {
                return entries.nextValue();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void close() throws IOException {
            entries.close();
            in.close();
        }
    }
}
