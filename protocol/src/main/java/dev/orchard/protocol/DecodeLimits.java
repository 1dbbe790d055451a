package dev.orchard.protocol;

/**
 * What a job takes as a readable image, the same on every worker: an image over {@code maxPixels}, or whose decoding
 * would hold more than {@code maxDecodeBytes} at once (estimated from its header), goes to errors.csv; with
 * {@code reducedDecode}, TurboJPEG decodes a large JPEG at 1/2, 1/4 or 1/8 scale (never below twice the model's
 * resize target). These were each worker's own options, so a unit's rows depended on the worker that took it: one
 * worker with {@code --max-pixels 5000} put 150 fruit images in errors.csv that the other made rows of (a user's
 * walk). The job's command sets them and every worker decodes by them.
 */
public record DecodeLimits(long maxPixels, long maxDecodeBytes, boolean reducedDecode) {

    /** PIL's own decompression-bomb limit (Image.MAX_IMAGE_PIXELS). */
    public static final long DEFAULT_MAX_PIXELS = 89_478_485L;
    /** Admits every 8-bit image under the default pixel limit through either decoder. */
    public static final long DEFAULT_MAX_DECODE_MIB = 512;
    public static final DecodeLimits DEFAULT = new DecodeLimits(DEFAULT_MAX_PIXELS, DEFAULT_MAX_DECODE_MIB << 20, true);

    /** The limits as the options that set them, for a job's record and its messages. */
    public String describe() {
        return "--max-pixels " + maxPixels + ", --max-decode-mib " + (maxDecodeBytes >> 20)
                + (reducedDecode ? "" : ", --no-reduced-decode");
    }

    /** Reads {@link #describe()} back (a job's record): the options a command without them keeps. */
    public static DecodeLimits parse(String described) {
        java.util.regex.Matcher m = java.util.regex.Pattern
                .compile("--max-pixels (\\d+), --max-decode-mib (\\d+)(, --no-reduced-decode)?").matcher(described);
        if (!m.matches()) {
            throw new IllegalArgumentException("not decode limits as a job records them: " + described);
        }
        return new DecodeLimits(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)) << 20, m.group(3) == null);
    }

    public DecodeLimits {
        if (maxPixels < 1) { // every image would be refused, and the job would fail with nothing to say why
            throw new IllegalArgumentException("--max-pixels must be at least 1, was " + maxPixels);
        }
        if (maxDecodeBytes < 1 << 20) {
            throw new IllegalArgumentException("--max-decode-mib must be at least 1, was " + (maxDecodeBytes >> 20));
        }
    }
}
