package dev.orchard.coordinator.listing;

import dev.orchard.protocol.ImageError;
import dev.orchard.protocol.ImageRef;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * A whole listing of an {@link ImageSource}, run ahead on its own thread into a bounded queue, so that it overlaps
 * other work of the thread that takes it. An update reads the base generation's inventory into its index before it
 * can compare the first listed image; the two took 0.35-0.4 s and 0.3-0.35 s one after the other for 10,200 images.
 * Images and what could not be listed come out in the order the listing gave them; at most {@link #AHEAD} wait.
 * Close it: a listing abandoned half-way stops.
 */
public final class ListingAhead implements AutoCloseable {
    /** ~10 MB of waiting paths at most: a large listing runs ahead only so far, and resumes as it is taken. */
    static final int AHEAD = 65_536;
    private static final Object END = new Object();

    private final BlockingQueue<Object> queue;
    private final Thread thread;
    private volatile boolean closed;

    private record Failure(Throwable e) {
        /** What the listing failed with, to throw as it was (any other checked exception wrapped in an IOException). */
        IOException rethrown() {
            if (e instanceof IOException io) {
                return io;
            } else if (e instanceof RuntimeException r) {
                throw r;
            } else if (e instanceof Error err) {
                throw err;
            }
            return new IOException("the listing failed: " + e, e);
        }
    }

    /** Starts listing {@code source} from its beginning. */
    public ListingAhead(ImageSource source) {
        this(source, AHEAD);
    }

    ListingAhead(ImageSource source, int ahead) {
        this.queue = new ArrayBlockingQueue<>(ahead);
        this.thread = new Thread(() -> {
            try {
                try (var images = source.list(null, this::put)) {
                    for (var it = images.iterator(); it.hasNext() && !closed; ) {
                        put(it.next());
                    }
                }
                queue.put(END);
            } catch (InterruptedException | Interrupted e) {
                // closed by its reader
            } catch (Exception | Error e) {
                try {
                    queue.put(new Failure(e));
                } catch (InterruptedException ignored) {
                    // closed by its reader
                }
            }
        }, "orchard-lister-ahead");
        thread.setDaemon(true);
        thread.start();
    }

    /** An interruption met inside the listing's callback, which cannot throw InterruptedException. */
    private static final class Interrupted extends RuntimeException {
        Interrupted() {
            super(null, null, false, false);
        }
    }

    private void put(Object item) {
        try {
            queue.put(item);
        } catch (InterruptedException e) {
            throw new Interrupted();
        }
    }

    /** Receives the listing's items in order. */
    public interface Receiver {
        void image(ImageRef image) throws InterruptedException;

        void skipped(ImageError error);

        /** Checked before each item: true stops the listing early. */
        boolean stopped();
    }

    /**
     * The listing's images as a stream, in order, what could not be listed going to {@code skipped} in its place; the
     * stream throws what the listing failed with (an IOException as UncheckedIOException). Closing it closes this.
     */
    public Stream<ImageRef> stream(Consumer<ImageError> skipped) {
        Iterator<ImageRef> images = new Iterator<>() {
            private ImageRef next;
            private boolean ended;

            @Override
            public boolean hasNext() {
                while (next == null && !ended) {
                    Object item;
                    try {
                        item = queue.take();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new UncheckedIOException(new InterruptedIOException("interrupted while listing"));
                    }
                    if (item == END) {
                        ended = true;
                    } else if (item instanceof ImageRef image) {
                        next = image;
                    } else if (item instanceof ImageError error) {
                        skipped.accept(error);
                    } else if (item instanceof Failure f) {
                        ended = true;
                        try {
                            throw f.rethrown();
                        } catch (IOException io) {
                            throw new UncheckedIOException(io);
                        }
                    }
                }
                return next != null;
            }

            @Override
            public ImageRef next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                ImageRef image = next;
                next = null;
                return image;
            }
        };
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(images, Spliterator.ORDERED | Spliterator.NONNULL),
                false).onClose(this::close);
    }

    /** Gives every item of the listing to {@code receiver}, in order; throws what the listing failed with. */
    public void drainTo(Receiver receiver) throws IOException, InterruptedException {
        while (!receiver.stopped()) {
            Object item = queue.take();
            if (item == END) {
                return;
            } else if (item instanceof ImageRef image) {
                receiver.image(image);
            } else if (item instanceof ImageError error) {
                receiver.skipped(error);
            } else if (item instanceof Failure f) {
                throw f.rethrown();
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
    }
}
