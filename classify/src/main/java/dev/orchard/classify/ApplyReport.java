package dev.orchard.classify;

import dev.orchard.store.Location;
import java.util.Map;

/**
 * What {@code orchard classify --apply} did.
 *
 * @param vectors         {@code features} or {@code pca}: which of the output's vectors the classifier read
 * @param images          rows labelled (one per image of the output)
 * @param unlabelled      of those, images the job gave no label
 * @param predictedCounts images per predicted class, in the classifier's class order
 * @param known           how the predictions compare with the job's labels, over the labelled images whose label
 *                        is one of the classifier's classes; null when there are none
 * @param otherLabels     labelled images whose label the classifier does not know (left out of {@code known})
 * @param classifierSha256 SHA-256 of the classifier file
 * @param featureSourceChecked whether both the classifier and the output recorded their feature source, so the
 *                        CNN, tensor and projection were compared (else only the kind and dimension)
 * @param preprocessingChecked whether both recorded the preprocessing too (an earlier Orchard's do not), so it was
 *                        compared as well
 * @param trainedOnInput  whether the classifier records this output as the one it was trained on
 *                        ({@code orchard.trained-on}): its training images are among those compared
 * @param recordedTestAccuracy the held-out accuracy classify measured when it trained it ({@code orchard.test-accuracy});
 *                        NaN where not recorded
 */
public record ApplyReport(ApplyOptions options, Location output, String vectors, int dimension, long images,
                          long unlabelled, Map<String, Long> predictedCounts, Evaluation known, long otherLabels,
                          String classifierSha256, String scoreMeaning, boolean featureSourceChecked,
                          boolean preprocessingChecked, boolean trainedOnInput, double recordedTestAccuracy,
                          long millis) {
}
