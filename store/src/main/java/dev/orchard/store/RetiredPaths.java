package dev.orchard.store;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;

/**
 * The paths an update drops from one part of the base generation ({@link OutputLayout#retired}): one JSON string a
 * line, so any path (spaces, quotes, newlines in a local file name) reads back exactly. The coordinator writes one
 * file per part that loses rows; the worker that regroups the part reads it.
 */
public final class RetiredPaths {
    private static final ObjectMapper JSON = new ObjectMapper();

    private RetiredPaths() {
    }

    public static void write(ObjectStore store, Location file, Collection<String> paths) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (String path : paths) {
            bytes.write(JSON.writeValueAsBytes(path));
            bytes.write('\n');
        }
        store.put(file, bytes.toByteArray());
    }

    public static Set<String> read(ObjectStore store, Location file) throws IOException {
        Set<String> paths = new HashSet<>();
        try (InputStream in = store.open(file); JsonParser parser = JSON.getFactory().createParser(in)) {
            for (JsonToken t = parser.nextToken(); t != null; t = parser.nextToken()) {
                if (t != JsonToken.VALUE_STRING) {
                    throw new IOException(file + " is not a list of retired paths (found " + t + ")");
                }
                paths.add(parser.getText());
            }
        }
        return paths;
    }
}
