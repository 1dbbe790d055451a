package dev.orchard.store;

/** One object found by a listing, with its size in bytes (-1 where a manifest did not give it). */
public record StoredObject(Location location, long size) {
}
