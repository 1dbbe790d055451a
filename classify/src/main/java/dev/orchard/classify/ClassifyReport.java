package dev.orchard.classify;

import dev.orchard.store.Location;
import java.util.List;

/**
 * What a classification run did and how well: the same facts as {@code classifier.json}, plus every prediction.
 *
 * @param model       the trainer, in words
 * @param output      the folder holding predictions.parquet and classifier.json
 * @param dimension   the length of the vectors learned from
 * @param unlabelled  images left out because the job gave them no label
 * @param test        the metrics that count: on images the model never saw
 * @param train       the same on the training images (far above {@code test} means overfitting)
 * @param predictions one row per image of the learned classes, in path order
 */
public record ClassifyReport(ClassifyOptions options, String model, Location output, int dimension, int unlabelled,
                             List<ClassCount> classes, Evaluation test, Evaluation train, Timings timings,
                             List<PredictionRow> predictions) {

    public double testAccuracy() {
        return test.accuracy();
    }

    /** How many images of a class trained the model and how many tested it. */
    public record ClassCount(String label, int train, int test) {
    }

    /** Wall-clock milliseconds of each phase; training includes standardisation. */
    public record Timings(long readMillis, long trainMillis, long predictMillis, long writeMillis) {
        public long totalMillis() {
            return readMillis + trainMillis + predictMillis + writeMillis;
        }
    }
}
