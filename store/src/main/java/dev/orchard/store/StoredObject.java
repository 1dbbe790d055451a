package dev.orchard.store;

/** One object found by a listing, with its size in bytes. */
public record StoredObject(Location location, long size) {
}
