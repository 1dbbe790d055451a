package dev.orchard.worker.image;

/** An input that cannot be used as an image; the message is the reason written to errors.csv. */
public final class BadImageException extends Exception {

    public BadImageException(String reason) {
        super(reason);
    }

    public BadImageException(String reason, Throwable cause) {
        super(reason, cause);
    }

    /** Refuses a {@code width}×{@code height} image over {@code maxPixels}, before any pixel is decoded. */
    static void checkPixelLimit(int width, int height, long maxPixels) throws BadImageException {
        long pixels = (long) width * height;
        if (pixels > maxPixels) {
            throw new BadImageException(String.format(
                    "image is %dx%d = %d pixels, over the %d-pixel limit (decompression bomb?); "
                            + "raise --max-pixels if it is genuine",
                    width, height, pixels, maxPixels));
        }
    }

    /**
     * Refuses an image whose decoding would hold more than {@code maxBytes} at once (pixels as the decoder stores
     * them, the 8-bit RGB copy, libjpeg's coefficients), estimated from its header before decoding: the pixel
     * limit alone lets a 9000×9000 16-bit RGBA PNG take 900 MB.
     *
     * @param layout how the decoder would store it, for the message ("16-bit RGBA", ...)
     */
    static void checkDecodeBytes(long bytes, long maxBytes, int width, int height, String layout) throws BadImageException {
        if (bytes > maxBytes) {
            throw new BadImageException(String.format(
                    "decoding this %dx%d image (%s) needs about %d MiB, over the %d MiB limit per image; "
                            + "raise --max-decode-mib if it is genuine",
                    width, height, layout, (bytes + (1 << 20) - 1) >> 20, maxBytes >> 20));
        }
    }
}
