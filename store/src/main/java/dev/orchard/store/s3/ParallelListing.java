package dev.orchard.store.s3;

import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.stream.Stream;

/**
 * Lists every object below a prefix in key order, with up to {@code parallelism} first-level "folders" (common
 * prefixes under delimiter '/') listed at the same time, so that 10⁷ keys in 100 folders are not 10⁴ sequential calls.
 *
 * <p>Key order survives because every key below a folder sorts between the folder's neighbours in the delimited
 * listing: the result is that listing with each folder replaced by its own (sequential, paged) listing. Folders ahead
 * of the consumer are listed in the background into small bounded buffers, so memory stays at about
 * {@code parallelism × 3} pages of 1,000 keys however large the bucket. A single huge folder is still listed
 * sequentially.
 */
final class ParallelListing implements Iterator<ListPage.Entry>, AutoCloseable {

    private static final int PAGES_BUFFERED = 2;
    /** Entries (objects or folders) read ahead from the delimited listing at most. */
    private static final int MAX_WINDOW = 2_000;
    private static final Object END = new Object();

    private final S3Requests s3;
    private final String bucket;
    private final int parallelism;
    private final ExecutorService executor;
    private final Iterator<Object> top;
    private final Deque<Object> window = new ArrayDeque<>();
    private final List<Feed> started = new ArrayList<>();
    private int feedsInWindow;
    private Feed currentFeed;
    private Iterator<ListPage.Entry> current = Collections.emptyIterator();
    private ListPage.Entry next;

    ParallelListing(S3Requests s3, String bucket, String prefix, int parallelism, ExecutorService executor) {
        this.s3 = s3;
        this.bucket = bucket;
        this.parallelism = parallelism;
        this.executor = executor;
        this.top = new Pages(s3, bucket, prefix, "/").stream()
                .flatMap(ParallelListing::entriesInKeyOrder)
                .iterator();
    }

    @Override
    public boolean hasNext() {
        while (next == null) {
            if (current.hasNext()) {
                next = current.next();
            } else if (currentFeed != null) {
                List<ListPage.Entry> page = currentFeed.nextPage();
                if (page == null) {
                    currentFeed = null;
                } else {
                    current = page.iterator();
                }
            } else {
                fillWindow();
                Object head = window.poll();
                if (head == null) {
                    return false;
                }
                if (head instanceof Feed feed) {
                    feedsInWindow--;
                    currentFeed = feed;
                } else {
                    current = List.of((ListPage.Entry) head).iterator();
                }
            }
        }
        return true;
    }

    @Override
    public ListPage.Entry next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        ListPage.Entry result = next;
        next = null;
        return result;
    }

    /** Stops the background listings of folders not yet consumed. */
    @Override
    public void close() {
        for (Feed feed : started) {
            feed.future.cancel(true);
        }
        started.clear();
    }

    private void fillWindow() {
        while (feedsInWindow < parallelism && window.size() < MAX_WINDOW && top.hasNext()) {
            Object entry = top.next();
            if (entry instanceof String folder) {
                Feed feed = new Feed(folder);
                feed.future = executor.submit(feed);
                started.removeIf(f -> f.future.isDone());
                started.add(feed);
                window.add(feed);
                feedsInWindow++;
            } else {
                window.add(entry);
            }
        }
    }

    /** One page of a delimited listing as objects (Entry) and folders (String), merged in key order. */
    private static Stream<Object> entriesInKeyOrder(ListPage page) {
        List<Object> merged = new ArrayList<>(page.objects().size() + page.folders().size());
        Iterator<ListPage.Entry> objects = page.objects().iterator();
        Iterator<String> folders = page.folders().iterator();
        ListPage.Entry o = objects.hasNext() ? objects.next() : null;
        String f = folders.hasNext() ? folders.next() : null;
        while (o != null || f != null) {
            if (f == null || (o != null && KeyOrder.compare(o.key(), f) < 0)) {
                merged.add(o);
                o = objects.hasNext() ? objects.next() : null;
            } else {
                merged.add(f);
                f = folders.hasNext() ? folders.next() : null;
            }
        }
        return merged.stream();
    }

    /** Lists one folder on the executor into a small queue that the consumer drains when it reaches the folder. */
    private final class Feed implements Runnable {
        private final String prefix;
        private final BlockingQueue<Object> pages = new ArrayBlockingQueue<>(PAGES_BUFFERED + 1);
        private Future<?> future;

        Feed(String prefix) {
            this.prefix = prefix;
        }

        @Override
        public void run() {
            try {
                try {
                    for (ListPage page : new Pages(s3, bucket, prefix, null)) {
                        pages.put(page.objects());
                    }
                    pages.put(END);
                } catch (RuntimeException e) {
                    pages.put(e);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt(); // closed: nobody waits for the rest
            }
        }

        @SuppressWarnings("unchecked")
        List<ListPage.Entry> nextPage() {
            Object item;
            try {
                item = pages.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new UncheckedIOException(new InterruptedIOException("Interrupted while listing s3://" + bucket + "/" + prefix));
            }
            if (item == END) {
                return null;
            }
            if (item instanceof RuntimeException e) {
                throw e;
            }
            return (List<ListPage.Entry>) item;
        }
    }
}
