package dev.orchard.protocol;

/** One input image: where it is ({@code /path} or {@code s3://bucket/key}) and its label (null when none). */
public record ImageRef(String path, String label) {
}
