package dev.orchard.worker.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import org.junit.jupiter.api.Test;

/** The limits checked from a file's header before any pixel is decoded: bytes held, and a JPEG's scans. */
class DecodeLimitsTest {
    private static final long PIXELS = ImageDecoder.DEFAULT_MAX_PIXELS;

    @Test
    void jpegStructureCountsScansAndTheCoefficientsLibjpegHolds() throws Exception {
        BufferedImage img = TestImages.gradient(64, 48, BufferedImage.TYPE_3BYTE_BGR);
        JpegStructure baseline = JpegStructure.of(TestImages.encode(img, "jpg"));
        assertThat(baseline.width()).isEqualTo(64);
        assertThat(baseline.height()).isEqualTo(48);
        assertThat(baseline.multiScan()).isFalse();
        assertThat(baseline.coefficientBytes()).isZero(); // one interleaved scan: decoded a strip at a time

        JpegStructure progressive = JpegStructure.of(TestImages.progressiveJpeg(img));
        assertThat(progressive.multiScan()).isTrue();
        assertThat(progressive.scans()).isBetween(2, 20);
        // 4:2:0: Y is 8×6 blocks, Cb and Cr 4×3 each; 64 coefficients of 2 bytes a block.
        assertThat(progressive.coefficientBytes()).isEqualTo((48 + 12 + 12) * 128L);

        JpegStructure bomb = JpegStructure.of(TestImages.jpegWithScans(img, 600));
        assertThat(bomb.scans()).isGreaterThan(JpegStructure.MAX_SCANS);
        assertThatThrownBy(bomb::checkScans).hasMessageContaining("more than 500 scans");
        JpegStructure.of(TestImages.jpegWithScans(img, 500)).checkScans(); // the limit itself is allowed
    }

    @Test
    void decodedBytesAreBoundedPerImageBeforeDecoding() throws Exception {
        byte[] png = TestImages.zeroPng(100, 100, 16, 6); // ImageIO: 8 bytes a pixel, then 3 of RGB
        assertThat(new ImageDecoder(PIXELS, 110_000, JpegDecoder.IMAGEIO).decode(png).width()).isEqualTo(100);
        assertThatThrownBy(() -> new ImageDecoder(PIXELS, 109_999, JpegDecoder.IMAGEIO).decode(png))
                .isInstanceOf(BadImageException.class).hasMessageContaining("4 bands of 16 bits")
                .hasMessageContaining("--max-decode-mib");

        byte[] jpeg = TestImages.encode(TestImages.gradient(100, 100, BufferedImage.TYPE_3BYTE_BGR), "jpg");
        // ImageIO holds its 3-byte raster and the RGB copy.
        assertThat(new ImageDecoder(PIXELS, 60_000, JpegDecoder.IMAGEIO).decode(jpeg).width()).isEqualTo(100);
        assertThatThrownBy(() -> new ImageDecoder(PIXELS, 59_999, JpegDecoder.IMAGEIO).decode(jpeg))
                .isInstanceOf(BadImageException.class);
        if (TurboJpegLibrary.available()) {
            // TurboJPEG decodes straight into the RGB result; a progressive JPEG adds libjpeg's coefficients.
            assertThat(new ImageDecoder(PIXELS, 30_000, JpegDecoder.TURBOJPEG).decode(jpeg).width()).isEqualTo(100);
            byte[] progressive = TestImages.progressiveJpeg(TestImages.gradient(100, 100, BufferedImage.TYPE_3BYTE_BGR));
            long coefficients = JpegStructure.of(progressive).coefficientBytes();
            assertThat(new ImageDecoder(PIXELS, 30_000 + coefficients, JpegDecoder.TURBOJPEG).decode(progressive).width())
                    .isEqualTo(100);
            assertThatThrownBy(() -> new TurboJpegDecoder(PIXELS, 30_000 + coefficients - 1).decode(progressive, 0))
                    .isInstanceOf(BadImageException.class).hasMessageContaining("multi-scan JPEG");
        }
    }
}
