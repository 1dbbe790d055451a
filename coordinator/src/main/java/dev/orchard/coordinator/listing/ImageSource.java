package dev.orchard.coordinator.listing;

import dev.orchard.protocol.ImageError;
import dev.orchard.protocol.ImageRef;
import java.io.IOException;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.stream.Stream;

/** Where a job's images come from, always in the same order, so a resumed listing can continue where it stopped. */
public interface ImageSource {

    /**
     * The images after {@code afterPath} in listing order (all of them when it is null), lazily; inputs that cannot
     * be used as images (an unreadable folder, a dangling link…) go to {@code skipped} with a reason. Close the
     * stream.
     */
    Stream<ImageRef> list(String afterPath, Consumer<ImageError> skipped) throws IOException;

    /** The whole listing from the beginning, run ahead on its own thread ({@link ListingAhead}). Close it. */
    default ListingAhead listAhead() {
        return new ListingAhead(this);
    }

    /**
     * A new test of whether each path of the listing, given in listing order, comes after {@code afterPath} (every
     * path does when it is null). An update's resumed listing lists everything again and uses it to tell the
     * images it planned before from the rest.
     */
    default Predicate<String> after(String afterPath) {
        if (afterPath != null) {
            throw new UnsupportedOperationException("this source cannot tell where a listing stood");
        }
        return path -> true;
    }
}
