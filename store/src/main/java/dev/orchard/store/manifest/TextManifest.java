package dev.orchard.store.manifest;

import dev.orchard.store.Location;
import dev.orchard.store.StoredObject;
import java.io.BufferedReader;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * One location per line, exactly as written up to the line ending (keys may start or end with spaces); blank lines
 * and lines starting with '#' are skipped; relative entries lie below the manifest's folder.
 *
 * <p>A manifest names S3 objects or local files, never both, so that every worker reads what the manifest's author
 * meant: a manifest stored on S3 names S3 objects only (a local path there would be read from each worker's own
 * disk); a local one takes its kind from its first entry.
 */
final class TextManifest {

    private TextManifest() {
    }

    static Stream<StoredObject> entries(BufferedReader lines, Location manifest) {
        Location folder = parent(manifest);
        Location.Scheme[] kind = {manifest.isLocal() ? null : Location.Scheme.S3};
        long[] lineNumber = {0};
        return lines.lines()
                .map(line -> {
                    lineNumber[0]++;
                    if (line.isBlank() || line.startsWith("#")) {
                        return null;
                    }
                    Location location = locate(line, folder, manifest);
                    if (kind[0] == null) {
                        kind[0] = location.scheme();
                    } else if (location.scheme() != kind[0]) {
                        throw new IllegalArgumentException("Manifest " + manifest + " line " + lineNumber[0] + " names "
                                + (location.isLocal() ? "a local file" : "an S3 object") + " ('" + line + "') in a manifest of "
                                + (kind[0] == Location.Scheme.S3 ? "S3 objects" : "local files")
                                + ": a manifest names one kind only" + (manifest.isLocal() ? "" : " (a manifest on S3 names "
                                + "S3 objects: s3://bucket/key, or keys relative to the manifest's folder)"));
                    }
                    return new StoredObject(location, -1);
                })
                .filter(Objects::nonNull);
    }

    private static Location locate(String entry, Location folder, Location manifest) {
        try {
            if (absolute(entry)) {
                return Location.parse(entry);
            }
            if (absolute(entry.strip())) {
                throw new IllegalArgumentException("it starts with spaces; entries are taken exactly as written, so "
                        + "remove them");
            }
            return folder.resolve(entry);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Manifest " + manifest + " has an entry that is no location: '"
                    + Location.shown(entry) + "' (" + e.getMessage() + ")", e);
        }
    }

    /** {@code s3://…}, {@code file:…}, another scheme (refused by {@link Location#parse}), or an absolute path. */
    private static boolean absolute(String entry) {
        return entry.startsWith("/") || entry.startsWith("file:") || entry.matches("^[a-zA-Z][a-zA-Z0-9+.-]*://.*");
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
