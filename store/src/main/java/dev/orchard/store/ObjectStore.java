package dev.orchard.store;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * The few operations Orchard needs from a place that holds objects: list, read, and write atomically.
 * An object written with {@link #put} or {@link #putFile} is visible under its final name only once complete,
 * so a reader (or a restarted coordinator) never sees half an output.
 */
public interface ObjectStore extends AutoCloseable {

    /**
     * Every object below {@code prefix}, recursively, in key order. The stream is lazy: a large listing is
     * never held in memory at once. Close it when done.
     */
    /** The name {@link #checkWritable}'s probe object starts with, on every store. */
    String WRITE_PROBE = ".orchard-write-check";

    /**
     * What a store's own writes leave in a folder besides the files written: for a local write's temporary file
     * ({@code .NAME.tmp-<uuid>}, a crash's) and a local conditional write's lock file ({@code .NAME.lock}, which stays)
     * the name NAME they were for; for {@link #checkWritable}'s probe (locally {@code .orchard-write-check<digits>.tmp},
     * on S3 {@code .orchard-write-check-<uuid>}) the probe's own name; null for any other name.
     */
    static String leftoverOf(String fileName) {
        java.util.regex.Matcher temporary = LeftoverNames.TEMPORARY.matcher(fileName);
        if (temporary.matches()) {
            return temporary.group(1);
        }
        java.util.regex.Matcher lock = LeftoverNames.LOCK.matcher(fileName);
        if (lock.matches()) {
            return lock.group(1);
        }
        return LeftoverNames.WRITE_PROBE.matcher(fileName).matches() ? fileName : null;
    }

    Stream<StoredObject> list(Location prefix) throws IOException;

    /**
     * Every object below {@code prefix} as {@link #list(Location)} gives them, for listing an input: what the
     * listing cannot list (an unreadable folder, a symbolic link, a file that vanished) goes to {@code problems}
     * and the listing goes on. Symbolic links are followed only with {@code followLinks}, never into a folder that
     * holds them (a loop). The default, for stores without such things (S3), is {@link #list(Location)}.
     */
    default Stream<StoredObject> list(Location prefix, boolean followLinks, java.util.function.Consumer<ListingProblem> problems)
            throws IOException {
        return list(prefix);
    }

    byte[] read(Location location) throws IOException;

    /**
     * As {@link #read(Location)}, for objects that may not take more than {@code maxBytes} of memory (images): a
     * larger one is not read, and fails with {@link ObjectTooLargeException}.
     */
    default byte[] read(Location location, long maxBytes) throws IOException {
        byte[] bytes = read(location);
        if (bytes.length > maxBytes) {
            throw new ObjectTooLargeException(location, bytes.length, maxBytes);
        }
        return bytes;
    }

    /**
     * As {@link #read(Location, long)}, of an object a listing found (with its size): locally, a path that is no longer
     * a regular file (swapped for a named pipe or a device since) is refused unopened.
     */
    default byte[] readListed(Location location, long maxBytes) throws IOException {
        return read(location, maxBytes);
    }

    /**
     * The object's last {@code n} bytes (all of it when it is shorter): a file's footer without the file. This
     * default reads the whole object; the stores read only the tail.
     */
    default byte[] readTail(Location location, int n) throws IOException {
        byte[] all = read(location);
        return java.util.Arrays.copyOfRange(all, Math.max(0, all.length - n), all.length);
    }

    /** A stream over the object's bytes, for objects too large to hold at once (manifests). Close it. */
    default InputStream open(Location location) throws IOException {
        return new ByteArrayInputStream(read(location));
    }

    boolean exists(Location location) throws IOException;

    /**
     * Writes {@code bytes} to {@code target}, replacing what was there, atomically and durably: once this returns,
     * a crash or power loss leaves either the old object or the whole new one, never an empty or partial one.
     */
    void put(Location target, byte[] bytes) throws IOException;

    /**
     * An object's bytes and its entity tag: a validator of exactly these bytes, which a conditional write compares
     * ({@link #putIf}). On S3 it is the ETag; for a local file, the SHA-256 of its content.
     */
    record Tagged(byte[] bytes, String tag) {
    }

    /** The object and its entity tag, read together; null when there is none. */
    Tagged readTagged(Location location) throws IOException;

    /**
     * A conditional write, the one compare-and-set Orchard asks of a store: writes {@code bytes} to {@code target},
     * atomically and durably as {@link #put} does, only if the object there still has the entity tag
     * {@code expectedTag} (null: only if there is none), in one step that no other writer to the store can come
     * between: on S3 a PutObject with {@code If-Match} ({@code If-None-Match: *}), in a local folder under a lock that
     * other processes on the machine respect too. Returns the new object's tag, or null, writing nothing, when the
     * object there is another (or gone, or there when none was expected).
     * <p>A write that landed but whose answer was lost, and was retried, would fail its condition against itself: so
     * when the condition fails and the object holds exactly {@code bytes}, the write counts as done. Callers write
     * contents that say who wrote them and when (as the output's lease does), so equal bytes are their own.
     */
    String putIf(Location target, byte[] bytes, String expectedTag) throws IOException;

    /**
     * {@link #putIf}, given up after {@code within} in all, its retries included, where the store can bound it (S3: the
     * request's whole-call timeout): an output's lease must not be renewed by a request that outlasts the lease. An
     * S3 endpoint that took connections and answered nothing held a renewal for its 10 attempts of 60 s, while the
     * lease's 30 s lapsed and its coordinator stood still (a user's walk). A request given up may still land: it is
     * a conditional write like any other. Stores that answer at once (a local folder) need no bound.
     */
    default String putIf(Location target, byte[] bytes, String expectedTag, java.time.Duration within) throws IOException {
        return putIf(target, bytes, expectedTag);
    }

    /**
     * Whether this store is known to evaluate the conditions of {@link #putIf}: a local folder
     * (Orchard's own locks) and AWS S3 do; an S3-compatible server may ignore the headers and answer as if it had
     * written, so for one Orchard cannot tell without trying them ({@link ConditionProbe}).
     */
    boolean evaluatesConditions();

    /** Copies a finished local file to {@code target} atomically and durably; the caller still owns {@code file}. */
    void putFile(Location target, Path file) throws IOException;

    /**
     * As {@link #putFile}, only where nothing is at {@code target}, in one step no other writer comes between: false,
     * writing nothing, when something is (another writer's, landed since the caller looked). Locally an atomic link of
     * the finished copy; on S3 {@code If-None-Match: *}. A server that ignores the condition (an S3-compatible one may:
     * {@link #evaluatesConditions}) writes as {@link #putFile} does.
     */
    default boolean putFileIfAbsent(Location target, Path file) throws IOException {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot write only where nothing is");
    }

    /** Deletes every object below {@code prefix} (locally its folder too); nothing happens when there is none. */
    void deleteAll(Location prefix) throws IOException;

    /**
     * A check made before each request of a bulk operation ({@link #deleteAll(Location, Fence)},
     * {@link #moveAll(Location, Location, Fence)}): one that fails stops the operation there, so a writer that lost the
     * right to write part-way through (a coordinator another one took over from) makes none of its remaining requests.
     */
    @FunctionalInterface
    interface Fence {
        Fence NONE = () -> {
        };

        void check() throws IOException;
    }

    /**
     * As {@link #deleteAll(Location)}, with {@code fence} checked before each request that deletes (a local file or
     * folder, an S3 batch of up to 1,000 keys). By default it is checked once, before the whole deletion.
     */
    default void deleteAll(Location prefix, Fence fence) throws IOException {
        fence.check();
        deleteAll(prefix);
    }

    /**
     * Deletes exactly {@code objects} (one missing is no error), {@code fence} checked before each request: one object
     * a request here; on S3, 1,000 keys a DeleteObjects request. Unlike {@link #deleteAll}, it deletes nothing it was
     * not given by name, so a request that lands late deletes only those names.
     */
    default void deleteObjects(java.util.List<Location> objects, Fence fence) throws IOException {
        for (Location o : objects) {
            fence.check();
            delete(o);
        }
    }

    /** Deletes one object, if it is there. */
    default void delete(Location location) throws IOException {
        deleteAll(location);
    }

    /**
     * Makes the object at {@code from} visible at {@code to} in one step (replacing what was there), then removes
     * {@code from}: a rename where the store has one, a server-side copy on S3. A reader of {@code to} never sees
     * part of it.
     */
    default void move(Location from, Location to) throws IOException {
        Path temp = Files.createTempFile("orchard-move", ".tmp");
        try {
            try (InputStream in = open(from)) {
                Files.copy(in, temp, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            putFile(to, temp);
            delete(from);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /**
     * Makes a copy of the object at {@code from} visible at {@code to} in one step (replacing what was there);
     * {@code from} stays. Here through a local temporary file; a local store copies the file beside its target and
     * renames it.
     */
    default void copy(Location from, Location to) throws IOException {
        Path temp = Files.createTempFile("orchard-copy", ".tmp");
        try {
            try (InputStream in = open(from)) {
                Files.copy(in, temp, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            putFile(to, temp);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /**
     * Moves every object below {@code from} to the same name below {@code to} (replacing what is there). Object by
     * object here (on S3: a server-side copy and a delete each, so a reader may see some objects at either name);
     * a local store renames the whole folder at once when it can. Moving again after an interruption finishes the
     * move.
     */
    default void moveAll(Location from, Location to) throws IOException {
        moveAll(from, to, Fence.NONE);
    }

    /** As {@link #moveAll(Location, Location)}, with {@code fence} checked before each object's move (or the rename). */
    default void moveAll(Location from, Location to, Fence fence) throws IOException {
        java.util.List<Location> objects;
        try (Stream<StoredObject> listed = list(from)) {
            objects = listed.map(StoredObject::location).toList();
        } catch (java.nio.file.NoSuchFileException e) {
            return;
        }
        for (Location object : objects) {
            fence.check();
            move(object, to.resolve(from.relativize(object)));
        }
    }

    /**
     * Fails with a message naming {@code prefix} and the likely fix when this process cannot write below it.
     * Called before any work starts, so a job never runs for an hour and then fails to save.
     */
    void checkWritable(Location prefix) throws IOException;

    /**
     * Fails with a message naming {@code location} and the likely fix when this process cannot read it, or when
     * nothing is there (a mistyped prefix). {@code location} is a folder/prefix or a single object.
     */
    void checkReadable(Location location) throws IOException;

    @Override
    default void close() throws IOException {
    }

    /** The patterns of {@link #leftoverOf}. */
    final class LeftoverNames {
        private static final String UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
        static final java.util.regex.Pattern TEMPORARY = java.util.regex.Pattern.compile(
                "^\\.(.+)" + java.util.regex.Pattern.quote(LocalObjectStore.TEMPORARY) + UUID + "$");
        static final java.util.regex.Pattern LOCK = java.util.regex.Pattern.compile(
                "^\\.(.+)" + java.util.regex.Pattern.quote(LocalObjectStore.LOCK) + "$");
        static final java.util.regex.Pattern WRITE_PROBE = java.util.regex.Pattern.compile(
                "^" + java.util.regex.Pattern.quote(ObjectStore.WRITE_PROBE) + "(\\d*\\.tmp|-" + UUID + ")$");

        private LeftoverNames() {
        }
    }
}
