package dev.orchard.worker.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * A GIF whose first frame is not its whole canvas decodes to the pixels PIL makes of it (Pillow 9.4, see
 * {@code pil-gif/make_fixtures.py}): the frame at its offset on the logical screen, palette entry 0 around it (or the
 * transparent index's colour), the canvas widened where the frame reaches past the screen. The JDK's reader gives the
 * frame alone: a walk's GIF of a 200×150 frame at (60, 40) of a 300×250 screen gave a row 0.88 (cosine) from PIL's.
 */
class PilGifTest {

    @Test
    void aGifsFirstFrameLiesOnItsCanvasAsPilPutsIt() throws Exception {
        ImageDecoder decoder = new ImageDecoder(ImageDecoder.DEFAULT_MAX_PIXELS, JpegDecoder.IMAGEIO);
        for (String name : new String[] {"offset", "offset-transparent", "past-screen"}) {
            RgbImage rgb;
            byte[] pil;
            String size;
            try (InputStream gif = resource(name + ".gif"); InputStream pixels = resource(name + ".rgb");
                 InputStream dims = resource(name + ".size")) {
                rgb = decoder.decode(gif.readAllBytes());
                pil = pixels.readAllBytes();
                size = new String(dims.readAllBytes(), StandardCharsets.US_ASCII).trim();
            }
            assertThat(rgb.width() + "x" + rgb.height()).as(name).isEqualTo(size);
            assertThat(rgb.rgb()).as(name).isEqualTo(pil);
        }
    }

    /** A small frame on a huge screen is a decompression bomb like any huge image: the canvas is what is bounded. */
    @Test
    void aHugeCanvasIsRefusedByThePixelLimit() throws Exception {
        ImageDecoder decoder = new ImageDecoder(ImageDecoder.DEFAULT_MAX_PIXELS, JpegDecoder.IMAGEIO);
        byte[] gif;
        try (InputStream in = resource("offset.gif")) {
            gif = in.readAllBytes();
        }
        gif[6] = gif[7] = gif[8] = gif[9] = (byte) 0xff; // a 65535×65535 logical screen
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> decoder.decode(gif))
                .isInstanceOf(BadImageException.class).hasMessageContaining("65535x65535").hasMessageContaining("pixel limit");
    }

    @Test
    void aFrameThatIsTheWholeCanvasIsReadAsBefore() throws Exception {
        ImageDecoder decoder = new ImageDecoder(ImageDecoder.DEFAULT_MAX_PIXELS, JpegDecoder.IMAGEIO);
        RgbImage image = decoder.decode(TestImages.encode(TestImages.gradient(8, 6, java.awt.image.BufferedImage.TYPE_3BYTE_BGR), "gif"));
        assertThat(image.width() + "x" + image.height()).isEqualTo("8x6");
    }

    private InputStream resource(String name) {
        InputStream in = getClass().getResourceAsStream("/pil-gif/" + name);
        assertThat(in).as(name).isNotNull();
        return in;
    }
}
