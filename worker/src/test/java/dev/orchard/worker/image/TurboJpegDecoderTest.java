package dev.orchard.worker.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.orchard.protocol.ModelSpec;
import dev.orchard.worker.SharedFiles;
import java.awt.image.BufferedImage;
import java.awt.image.DataBuffer;
import java.awt.image.Raster;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TurboJpegDecoderTest {
    private static final long MAX = ImageDecoder.DEFAULT_MAX_PIXELS;

    @BeforeEach
    void needsTheLibrary() {
        TurboJpegRequired.assumeLoaded();
    }

    private static ImageDecoder turbo() {
        return new ImageDecoder(MAX, JpegDecoder.TURBOJPEG);
    }

    private static List<Path> sampleJpegs() throws Exception {
        List<Path> files = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(SharedFiles.fruits())) {
            walk.filter(p -> p.toString().endsWith(".jpg")).sorted().forEach(files::add);
        }
        for (String photo : List.of("house_finch.jpeg", "siamese_cat.jpg", "countach_sports_car.jpg")) {
            files.add(SharedFiles.testImage(photo));
        }
        return files;
    }

    /** Does the JPEG carry an ICC profile that is not sRGB? ImageIO converts such colours to sRGB; libjpeg does not. */
    private static boolean hasNonSrgbProfile(byte[] jpeg) {
        String text = new String(jpeg, 0, Math.min(jpeg.length, 65536), java.nio.charset.StandardCharsets.ISO_8859_1);
        return text.contains("ICC_PROFILE") && text.contains("Adobe RGB");
    }

    @Test
    void matchesImageIoOnTheSampleJpegs() throws Exception {
        ImageIoDecoder imageIo = new ImageIoDecoder(MAX);
        TurboJpegDecoder turbo = new TurboJpegDecoder(MAX);
        long sum = 0;
        long count = 0;
        int maxPlain = 0;
        int maxProfiled = 0;
        List<Path> files = sampleJpegs();
        for (Path file : files) {
            byte[] bytes = Files.readAllBytes(file);
            RgbImage expected = imageIo.decode(bytes);
            RgbImage actual = turbo.decode(bytes, 0);
            assertThat(actual.width()).as(file.toString()).isEqualTo(expected.width());
            assertThat(actual.height()).as(file.toString()).isEqualTo(expected.height());
            int max = 0;
            for (int i = 0; i < expected.rgb().length; i++) {
                int d = Math.abs((expected.rgb()[i] & 0xff) - (actual.rgb()[i] & 0xff));
                max = Math.max(max, d);
                sum += d;
            }
            count += expected.rgb().length;
            if (hasNonSrgbProfile(bytes)) {
                maxProfiled = Math.max(maxProfiled, max);
            } else {
                maxPlain = Math.max(maxPlain, max);
            }
        }
        double mean = (double) sum / count;
        System.out.printf("TurboJPEG vs ImageIO on %d JPEGs: max abs diff %d (%d where ImageIO applies an Adobe RGB "
                + "profile), mean %.4f%n", files.size(), maxPlain, maxProfiled, mean);
        // Same IDCT and upsampling: identical but for rounding, unless ImageIO converted an embedded profile.
        assertThat(maxPlain).isLessThanOrEqualTo(2);
        assertThat(maxProfiled).isLessThanOrEqualTo(40);
        assertThat(mean).isLessThan(0.2);
    }

    @Test
    void reducedDecodeKeepsTheShorterSideAtLeastTheMinimum() throws Exception {
        byte[] big = TestImages.encode(TestImages.gradient(2000, 1500, BufferedImage.TYPE_3BYTE_BGR), "jpg");
        ImageDecoder decoder = turbo();
        assertThat(size(decoder.decode(big))).isEqualTo("2000x1500");
        assertThat(size(decoder.decode(big, 0))).isEqualTo("2000x1500");
        assertThat(size(decoder.decode(big, 512))).isEqualTo("1000x750");   // 1/4 would be 375 < 512
        assertThat(size(decoder.decode(big, 376))).isEqualTo("1000x750");
        assertThat(size(decoder.decode(big, 375))).isEqualTo("500x375");    // exactly the minimum is enough
        assertThat(size(decoder.decode(big, 256))).isEqualTo("500x375");    // 1/8 would be 188 < 256
        assertThat(size(decoder.decode(big, 100))).isEqualTo("250x188");    // 1/8, rounded up as TJSCALED does
        assertThat(size(decoder.decode(big, 5000))).isEqualTo("2000x1500"); // never enlarged
        byte[] small = Files.readAllBytes(sampleJpegs().get(0));
        assertThat(size(decoder.decode(small, 512))).isEqualTo("100x100");
        // A reduced image is the full one, averaged: a smooth gradient keeps its values.
        RgbImage full = decoder.decode(big);
        RgbImage half = decoder.decode(big, 512);
        int x = 1500;
        int y = 1000;
        for (int c = 0; c < 3; c++) {
            int a = full.rgb()[(y * full.width() + x) * 3 + c] & 0xff;
            int b = half.rgb()[((y / 2) * half.width() + x / 2) * 3 + c] & 0xff;
            assertThat(Math.abs(a - b)).isLessThanOrEqualTo(3);
        }
        // ImageIO has no averaging reduction: it ignores the minimum.
        assertThat(size(new ImageDecoder(MAX, JpegDecoder.IMAGEIO).decode(big, 256))).isEqualTo("2000x1500");
    }

    @Test
    void scaleChoiceUsesOnlyPowerOfTwoReductions() {
        int[][] factors = TurboJpegDecoder.reducingFactors();
        assertThat(factors).isDeepEqualTo(new int[][] {{1, 2}, {1, 4}, {1, 8}});
        assertThat(TurboJpegDecoder.scaleFor(1001, 751, 94, factors)).containsExactly(1, 8); // 126x94
        assertThat(TurboJpegDecoder.scaleFor(1001, 751, 95, factors)).containsExactly(1, 4); // 251x188
        assertThat(TurboJpegDecoder.scaleFor(751, 1001, 95, factors)).containsExactly(1, 4); // portrait alike
        assertThat(TurboJpegDecoder.scaleFor(1001, 751, 0, factors)).containsExactly(1, 1);
        assertThat(TurboJpegDecoder.scaleFor(1001, 751, 752, factors)).containsExactly(1, 1);
    }

    @Test
    void reducedDecodeMinimumIsTwiceWhatThePreprocessorResizesTo() {
        assertThat(ImageDecoder.reducedDecodeMinimum(ModelSpec.mobileNetV2())).isEqualTo(2 * 256);
        ModelSpec straight = new ModelSpec("t", "input", 300, 200, 0, new float[] {0, 0, 0}, new float[] {1, 1, 1},
                false, "f", true);
        assertThat(ImageDecoder.reducedDecodeMinimum(straight)).isEqualTo(2 * 300);
    }

    @Test
    void aTruncatedJpegIsBadThroughTurboJpeg() throws Exception {
        byte[] jpeg = TestImages.encode(TestImages.gradient(200, 200, BufferedImage.TYPE_3BYTE_BGR), "jpg");
        byte[] cut = Arrays.copyOf(jpeg, jpeg.length / 2);
        assertThatThrownBy(() -> new TurboJpegDecoder(MAX).decode(cut, 0))
                .isInstanceOf(BadImageException.class)
                .hasMessageContaining("truncated")
                .hasMessageContaining("Premature end of JPEG file");
        assertThatThrownBy(() -> turbo().decode(cut))
                .isInstanceOf(BadImageException.class).hasMessageContaining("truncated");
    }

    @Test
    void extraneousBytesOnlyWarnAndKeepThePixels() throws Exception {
        byte[] jpeg = TestImages.encode(TestImages.gradient(64, 48, BufferedImage.TYPE_3BYTE_BGR), "jpg");
        TurboJpegDecoder turbo = new TurboJpegDecoder(MAX);
        assertThat(turbo.decode(withStrayBytesBeforeEoi(jpeg), 0).rgb()).isEqualTo(turbo.decode(jpeg, 0).rgb());
    }

    /** Three stray bytes before EOI: libjpeg warns "Corrupt JPEG data: 3 extraneous bytes before marker 0xd9". */
    private static byte[] withStrayBytesBeforeEoi(byte[] jpeg) {
        assertThat(jpeg[jpeg.length - 2] & 0xff).isEqualTo(0xff);
        assertThat(jpeg[jpeg.length - 1] & 0xff).isEqualTo(0xd9);
        byte[] noisy = new byte[jpeg.length + 3];
        System.arraycopy(jpeg, 0, noisy, 0, jpeg.length - 2);
        noisy[jpeg.length - 2] = 1;
        noisy[jpeg.length - 1] = 2;
        noisy[jpeg.length] = 3;
        noisy[jpeg.length + 1] = (byte) 0xff;
        noisy[jpeg.length + 2] = (byte) 0xd9;
        return noisy;
    }

    /**
     * A JPEG that fails hard (here a frame of height 0: "Empty JPEG image") left the thread's TurboJPEG handle in a state
     * where the next JPEG that only warns was refused too, so ImageIO, stricter, made it an error: whether an image was
     * a row depended on what its thread had decoded before it (a helper's corpus, with one lane).
     */
    @Test
    void aFailureLeavesTheNextJpegOnTheThreadAsItWouldBeOnAFreshOne() throws Exception {
        byte[] jpeg = TestImages.encode(TestImages.gradient(64, 48, BufferedImage.TYPE_3BYTE_BGR), "jpg");
        byte[] noisy = withStrayBytesBeforeEoi(jpeg);
        byte[] heightZero = jpeg.clone();
        int sof = indexOf(heightZero, (byte) 0xff, (byte) 0xc0);
        heightZero[sof + 5] = 0; // FF C0, length (2), precision (1), then the height (2)
        heightZero[sof + 6] = 0;
        byte[] large = TestImages.encode(TestImages.gradient(200, 200, BufferedImage.TYPE_3BYTE_BGR), "jpg");
        byte[] cut = Arrays.copyOf(large, large.length / 2);
        TurboJpegDecoder turbo = new TurboJpegDecoder(MAX);
        byte[] expected = turbo.decode(jpeg, 0).rgb();
        for (int round = 0; round < 2; round++) {
            assertThatThrownBy(() -> turbo.decode(heightZero, 0)).isInstanceOf(TurboJpegDecoder.Refused.class);
            assertThat(turbo.decode(noisy, 0).rgb()).as("a JPEG that only warns, after the failure").isEqualTo(expected);
            assertThatThrownBy(() -> turbo.decode(heightZero, 0)).isInstanceOf(TurboJpegDecoder.Refused.class);
            assertThatThrownBy(() -> turbo.decode(cut, 0)).as("still TurboJPEG's own verdict")
                    .isInstanceOf(BadImageException.class).hasMessageContaining("Premature end of JPEG file");
            assertThat(turbo.decode(jpeg, 0).rgb()).isEqualTo(expected);
        }
    }

    /**
     * libjpeg-turbo 2.1 reports a fatal error after a warning as a warning, with nothing decoded: a JPEG cut inside its
     * scan header, and one with junk bytes before an undefined Huffman table, came out as a black image's row, not in
     * errors.csv (a scale walk; PIL refuses both). TurboJPEG refuses them now, and ImageIO gives the reason.
     */
    @Test
    void aFatalErrorReportedAsAWarningIsNoImage() throws Exception {
        byte[] jpeg = TestImages.encode(TestImages.gradient(80, 60, BufferedImage.TYPE_3BYTE_BGR), "jpg");
        int sos = indexOf(jpeg, (byte) 0xff, (byte) 0xda);
        byte[] cutInScanHeader = Arrays.copyOf(jpeg, sos + 10);
        java.io.ByteArrayOutputStream junk = new java.io.ByteArrayOutputStream();
        junk.write(jpeg, 0, sos);
        junk.write(new byte[2]); // "2 extraneous bytes before marker 0xda": a warning
        junk.write(jpeg, sos, jpeg.length - sos);
        byte[] junkThenBadTable = junk.toByteArray();
        junkThenBadTable[sos + 2 + 6] = 0x0f; // the first component's tables: 0x0f names none (a fatal error)
        TurboJpegDecoder turbo = new TurboJpegDecoder(MAX);
        for (byte[] damaged : List.of(cutInScanHeader, junkThenBadTable)) {
            assertThatThrownBy(() -> turbo.decode(damaged, 0)).isInstanceOf(TurboJpegDecoder.Refused.class);
            assertThatThrownBy(() -> turbo().decode(damaged)).isInstanceOf(BadImageException.class);
        }
        assertThat(turbo.decode(jpeg, 0).width()).isEqualTo(80); // the thread's next JPEG as on a fresh one
    }

    @Test
    void onlyLibjpegsWarningsAreWarnings() {
        for (String warning : List.of("Corrupt JPEG data: 2 extraneous bytes before marker 0xd9",
                "Premature end of JPEG file", "Corrupt JPEG data: premature end of data segment",
                "Corrupt JPEG data: bad Huffman code", "Warning: unknown JFIF revision number 3.01",
                "Warning: unknown JFIF revision number 3.100",
                "Corrupt JPEG data: found marker 0xd3 instead of RST2", "Invalid SOS parameters for sequential JPEG",
                "Inconsistent progression sequence for component 0 coefficient 1", "Unknown Adobe color transform code 7",
                "Application transferred too many scanlines", "Corrupt JPEG data: bad arithmetic code",
                "Corrupt JPEG data: bad ICC marker")) {
            assertThat(TurboJpegDecoder.isLibjpegWarning(warning)).as(warning).isTrue();
        }
        for (String error : List.of("Huffman table 0x0f was not defined", "Premature end of input file",
                "Bogus marker length", "Application transferred too few scanlines", "tjDecompress2(): Invalid argument",
                "Corrupt JPEG data: 2 extraneous bytes before marker 0xd9; and more")) {
            assertThat(TurboJpegDecoder.isLibjpegWarning(error)).as(error).isFalse();
        }
    }

    private static int indexOf(byte[] bytes, byte first, byte second) {
        for (int i = 0; i + 1 < bytes.length; i++) {
            if (bytes[i] == first && bytes[i + 1] == second) {
                return i;
            }
        }
        throw new AssertionError("no marker");
    }

    @Test
    void theBombLimitIsCheckedFromTheHeader() throws Exception {
        byte[] jpeg = TestImages.encode(TestImages.gradient(40, 30, BufferedImage.TYPE_3BYTE_BGR), "jpg");
        assertThatThrownBy(() -> new TurboJpegDecoder(1199).decode(jpeg, 0))
                .isInstanceOf(BadImageException.class).hasMessageContaining("40x30 = 1200 pixels, over the 1199-pixel limit");
        assertThat(new TurboJpegDecoder(1200).decode(jpeg, 0).width()).isEqualTo(40);
    }

    /** TurboJPEG decodes a four-channel JPEG itself (to PIL's pixels: PilCmykTest), at reduced scale too. */
    @Test
    void aCmykJpegIsDecodedByTurboJpeg() throws Exception {
        byte[] cmyk = cmykJpeg(32, 24);
        RgbImage rgb = new TurboJpegDecoder(MAX).decode(cmyk, 0);
        assertThat(size(rgb)).isEqualTo("32x24");
        assertThat(size(new TurboJpegDecoder(MAX).decode(cmykJpeg(320, 240), 60))).isEqualTo("80x60");
        assertThatThrownBy(() -> new TurboJpegDecoder(MAX, 32 * 24 * 7 - 1).decode(cmyk, 0))
                .isInstanceOf(BadImageException.class).hasMessageContaining("CMYK JPEG");
    }

    @Test
    void aJpegTurboJpegCannotReadGoesToImageIoForItsReason() throws Exception {
        byte[] jpeg = TestImages.encode(TestImages.gradient(40, 30, BufferedImage.TYPE_3BYTE_BGR), "jpg");
        byte[] broken = Arrays.copyOf(jpeg, 40); // SOI and part of the first segment: no frame header at all
        assertThatThrownBy(() -> new TurboJpegDecoder(MAX).decode(broken, 0)).isInstanceOf(TurboJpegDecoder.Refused.class);
        assertThatThrownBy(() -> turbo().decode(broken)).isInstanceOf(BadImageException.class);
    }

    @Test
    void otherFormatsStillGoThroughImageIo() throws Exception {
        RgbImage png = turbo().decode(TestImages.encode(TestImages.gradient(20, 10, BufferedImage.TYPE_INT_ARGB), "png"), 4);
        assertThat(size(png)).isEqualTo("20x10");
        assertThat(png.rgb()[19 * 3] & 0xff).isEqualTo(255);
    }

    @Test
    void exifOrientationIsAppliedAfterAReducedDecode() throws Exception {
        BufferedImage wide = TestImages.gradient(1600, 400, BufferedImage.TYPE_3BYTE_BGR); // red grows to the right
        RgbImage rotated = turbo().decode(TestImages.jpegWithOrientation(wide, 6), 100); // 1/4: 400x100, then turned
        assertThat(size(rotated)).isEqualTo("100x400");
        assertThat(rotated.rgb()[(399 * 100 + 50) * 3] & 0xff).isGreaterThan(200);
        assertThat(rotated.rgb()[50 * 3] & 0xff).isLessThan(50);
    }

    @Test
    void imageIoCanBeForced() throws Exception {
        ImageDecoder forced = new ImageDecoder(MAX, JpegDecoder.IMAGEIO);
        assertThat(forced.jpegDecoder()).isEqualTo(JpegDecoder.IMAGEIO);
        assertThat(forced.describe()).startsWith("ImageIO");
        assertThat(turbo().jpegDecoder()).isEqualTo(JpegDecoder.TURBOJPEG);
        assertThat(new ImageDecoder(MAX).jpegDecoder()).isEqualTo(JpegDecoder.TURBOJPEG); // auto, library present
        // The Adobe RGB photo tells the two apart: only ImageIO converts its colours to sRGB.
        byte[] finch = Files.readAllBytes(SharedFiles.testImage("house_finch.jpeg"));
        assertThat(forced.decode(finch).rgb()).isEqualTo(new ImageIoDecoder(MAX).decode(finch).rgb());
        assertThat(turbo().decode(finch).rgb()).isNotEqualTo(forced.decode(finch).rgb());
    }

    private static String size(RgbImage img) {
        return img.width() + "x" + img.height();
    }

    static byte[] cmykJpeg(int w, int h) throws Exception {
        return TestImages.cmykJpeg(w, h);
    }
}
