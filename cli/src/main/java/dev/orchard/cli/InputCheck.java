package dev.orchard.cli;

import dev.orchard.protocol.ImageError;
import dev.orchard.protocol.ImageRef;
import dev.orchard.store.Location;
import dev.orchard.store.ObjectStore;
import dev.orchard.store.Overlap;
import dev.orchard.store.manifest.DuplicateKeys;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Stream;

/** Fails fast, before anything is written, when the input cannot give a single image or overlaps the output. */
final class InputCheck {

    private InputCheck() {
    }

    /**
     * Refuses an input folder (or prefix) or a manifest file that is, contains or lies inside the output: the job
     * would read what it writes, and {@code --overwrite} could delete the data set.
     */
    static void requireApart(Location input, String inputOption, Overlap output, Location outputLocation) throws IOException {
        var overlap = output.with(input);
        if (overlap.isPresent()) {
            throw new IllegalArgumentException(inputOption + " " + input + " " + overlap.get() + " --output "
                    + outputLocation + ": a job reads its input while it writes (and with --overwrite deletes) below its "
                    + "output, so the two must not overlap. Choose an --output outside the input, e.g. "
                    + suggestion(input, inputOption.equals("--input-manifest"), output, outputLocation) + ".");
        }
    }

    /**
     * An --output beside the input (a manifest's without its extension), or, where that lies inside the output (an
     * input inside it), beside the output: it suggested list.txt-orchard inside the very output it refused (a walk);
     * where that lies inside too (an output at / or a bucket's root), words.
     */
    private static String suggestion(Location input, boolean manifest, Overlap output, Location outputLocation)
            throws IOException {
        for (String candidate : List.of(beside(input, manifest), beside(outputLocation, false))) {
            Location suggested = Location.parse(candidate);
            // apart from both: beside an input at a bucket's root or / lies inside it (a verifying walk)
            if (output.with(suggested).isEmpty() && new Overlap(suggested).with(input).isEmpty()) {
                return candidate;
            }
        }
        // An input or output at a bucket's root or at / holds every name beside it
        return "a folder outside both (" + (input.isLocal() ? "another folder" : "another bucket") + ")";
    }

    private static String beside(Location location, boolean file) {
        if (location.isLocal()) {
            var parent = location.path().getParent();
            String name = location.path().getFileName() == null ? "images" : location.path().getFileName().toString();
            return parent == null ? "/orchard-results" : parent.resolve(stem(name, file) + "-orchard").toString();
        }
        String key = location.key().replaceAll("/+$", "");
        return "s3://" + location.bucket() + "/" + (key.isEmpty() ? "orchard-results" : stem(key, file) + "-orchard");
    }

    /** A file's name without its extension ({@code list.txt} → {@code list}); a folder's as it is. */
    private static String stem(String name, boolean file) {
        int dot = name.lastIndexOf('.');
        return file && dot > name.lastIndexOf('/') + 1 ? name.substring(0, dot) : name;
    }

    /**
     * The images {@code manifest} names, as a stream to read once; a manifest that is missing or cannot be opened is
     * refused as bad input (exit 2), naming it: the bare path the file system's exception holds said nothing more.
     */
    static Stream<ImageRef> openManifest(dev.orchard.coordinator.listing.ImageLister lister, ObjectStore store,
                                         Location manifest, NotTaken notTaken) {
        if (manifest.isLocal() && Files.isDirectory(manifest.path())) {
            throw new IllegalArgumentException("--input-manifest " + manifest + " is a folder: give the file that lists"
                    + " the images, or --input for a folder of images");
        }
        if (manifest.isLocal() && Files.exists(manifest.path()) && !Files.isRegularFile(manifest.path())) {
            // <(…) or /dev/stdin: the job reads its manifest more than once (checked now, hashed for the output's
            // record, listed by the coordinator), and a pipe gave nothing the second time ("No images found").
            throw new IllegalArgumentException("--input-manifest " + manifest + " is not a regular file (a pipe or "
                    + "device): the job reads its manifest more than once; write the list to a file and give that");
        }
        try {
            return lister.listManifest(store, manifest, notTaken);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("--input-manifest " + manifest + " does not exist: give the file that"
                    + " lists the images (one path or s3:// key per line, or a .csv or .parquet listing)", e);
        } catch (IOException | UnsupportedOperationException e) { // a Parquet codec Orchard does not read
            throw new IllegalArgumentException("--input-manifest " + manifest + " cannot be read: " + e.getMessage(), e);
        }
    }

    /**
     * The entries of a manifest that {@code --glob} does not take as images. A text list names each image: one that is
     * not taken is a mistake in the list (a line that ends in a space, a folder, a typo in the extension), and the job
     * is refused naming it, rather than leaving it out unsaid. An S3 Inventory report lists whatever a bucket holds:
     * its other keys are left out as a listing leaves other files, and counted in the log. A listing's files that
     * {@code --glob} does not take are counted too: where too few images are left, the refusal says what the pattern
     * left out ({@link #leftOutOfListing}).
     */
    static final class NotTaken implements java.util.function.Consumer<dev.orchard.store.StoredObject> {
        private static final int SHOWN = 3;
        private final String glob;
        private final Location input; // a listing's: its files are named by their path below it; null for a manifest
        private final List<String> examples = new ArrayList<>();
        private long count;

        NotTaken(String glob) {
            this(glob, null);
        }

        /** The files a listing of {@code input} does not take. */
        NotTaken(String glob, Location input) {
            this.glob = glob;
            this.input = input;
        }

        @Override
        public void accept(dev.orchard.store.StoredObject object) {
            if (examples.size() < SHOWN) {
                examples.add(describe(input == null ? object.location().toString() : input.relativize(object.location())));
            }
            count++;
        }

        /**
         * For a listing that gave too few images, read to its end: a sentence on the files {@code --glob} left out and
         * how a pattern is matched, to follow the count; empty where it left out none. (An update with a mistyped
         * --glob said only "PCA needs at least 2 images; the input holds 1", and stood recorded, in the way of the
         * command meant: a walk.)
         */
        String leftOutOfListing() {
            if (count == 0) {
                return "";
            }
            return " --glob '" + glob + "' left out " + count + " file" + (count == 1 ? "" : "s") + " below --input"
                    + " (not hidden), e.g. " + String.join(", ", examples) + ": a pattern without '/' is matched against"
                    + " each file's name, one with '/' against its path below --input (such as 'Apple*/*.jpg'). Check the"
                    + " pattern, quoted so that the shell passes it as it is.";
        }

        private static String describe(String path) {
            String quoted = "'" + dev.orchard.store.Printable.escaped(path) + "'";
            if (!path.isEmpty() && Character.isWhitespace(path.charAt(path.length() - 1))) {
                return quoted + " (it ends in a space: a line is taken as written)";
            }
            if (!path.isEmpty() && Character.isWhitespace(path.charAt(0))) {
                return quoted + " (it starts with a space: a line is taken as written)";
            }
            return quoted;
        }

        /** Refuses a text list that names entries it does not take; logs what an inventory leaves out. */
        void check(Location manifest) {
            if (count == 0) {
                return;
            }
            String which = count + " entr" + (count == 1 ? "y" : "ies") + " that --glob '" + glob
                    + "' does not take as images, e.g. " + String.join(", ", examples);
            if (dev.orchard.store.manifest.Manifests.namesEachImage(manifest)) {
                throw new IllegalArgumentException("--input-manifest " + manifest + " names " + which + ". A manifest"
                        + " lists the job's images, and none is left out unsaid: correct or remove those lines, or"
                        + " widen --glob.");
            }
            org.slf4j.LoggerFactory.getLogger(InputCheck.class).info("--input-manifest {} (an inventory of a bucket)"
                    + " lists {}: not images of this job", manifest, which);
        }
    }

    /**
     * Reads every image a manifest names, before anything is written: refuses one that lies inside the output (with
     * {@code --overwrite} it could be deleted), notes each key in {@code duplicates}, and checks what it names but does
     * not take ({@code notTaken}, which {@code images} reports to).
     *
     * @return the number of images named, repeats included
     */
    static long scanManifest(Stream<ImageRef> images, Location manifest, Overlap output, Location outputLocation,
                             DuplicateKeys duplicates, NotTaken notTaken,
                             java.util.Map<String, List<Location>> firstPerBucket) {
        long n = 0;
        try (images) {
            for (Iterator<ImageRef> it = images.iterator(); it.hasNext(); ) {
                ImageRef image = it.next();
                Location key = Location.parse(image.path());
                if (output.holds(key)) {
                    throw new IllegalArgumentException("--input-manifest " + manifest + " names " + key + ", which lies "
                            + "inside --output " + outputLocation + ": a job must not write (or with --overwrite delete) "
                            + "where its images are. Choose an --output outside the images.");
                }
                duplicates.add(image.path());
                if (!key.isLocal() && (firstPerBucket.size() < MAX_BUCKETS_CHECKED || firstPerBucket.containsKey(key.bucket()))) {
                    List<Location> first = firstPerBucket.computeIfAbsent(key.bucket(), b -> new ArrayList<>());
                    if (first.size() < IMAGES_CHECKED) {
                        first.add(key);
                    }
                }
                n++;
            }
        } catch (UncheckedIOException e) {
            throw new IllegalArgumentException("--input-manifest " + manifest + " cannot be read: " + e.getCause().getMessage(), e);
        } catch (UnsupportedOperationException e) {
            throw new IllegalArgumentException("--input-manifest " + manifest + " cannot be read: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new IllegalArgumentException("--input-manifest " + manifest + ": " + e.getMessage(), e);
        }
        notTaken.check(manifest);
        if (n == 0) {
            throw new IllegalArgumentException("--input-manifest " + manifest + " names no images matching --glob");
        }
        return n;
    }

    /** The most buckets of a manifest whose first images {@link #requireReadable} tries. */
    static final int MAX_BUCKETS_CHECKED = 16;
    /** The first images of each bucket tried: one missing image must not pass for a bucket that refuses access. */
    static final int IMAGES_CHECKED = 3;

    /**
     * A manifest's S3 images, checked before any work as a listed input is, so that missing or refused credentials,
     * or access denied, stop the job now (exit 2) rather than turning every image into an error after a whole pass.
     * Each bucket's first images (up to {@value #IMAGES_CHECKED}, of up to {@value #MAX_BUCKETS_CHECKED} buckets) are
     * read by a GET that stops at the headers (a 1-byte limit: a larger object fails as too large, unread), whose
     * errors, unlike a HEAD's, carry S3's code (a wrong secret is named as such). A bucket is refused only when
     * every image tried is refused: without s3:ListBucket, S3 answers a missing key with 403 too, and an image deleted
     * since the manifest was made is the job's error (errors.csv), not a reason to refuse it.
     */
    static void requireReadable(dev.orchard.store.Stores stores, Location manifest,
                                java.util.Collection<List<Location>> firstPerBucket) throws IOException {
        for (List<Location> images : firstPerBucket) {
            dev.orchard.store.UnusableLocationException refused = null;
            for (Location image : images) {
                var why = refusal(stores, image);
                if (why == null) {
                    refused = null;
                    break; // one image the bucket lets this process read (or find missing) is enough
                }
                refused = refused == null ? why : refused;
            }
            if (refused != null) {
                throw new IllegalArgumentException("--input-manifest " + manifest + " names " + images.get(0)
                        + (images.size() > 1 ? " (and the " + (images.size() - 1) + " next images of its bucket)" : "")
                        + ", which cannot be read: " + refused.getMessage(), refused);
            }
        }
    }

    /** Why {@code image} may not be read, or null when the request was allowed (read, too large to read, or missing). */
    private static dev.orchard.store.UnusableLocationException refusal(dev.orchard.store.Stores stores, Location image)
            throws IOException {
        try {
            stores.forLocation(image).read(image, 1); // an object of at most a byte is read; a larger one fails unread
            return null;
        } catch (dev.orchard.store.ObjectTooLargeException | NoSuchFileException allowed) {
            return null;
        } catch (dev.orchard.store.UnusableLocationException e) {
            return e;
        }
    }

    /**
     * @param listing   the job's own listing of the input (same filter and links), reporting what it cannot list, and
     *                  what --glob does not take to {@code notTaken}
     * @param countUpTo the images counted at most (the listing stops there)
     * @param notTaken  named where no image is found
     * @return the number of images found, at most {@code countUpTo}
     */
    static long requireImages(ObjectStore store, Location input, Function<Consumer<ImageError>, Stream<ImageRef>> listing,
                              long countUpTo, NotTaken notTaken) throws IOException {
        if (input.isLocal() && !Files.isDirectory(input.path())) {
            throw new IllegalArgumentException(Files.exists(input.path())
                    ? "--input " + input + " is a file: give the folder that holds the images"
                    : "--input " + input + " does not exist: give a folder of images or an s3://bucket/prefix");
        }
        if (!input.isLocal()) {
            store.checkReadable(input); // names the bucket and the likely fix: missing bucket, access, credentials
        }
        List<ImageError> problems = new ArrayList<>();
        try (Stream<ImageRef> images = listing.apply(problems::add)) {
            long found = images.limit(Math.max(1, countUpTo)).count();
            if (found == 0) {
                throw new IllegalArgumentException("--input " + input + " holds no images matching --glob (and not hidden): "
                        + "check the path, or widen --glob" + (problems.isEmpty() ? "" : "; " + problems.size()
                        + " entries could not be listed, e.g. " + problems.get(0).path() + ": " + problems.get(0).reason())
                        + "." + notTaken.leftOutOfListing());
            }
            return found;
        } catch (UncheckedIOException e) {
            if (e.getCause() instanceof NoSuchFileException) {
                throw new IllegalArgumentException("--input " + input + " does not exist");
            }
            if (e.getCause() instanceof java.nio.file.AccessDeniedException) {
                throw new IllegalArgumentException("Cannot read --input " + input + ": permission denied; fix its "
                        + "permissions or run as a user who may read it");
            }
            throw e;
        }
    }
}
