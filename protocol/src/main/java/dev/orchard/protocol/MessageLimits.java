package dev.orchard.protocol;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Every cluster message fits in one Artery frame ({@code pekko.remote.artery.advanced.maximum-frame-size}, 256 KiB
 * in reference.conf), whatever the key lengths (S3 keys reach 1,024 bytes, local paths 4,096): the coordinator cuts
 * units so that their images' paths and labels take at most a quarter of a frame, and reasons are cut short, so an
 * {@code Assign} fits, and so does a {@code UnitFinished} that names every image with a reason: a unit of many images
 * (a raised {@code --unit-size}) that nearly all fail has their reasons cut further as it is serialized
 * ({@link #REASON_CUTS}).
 */
public final class MessageLimits {
    /** Longest reason kept in a report. */
    public static final int MAX_REASON_CHARS = 200;

    /**
     * The shorter lengths a {@code UnitFinished}'s reasons are cut to, in turn, when it does not fit in a frame: 200
     * characters of reason can be 600 bytes of UTF-8, and a unit's paths take up to a quarter of a frame, so a report of
     * a few hundred failed images can outgrow it. Its paths, which fit the frame's quarter, always stay whole.
     */
    public static final List<Integer> REASON_CUTS = List.of(80, 24);

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
        return reason(reason, MAX_REASON_CHARS);
    }

    /** {@code reason} cut to {@code maxChars} characters, the last one an ellipsis where it was cut. */
    public static String reason(String reason, int maxChars) {
        if (reason == null) {
            return "unknown";
        }
        if (reason.length() <= maxChars) {
            return reason;
        }
        int end = maxChars - 1;
        if (end > 0 && Character.isHighSurrogate(reason.charAt(end - 1))) {
            end--; // not half a character
        }
        return reason.substring(0, end) + "…";
    }
}
