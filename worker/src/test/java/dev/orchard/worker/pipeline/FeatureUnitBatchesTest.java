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
    void anOpeningBatchIsShortAndTheRestAreFull() {
        List<ImageRef> images = images(70);
        List<List<ImageRef>> batches = FeatureUnit.batches(images, 32, 4);
        assertThat(sizes(batches)).containsExactly(4, 32, 32, 2);
        assertThat(batches.stream().flatMap(List::stream).toList()).isEqualTo(images);
    }

    @Test
    void withoutAnOpeningEveryBatchButTheLastIsFull() {
        assertThat(sizes(FeatureUnit.batches(images(70), 32, 32))).containsExactly(32, 32, 6);
        assertThat(sizes(FeatureUnit.batches(images(3), 32, 4))).containsExactly(3);
        assertThat(FeatureUnit.batches(images(0), 32, 4)).isEmpty();
    }
}
