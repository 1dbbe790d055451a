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

    @Test
    void sizesAndVersionsOfEveryFormSurviveThePacking() {
        PackedImages.Labels labels = new PackedImages.Labels();
        List<ImageRef> images = List.of(
                new ImageRef("s3://b/a.jpg", "a", 123_456, "\"9b2cf535f27731c974343645a3985328\""),  // S3 ETag
                new ImageRef("s3://b/b.jpg", "a", 9_999_999_999L, "\"d41d8cd98f00b204e9800998ecf8427e-12\""), // multipart
                new ImageRef("/data/c.jpg", "a", 0, "1732900000123456789"),                       // mtime (ns)
                new ImageRef("/data/d.jpg", "a", 5, "0"),
                new ImageRef("/data/e.jpg", "a", 5, "007"),                                       // not a canonical number
                new ImageRef("/data/f.jpg", "a", -1, null),                                       // a plain manifest
                new ImageRef("/data/g.jpg", "a", 7, "\"9B2CF535F27731C974343645A3985328\""),      // upper-case hex
                new ImageRef("/data/h.jpg", "a", 7, ""));
        assertThat(PackedImages.pack(images, labels).unpack(labels)).isEqualTo(images);
    }
}
