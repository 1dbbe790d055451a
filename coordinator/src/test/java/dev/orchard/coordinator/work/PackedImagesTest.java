package dev.orchard.coordinator.work;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orchard.protocol.ImageRef;
import java.util.List;
import org.junit.jupiter.api.Test;

class PackedImagesTest {

    @Test
    void unpacksExactlyWhatWasPacked() {
        PackedImages.Labels labels = new PackedImages.Labels();
        List<ImageRef> images = List.of(
                new ImageRef("s3://b/Test/Äpfel grün/1.jpg", "Äpfel grün"),
                new ImageRef("s3://b/Test/Äpfel grün/2.jpg", "Äpfel grün"),
                new ImageRef("s3://b/Test/Banana/" + "x".repeat(300) + ".jpg", "Banana"),
                new ImageRef("s3://b/Test/no label.png", null));
        PackedImages packed = PackedImages.pack(images, labels);
        assertThat(packed.size()).isEqualTo(4);
        assertThat(packed.unpack(labels)).isEqualTo(images);
        List<ImageRef> one = List.of(new ImageRef("/data/a.jpg", "a"));
        assertThat(PackedImages.pack(one, labels).unpack(labels)).isEqualTo(one);
        assertThat(labels.indexOf("Banana")).isEqualTo(1); // each label stored once
    }

    @Test
    void keysThatDifferInsideAnEmojiSurviveThePacking() {
        PackedImages.Labels labels = new PackedImages.Labels();
        List<ImageRef> images = List.of(new ImageRef("s3://b/faces/\uD83D\uDE00.jpg", "faces"),
                new ImageRef("s3://b/faces/\uD83D\uDE01.jpg", "faces")); // 😀 and 😁 share their high surrogate
        assertThat(PackedImages.pack(images, labels).unpack(labels)).isEqualTo(images);
    }
}
