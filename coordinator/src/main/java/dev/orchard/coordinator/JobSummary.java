package dev.orchard.coordinator;

/** The one-line result of a job. */
public record JobSummary(String output, long images, long rows, long errors, double seconds, int pcaK,
                         double explainedVariance) {

    public double imagesPerSecond() {
        return seconds > 0 ? images / seconds : 0;
    }

    public String oneLine() {
        if (pcaK == 0) {
            return String.format("%d images, %d rows, %d errors in %.1f s (%.1f images/s); no PCA; outputs in %s",
                    images, rows, errors, seconds, imagesPerSecond(), output);
        }
        return String.format("%d images, %d rows, %d errors in %.1f s (%.1f images/s); PCA k=%d explains %.1f%% of variance; outputs in %s",
                images, rows, errors, seconds, imagesPerSecond(), pcaK, 100 * explainedVariance, output);
    }
}
