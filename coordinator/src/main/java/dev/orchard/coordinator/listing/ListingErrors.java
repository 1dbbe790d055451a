package dev.orchard.coordinator.listing;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.orchard.protocol.ImageError;
import dev.orchard.protocol.ImageRef;
import dev.orchard.store.ObjectStore;
import dev.orchard.store.OutputLayout;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * What the job's listing of its input could not list (see {@link ImageLister#list}), on its way to
 * {@code errors.csv}. Collected while the coordinator lists, and saved under {@code _orchard/} when the listing
 * reaches its end (before the plan is marked complete), so that a job resumed after its listing was over, which
 * lists nothing again, still reports them.
 */
public final class ListingErrors implements Consumer<ImageError> {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ObjectStore store;
    private final OutputLayout layout;
    private final List<ImageError> errors = Collections.synchronizedList(new ArrayList<>());
    private volatile boolean complete;

    public ListingErrors(ObjectStore store, OutputLayout layout) {
        this.store = store;
        this.layout = layout;
    }

    @Override
    public void accept(ImageError error) {
        errors.add(error);
    }

    /**
     * The coordinator's listing: forgets what an earlier listing found (the listing runs again from the start), and
     * saves what this one finds when {@code listing} is exhausted.
     */
    public Stream<ImageRef> track(Stream<ImageRef> listing) {
        errors.clear();
        complete = false;
        Iterator<ImageRef> images = listing.iterator();
        Iterator<ImageRef> saving = new Iterator<>() {
            @Override
            public boolean hasNext() {
                if (images.hasNext()) {
                    return true;
                }
                if (!complete) {
                    save();
                }
                return false;
            }

            @Override
            public ImageRef next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return images.next();
            }
        };
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(saving, Spliterator.ORDERED | Spliterator.NONNULL),
                false).onClose(listing::close);
    }

    private void save() {
        try {
            store.put(layout.listingErrors(), JSON.writeValueAsBytes(List.copyOf(errors)));
            complete = true;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot save the listing's errors to " + layout.listingErrors(), e);
        }
    }

    /** Every listing error: this process's listing's, or, when it listed nothing (a resumed job), the saved ones. */
    public List<ImageError> all() throws IOException {
        if (complete || !store.exists(layout.listingErrors())) {
            return List.copyOf(errors);
        }
        return JSON.readValue(store.read(layout.listingErrors()), new TypeReference<List<ImageError>>() { });
    }
}
