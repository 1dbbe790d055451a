package dev.orchard.coordinator.listing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orchard.protocol.ImageError;
import dev.orchard.protocol.ImageRef;
import dev.orchard.store.LocalObjectStore;
import dev.orchard.store.Location;
import dev.orchard.store.OutputLayout;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ListingErrorsTest {

    @TempDir
    Path dir;

    @Test
    void savedWhenTheListingEndsSoAResumedJobStillReportsThem() throws Exception {
        LocalObjectStore store = new LocalObjectStore();
        OutputLayout layout = new OutputLayout(Location.local(dir));
        ListingErrors first = new ListingErrors(store, layout);
        ImageError locked = new ImageError("/in/locked", "cannot read folder: permission denied");
        try (Stream<ImageRef> images = first.track(Stream.of(new ImageRef("/in/a.jpg", "in")).peek(i -> first.accept(locked)))) {
            assertThat(images.count()).isEqualTo(1);
        }
        assertThat(layout.listingErrors().path()).exists();
        assertThat(first.all()).containsExactly(locked);

        // A coordinator that resumes after the listing was complete lists nothing: it reads what was saved.
        assertThat(new ListingErrors(store, layout).all()).containsExactly(locked);

        // One that lists again (the listing was not complete) starts afresh.
        ListingErrors again = new ListingErrors(store, layout);
        try (Stream<ImageRef> images = again.track(Stream.of(new ImageRef("/in/a.jpg", "in")))) {
            images.forEach(i -> { });
        }
        assertThat(again.all()).isEmpty();
        assertThat(new ListingErrors(store, layout).all()).isEmpty();
    }
}
