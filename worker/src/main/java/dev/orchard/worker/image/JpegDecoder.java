package dev.orchard.worker.image;

import java.util.Locale;

/** Which library decodes JPEGs (every other format always goes through ImageIO). */
public enum JpegDecoder {
    /** TurboJPEG when the system library loads, else ImageIO. */
    AUTO,
    /** libjpeg-turbo's TurboJPEG, with ImageIO only for the JPEGs it fails on (damaged headers, say). */
    TURBOJPEG,
    /** ImageIO + TwelveMonkeys for everything. */
    IMAGEIO;

    /** The lower-case name used on the command line. */
    public String option() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses {@code auto}, {@code turbojpeg} or {@code imageio} (any case). */
    public static JpegDecoder parse(String value) {
        for (JpegDecoder d : values()) {
            if (d.option().equalsIgnoreCase(value.trim())) {
                return d;
            }
        }
        throw new IllegalArgumentException("--jpeg-decoder " + value + ": expected auto, turbojpeg or imageio");
    }
}
