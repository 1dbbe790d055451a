package dev.orchard.coordinator;

/**
 * The one-line result of a job.
 *
 * @param images     the images the output holds (rows and errors), this run's and those it kept
 * @param featurised the images this run read and featurised itself: fewer than {@code images} after --resume or in
 *                   an --update; the images/s are these over the run's seconds
 */
public record JobSummary(String output, long images, long featurised, long rows, long errors, double seconds,
                         int pcaK, double explainedVariance) {

    /** {@code pcaK} of a run that found its generation finished by another: its PCA is as _SUCCESS records it. */
    public static final int PCA_AS_RECORDED = -1;

    /** A run that featurised every image it reports. */
    public JobSummary(String output, long images, long rows, long errors, double seconds, int pcaK,
                      double explainedVariance) {
        this(output, images, images, rows, errors, seconds, pcaK, explainedVariance);
    }

    /** The images this run featurised, per second of it. */
    public double imagesPerSecond() {
        return seconds > 0 ? featurised / seconds : 0;
    }

    public String oneLine() {
        String rate = featurised == images ? String.format(java.util.Locale.ROOT, "%.1f images/s", imagesPerSecond())
                : String.format(java.util.Locale.ROOT, "%d featurised by this run, %.1f images/s", featurised, imagesPerSecond());
        String pca = pcaK == PCA_AS_RECORDED ? "PCA as its _SUCCESS records" : pcaK == 0 ? "no PCA" : String.format(java.util.Locale.ROOT, "PCA k=%d explains %.1f%% of variance", pcaK, 100 * explainedVariance);
        return String.format(java.util.Locale.ROOT, "%s, %s, %s in %.1f s (%s); %s; outputs in %s",
                count(images, "image"), count(rows, "row"), count(errors, "error"), seconds, rate, pca, output);
    }

    /** "1 image", "2 images": a one-image job said "1 images, 1 rows" (a user's walk). */
    private static String count(long n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }
}
