package dev.orchard.worker.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * TIFFs decode to exactly the pixels PIL makes of them (Pillow 9.4, see {@code pil-tiff/make_fixtures.py}): RGB, RGBA
 * and grey with an embedded ICC profile (a linear RGB one), which PIL does not apply, and plain CMYK. Through getRGB
 * the JDK converted the first two through their profile to sRGB (a mid-grey 127 became 187: a user's walk found
 * TIFFs' features off PIL's, cosine 0.997) and CMYK by its own formula (up to 73 levels off).
 */
class PilTiffTest {

    @Test
    void tiffsDecodeToPilsPixels() throws Exception {
        ImageDecoder decoder = new ImageDecoder(ImageDecoder.DEFAULT_MAX_PIXELS, JpegDecoder.IMAGEIO);
        PilFixtures.Digests digests = PilFixtures.digests("pil-tiff", decoder, "23x17");
        assertThat(digests.pil()).hasSize(5);
        assertThat(digests.decoded()).isEqualTo(digests.pil());
    }

    /**
     * A TIFF's orientation tag is applied, as PIL applies it when it loads a TIFF ({@code pil-tiff/make_oriented.py}):
     * kept as stored, its row was at a cosine of 0.66-0.76 to PIL's (a user's walk). Through libtiff (LZW) and PIL's own
     * decoder (uncompressed) alike; a turn, a half turn and a transpose.
     */
    @Test
    void aTiffsOrientationIsAppliedAsPilAppliesIt() throws Exception {
        ImageDecoder decoder = new ImageDecoder(ImageDecoder.DEFAULT_MAX_PIXELS, JpegDecoder.IMAGEIO);
        for (int orientation : new int[] {6, 3, 5}) {
            String name = "oriented-" + orientation;
            try (InputStream tiff = getClass().getResourceAsStream("/pil-tiff/" + name + ".tif")) {
                RgbImage rgb = decoder.decode(tiff.readAllBytes());
                assertThat(rgb.width() + "x" + rgb.height()).as(name).isEqualTo(orientation >= 5 ? "17x23" : "23x17");
            }
            assertThat(levelsOff(decoder, name)).as(name).containsExactly(0.0, 0.0);
        }
    }

    /**
     * Palette TIFFs whose colour map holds each colour as value × 256, as Pillow writes one
     * ({@code pil-tiff/make_palette.py}): PIL takes the high byte of an entry, the JDK's reader scaled it a level lower
     * for most colours (a mean of 0.9 levels off, cosine 0.999993 of the features on a user's file). 8-bit and 4-bit.
     */
    @Test
    void aPaletteTiffsColoursAreTakenAsPilTakesThem() throws Exception {
        ImageDecoder decoder = new ImageDecoder(ImageDecoder.DEFAULT_MAX_PIXELS, JpegDecoder.IMAGEIO);
        for (String name : new String[] {"palette", "palette4"}) {
            assertThat(levelsOff(decoder, name)).as(name).containsExactly(0.0, 0.0);
        }
    }

    /**
     * YCbCr and CIELab TIFFs, whose samples the JDK's reader converts itself (to RGB, and Lab to linear RGB, both
     * labelled linear RGB): YCbCr within a level of PIL's pixels (taken as converted; through getRGB it was 45 levels
     * off on average), Lab a few levels (through getRGB; taken as converted it was 45 off, the diff's review).
     */
    @Test
    void ycbcrAndLabTiffsComeNearPilsPixels() throws Exception {
        ImageDecoder decoder = new ImageDecoder(ImageDecoder.DEFAULT_MAX_PIXELS, JpegDecoder.IMAGEIO);
        assertThat(levelsOff(decoder, "ycbcr")).as("YCbCr: mean and largest difference").satisfies(d -> {
            assertThat(d[0]).isLessThan(1.0);
            assertThat(d[1]).isLessThanOrEqualTo(2);
        });
        assertThat(levelsOff(decoder, "lab")).as("Lab: mean difference").satisfies(d -> assertThat(d[0]).isLessThan(8.0));
    }

    /**
     * Refused, saying so: a JPEG-compressed CMYK TIFF, which the JDK's reader decodes wrongly (43 levels off PIL's on
     * average), and a CIELab TIFF as Pillow saves it, with an abstract Lab profile the reader converts through
     * (features at cosine 0.70 to PIL's: a user's walk).
     */
    @Test
    void tiffsTheJdkReadsWronglyAreRefusedSayingWhatToDo() throws Exception {
        ImageDecoder decoder = new ImageDecoder(ImageDecoder.DEFAULT_MAX_PIXELS, JpegDecoder.IMAGEIO);
        Map<String, String> refusals = Map.of("cmyk-jpeg.tif", "JPEG-compressed CMYK TIFF",
                "lab-icc.tif", "CIELab TIFF with an ICC profile");
        for (Map.Entry<String, String> file : refusals.entrySet()) {
            try (InputStream tiff = getClass().getResourceAsStream("/pil-tiff/" + file.getKey())) {
                byte[] bytes = tiff.readAllBytes();
                org.assertj.core.api.Assertions.assertThatThrownBy(() -> decoder.decode(bytes)).as(file.getKey())
                        .isInstanceOf(BadImageException.class).hasMessageContaining(file.getValue())
                        .hasMessageContaining("convert it");
            }
        }
    }

    /** The mean and the largest difference, in levels, between the decoded pixels and PIL's ({@code NAME.rgb}). */
    private double[] levelsOff(ImageDecoder decoder, String name) throws Exception {
        byte[] pil;
        RgbImage rgb;
        try (InputStream tiff = getClass().getResourceAsStream("/pil-tiff/" + name + ".tif");
             InputStream pixels = getClass().getResourceAsStream("/pil-tiff/" + name + ".rgb")) {
            rgb = decoder.decode(tiff.readAllBytes());
            pil = pixels.readAllBytes();
        }
        assertThat(rgb.rgb()).hasSameSizeAs(pil);
        long sum = 0;
        int max = 0;
        for (int i = 0; i < pil.length; i++) {
            int d = Math.abs((rgb.rgb()[i] & 0xFF) - (pil[i] & 0xFF));
            sum += d;
            max = Math.max(max, d);
        }
        return new double[] {(double) sum / pil.length, max};
    }
}
