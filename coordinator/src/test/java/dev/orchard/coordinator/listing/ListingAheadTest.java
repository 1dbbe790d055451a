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
import java.util.function.Consumer;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class ListingAheadTest {

    /** 1,000 images, with a listing problem reported before every 7th: the order of both is kept. */
    private static final ImageSource SOURCE = (after, skipped) -> IntStream.range(0, 1000).mapToObj(i -> {
        if (i % 7 == 0) {
            skipped.accept(new ImageError("/in/bad-" + i, "cannot list"));
        }
        return new ImageRef("/in/" + i + ".jpg", "c");
    });

    private static List<String> direct() throws IOException {
        List<String> items = new ArrayList<>();
        try (Stream<ImageRef> images = SOURCE.list(null, e -> items.add(e.path()))) {
            images.forEach(i -> items.add(i.path()));
        }
        return items;
    }

    @Test
    void givesTheListingInItsOrderWhateverHowFarItRunsAhead() throws Exception {
        for (int ahead : new int[] {1, 3, ListingAhead.AHEAD}) {
            Collect got = new Collect();
            try (ListingAhead listing = new ListingAhead(SOURCE, ahead)) {
                listing.drainTo(got);
            }
            assertThat(got.items).as("ahead %d", ahead).isEqualTo(direct());
        }
    }

    @Test
    void aFailedListingFailsItsReaderWithTheSameException() {
        ImageSource unreadable = (after, skipped) -> {
            throw new IOException("no such bucket");
        };
        assertThatThrownBy(() -> {
            try (ListingAhead listing = new ListingAhead(unreadable)) {
                listing.drainTo(new Collect());
            }
        }).isInstanceOf(IOException.class).hasMessage("no such bucket");

        ImageSource breaks = (after, skipped) -> IntStream.range(0, 10).mapToObj(i -> {
            if (i == 5) {
                throw new UncheckedIOException(new IOException("connection reset"));
            }
            return new ImageRef("/in/" + i, "c");
        });
        Collect got = new Collect();
        assertThatThrownBy(() -> {
            try (ListingAhead listing = new ListingAhead(breaks)) {
                listing.drainTo(got);
            }
        }).isInstanceOf(UncheckedIOException.class).hasMessageContaining("connection reset");
        assertThat(got.items).hasSize(5);
    }

    @Test
    void aReaderThatStopsEarlyStopsTheListingAndClosesIt() throws Exception {
        CountDownLatch closed = new CountDownLatch(1);
        ImageSource endless = (after, skipped) -> Stream.iterate(0, i -> i + 1)
                .map(i -> new ImageRef("/in/" + i, "c")).onClose(closed::countDown);
        Collect got = new Collect();
        got.stopAfter = 10;
        try (ListingAhead listing = new ListingAhead(endless, 4)) {
            listing.drainTo(got);
        }
        assertThat(got.items).hasSize(10);
        assertThat(closed.await(10, TimeUnit.SECONDS)).as("the listing's stream was closed").isTrue();
    }
}
