package dev.orchard.store;

/** Picks the store for a location's scheme. */
public final class ObjectStores {

    private ObjectStores() {
    }

    public static ObjectStore forLocation(Location location) {
        return switch (location.scheme()) {
            case FILE -> new LocalObjectStore();
            case S3 -> throw new UnsupportedOperationException(
                    "s3:// locations are not supported by this build yet: use a local folder (" + location + ")");
        };
    }
}
