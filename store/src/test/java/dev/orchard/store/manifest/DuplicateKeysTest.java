package dev.orchard.store.manifest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

class DuplicateKeysTest {

    @Test
    void repeatsAreDroppedExactlyAndTheFirstOccurrenceStays() {
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < 50_000; i++) {
            keys.add("s3://b/images/" + i + ".jpg");
        }
        long seed = 42;
        Random random = new Random(seed);
        List<String> manifest = new ArrayList<>(keys);
        for (int i = 0; i < 1_234; i++) {
            manifest.add(random.nextInt(manifest.size()), keys.get(random.nextInt(keys.size())));
        }
        DuplicateKeys duplicates = new DuplicateKeys();
        manifest.forEach(duplicates::add);
        assertThat(duplicates.finish()).as("seed %d", seed).isEqualTo(1_234);
        for (int pass = 0; pass < 2; pass++) { // each listing pass gets the same answer
            Predicate<String> first = duplicates.firstSeen();
            List<String> kept = manifest.stream().filter(first).toList();
            assertThat(kept).containsExactlyInAnyOrderElementsOf(keys);
            assertThat(kept).doesNotHaveDuplicates();
        }
    }

    @Test
    void keysThatDifferOnlyBySpacesAreDifferent() {
        DuplicateKeys duplicates = new DuplicateKeys();
        List<String> manifest = List.of("s3://b/a.jpg", "s3://b/a.jpg ", "s3://b/ a.jpg", "s3://b/a.jpg");
        manifest.forEach(duplicates::add);
        assertThat(duplicates.finish()).isEqualTo(1);
        assertThat(manifest.stream().filter(duplicates.firstSeen()).toList())
                .containsExactly("s3://b/a.jpg", "s3://b/a.jpg ", "s3://b/ a.jpg");
    }
}
