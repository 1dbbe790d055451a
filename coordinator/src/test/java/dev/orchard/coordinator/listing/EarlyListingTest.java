package dev.orchard.coordinator.listing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.orchard.protocol.ImageError;
import dev.orchard.protocol.ImageRef;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class EarlyListingTest {

    /** 1,000 images with a listing problem before every 7th; counts the listings it starts. */
    private static final class Counted implements ImageSource {
        final AtomicInteger listings = new AtomicInteger();
        final CountDownLatch started = new CountDownLatch(1);

        @Override
        public Stream<ImageRef> list(String after, java.util.function.Consumer<ImageError> skipped) {
            listings.incrementAndGet();
            started.countDown();
            return IntStream.range(0, 1000).mapToObj(i -> {
                if (i % 7 == 0) {
                    skipped.accept(new ImageError("/in/bad-" + i, "cannot list"));
                }
                return new ImageRef("/in/" + i + ".jpg", "c");
            }).filter(image -> after == null || image.path().compareTo(after) > 0);
        }
    }

    private static List<String> items(ImageSource source, String after) throws IOException {
        List<String> items = new ArrayList<>();
        try (Stream<ImageRef> images = source.list(after, e -> items.add(e.path()))) {
            images.forEach(i -> items.add(i.path()));
        }
        return items;
    }

    @Test
    void theFirstListingIsTheOneStartedEarlyAndLaterOnesListAgain() throws Exception {
        List<String> direct = items(new Counted(), null);
        Counted source = new Counted();
        try (EarlyListing early = new EarlyListing(source)) {
            assertThat(source.started.await(10, TimeUnit.SECONDS)).isTrue(); // started before anyone asked
            assertThat(source.listings).hasValue(1);
            assertThat(items(early, null)).isEqualTo(direct);
            assertThat(source.listings).hasValue(1);
            assertThat(items(early, null)).isEqualTo(direct);
            assertThat(source.listings).hasValue(2);
        }
    }

    /** An update's coordinator takes the early listing as it runs, not through a second thread reading it. */
    @Test
    void listingAheadTakesTheEarlyListingItselfOnce() throws Exception {
        List<String> direct = items(new Counted(), null);
        Counted source = new Counted();
        try (EarlyListing early = new EarlyListing(source)) {
            for (int round = 1; round <= 2; round++) {
                Collect got = new Collect();
                try (ListingAhead listing = early.listAhead()) {
                    listing.drainTo(got);
                }
                assertThat(got.items).as("round %d", round).isEqualTo(direct);
                assertThat(source.listings).as("listings after round %d", round).hasValue(round);
            }
        }
    }

    @Test
    void aListingFromElsewhereListsAfreshAndDropsTheEarlyOne() throws Exception {
        Counted source = new Counted();
        try (EarlyListing early = new EarlyListing(source)) {
            assertThat(items(early, "/in/5")).isEqualTo(items(source, "/in/5"));
            assertThat(items(early, null)).isEqualTo(items(source, null)); // not the early one: it was dropped
        }
    }

    @Test
    void aFailedEarlyListingFailsItsReader() throws Exception {
        ImageSource breaks = (after, skipped) -> IntStream.range(0, 10).mapToObj(i -> {
            if (i == 5) {
                throw new UncheckedIOException(new IOException("connection reset"));
            }
            return new ImageRef("/in/" + i + ".jpg", "c");
        });
        try (EarlyListing early = new EarlyListing(breaks)) {
            List<String> got = new ArrayList<>();
            assertThatThrownBy(() -> {
                try (Stream<ImageRef> images = early.list(null, e -> { })) {
                    images.forEach(i -> got.add(i.path()));
                }
            }).isInstanceOf(UncheckedIOException.class).hasMessageContaining("connection reset");
            assertThat(got).hasSize(5);
        }
        ImageSource unreadable = (after, skipped) -> {
            throw new IOException("no such bucket");
        };
        try (EarlyListing early = new EarlyListing(unreadable)) {
            assertThatThrownBy(() -> early.list(null, e -> { }).count())
                    .isInstanceOf(UncheckedIOException.class).hasRootCauseMessage("no such bucket");
        }
    }
}
