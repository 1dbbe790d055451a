package dev.orchard.protocol;

/**
 * One input image: where it is ({@code /path} or {@code s3://bucket/key}), its label (null when none), and what the
 * listing said of its content: its size in bytes (-1 when unknown) and its version (the ETag on S3, the modification
 * time in nanoseconds for a local file; null when unknown, e.g. a plain manifest). An incremental run
 * ({@code --update}) compares size and version with what the output recorded to tell changed images from unchanged
 * ones.
 */
public record ImageRef(String path, String label, long size, String version) {

    public ImageRef(String path, String label) {
        this(path, label, -1, null);
    }

    /** The same image with another label (the listing labels what the store listed). */
    public ImageRef withLabel(String newLabel) {
        return new ImageRef(path, newLabel, size, version);
    }
}
