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
}
