package dev.orchard.worker.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.orchard.protocol.ModelSpec;
import java.awt.image.BufferedImage;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class ImageDecoderTest {
    private final ImageDecoder decoder = new ImageDecoder(ImageDecoder.DEFAULT_MAX_PIXELS);

    private static int r(RgbImage img, int x, int y) {
        return img.rgb()[(y * img.width() + x) * 3] & 0xff;
    }

    @Test
    void decodesColourGrayAlphaAnd16BitToRgb() throws Exception {
        RgbImage jpeg = decoder.decode(TestImages.encode(TestImages.gradient(40, 30, BufferedImage.TYPE_3BYTE_BGR), "jpg"));
        assertThat(jpeg.width()).isEqualTo(40);
        assertThat(jpeg.height()).isEqualTo(30);
        assertThat(r(jpeg, 39, 0)).isGreaterThan(230);

        RgbImage gray = decoder.decode(TestImages.encode(TestImages.gradient(20, 10, BufferedImage.TYPE_BYTE_GRAY), "png"));
        byte[] px = gray.rgb();
        assertThat(px[30]).isEqualTo(px[31]).isEqualTo(px[32]);

        RgbImage alpha = decoder.decode(TestImages.encode(TestImages.gradient(20, 10, BufferedImage.TYPE_INT_ARGB), "png"));
        assertThat(r(alpha, 19, 0)).isEqualTo(255);

        RgbImage deep = decoder.decode(TestImages.png16(16, 4));
        assertThat(r(deep, 15, 0)).isEqualTo(255);
        assertThat(deep.rgb()[1] & 0xff).isEqualTo(40000 >> 8);
    }

    @Test
    void appliesExifOrientation() throws Exception {
        BufferedImage wide = TestImages.gradient(60, 20, BufferedImage.TYPE_3BYTE_BGR); // red grows to the right
        RgbImage upright = decoder.decode(TestImages.jpegWithOrientation(wide, 1));
        assertThat(upright.width()).isEqualTo(60);
        RgbImage rotated = decoder.decode(TestImages.jpegWithOrientation(wide, 6)); // stored sideways: turn 90° cw
        assertThat(rotated.width()).isEqualTo(20);
        assertThat(rotated.height()).isEqualTo(60);
        // After a clockwise turn, the stored image's right edge (most red) is at the bottom.
        assertThat(r(rotated, 10, 59)).isGreaterThan(200);
        assertThat(r(rotated, 10, 0)).isLessThan(50);
    }

    /** A JPEG cut off within its header says so, under either decoder (it said "No image data present to read"). */
    @Test
    void aJpegCutInItsHeaderIsNamedTruncated() throws Exception {
        byte[] jpeg = TestImages.encode(TestImages.gradient(40, 30, BufferedImage.TYPE_3BYTE_BGR), "jpg");
        byte[] cut = Arrays.copyOf(jpeg, 300);
        for (JpegDecoder choice : List.of(JpegDecoder.AUTO, JpegDecoder.IMAGEIO)) {
            assertThatThrownBy(() -> new ImageDecoder(ImageDecoder.DEFAULT_MAX_PIXELS, choice).decode(cut))
                    .isInstanceOf(BadImageException.class)
                    .hasMessage("truncated or damaged JPEG: no image data (start of scan) in its 300 bytes");
        }
    }

    /**
     * PNG's eXIf chunk, and a JPEG whose APP1 marker follows 0xFF fill bytes, are turned as PIL's getexif reads them
     * (a user's corpus: both were kept as stored, though the README said orientation is applied).
     */
    @Test
    void appliesExifOrientationOfAPngAndOfAJpegWithFillBytes() throws Exception {
        BufferedImage wide = TestImages.gradient(60, 20, BufferedImage.TYPE_3BYTE_BGR);
        for (byte[] image : List.of(TestImages.pngWithOrientation(wide, 6), TestImages.jpegWithOrientation(wide, 6, 2))) {
            RgbImage rotated = decoder.decode(image);
            assertThat(rotated.width() + "x" + rotated.height()).isEqualTo("20x60");
            assertThat(r(rotated, 10, 59)).isGreaterThan(200);
        }
        assertThat(decoder.decode(TestImages.pngWithOrientation(wide, 1)).width()).isEqualTo(60);
    }

    /**
     * A JPEG whose entropy-coded data is damaged (every 7th byte from offset 400 set to 0xFF, a user's corpus) made
     * the JDK's reader fail with an exception without a message: errors.csv said "cannot decode: null".
     */
    @Test
    void aDamagedJpegGetsAReasonNotNull() throws Exception {
        byte[] jpeg = TestImages.encode(TestImages.gradient(200, 200, BufferedImage.TYPE_3BYTE_BGR), "jpg");
        for (int i = 400; i < jpeg.length; i += 7) {
            jpeg[i] = (byte) 0xFF;
        }
        // The JDK's reader throws a bare EOFException on these bytes (the same every run: the image is generated);
        // the damage reaches into the header, so the reason names the missing image data.
        assertThatThrownBy(() -> new ImageIoDecoder(ImageDecoder.DEFAULT_MAX_PIXELS).decode(jpeg))
                .isInstanceOf(BadImageException.class)
                .hasMessage("truncated or damaged JPEG: no image data (start of scan) in its " + jpeg.length + " bytes");
        assertThat(ImageIoDecoder.reason(new ArrayIndexOutOfBoundsException()))
                .isEqualTo("the decoder failed (ArrayIndexOutOfBoundsException) on data it could not make sense of:"
                        + " the file is damaged or not a complete image");
    }

    @Test
    void badInputsGetAReason() throws Exception {
        assertThatThrownBy(() -> decoder.decode(new byte[0])).isInstanceOf(BadImageException.class).hasMessageContaining("empty");
        assertThatThrownBy(() -> decoder.decode("not an image at all".getBytes()))
                .isInstanceOf(BadImageException.class).hasMessageContaining("not an image");
        byte[] jpeg = TestImages.encode(TestImages.gradient(200, 200, BufferedImage.TYPE_3BYTE_BGR), "jpg");
        assertThatThrownBy(() -> decoder.decode(Arrays.copyOf(jpeg, jpeg.length / 2)))
                .isInstanceOf(BadImageException.class).hasMessageContaining("truncated");
        // A cut-off PNG said only "cannot decode: Error reading PNG image data" (a user's walk).
        byte[] png = TestImages.encode(TestImages.gradient(200, 150, BufferedImage.TYPE_3BYTE_BGR), "png");
        assertThatThrownBy(() -> decoder.decode(Arrays.copyOf(png, png.length / 2))).isInstanceOf(BadImageException.class)
                .hasMessage("truncated image: Error reading PNG image data (Unexpected end of ZLIB input stream)");
        assertThatThrownBy(() -> decoder.decode(TestImages.pngHeaderOnly(100_000, 100_000)))
                .isInstanceOf(BadImageException.class).hasMessageContaining("pixel limit");
    }

    /** A WebP or an iPhone's HEIC beside the JPEGs was recorded as "not an image". */
    @Test
    void aFormatThatIsNotReadIsNamedWithWhatToDo() throws Exception {
        byte[] webp = "RIFF\0\0\0\0WEBPVP8 \0\0\0\0 some lossy frame".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        assertThatThrownBy(() -> decoder.decode(webp)).isInstanceOf(BadImageException.class)
                .hasMessage("a WebP image, a format Orchard does not read (JPEG, PNG, GIF, BMP, TIFF are): convert it,"
                        + " e.g. to PNG");
        byte[] heic = "\0\0\0\u0018ftypheic\0\0\0\0mif1heic".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        assertThatThrownBy(() -> decoder.decode(heic)).hasMessageStartingWith("a HEIF/HEIC image, a format Orchard");
        byte[] avif = "\0\0\0\u0018ftypavif\0\0\0\0mif1avif".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        assertThatThrownBy(() -> decoder.decode(avif)).hasMessageStartingWith("an AVIF image, a format Orchard");
        assertThatThrownBy(() -> decoder.decode("these are notes".getBytes())).hasMessage(
                "not an image: no decoder recognises its format (JPEG, PNG, GIF, BMP, TIFF are read)");
        for (String format : new String[] {"gif", "bmp", "tiff"}) { // what the message says is read, is
            RgbImage image = decoder.decode(TestImages.encode(TestImages.gradient(8, 6, BufferedImage.TYPE_3BYTE_BGR), format));
            assertThat(image.width()).as(format).isEqualTo(8);
        }
    }

    @Test
    void preprocessingOfAnAlreadySizedImageIsJustNormalisation() {
        ModelSpec spec = new ModelSpec("t", "input", 4, 2, 0, new float[] {0.5f, 0.5f, 0.5f},
                new float[] {0.25f, 0.25f, 0.25f}, false, "f", true);
        byte[] rgb = new byte[4 * 2 * 3];
        for (int i = 0; i < rgb.length; i++) {
            rgb[i] = (byte) (i * 10);
        }
        FloatBuffer out = FloatBuffer.allocate(24);
        new Preprocessor(spec).write(new RgbImage(4, 2, rgb), out, 0);
        for (int c = 0; c < 3; c++) {
            for (int p = 0; p < 8; p++) {
                float expected = ((rgb[p * 3 + c] & 0xff) / 255f - 0.5f) / 0.25f;
                assertThat(out.get(c * 8 + p)).isCloseTo(expected, within(1e-6f));
            }
        }
    }

    @Test
    void shorterSideResizeThenCentreCropKeepsAUniformImageUniform() throws Exception {
        byte[] rgb = new byte[300 * 180 * 3];
        Arrays.fill(rgb, (byte) 128);
        ModelSpec spec = ModelSpec.mobileNetV2();
        FloatBuffer out = FloatBuffer.allocate(3 * 224 * 224);
        new Preprocessor(spec).write(new RgbImage(300, 180, rgb), out, 0);
        float expected = (128 / 255f - spec.mean()[0]) / spec.std()[0];
        for (int i = 0; i < 224 * 224; i++) {
            assertThat(out.get(i)).isCloseTo(expected, within(1e-6f));
        }
    }
}
