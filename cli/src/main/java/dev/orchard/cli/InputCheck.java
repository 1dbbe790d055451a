package dev.orchard.cli;

import dev.orchard.coordinator.listing.NameFilter;
import dev.orchard.store.Location;
import dev.orchard.store.ObjectStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.util.stream.Stream;

/** Fails fast, before anything starts, when the input cannot give a single image. */
final class InputCheck {

    /**
     * Refuses a manifest that names no image.
     *
     * @param count read the whole manifest to count its images rather than stop at the first
     * @return the number of images named (1 when not counting)
     */
    static long requireManifestImages(Stream<dev.orchard.protocol.ImageRef> images, Location manifest, boolean count) {
        try (images) {
            long n = count ? images.count() : images.findAny().isPresent() ? 1 : 0;
            if (n == 0) {
                throw new IllegalArgumentException("--input-manifest " + manifest + " names no images matching --glob");
            }
            return n;
        } catch (java.io.UncheckedIOException e) {
            throw new IllegalArgumentException("--input-manifest " + manifest + " cannot be read: " + e.getCause().getMessage(), e);
        }
    }

    private InputCheck() {
    }

    /**
     * @param count count every image (a full listing) rather than stop at the first
     * @return the number of images found (1 when not counting)
     */
    static long requireImages(ObjectStore store, Location input, NameFilter filter, boolean count) throws IOException {
        if (input.isLocal() && !Files.isDirectory(input.path())) {
            throw new IllegalArgumentException(Files.exists(input.path())
                    ? "--input " + input + " is a file: give the folder that holds the images"
                    : "--input " + input + " does not exist: give a folder of images or an s3://bucket/prefix");
        }
        if (!input.isLocal()) {
            store.checkReadable(input); // names the bucket and the likely fix: missing bucket, access, credentials
        }
        try (Stream<dev.orchard.store.StoredObject> objects = store.list(input)) {
            var images = objects.filter(o -> filter.accepts(input.relativize(o.location())));
            long found = count ? images.count() : images.findAny().isPresent() ? 1 : 0;
            if (found == 0) {
                throw new IllegalArgumentException("--input " + input + " holds no images matching --glob (and not hidden): "
                        + "check the path, or widen --glob");
            }
            return found;
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("--input " + input + " does not exist");
        }
    }
}
