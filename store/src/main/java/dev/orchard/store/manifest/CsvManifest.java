package dev.orchard.store.manifest;

import dev.orchard.store.Location;
import dev.orchard.store.StoredObject;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.apache.commons.csv.CSVException;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * A CSV list of objects (RFC 4180, parsed by Commons CSV): with a header naming {@code bucket}, {@code key} (and
 * optionally {@code size}), or without one in S3 Inventory's layout (bucket, URL-encoded key, ...). Fields are taken
 * exactly as written: S3 keys may start or end with spaces, so nothing is trimmed.
 */
final class CsvManifest {
    private static final CSVFormat FORMAT = CSVFormat.RFC4180.builder().setIgnoreEmptyLines(true).get();

    /** What a CSV manifest is, for the messages that refuse one that is not. */
    private static final String WHAT_IT_TAKES = ": a CSV manifest names S3 objects (a 'bucket,key[,size]' header, or S3"
            + " Inventory's header-less bucket,key,… records); for local files, list one path per line in a text"
            + " manifest (a name not ending in .csv or .parquet)";

    /** Header names of a list of files rather than of S3 objects (Orchard's own pca.csv starts with filename). */
    private static final java.util.Set<String> PATH_HEADERS = java.util.Set.of("path", "filename", "file", "uri", "url");

    private CsvManifest() {
    }

    /** The entries, lazily; the stream closes {@code text}. */
    static Stream<StoredObject> entries(Reader text, Location manifest) throws IOException {
        CSVParser parser = CSVParser.parse(text, FORMAT);
        try {
            Iterator<List<String>> records = records(parser.iterator(), manifest);
            if (!records.hasNext()) {
                parser.close();
                return Stream.empty();
            }
            List<String> first = records.next();
            Stream<List<String>> rows = StreamSupport.stream(
                    Spliterators.spliteratorUnknownSize(records, Spliterator.ORDERED | Spliterator.NONNULL), false);
            List<String> names = first.stream().map(f -> f.strip().toLowerCase(Locale.ROOT)).toList();
            Columns columns;
            if (names.contains("key")) {
                if (!names.contains("bucket")) {
                    throw new IllegalArgumentException("Manifest " + manifest + " has a 'key' column but no 'bucket' column"
                            + WHAT_IT_TAKES);
                }
                columns = new Columns(names.indexOf("bucket"), names.indexOf("key"), names.indexOf("size"), false);
            } else if (names.stream().anyMatch(PATH_HEADERS::contains)
                    && names.stream().noneMatch(f -> f.contains("/") || f.contains("."))) {
                // a header of file names; an inventory's first record (a bucket that happens to be named "path")
                // holds a key, with its '/' or '.'.
                throw new IllegalArgumentException("Manifest " + manifest + " has a header (" + String.join(",", first)
                        + ") without 'bucket' and 'key' columns" + WHAT_IT_TAKES);
            } else {
                columns = new Columns(0, 1, -1, true); // S3 Inventory CSV: no header, the first record is data
                rows = Stream.concat(Stream.of(first), rows);
            }
            return rows.map(fields -> columns.entry(fields, manifest)).onClose(() -> {
                try {
                    parser.close();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (RuntimeException e) {
            parser.close();
            throw e;
        }
    }

    /**
     * The records that are not all blank, as field lists. Commons CSV reports bad CSV (an unclosed quote) as an
     * UncheckedIOException around a CSVException: that is bad input, reported with the manifest's name.
     */
    private static Iterator<List<String>> records(Iterator<CSVRecord> parsed, Location manifest) {
        return new Iterator<>() {
            private List<String> pending;

            @Override
            public boolean hasNext() {
                try {
                    while (pending == null && parsed.hasNext()) {
                        List<String> fields = parsed.next().toList();
                        if (!fields.stream().allMatch(String::isBlank)) {
                            pending = fields;
                        }
                    }
                } catch (UncheckedIOException e) {
                    if (e.getCause() instanceof CSVException bad) {
                        throw new IllegalArgumentException("Manifest " + manifest + " is not valid CSV: " + bad.getMessage(), bad);
                    }
                    throw e;
                }
                return pending != null;
            }

            @Override
            public List<String> next() {
                if (!hasNext()) {
                    throw new java.util.NoSuchElementException();
                }
                List<String> fields = pending;
                pending = null;
                return fields;
            }
        };
    }

    private record Columns(int bucket, int key, int size, boolean urlEncoded) {
        StoredObject entry(List<String> fields, Location manifest) {
            if (fields.size() <= Math.max(bucket, key)) {
                throw new IllegalArgumentException("Manifest " + manifest + " has a record without bucket and key ("
                        + String.join(",", fields) + ")" + WHAT_IT_TAKES);
            }
            String k = fields.get(key);
            if (urlEncoded) {
                k = URLDecoder.decode(k, StandardCharsets.UTF_8);
            }
            long bytes = -1;
            if (size >= 0 && size < fields.size() && !fields.get(size).isBlank()) {
                try {
                    bytes = Long.parseLong(fields.get(size).strip());
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("Manifest " + manifest + " has a size that is no number: "
                            + String.join(",", fields), e);
                }
            }
            String b = fields.get(bucket);
            if (b.isBlank()) {
                throw new IllegalArgumentException("Manifest " + manifest + " has a record without a bucket ("
                        + String.join(",", fields) + ")" + WHAT_IT_TAKES);
            }
            return new StoredObject(new Location(Location.Scheme.S3, b, k), bytes);
        }
    }
}
