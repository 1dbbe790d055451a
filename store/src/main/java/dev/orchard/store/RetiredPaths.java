package dev.orchard.store;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
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

    /**
     * The paths {@code file} names. Read whole first, so that a store's failure to read (which another attempt may
     * not meet) stays what it is, and a file that does not parse is what it is: damaged since the coordinator wrote it
     * (it failed a regroup's three attempts as a plain failure, exit 1 with "--resume goes on": a review); so is one
     * that is missing.
     */
    public static Set<String> read(ObjectStore store, Location file) throws IOException {
        byte[] bytes;
        try {
            bytes = store.read(file);
        } catch (java.nio.file.NoSuchFileException e) {
            // Written before the update's listing is journalled complete, and by nothing after: gone since.
            throw damaged(file, "it is missing", e);
        }
        Set<String> paths = new HashSet<>();
        try (JsonParser parser = JSON.getFactory().createParser(bytes)) {
            for (JsonToken t = parser.nextToken(); t != null; t = parser.nextToken()) {
                if (t != JsonToken.VALUE_STRING) {
                    throw damaged(file, "line " + parser.currentTokenLocation().getLineNr() + " holds " + t
                            + " where a path in quotes belongs", null);
                }
                paths.add(parser.getText());
            }
        } catch (JacksonException e) {
            throw damaged(file, "line " + e.getLocation().getLineNr() + ": " + e.getOriginalMessage(), e);
        }
        return paths;
    }

    private static DamagedFileException damaged(Location file, String why, Throwable cause) {
        return new DamagedFileException(file, why, DamagedFileException.JOURNAL, DamagedFileException.RESTORE, cause);
    }
}
