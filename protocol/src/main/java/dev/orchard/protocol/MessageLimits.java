package dev.orchard.protocol;

import java.nio.charset.StandardCharsets;

/**
 * Every cluster message fits in one Artery frame ({@code pekko.remote.artery.advanced.maximum-frame-size}, 256 KiB
 * in reference.conf), whatever the key lengths (S3 keys reach 1,024 bytes, local paths 4,096): the coordinator cuts
 * units so that their images' paths and labels take at most a quarter of a frame, and reasons are cut short, so an
 * {@code Assign} and a {@code UnitFinished} that names every image with a reason both fit.
 */
public final class MessageLimits {
    /** Longest reason kept in a report (the full one is in the worker's log). */
    public static final int MAX_REASON_CHARS = 200;

    private MessageLimits() {
    }

    /** Bytes a unit's images may take in an Assign, for a given frame size. */
    public static int unitImageBytes(long frameBytes) {
        return (int) Math.min(Integer.MAX_VALUE, frameBytes / 4);
    }

    /**
     * What one image costs against {@link #unitImageBytes}: its path, label and version in UTF-8, and a little
     * framing (the size's varint included).
     */
    public static int imageBytes(ImageRef image) {
        int label = image.label() == null ? 0 : image.label().getBytes(StandardCharsets.UTF_8).length;
        int version = image.version() == null ? 0 : image.version().getBytes(StandardCharsets.UTF_8).length;
        return image.path().getBytes(StandardCharsets.UTF_8).length + label + version + 20;
    }

    public static String reason(String reason) {
        if (reason == null) {
            return "unknown";
        }
        return reason.length() <= MAX_REASON_CHARS ? reason : reason.substring(0, MAX_REASON_CHARS - 1) + "…";
    }
}
