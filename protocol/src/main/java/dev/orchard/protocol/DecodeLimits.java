package dev.orchard.protocol;

/**
 * What a job takes as a readable image, the same on every worker: a file of more than {@code maxObjectBytes} is not
 * read, and an image over {@code maxPixels}, or whose decoding would hold more than {@code maxDecodeBytes} at once
 * (estimated from its header), is not decoded; each goes to errors.csv. With
 * {@code reducedDecode}, TurboJPEG decodes a large JPEG at 1/2, 1/4 or 1/8 scale (never below twice the model's
 * resize target). These were each worker's own options, so a unit's rows depended on the worker that took it: one
 * worker with {@code --max-pixels 5000} put 150 fruit images in errors.csv that the other made rows of (a user's
 * walk); so was {@code --max-object-bytes} until a later walk found it. The job's command sets them and every worker
 * reads and decodes by them.
 */
public record DecodeLimits(long maxPixels, long maxDecodeBytes, boolean reducedDecode, long maxObjectBytes) {

    /** PIL's own decompression-bomb limit (Image.MAX_IMAGE_PIXELS). */
    public static final long DEFAULT_MAX_PIXELS = 89_478_485L;
    /** Admits every 8-bit image under the default pixel limit through either decoder. */
    public static final long DEFAULT_MAX_DECODE_MIB = 512;
    /** More than any real photo; a bound on what one image may take of a worker's heap. */
    public static final long DEFAULT_MAX_OBJECT_BYTES = 256L << 20;
    /** A Java array holds at most this many bytes. */
    public static final long MAX_ARRAY_BYTES = Integer.MAX_VALUE - 8;
    public static final DecodeLimits DEFAULT =
            new DecodeLimits(DEFAULT_MAX_PIXELS, DEFAULT_MAX_DECODE_MIB << 20, true, DEFAULT_MAX_OBJECT_BYTES);

    /**
     * The limits as the options that set them, for a job's record and its messages: the size bound always, so that a
     * record tells the default from none (an Orchard before the bound was the job's wrote none: {@link
     * #recordsObjectBound}).
     */
    public String describe() {
        return "--max-pixels " + maxPixels + ", --max-decode-mib " + (maxDecodeBytes >> 20)
                + (reducedDecode ? "" : ", --no-reduced-decode") + OBJECT_BOUND + maxObjectBytes;
    }

    private static final String OBJECT_BOUND = ", --max-object-bytes ";

    /** Reads {@link #describe()} back (a job's record): the options a command without them keeps. */
    public static DecodeLimits parse(String described) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile(
                "--max-pixels (\\d+), --max-decode-mib (\\d+)(, --no-reduced-decode)?(?:, --max-object-bytes (\\d+))?")
                .matcher(described);
        if (!m.matches()) {
            throw new IllegalArgumentException("not decode limits as a job records them: " + described);
        }
        return new DecodeLimits(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)) << 20, m.group(3) == null,
                m.group(4) == null ? DEFAULT_MAX_OBJECT_BYTES : Long.parseLong(m.group(4)));
    }

    /**
     * Whether a record says which size bound its job read by: an Orchard before 2026-12-07 recorded the decode limits
     * without it, as each worker read by its own; {@link #parse} then gives the default, which may not be the job's.
     */
    public static boolean recordsObjectBound(String described) {
        return described != null && described.contains(OBJECT_BOUND);
    }

    /** The record without its size bound: how one that has it compares with one that has not. */
    public static String withoutObjectBound(String described) {
        return described == null ? null : described.replaceAll(java.util.regex.Pattern.quote(OBJECT_BOUND) + "\\d+", "");
    }

    public DecodeLimits {
        if (maxPixels < 1) { // every image would be refused, and the job would fail with nothing to say why
            throw new IllegalArgumentException("--max-pixels must be at least 1, was " + maxPixels);
        }
        if (maxDecodeBytes < 1 << 20) {
            throw new IllegalArgumentException("--max-decode-mib must be at least 1, was " + (maxDecodeBytes >> 20));
        }
        if (maxObjectBytes < 1 || maxObjectBytes > MAX_ARRAY_BYTES) {
            throw new IllegalArgumentException("--max-object-bytes must be between 1 and " + MAX_ARRAY_BYTES
                    + " (what one Java array holds), was " + maxObjectBytes);
        }
    }
}
