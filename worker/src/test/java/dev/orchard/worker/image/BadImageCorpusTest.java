package dev.orchard.worker.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Each file of the generated corpus is decoded or refused with its reason, by either JPEG decoder. */
class BadImageCorpusTest {
    private static final long SEED = 12;

    @Test
    void everyFileIsDecodedOrRefusedWithItsReason() throws Exception {
        long t0 = System.nanoTime();
        List<BadImageCorpus.Sample> corpus = BadImageCorpus.generate(SEED);
        System.out.printf("corpus of %d files generated in %d ms (seed %d)%n", corpus.size(), (System.nanoTime() - t0) / 1_000_000, SEED);
        assertThat(corpus.stream().map(BadImageCorpus.Sample::kind).distinct()).hasSizeGreaterThanOrEqualTo(25);
        List<JpegDecoder> decoders = new ArrayList<>(List.of(JpegDecoder.IMAGEIO));
        if (TurboJpegLibrary.available()) {
            decoders.add(JpegDecoder.TURBOJPEG);
        }
        for (JpegDecoder choice : decoders) {
            ImageDecoder decoder = new ImageDecoder(ImageDecoder.DEFAULT_MAX_PIXELS, choice);
            List<String> outcomes = new ArrayList<>();
            for (BadImageCorpus.Sample sample : corpus) {
                String outcome;
                try {
                    RgbImage image = decoder.decode(sample.bytes(), 512);
                    outcome = "decoded " + image.width() + "x" + image.height();
                } catch (BadImageException e) {
                    outcome = "refused: " + e.getMessage();
                }
                System.out.printf("%s %-45s %s%n", choice, sample.kind(), outcome);
                outcomes.add(outcome);
            }
            for (int i = 0; i < corpus.size(); i++) {
                BadImageCorpus.Sample sample = corpus.get(i);
                String outcome = outcomes.get(i);
                if (sample.decodes()) {
                    assertThat(outcome).as("%s with %s (seed %d)", sample.kind(), choice, SEED).startsWith("decoded");
                } else {
                    assertThat(outcome).as("%s with %s (seed %d)", sample.kind(), choice, SEED)
                            .startsWith("refused: ").contains(sample.reason());
                }
            }
        }
    }
}
