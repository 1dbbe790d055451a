package dev.orchard.classify;

import dev.orchard.predict.Link;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;
import org.tribuo.Example;
import org.tribuo.Model;
import org.tribuo.Prediction;
import org.tribuo.Trainer;
import org.tribuo.classification.Label;

/**
 * One binary model per class, that class against all the others; a row goes to the class whose model scores it
 * highest (ties to the first class in name order). The models are independent, so they train in parallel and
 * the result does not depend on the thread count.
 */
final class OneVsAllClassifier implements TrainedClassifier {
    // Binary labels of their own: no class name can collide with them, since every row is relabelled.
    private static final String POSITIVE = "+";
    private static final String NEGATIVE = "-";

    private final List<String> classes;
    private final List<Model<Label>> models;
    private final TribuoExamples examples;
    private final java.util.function.Consumer<String> progress;

    private OneVsAllClassifier(List<String> classes, List<Model<Label>> models, TribuoExamples examples,
                               java.util.function.Consumer<String> progress) {
        this.classes = classes;
        this.models = models;
        this.examples = examples;
        this.progress = progress;
    }

    /**
     * Trains the models in parallel; every {@link TrainingProgress#EVERY_NANOS} {@code progress} hears how many are done.
     * Each costs about the solver's iterations times the training rows times the dimension, and the training rows grow
     * with the classes, so the time grows with their square (200 classes of 2 training images took 39 s in a user's
     * walk, and 500 did not end in 300 s): a long training says where it is.
     */
    static OneVsAllClassifier train(Supplier<Trainer<Label>> trainers, TribuoExamples examples, List<String> classes,
                                    String[] labels, double[][] z, boolean[] train,
                                    java.util.function.Consumer<String> progress) {
        List<Model<Label>> models = perClass(classes.size(), c -> trainers.get().train(examples.trainingSet(z, train,
                r -> labels[r].equals(classes.get(c)) ? POSITIVE : NEGATIVE)),
                new TrainingProgress(progress, "one-vs-all models", classes.size()), "training");
        return new OneVsAllClassifier(List.copyOf(classes), models, examples, progress);
    }

    /**
     * Every class's model over every row: classes × rows predictions, which at 1,000 classes and 60,000 rows ran for
     * over an hour without a word after the training (a user's walk). The classes are scored in parallel (each fills
     * its own column), with the training's progress lines; the row's class is then chosen in class order, ties to the
     * first, as before.
     */
    @Override
    public Scored score(double[][] z) {
        List<Example<Label>> rows = examples.unlabelled(z);
        double[][] classScores = new double[z.length][classes.size()];
        perClass(classes.size(), column -> {
            // A piece at a time, as DirectClassifier: a thread's predictions of every row held ~20 MB at 60,000 rows,
            // times the cores (the review of the change).
            for (int from = 0; from < z.length; from += DirectClassifier.ROWS_PER_PREDICT) {
                int to = Math.min(z.length, from + DirectClassifier.ROWS_PER_PREDICT);
                List<Prediction<Label>> predictions = models.get(column).predict(rows.subList(from, to));
                for (int r = from; r < to; r++) {
                    classScores[r][column] = predictions.get(r - from).getOutputScores().get(POSITIVE).getScore();
                }
            }
            return column;
        }, new TrainingProgress(progress, "classes' models scored over " + z.length + " rows", classes.size()), "scoring");
        String[] predicted = new String[z.length];
        double[] best = new double[z.length];
        Arrays.fill(best, Double.NEGATIVE_INFINITY);
        for (int r = 0; r < z.length; r++) {
            for (int c = 0; c < classes.size(); c++) {
                if (classScores[r][c] > best[r]) {
                    best[r] = classScores[r][c];
                    predicted[r] = classes.get(c);
                }
            }
        }
        return new Scored(predicted, best, classScores);
    }

    /**
     * {@code work} for each class, on a pool of a thread per core; the results in class order, whatever the timing, and
     * {@code said} told as each is done.
     */
    private static <T> List<T> perClass(int count, java.util.function.IntFunction<T> work, TrainingProgress said,
                                        String doing) {
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(count,
                Runtime.getRuntime().availableProcessors())));
        try {
            List<Future<T>> futures = new ArrayList<>();
            for (int c = 0; c < count; c++) {
                int column = c;
                futures.add(pool.submit(() -> work.apply(column)));
            }
            List<T> results = new ArrayList<>();
            for (Future<T> f : futures) {
                results.add(f.get());
                said.oneDone();
            }
            return results;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while " + doing + " one-vs-all models", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    /** Each class's row is its own binary model's score for "this class". */
    @Override
    public LinearForm linear() {
        double[][] weights = new double[classes.size()][];
        double[] bias = new double[classes.size()];
        Link link = null;
        for (int c = 0; c < classes.size(); c++) {
            LinearForm positive = TribuoWeights.of(models.get(c), examples, List.of(POSITIVE));
            weights[c] = positive.weights()[0];
            bias[c] = positive.bias()[0];
            link = positive.link();
        }
        return new LinearForm(weights, bias, link);
    }
}
