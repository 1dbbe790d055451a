package dev.orchard.store;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Reads a sequence of objects in order while up to {@code depth} reads run ahead of the consumer, so the next batch
 * arrives while the current one is being decoded and run through the model. Memory is bounded by {@code depth}
 * objects. How many of those reads actually run at once is the store's business (for S3,
 * {@code S3Settings.maxConcurrentGets}); a depth of about twice that keeps the GET pool busy.
 *
 * <p>A read that fails (after the store's retries) does not stop the sequence: its {@link Fetched} carries the
 * error, for the caller to record (e.g. in {@code errors.csv}) and go on.
 */
public final class ReadAhead implements Iterator<ReadAhead.Fetched>, AutoCloseable {

    /** One object's bytes, or why they could not be read. */
    public record Fetched(Location location, byte[] bytes, IOException error) {
        public boolean ok() {
            return error == null;
        }
    }

    private record Pending(Location location, CompletableFuture<byte[]> bytes) {
    }

    private final ObjectStore store;
    private final Iterator<Location> locations;
    private final int depth;
    private final Deque<Pending> window = new ArrayDeque<>();

    public ReadAhead(ObjectStore store, Iterator<Location> locations, int depth) {
        if (depth < 1) {
            throw new IllegalArgumentException("Read-ahead depth must be at least 1, not " + depth);
        }
        this.store = Objects.requireNonNull(store, "store");
        this.locations = Objects.requireNonNull(locations, "locations");
        this.depth = depth;
    }

    @Override
    public boolean hasNext() {
        fill();
        return !window.isEmpty();
    }

    /** The next object in order, waiting for its read if needed; the following reads are started first. */
    @Override
    public Fetched next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        Pending head = window.poll();
        fill();
        try {
            return new Fetched(head.location(), head.bytes().join(), null);
        } catch (CompletionException e) {
            if (e.getCause() instanceof IOException io) {
                return new Fetched(head.location(), null, io);
            }
            throw e;
        }
    }

    /** Drops the reads not consumed; reads already running finish in the background and are discarded. */
    @Override
    public void close() {
        for (Pending p : window) {
            p.bytes().cancel(false);
        }
        window.clear();
    }

    private void fill() {
        while (window.size() < depth && locations.hasNext()) {
            Location next = locations.next();
            window.add(new Pending(next, store.readAsync(next)));
        }
    }
}
