package dev.orchard.coordinator.listing;

import dev.orchard.protocol.ImageError;
import dev.orchard.protocol.ImageRef;
import java.io.IOException;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * An {@link ImageSource} whose whole listing starts at once, before anyone asks for it, so that it runs while the
 * process still starts (the model loads, the actors start). The first listing from the beginning is that one; any
 * other, or any later one, lists afresh (and drops the early one, if it was not taken).
 * <p>For {@code --update}: an update compares the whole listing with the output's inventory before it knows which
 * images are new, so its first unit waits for the end of the listing (0.3-0.4 s for 10,000 local files, the same
 * again for the comparison) — time that otherwise starts only once the coordinator runs. A first run hands out its
 * first unit as soon as one unit is listed, and gains nothing from this.
 */
public final class EarlyListing implements ImageSource, AutoCloseable {
    private final ImageSource source;
    private ListingAhead early;

    /** Starts listing {@code source} from its beginning, now. */
    public EarlyListing(ImageSource source) {
        this.source = source;
        this.early = new ListingAhead(source);
    }

    @Override
    public Stream<ImageRef> list(String afterPath, Consumer<ImageError> skipped) throws IOException {
        ListingAhead taken = take();
        if (taken != null && afterPath == null) {
            return taken.stream(skipped);
        }
        if (taken != null) {
            taken.close();
        }
        return source.list(afterPath, skipped);
    }

    /** The early listing itself, already under way (not a second thread reading it), or a fresh one once taken. */
    @Override
    public ListingAhead listAhead() {
        ListingAhead taken = take();
        return taken != null ? taken : source.listAhead();
    }

    @Override
    public Predicate<String> after(String afterPath) {
        return source.after(afterPath);
    }

    private synchronized ListingAhead take() {
        ListingAhead taken = early;
        early = null;
        return taken;
    }

    /** Stops the early listing if nobody took it. */
    @Override
    public void close() {
        ListingAhead taken = take();
        if (taken != null) {
            taken.close();
        }
    }
}
