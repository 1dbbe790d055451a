package dev.orchard.coordinator.update;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.orchard.coordinator.work.InventoryEntry;
import dev.orchard.store.DamagedFileException;
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
 * A generation's inventory on the store: gzip-compressed JSON lines, one {@link InventoryEntry} each
 * ({@code {"path":…,"size":…,"version":…,"part":…,"error":…}}, a null version or error left out), streamed both
 * ways (a 10⁷-image inventory is never held in memory). Written to a local file, then stored in one atomic write.
 * <p>Written and read with Jackson's streaming API rather than data binding: an update reads the base inventory
 * three times and writes the next one, and binding records cost ~0.3 s per pass of 10,000 lines in a fresh JVM (most
 * of it compiling the binding code). Fields are read in any order; unknown ones are skipped.
 */
public final class InventoryFile {
    private static final JsonFactory JSON = JsonFactory.builder().build();

    private InventoryFile() {
    }

    /** Writes what {@code entries} gives to {@code target}; returns how many entries it wrote. */
    public static long write(ObjectStore store, Location target, Producer entries) throws IOException {
        Path temp = Files.createTempFile("orchard-inventory", ".jsonl.gz");
        try {
            long[] count = {0};
            try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(temp), 1 << 16);
                 JsonGenerator lines = JSON.createGenerator(out)) {
                lines.setRootValueSeparator(new com.fasterxml.jackson.core.io.SerializedString("\n"));
                entries.produce(e -> {
                    writeEntry(lines, e);
                    count[0]++;
                });
            }
            store.putFile(target, temp);
            return count[0];
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    private static void writeEntry(JsonGenerator out, InventoryEntry e) throws IOException {
        out.writeStartObject();
        out.writeStringField("path", e.path());
        out.writeNumberField("size", e.size());
        if (e.version() != null) {
            out.writeStringField("version", e.version());
        }
        out.writeNumberField("part", e.part());
        if (e.error() != null) {
            out.writeStringField("error", e.error());
        }
        out.writeEndObject();
    }

    /** Gives the entries to write, one by one. */
    @FunctionalInterface
    public interface Producer {
        void produce(NextInventory.Sink sink) throws IOException;
    }

    /** The entries of an inventory, lazily, in their order. Close it. */
    public static Reader read(ObjectStore store, Location inventory) throws IOException {
        return new Reader(store.open(inventory), inventory);
    }

    /** What the inventory is to a user who finds it damaged. */
    private static final String ROLE = "the list of the images this output holds, which --update compares the input with";

    /**
     * An open inventory; its iterator throws UncheckedIOException on a read error, with a {@link DamagedFileException}
     * where the file is not the gzipped JSON lines Orchard writes (a failure to read it from the store stays as it was:
     * it may pass).
     */
    public static final class Reader implements Iterator<InventoryEntry>, Closeable {
        private final Location file;
        private final InputStream in;
        private final JsonParser entries;
        private InventoryEntry next;

        private Reader(InputStream raw, Location file) throws IOException {
            this.file = file;
            try {
                this.in = new GZIPInputStream(raw, 1 << 16);
                this.entries = JSON.createParser(in);
            } catch (IOException e) {
                raw.close();
                throw damaged(e);
            }
        }

        /** Where the parser is, in lines of the inventory (an entry a line). */
        private String where() {
            var at = entries.currentLocation();
            return "line " + at.getLineNr() + ", column " + at.getColumnNr();
        }

        /** {@code e} as the inventory's damage where it says the content is at fault; as it was otherwise. */
        private IOException damaged(IOException e) {
            if (e instanceof com.fasterxml.jackson.core.JacksonException j) {
                var at = j.getLocation();
                return new DamagedFileException(file, "not the JSON lines Orchard writes: " + j.getOriginalMessage()
                        + (at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr()), ROLE,
                        DamagedFileException.RESTORE, e);
            }
            if (e instanceof java.util.zip.ZipException || e instanceof Malformed) {
                return new DamagedFileException(file, e.getMessage(), ROLE, DamagedFileException.RESTORE, e);
            }
            if (e instanceof java.io.EOFException) { // empty, or its gzip stream cut short (the store's own failures differ)
                return new DamagedFileException(file, "it ends early" + (e.getMessage() == null ? "" : ": "
                        + e.getMessage()), ROLE, DamagedFileException.RESTORE, e);
            }
            return e;
        }

        @Override
        public boolean hasNext() {
            if (next == null) {
                try {
                    next = readEntry();
                } catch (IOException e) {
                    throw new UncheckedIOException(damaged(e));
                }
            }
            return next != null;
        }

        @Override
        public InventoryEntry next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            InventoryEntry e = next;
            next = null;
            return e;
        }

        /** The next line's entry, or null at the end. */
        private InventoryEntry readEntry() throws IOException {
            JsonToken token = entries.nextToken();
            if (token == null) {
                return null;
            }
            if (token != JsonToken.START_OBJECT) {
                throw new Malformed("a line is not a JSON object at " + where());
            }
            String path = null;
            long size = 0;
            String version = null;
            int part = 0;
            String error = null;
            String field;
            while ((field = entries.nextFieldName()) != null) {
                JsonToken value = entries.nextToken();
                switch (field) {
                    case "path" -> path = value == JsonToken.VALUE_STRING ? entries.getText() : null;
                    case "size" -> size = entries.getLongValue();
                    case "version" -> version = value == JsonToken.VALUE_NULL ? null : entries.getText();
                    case "part" -> part = entries.getIntValue();
                    case "error" -> error = value == JsonToken.VALUE_NULL ? null : entries.getText();
                    default -> entries.skipChildren();
                }
            }
            if (entries.currentToken() != JsonToken.END_OBJECT) {
                throw new Malformed("a line ends early at " + where());
            }
            if (path == null) {
                throw new Malformed("a line has no path at " + where());
            }
            try {
                return new InventoryEntry(path, size, version, part, error);
            } catch (IllegalArgumentException e) {
                throw new Malformed(e.getMessage() + " (at " + where() + ")", e);
            }
        }

        @Override
        public void close() throws IOException {
            entries.close();
            in.close();
        }
    }

    /** A line that is not an entry as Orchard writes it. */
    private static final class Malformed extends IOException {
        Malformed(String message) {
            super(message);
        }

        Malformed(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
