package dev.orchard.coordinator.listing;

import dev.orchard.protocol.ImageError;
import dev.orchard.protocol.ImageRef;
import dev.orchard.store.ListingProblem;
import dev.orchard.store.Location;
import dev.orchard.store.ObjectStore;
import dev.orchard.store.StoredObject;
import java.io.IOException;
import java.util.function.Consumer;
import java.util.stream.Stream;

/** Input location → the images to process, each with its label, lazily and in key order. */
public final class ImageLister {
    private final ObjectStore store;
    private final NameFilter filter;
    private final LabelRule labels;
    private final boolean followLinks;

    /** @param followLinks follow symbolic links below the input folder (loops are detected and reported) */
    public ImageLister(ObjectStore store, NameFilter filter, LabelRule labels, boolean followLinks) {
        this.store = store;
        this.filter = filter;
        this.labels = labels;
        this.followLinks = followLinks;
    }

    /** Why a key with a '.' or '..' segment is not listed as an image. */
    static final String DOT_SEGMENT = "skipped: its key has a '.' or '..' segment, which paths take as this folder or the"
            + " one above (rename the object, or name it in an --input-manifest, which reads it as it is)";

    /**
     * The stream must be closed; it holds one listing page (or open folder) at a time, never all keys. What the
     * listing cannot list and the user would miss goes to {@code errors} (path, reason), and the listing goes on: a
     * folder that cannot be read or is a link not followed; an entry whose kind cannot be read, or a link that leads
     * nowhere, either of which may be a folder; a file that would be an image by its name but is a link not followed,
     * or vanished; and an S3 key with a '.' or '..' segment. Hidden entries stay silent, as hidden images do.
     */
    public Stream<ImageRef> list(Location input, Consumer<ImageError> errors) throws IOException {
        return list(input, errors, object -> { });
    }

    /**
     * As above; each file that is not hidden and that {@code --glob} does not take goes to {@code notTaken} (a listing
     * that gave too few images says what the pattern left out).
     */
    public Stream<ImageRef> list(Location input, Consumer<ImageError> errors, Consumer<StoredObject> notTaken)
            throws IOException {
        String rootName = input.name();
        Consumer<ListingProblem> problems = problem -> {
            String relative = input.relativize(problem.location());
            if (!filter.hidden(relative) && (problem.folder() || filter.accepts(relative))) {
                errors.accept(new ImageError(problem.location().toString(), problem.reason()));
            }
        };
        return store.list(input, followLinks, problems)
                .filter(object -> !object.location().equals(input))
                .map(object -> {
                    String relative = input.relativize(object.location());
                    if (filter.accepts(relative)) {
                        return image(object, labels.labelOf(relative, rootName));
                    }
                    if (filter.hiddenByDotSegment(relative) && filter.matches(relative)) {
                        errors.accept(new ImageError(object.location().toString(), DOT_SEGMENT));
                    } else if (!filter.hidden(relative)) {
                        notTaken.accept(object);
                    }
                    return null;
                })
                .filter(java.util.Objects::nonNull);
    }

    private static String withoutLeadingSlashes(String path) {
        int start = 0;
        while (start < path.length() && path.charAt(start) == '/') {
            start++;
        }
        return path.substring(start);
    }

    /**
     * The images a manifest names (one {@code s3://…} or path per line, or an S3 Inventory CSV/Parquet list), for
     * inputs too large or too slow to list: the same filter and labels apply, with each key's own folders.
     */
    public Stream<ImageRef> listManifest(ObjectStore manifestStore, Location manifest) throws IOException {
        return listManifest(manifestStore, manifest, object -> { });
    }

    /**
     * As above; each entry that is not taken as an image goes to {@code notTaken}. A text list names each image, so
     * only {@code --glob} applies there (no folder on its way is hidden); an S3 Inventory report lists a bucket, and
     * takes the filter of a listing, hidden keys left out.
     */
    public Stream<ImageRef> listManifest(ObjectStore manifestStore, Location manifest, Consumer<StoredObject> notTaken)
            throws IOException {
        boolean named = dev.orchard.store.manifest.Manifests.namesEachImage(manifest);
        return dev.orchard.store.manifest.Manifests.read(manifestStore, manifest)
                .map(object -> {
                    Location location = object.location();
                    String relative = location.isLocal() ? withoutLeadingSlashes(location.key()) : location.key();
                    String root = location.isLocal() ? "" : location.bucket();
                    if (named ? filter.matches(relative) : filter.accepts(relative)) {
                        return image(object, labels.labelOf(relative, root));
                    }
                    notTaken.accept(object);
                    return null;
                })
                .filter(java.util.Objects::nonNull);
    }

    /** The image with what the listing says of its content (size, version), which an update compares. */
    private static ImageRef image(StoredObject object, String label) {
        return new ImageRef(object.location().toString(), label, object.size(), object.version());
    }
}
