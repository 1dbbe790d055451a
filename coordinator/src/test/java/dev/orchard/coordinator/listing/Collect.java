package dev.orchard.coordinator.listing;

import dev.orchard.protocol.ImageError;
import dev.orchard.protocol.ImageRef;
import java.util.ArrayList;
import java.util.List;

/** A receiver of a {@link ListingAhead} that keeps every path in order (images and skipped inputs alike). */
final class Collect implements ListingAhead.Receiver {
    final List<String> items = new ArrayList<>();
    int stopAfter = Integer.MAX_VALUE;

    @Override
    public void image(ImageRef image) {
        items.add(image.path());
    }

    @Override
    public void skipped(ImageError error) {
        items.add(error.path());
    }

    @Override
    public boolean stopped() {
        return items.size() >= stopAfter;
    }
}
