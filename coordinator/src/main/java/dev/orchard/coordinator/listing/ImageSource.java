package dev.orchard.coordinator.listing;

import dev.orchard.protocol.ImageError;
import dev.orchard.protocol.ImageRef;
import java.io.IOException;
import java.util.function.Consumer;
import java.util.stream.Stream;

/** Where a job's images come from, always in the same order, so a resumed listing can continue where it stopped. */
public interface ImageSource {

    /**
     * The images after {@code afterPath} in listing order (all of them when it is null), lazily; inputs that cannot
     * be used as images (an unreadable folder, a dangling link…) go to {@code skipped} with a reason. Close the
     * stream.
     */
    Stream<ImageRef> list(String afterPath, Consumer<ImageError> skipped) throws IOException;
}
