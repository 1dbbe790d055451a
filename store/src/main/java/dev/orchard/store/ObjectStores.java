package dev.orchard.store;

import dev.orchard.store.s3.S3ObjectStore;
import dev.orchard.store.s3.S3Settings;

/** Picks the store for a location's scheme. Each call makes a new store: make one per job and close it. */
public final class ObjectStores {

    private ObjectStores() {
    }

    /** As {@link #forLocation(Location, S3Settings)} with {@link S3Settings#defaults()} (AWS, region from the environment). */
    public static ObjectStore forLocation(Location location) {
        return forLocation(location, S3Settings.defaults());
    }

    /** A {@link LocalObjectStore} for files, an {@link S3ObjectStore} with {@code s3} for {@code s3://} locations. */
    public static ObjectStore forLocation(Location location, S3Settings s3) {
        return switch (location.scheme()) {
            case FILE -> new LocalObjectStore();
            case S3 -> S3ObjectStore.create(s3);
        };
    }
}
