package dev.orchard.classify;

import java.util.List;
import org.tribuo.Model;
import org.tribuo.Prediction;
import org.tribuo.Trainer;
import org.tribuo.classification.Label;

/** One model over the classes as they are: a pair's binary model, or one multiclass model. */
final class DirectClassifier implements TrainedClassifier {
    private final Model<Label> model;
    private final TribuoExamples examples;

    private DirectClassifier(Model<Label> model, TribuoExamples examples) {
        this.model = model;
        this.examples = examples;
    }

    static DirectClassifier train(Trainer<Label> trainer, TribuoExamples examples, String[] labels, double[][] z,
                                  boolean[] train) {
        return new DirectClassifier(trainer.train(examples.trainingSet(z, train, r -> labels[r])), examples);
    }

    @Override
    public Scored score(double[][] z) {
        List<Prediction<Label>> predictions = model.predict(examples.unlabelled(z));
        String[] predicted = new String[z.length];
        double[] scores = new double[z.length];
        for (int r = 0; r < z.length; r++) {
            Label best = predictions.get(r).getOutput();
            predicted[r] = best.getLabel();
            scores[r] = best.getScore();
        }
        return new Scored(predicted, scores);
    }
}
