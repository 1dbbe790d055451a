package dev.orchard.worker.image;

/**
 * Four-channel CMYK → RGB, as PIL makes it, byte for byte: a TIFF's plain CMYK ({@link #plainToRgb}), and libjpeg's
 * four-channel output ({@link #toRgb}). PIL reads every four-channel JPEG as Adobe's
 * inverted CMYK (rawmode {@code CMYK;I}, "assume adobe conventions", whatever markers the file has) and converts to RGB
 * with Pillow's {@code cmyk2rgb}: {@code nk = 255 − K}, then each of R, G, B is {@code nk − MULDIV255(C, nk)}. On the
 * samples libjpeg outputs ({@code c, m, y, k}: PIL's C is {@code 255 − c}, its nk is {@code k}), R is
 * {@code k − MULDIV255(255 − c, k)}. Which JPEGs are CMYK and which YCCK (converted to CMYK by libjpeg) is libjpeg's
 * decision in both: with no Adobe marker a four-channel JPEG is plain CMYK, whatever its component ids say (ImageIO's
 * TwelveMonkeys reader took one with ids 1-4 for YCCK, and its colours differed wholly from PIL's). Checked against
 * Pillow 9.4, Debian 12's ({@code pil-cmyk/make_fixtures.py}).
 */
final class PilCmyk {
    private PilCmyk() {
    }

    /** Interleaved C, M, Y, K as libjpeg outputs them → interleaved R, G, B. */
    static byte[] toRgb(byte[] cmyk) {
        byte[] rgb = new byte[cmyk.length / 4 * 3];
        for (int i = 0, o = 0; i < cmyk.length; i += 4, o += 3) {
            int k = cmyk[i + 3] & 0xFF;
            rgb[o] = (byte) (k - mulDiv255(255 - (cmyk[i] & 0xFF), k));
            rgb[o + 1] = (byte) (k - mulDiv255(255 - (cmyk[i + 1] & 0xFF), k));
            rgb[o + 2] = (byte) (k - mulDiv255(255 - (cmyk[i + 2] & 0xFF), k));
        }
        return rgb;
    }

    /**
     * One pixel of plain (not inverted) CMYK, as a TIFF stores it, → R, G, B at {@code out[at..at+2]}: Pillow's
     * {@code cmyk2rgb}, {@code nk = 255 − K}, each of R, G, B {@code nk − MULDIV255(C, nk)}.
     */
    static void plainToRgb(int c, int m, int y, int k, byte[] out, int at) {
        int nk = 255 - k;
        out[at] = (byte) (nk - mulDiv255(c, nk));
        out[at + 1] = (byte) (nk - mulDiv255(m, nk));
        out[at + 2] = (byte) (nk - mulDiv255(y, nk));
    }

    /** Pillow's {@code MULDIV255}: {@code a·b/255} rounded to nearest, for 0 ≤ a, b ≤ 255. Never above b. */
    static int mulDiv255(int a, int b) {
        int t = a * b + 128;
        return ((t >> 8) + t) >> 8;
    }
}
