package dev.orchard.classify;

import dev.orchard.predict.Link;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;
import org.tribuo.Model;
import org.tribuo.Trainer;
import org.tribuo.classification.Label;

/**
 * One binary model per class, that class against all the others; a row goes to the class whose model gives it the
 * highest linear score (by the logit, since probabilities round to 1.0; exact ties to the first class in name order).
 * The models are independent, so they train in parallel and the result does not depend on the thread count.
 */
final class OneVsAllClassifier implements TrainedClassifier {
    // Binary labels of their own: no class name can collide with them, since every row is relabelled.
    static final String POSITIVE = "+";
    private static final String NEGATIVE = "-";

    /**
     * Rows a scoring task takes, all classes at once: they stay in cache while every class's weights pass over them
     * (256 rows of 1,280-d are 2.6 MB), where a task per class read all the rows again for each class.
     */
    static final int ROWS_PER_TASK = 256;

    private final List<String> classes;
    private final LinearForm linear;
    private final java.util.function.Consumer<String> progress;

    /** @param linear each class's binary model's score for "this class", in the order of {@code classes} */
    OneVsAllClassifier(List<String> classes, LinearForm linear, java.util.function.Consumer<String> progress) {
        this.classes = classes;
        this.linear = linear;
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
        return of(classes, models(trainers, examples, classes, labels, z, train, progress), examples, progress);
    }

    /** Each class's binary model, in class order: {@link #POSITIVE} for its rows, the others' negative. */
    static List<Model<Label>> models(Supplier<Trainer<Label>> trainers, TribuoExamples examples, List<String> classes,
                                     String[] labels, double[][] z, boolean[] train,
                                     java.util.function.Consumer<String> progress) {
        return inParallel(classes.size(), c -> trainers.get().train(examples.trainingSet(z, train,
                r -> labels[r].equals(classes.get(c)) ? POSITIVE : NEGATIVE)),
                new TrainingProgress(progress, "one-vs-all models", classes.size()), "training");
    }

    /** The classifier of the binary {@code models}, one per class in the order of {@code classes}: its linear form. */
    static OneVsAllClassifier of(List<String> classes, List<Model<Label>> models, TribuoExamples examples,
                                 java.util.function.Consumer<String> progress) {
        return new OneVsAllClassifier(List.copyOf(classes), linear(models, examples), progress);
    }

    /**
     * Every class's score of every row, from the models' linear form ({@link LinearScores}): Tribuo's {@code predict},
     * one class's model over every row at a time, made ~12,500 predictions a second, 1.5 hours at 1,000 classes and
     * 60,000 rows (a user's walk); the dot products take seconds. Blocks of rows are scored in parallel (each fills
     * its own rows), with the training's progress lines; the row's class is the first of its highest linear score, as
     * {@code classifier.onnx} chooses.
     */
    @Override
    public Scored score(double[][] z) {
        LinearScores scorer = new LinearScores(linear);
        double[][] classScores = new double[z.length][classes.size()];
        int[] top = new int[z.length];
        int tasks = (z.length + ROWS_PER_TASK - 1) / ROWS_PER_TASK;
        inParallel(tasks, t -> {
            scorer.score(z, t * ROWS_PER_TASK, Math.min(z.length, (t + 1) * ROWS_PER_TASK), classScores, top);
            return t;
        }, new TrainingProgress(progress, "blocks of " + ROWS_PER_TASK + " rows scored by " + classes.size()
                + " classes' models", tasks), "scoring");
        String[] predicted = new String[z.length];
        double[] best = new double[z.length];
        for (int r = 0; r < z.length; r++) {
            predicted[r] = classes.get(top[r]);
            best[r] = classScores[r][top[r]];
        }
        return new Scored(predicted, best, classScores);
    }

    /**
     * {@code work} for each of {@code count} pieces (classes to train, blocks of rows to score), on a pool of a thread
     * per core; the results in order, whatever the timing, and {@code said} told as each is done.
     */
    private static <T> List<T> inParallel(int count, java.util.function.IntFunction<T> work, TrainingProgress said,
                                        String doing) {
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(count,
                Runtime.getRuntime().availableProcessors())));
        try {
            List<Future<T>> futures = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                int piece = i;
                futures.add(pool.submit(() -> work.apply(piece)));
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

    @Override
    public LinearForm linear() {
        return linear;
    }

    /** Each class's row is its own binary model's score for "this class". */
    private static LinearForm linear(List<Model<Label>> models, TribuoExamples examples) {
        double[][] weights = new double[models.size()][];
        double[] bias = new double[models.size()];
        Link link = null;
        for (int c = 0; c < models.size(); c++) {
            LinearForm positive = TribuoWeights.of(models.get(c), examples, List.of(POSITIVE));
            weights[c] = positive.weights()[0];
            bias[c] = positive.bias()[0];
            link = positive.link();
        }
        return new LinearForm(weights, bias, link);
    }
}
