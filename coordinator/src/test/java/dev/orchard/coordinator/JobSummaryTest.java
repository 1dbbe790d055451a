package dev.orchard.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The job's last line: its images/s are of the images the run featurised itself, not of those it kept. */
class JobSummaryTest {

    @Test
    void aWholeRunsRateIsOfEveryImage() {
        assertThat(new JobSummary("/out", 200, 198, 2, 4.0, 5, 0.5).oneLine()).isEqualTo(
                "200 images, 198 rows, 2 errors in 4.0 s (50.0 images/s); PCA k=5 explains 50.0% of variance; outputs in /out");
        assertThat(new JobSummary("/out", 200, 200, 0, 4.0, 0, 0).oneLine()).isEqualTo(
                "200 images, 200 rows, 0 errors in 4.0 s (50.0 images/s); no PCA; outputs in /out");
    }

    /** A resume that found every unit done, or an update that featurised 80 new images of an output of 200. */
    @Test
    void aResumedOrUpdatingRunsRateIsOfTheImagesItFeaturised() {
        assertThat(new JobSummary("/out", 200, 0, 200, 0, 1.1, 5, 0.5).oneLine())
                .startsWith("200 images, 200 rows, 0 errors in 1.1 s (0 featurised by this run, 0.0 images/s); PCA k=5");
        JobSummary update = new JobSummary("/out", 200, 80, 200, 0, 2.0, 5, 0.5);
        assertThat(update.imagesPerSecond()).isEqualTo(40.0);
        assertThat(update.oneLine()).contains("(80 featurised by this run, 40.0 images/s)");
    }

    /** A run that found its generation finished by another said "no PCA" of an output with one. */
    @Test
    void aGenerationFinishedByAnotherRunPointsAtItsRecord() {
        assertThat(new JobSummary("/out", 237, 0, 237, 0, 0.1, JobSummary.PCA_AS_RECORDED, 0).oneLine())
                .contains("; PCA as its _SUCCESS records;").doesNotContain("no PCA");
    }

    /** A one-image job said "1 images, 1 rows, 0 errors". */
    @Test
    void oneIsSingular() {
        assertThat(new JobSummary("/out", 1, 1, 0, 0.7, 0, 0).oneLine())
                .startsWith("1 image, 1 row, 0 errors in 0.7 s (1.4 images/s); no PCA");
        assertThat(new JobSummary("/out", 2, 1, 1, 1.0, 0, 0).oneLine()).startsWith("2 images, 1 row, 1 error in");
    }
}
