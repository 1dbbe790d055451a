package dev.orchard.store;

/**
 * One object found by a listing, with its size in bytes (-1 where a manifest did not give it) and its version: what
 * changes when the object is rewritten (the ETag on S3, the modification time in nanoseconds for a local file; null
 * where the listing does not say).
 */
public record StoredObject(Location location, long size, String version) {

    public StoredObject(Location location, long size) {
        this(location, size, null);
    }
}
