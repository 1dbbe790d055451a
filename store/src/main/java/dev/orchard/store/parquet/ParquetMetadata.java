package dev.orchard.store.parquet;

import java.io.IOException;
import java.util.Map;

/** The key-value metadata of a Parquet file, from its footer: what tells a file Orchard wrote from another of its name. */
public final class ParquetMetadata {
    private ParquetMetadata() {
    }

    /**
     * The footer key every Parquet file Orchard writes carries (parts, a training's and --apply's predictions), its
     * columns as the value: what tells its files from another's of the same name.
     */
    public static final String ORCHARD_SCHEMA = "orchard.schema";

    /**
     * Whether {@code file} is a Parquet file Orchard wrote ({@link #ORCHARD_SCHEMA} in its footer, read from its tail
     * alone); false for one that is not Parquet, a folder of that name, or one gone since it was listed. A failure to
     * read is thrown: a store's error is no verdict on whose the file is.
     */
    public static boolean isOrchards(dev.orchard.store.ObjectStore store, dev.orchard.store.Location file)
            throws IOException {
        try {
            return of(store, file).containsKey(ORCHARD_SCHEMA);
        } catch (java.nio.file.FileSystemException notAFile) {
            return false;
        }
    }

    /** A footer this large is not one of Orchard's small files' (nor most files'): not read, taken as none. */
    static final int MAX_FOOTER_BYTES = 16 << 20;

    /**
     * The key-value metadata of the Parquet file at {@code location}, from its footer alone (the file's tail: one
     * ranged read, or two where the footer is longer than the first guess); none when it is not a Parquet file.
     */
    public static Map<String, String> of(dev.orchard.store.ObjectStore store, dev.orchard.store.Location location)
            throws IOException {
        byte[] tail = store.readTail(location, 64 << 10);
        int length = footerLength(tail);
        if (length < 0 || length > MAX_FOOTER_BYTES) {
            return Map.of();
        }
        if (length + 8 > tail.length) {
            tail = store.readTail(location, length + 8);
            if (footerLength(tail) != length || length + 8 > tail.length) {
                return Map.of(); // changed between the reads, or shorter than its footer says
            }
        }
        try {
            org.apache.parquet.format.FileMetaData footer = org.apache.parquet.format.Util.readFileMetaData(
                    new java.io.ByteArrayInputStream(tail, tail.length - 8 - length, length));
            Map<String, String> metadata = new java.util.HashMap<>();
            if (footer.getKey_value_metadata() != null) {
                footer.getKey_value_metadata().forEach(kv -> metadata.put(kv.getKey(), kv.isSetValue() ? kv.getValue() : ""));
            }
            return java.util.Collections.unmodifiableMap(metadata);
        } catch (IOException | RuntimeException notParquet) {
            return Map.of();
        }
    }

    /** The footer's length from a file's last 8 bytes (4, little-endian, then "PAR1"); -1 when they are not those. */
    private static int footerLength(byte[] tail) {
        int n = tail.length;
        if (n < 12 || tail[n - 4] != 'P' || tail[n - 3] != 'A' || tail[n - 2] != 'R' || tail[n - 1] != '1') {
            return -1;
        }
        return (tail[n - 8] & 0xff) | (tail[n - 7] & 0xff) << 8 | (tail[n - 6] & 0xff) << 16 | (tail[n - 5] & 0xff) << 24;
    }
}
