package dev.orchard.worker.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Which decoder a choice means, with and without the library; needs no library itself. */
class JpegDecoderChoiceTest {

    @Test
    void autoFallsBackToImageIoAndAnExplicitTurboJpegSaysWhatToInstall() {
        assertThat(ImageDecoder.resolve(JpegDecoder.AUTO, null)).isEqualTo(JpegDecoder.TURBOJPEG);
        assertThat(ImageDecoder.resolve(JpegDecoder.AUTO, "cannot load libturbojpeg.so.0")).isEqualTo(JpegDecoder.IMAGEIO);
        assertThat(ImageDecoder.resolve(JpegDecoder.IMAGEIO, null)).isEqualTo(JpegDecoder.IMAGEIO);
        assertThat(ImageDecoder.resolve(JpegDecoder.TURBOJPEG, null)).isEqualTo(JpegDecoder.TURBOJPEG);
        assertThatThrownBy(() -> ImageDecoder.resolve(JpegDecoder.TURBOJPEG, "cannot load libturbojpeg.so.0: not found"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("cannot load libturbojpeg.so.0: not found")
                .hasMessageContaining("libturbojpeg0")
                .hasMessageContaining("libjpeg-turbo")
                .hasMessageContaining("--jpeg-decoder imageio");
    }

    @Test
    void parsesTheCommandLineNames() {
        assertThat(JpegDecoder.parse("auto")).isEqualTo(JpegDecoder.AUTO);
        assertThat(JpegDecoder.parse("TurboJPEG")).isEqualTo(JpegDecoder.TURBOJPEG);
        assertThat(JpegDecoder.parse(" imageio ")).isEqualTo(JpegDecoder.IMAGEIO);
        assertThatThrownBy(() -> JpegDecoder.parse("libjpeg"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("auto, turbojpeg or imageio");
    }

    @Test
    void imageIoIsAlwaysThere() throws Exception {
        ImageDecoder imageIo = new ImageDecoder(ImageDecoder.DEFAULT_MAX_PIXELS, JpegDecoder.IMAGEIO);
        assertThat(imageIo.jpegDecoder()).isEqualTo(JpegDecoder.IMAGEIO);
        RgbImage jpeg = imageIo.decode(TestImages.encode(TestImages.gradient(40, 30, java.awt.image.BufferedImage.TYPE_3BYTE_BGR), "jpg"), 8);
        assertThat(jpeg.width()).isEqualTo(40);
    }
}
