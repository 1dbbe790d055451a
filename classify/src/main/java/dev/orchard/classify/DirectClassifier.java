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
    private final List<String> classes;

    private DirectClassifier(Model<Label> model, TribuoExamples examples, List<String> classes) {
        this.model = model;
        this.examples = examples;
        this.classes = classes;
    }

    static DirectClassifier train(Trainer<Label> trainer, TribuoExamples examples, List<String> classes,
                                  String[] labels, double[][] z, boolean[] train) {
        return new DirectClassifier(trainer.train(examples.trainingSet(z, train, r -> labels[r])), examples,
                List.copyOf(classes));
    }

    /**
     * Rows predicted at once: each of Tribuo's predictions holds a map of every class's score, and 60,000 rows of a
     * 1,000-class model predicted at once ran out of a 4 GB heap after the training (a user's walk).
     */
    static final int ROWS_PER_PREDICT = 4_096;

    @Override
    public Scored score(double[][] z) {
        String[] predicted = new String[z.length];
        double[] scores = new double[z.length];
        double[][] classScores = new double[z.length][classes.size()];
        for (int from = 0; from < z.length; from += ROWS_PER_PREDICT) {
            int to = Math.min(z.length, from + ROWS_PER_PREDICT);
            List<Prediction<Label>> predictions = model.predict(examples.unlabelled(java.util.Arrays.copyOfRange(z, from, to)));
            for (int r = from; r < to; r++) {
                Prediction<Label> p = predictions.get(r - from);
                predicted[r] = p.getOutput().getLabel();
                scores[r] = p.getOutput().getScore();
                for (int c = 0; c < classes.size(); c++) {
                    classScores[r][c] = p.getOutputScores().get(classes.get(c)).getScore();
                }
            }
        }
        return new Scored(predicted, scores, classScores);
    }

    @Override
    public LinearForm linear() {
        return TribuoWeights.of(model, examples, classes);
    }
}
