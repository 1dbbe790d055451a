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
 * @param cost        the C the models were trained with: {@code options.cost()}, or the one cross-validation chose
 * @param crossValidation the curve and the choice, when {@code --cv} was given; else null
 * @param onnx        {@code classifier.onnx}: what it expects and how closely ONNX Runtime matched the Java model
 */
public record ClassifyReport(ClassifyOptions options, String model, Location output, int dimension, int unlabelled,
                             List<ClassCount> classes, Evaluation test, Evaluation train, Timings timings,
                             List<PredictionRow> predictions, double cost, CrossValidation.Result crossValidation,
                             OnnxExport.Exported onnx) {

    public double testAccuracy() {
        return test.accuracy();
    }

    /** How many images of a class trained the model and how many tested it. */
    public record ClassCount(String label, int train, int test) {
    }

    /**
     * Wall-clock milliseconds of each phase; training includes standardisation, cross-validation is apart, export
     * includes ONNX Runtime's check.
     */
    public record Timings(long readMillis, long crossValidationMillis, long trainMillis, long predictMillis,
                          long exportMillis, long writeMillis) {
        public long totalMillis() {
            return readMillis + crossValidationMillis + trainMillis + predictMillis + exportMillis + writeMillis;
        }
    }
}
