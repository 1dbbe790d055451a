package dev.orchard.store.manifest;

import dev.orchard.store.Location;
import dev.orchard.store.StoredObject;
import java.io.BufferedReader;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * A CSV list of objects: with a header naming {@code bucket}, {@code key} (and optionally {@code size}), or without
 * one in S3 Inventory's layout (bucket, URL-encoded key, ...). Fields may be quoted ("a ""b"" c"); one record per line.
 */
final class CsvManifest {

    private CsvManifest() {
    }

    static Stream<StoredObject> entries(BufferedReader lines, Location manifest) {
        Iterator<String> records = lines.lines().filter(line -> !line.isBlank()).iterator();
        if (!records.hasNext()) {
            return Stream.empty();
        }
        List<String> first = fields(records.next(), manifest);
        Stream<List<String>> rest = StreamSupport.stream(Spliterators.spliteratorUnknownSize(records, Spliterator.ORDERED),
                false).map(line -> fields(line, manifest));
        List<String> names = first.stream().map(f -> f.strip().toLowerCase(Locale.ROOT)).toList();
        Columns columns;
        if (names.contains("key")) {
            if (!names.contains("bucket")) {
                throw new IllegalArgumentException("Manifest " + manifest + " has a 'key' column but no 'bucket' column");
            }
            columns = new Columns(names.indexOf("bucket"), names.indexOf("key"), names.indexOf("size"), false);
        } else {
            columns = new Columns(0, 1, -1, true); // S3 Inventory CSV: no header, the first record is data
            rest = Stream.concat(Stream.of(first), rest);
        }
        return rest.map(fields -> columns.entry(fields, manifest));
    }

    private record Columns(int bucket, int key, int size, boolean urlEncoded) {
        StoredObject entry(List<String> fields, Location manifest) {
            if (fields.size() <= Math.max(bucket, key)) {
                throw new IllegalArgumentException("Manifest " + manifest + " has a record without bucket and key: "
                        + String.join(",", fields));
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
            return new StoredObject(new Location(Location.Scheme.S3, fields.get(bucket), k), bytes);
        }
    }

    /** Splits one CSV record: commas separate, double quotes quote, "" inside quotes is one quote. */
    static List<String> fields(String line, Location manifest) {
        List<String> fields = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    field.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    field.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                fields.add(field.toString());
                field.setLength(0);
            } else {
                field.append(c);
            }
        }
        if (quoted) {
            throw new IllegalArgumentException("Manifest " + manifest + " has an unclosed quote in: " + line);
        }
        fields.add(field.toString());
        return fields;
    }
}
