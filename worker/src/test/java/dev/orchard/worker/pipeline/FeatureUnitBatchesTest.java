package dev.orchard.worker.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orchard.protocol.ImageRef;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class FeatureUnitBatchesTest {

    private static List<ImageRef> images(int n) {
        return IntStream.range(0, n).mapToObj(i -> new ImageRef("/in/" + i + ".jpg", "c")).toList();
    }

    private static List<Integer> sizes(List<List<ImageRef>> batches) {
        return batches.stream().map(List::size).toList();
    }

    @Test
    void anOpeningBatchIsShortTheLastBatchsWorthIsCutSmallAndTheRestAreFull() {
        List<ImageRef> images = images(70);
        List<List<ImageRef>> batches = FeatureUnit.batches(images, 32, 4, 8);
        assertThat(sizes(batches)).containsExactly(4, 32, 2, 8, 8, 8, 8);
        assertThat(batches.stream().flatMap(List::stream).toList()).isEqualTo(images);
        // A default unit: 256 images.
        List<ImageRef> unit = images(256);
        List<List<ImageRef>> cut = FeatureUnit.batches(unit, 32, 4, 8);
        assertThat(sizes(cut)).containsExactly(4, 32, 32, 32, 32, 32, 32, 28, 8, 8, 8, 8);
        assertThat(cut.stream().flatMap(List::stream).toList()).isEqualTo(unit);
    }

    @Test
    void withoutAnOpeningOrAClosingEveryBatchButTheLastIsFull() {
        assertThat(sizes(FeatureUnit.batches(images(70), 32, 32, 32))).containsExactly(32, 32, 6);
        assertThat(sizes(FeatureUnit.batches(images(3), 32, 4, 8))).containsExactly(3);
        assertThat(sizes(FeatureUnit.batches(images(10), 32, 4, 8))).containsExactly(4, 6);
        assertThat(sizes(FeatureUnit.batches(images(20), 32, 4, 8))).containsExactly(4, 8, 8);
        assertThat(FeatureUnit.batches(images(0), 32, 4, 8)).isEmpty();
    }

    /** Exactly one unit of a session opens with the short batch, however many take their first batch at once. */
    @Test
    void aSessionOpensOnceWhateverHowManyUnitsStartTogether() throws Exception {
        WorkerRuntime.Loaded session = new WorkerRuntime.Loaded(null, null, null, null);
        java.util.concurrent.atomic.AtomicInteger openers = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
        List<Thread> units = new java.util.ArrayList<>();
        for (int i = 0; i < 8; i++) {
            Thread t = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                if (session.takeOpening()) {
                    openers.incrementAndGet();
                }
            });
            t.start();
            units.add(t);
        }
        start.countDown();
        for (Thread t : units) {
            t.join();
        }
        assertThat(openers.get()).isEqualTo(1);
        assertThat(session.takeOpening()).as("a later unit of the same session").isFalse();
        assertThat(new WorkerRuntime.Loaded(null, null, null, null).takeOpening()).as("a new session").isTrue();
    }
}
