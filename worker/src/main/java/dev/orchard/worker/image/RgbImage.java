package dev.orchard.worker.image;

/** Decoded pixels: 8-bit RGB, interleaved, row-major ({@code rgb[(y*width + x)*3 + c]}). */
public record RgbImage(int width, int height, byte[] rgb) {

    public RgbImage {
        if ((long) width * height * 3 != rgb.length) {
            throw new IllegalArgumentException("pixel buffer of " + rgb.length + " bytes does not fit " + width + "x" + height);
        }
    }
}
