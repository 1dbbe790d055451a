package dev.orchard.worker.image;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Four-channel JPEGs decode to exactly the pixels PIL makes of them (Pillow 9.4, see {@code pil-cmyk/make_fixtures.py}):
 * Adobe CMYK as PIL writes it, the same without its Adobe marker, with component ids 1-4 (ImageIO took that one for
 * YCCK: 6,692 of its 6,771 bytes differed from PIL's), progressive, and YCCK.
 */
class PilCmykTest {

    @Test
    void fourChannelJpegsDecodeToPilsPixels() throws Exception {
        TurboJpegRequired.assumeLoaded();
        ImageDecoder decoder = new ImageDecoder(ImageDecoder.DEFAULT_MAX_PIXELS, JpegDecoder.TURBOJPEG);
        PilFixtures.Digests digests = PilFixtures.digests("pil-cmyk", decoder, "61x37");
        assertThat(digests.pil()).hasSize(5);
        assertThat(digests.decoded()).isEqualTo(digests.pil());
    }

    /** Pillow's MULDIV255 is a·b/255 rounded to nearest, for every pair of bytes. */
    @Test
    void mulDiv255IsTheRoundedQuotient() {
        for (int a = 0; a <= 255; a++) {
            for (int b = 0; b <= 255; b++) {
                assertThat(PilCmyk.mulDiv255(a, b)).isEqualTo((int) Math.round(a * b / 255.0));
            }
        }
    }
}
