package dev.orchard.store.manifest;

import dev.orchard.store.Location;
import dev.orchard.store.ObjectStore;
import dev.orchard.store.StoredObject;
import dev.orchard.store.parquet.ObjectListReader;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/**
 * Reads a manifest, a list of input objects given instead of a listing ({@code --input-manifest}), as a lazy stream of
 * {@link StoredObject}s in the manifest's order. The format follows the file name (a {@code .gz} suffix is
 * gunzipped first):
 * <ul>
 *   <li>{@code *.parquet}: string columns {@code bucket}, {@code key} and optionally an integer {@code size}, as in an
 *       S3 Inventory report in Parquet; read into memory, then row group by row group.
 *   <li>{@code *.csv} (RFC 4180, read with Commons CSV): either a header naming {@code bucket} and {@code key} (and
 *       optionally {@code size}) columns, keys as they are; or no header, as an S3 Inventory CSV report: bucket, then
 *       the URL-encoded key, then columns that are ignored.
 *   <li>anything else, text: one location per line ({@code s3://bucket/key}, an absolute path, or a path relative to
 *       the manifest's folder), exactly as written up to the line ending; blank lines and lines starting with
 *       {@code #} are skipped. A manifest names S3 objects or local files, not both (see {@link TextManifest}).
 * </ul>
 * Keys are never trimmed: S3 keys may start or end with spaces.
 * Sizes are -1 where the manifest does not give them. Close the stream.
 */
public final class Manifests {

    private Manifests() {
    }

    /**
     * Whether the manifest names each image (a text list, written for the job), rather than listing a bucket's
     * objects (an S3 Inventory report in CSV or Parquet, which holds whatever the bucket holds).
     */
    public static boolean namesEachImage(Location manifest) {
        String name = manifest.name().toLowerCase(Locale.ROOT);
        String format = name.endsWith(".gz") ? name.substring(0, name.length() - 3) : name;
        return !format.endsWith(".parquet") && !format.endsWith(".csv");
    }

    public static Stream<StoredObject> read(ObjectStore store, Location manifest) throws IOException {
        String name = manifest.name().toLowerCase(Locale.ROOT);
        boolean gzip = name.endsWith(".gz");
        String format = gzip ? name.substring(0, name.length() - 3) : name;
        if (format.endsWith(".parquet")) {
            if (gzip) {
                throw new IllegalArgumentException("Manifest " + manifest + ": a Parquet manifest is compressed inside, "
                        + "not gzipped; give the .parquet file");
            }
            if (manifest.isLocal() && !java.nio.file.Files.exists(manifest.path())) {
                throw new java.nio.file.NoSuchFileException(manifest.path().toString()); // as the other formats say
            }
            return manifest.isLocal() ? ObjectListReader.read(manifest.path())
                    : ObjectListReader.read(store.read(manifest), manifest.toString());
        }
        BufferedReader lines = open(store, manifest, gzip);
        try {
            Stream<StoredObject> entries = format.endsWith(".csv")
                    ? CsvManifest.entries(lines, manifest)
                    : TextManifest.entries(lines, manifest);
            return entries.onClose(() -> {
                try {
                    lines.close();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (RuntimeException | IOException e) {
            lines.close();
            throw e;
        }
    }

    private static BufferedReader open(ObjectStore store, Location manifest, boolean gzip) throws IOException {
        InputStream in = store.open(manifest);
        try {
            InputStream bytes = gzip ? new GZIPInputStream(in, 64 * 1024) : in;
            return new BufferedReader(new InputStreamReader(bytes, StandardCharsets.UTF_8), 64 * 1024);
        } catch (IOException e) {
            in.close();
            throw new IOException("Cannot read the gzipped manifest " + manifest + ": " + e.getMessage(), e);
        }
    }
}
