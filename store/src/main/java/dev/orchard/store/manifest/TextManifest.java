package dev.orchard.store.manifest;

import dev.orchard.store.Location;
import dev.orchard.store.StoredObject;
import java.io.BufferedReader;
import java.util.stream.Stream;

/** One location per line; '#' comments and blank lines skipped; relative paths below the manifest's folder. */
final class TextManifest {

    private TextManifest() {
    }

    static Stream<StoredObject> entries(BufferedReader lines, Location manifest) {
        Location folder = parent(manifest);
        return lines.lines()
                .map(String::strip)
                .filter(line -> !line.isEmpty() && !line.startsWith("#"))
                .map(line -> new StoredObject(locate(line, folder, manifest), -1));
    }

    private static Location locate(String entry, Location folder, Location manifest) {
        try {
            if (entry.contains("://") || entry.startsWith("/") || entry.startsWith("file:")) {
                return Location.parse(entry);
            }
            return folder.resolve(entry);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Manifest " + manifest + " has an entry that is no location: '" + entry
                    + "' (" + e.getMessage() + ")", e);
        }
    }

    static Location parent(Location location) {
        if (location.isLocal()) {
            return Location.local(location.path().getParent());
        }
        String key = location.key();
        int slash = key.lastIndexOf('/');
        return new Location(location.scheme(), location.bucket(), slash < 0 ? "" : key.substring(0, slash));
    }
}
