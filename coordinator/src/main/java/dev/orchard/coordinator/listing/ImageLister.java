package dev.orchard.coordinator.listing;

import dev.orchard.protocol.ImageRef;
import dev.orchard.store.Location;
import dev.orchard.store.ObjectStore;
import dev.orchard.store.StoredObject;
import java.io.IOException;
import java.util.stream.Stream;

/** Input location → the images to process, each with its label, lazily and in key order. */
public final class ImageLister {
    private final ObjectStore store;
    private final NameFilter filter;
    private final LabelRule labels;

    public ImageLister(ObjectStore store, NameFilter filter, LabelRule labels) {
        this.store = store;
        this.filter = filter;
        this.labels = labels;
    }

    /** The stream must be closed; it holds one listing page (or open folder) at a time, never all keys. */
    public Stream<ImageRef> list(Location input) throws IOException {
        String rootName = input.name();
        return store.list(input)
                .filter(object -> !object.location().equals(input))
                .map(object -> {
                    String relative = input.relativize(object.location());
                    return filter.accepts(relative) ? image(object, labels.labelOf(relative, rootName)) : null;
                })
                .filter(java.util.Objects::nonNull);
    }

    /**
     * The images a manifest names (one {@code s3://…} or path per line, or an S3 Inventory CSV/Parquet list), for
     * inputs too large or too slow to list: the same filter and labels apply, with each key's own folders.
     */
    public Stream<ImageRef> listManifest(ObjectStore manifestStore, Location manifest) throws IOException {
        return dev.orchard.store.manifest.Manifests.read(manifestStore, manifest)
                .map(object -> {
                    Location location = object.location();
                    String relative = location.isLocal() ? location.key().replaceFirst("^/+", "") : location.key();
                    String root = location.isLocal() ? "" : location.bucket();
                    return filter.accepts(relative) ? image(object, labels.labelOf(relative, root)) : null;
                })
                .filter(java.util.Objects::nonNull);
    }

    /** The image with what the listing says of its content (size, version), which an update compares. */
    private static ImageRef image(StoredObject object, String label) {
        return new ImageRef(object.location().toString(), label, object.size(), object.version());
    }
}
