package dev.orchard.classify;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Splits each class on its own into training and test images. Within a class the images are put in path order
 * and shuffled with a generator seeded by the seed and the class name alone, so a class's split does not change
 * when other classes are added or the job cut its parts differently; {@link Random} and
 * {@link Collections#shuffle} are specified algorithms, so the split is the same on every JVM.
 */
final class StratifiedSplit {

    /** Makes the folds' shuffle independent of the split's, which uses the same seed. */
    private static final long FOLD_SALT = 0x5851f42d4c957f2dL;

    private StratifiedSplit() {
    }

    /** Fewer training images than this in a class, and the standardisation's spreads are too noisy to trust. */
    static final int FEW_PER_CLASS = 5;

    /**
     * A warning when a class has fewer than {@link #FEW_PER_CLASS} training images, else null. Each coordinate is
     * divided by its spread over the training images; over two or three, a coordinate that barely varies among them
     * gets a spread near 0, and on a test image its standardised value reaches thousands and swamps the rest (a
     * user's walk: Banana vs Kiwi at 1 training image a class scored 47 % on the test images, below chance, at 3 88 %,
     * at 5 100 %; |z| up to 19,268). scikit-learn's StandardScaler does the same, without a word.
     */
    static String fewTrainingImages(List<String> classes, String[] labels, boolean[] train) {
        java.util.Map<String, Integer> perClass = new java.util.HashMap<>();
        for (int r = 0; r < labels.length; r++) {
            if (train[r]) {
                perClass.merge(labels[r], 1, Integer::sum);
            }
        }
        List<String> few = classes.stream().filter(c -> perClass.getOrDefault(c, 0) < FEW_PER_CLASS).toList();
        if (few.isEmpty()) {
            return null;
        }
        String named = few.stream().limit(3).map(c -> "'" + dev.orchard.store.Printable.escaped(c) + "' "
                + perClass.getOrDefault(c, 0)).collect(java.util.stream.Collectors.joining(", "));
        return "warning: " + few.size() + " of the " + classes.size() + " classes " + (few.size() == 1 ? "has" : "have")
                + " fewer than " + FEW_PER_CLASS + " training images (" + named + (few.size() > 3 ? ", …" : "")
                + "): each coordinate is standardised by its spread over the training images, and over so few a"
                + " coordinate that barely varies gets a spread near 0 and swamps the others on new images, so the"
                + " test accuracy can fall below chance. Train on more images where there are more"
                + " (--train-per-class, --train-fraction).";
    }

    /** For each row, whether it is a training row. */
    static boolean[] assign(String[] labels, String[] paths, SplitRule rule, long seed) {
        SortedMap<String, List<Integer>> byClass = new TreeMap<>();
        for (int i = 0; i < labels.length; i++) {
            byClass.computeIfAbsent(labels[i], k -> new ArrayList<>()).add(i);
        }
        checkSizes(byClass, rule);
        boolean[] train = new boolean[labels.length];
        for (Map.Entry<String, List<Integer>> e : byClass.entrySet()) {
            List<Integer> rows = e.getValue();
            rows.sort(Comparator.comparing((Integer i) -> paths[i]).thenComparing(i -> i));
            Collections.shuffle(rows, new Random(classSeed(seed, e.getKey())));
            for (int k = 0, n = trainCount(rule, rows.size()); k < n; k++) {
                train[rows.get(k)] = true;
            }
        }
        return train;
    }

    /**
     * Stratified K-fold cross-validation folds of the training rows: each class's training images, in path order
     * shuffled by the seed and the class name (a different stream from the split's), are dealt round the folds,
     * continuing from where the previous class (in name order) stopped, so every fold gets ⌊n/K⌋ or ⌈n/K⌉ images
     * of each class and the folds differ in size by at most one image overall.
     *
     * @return each row's fold, 0…folds−1; −1 for rows that do not train
     * @throws ClassifyException when a class has fewer training images than folds (a fold would miss it)
     */
    static int[] folds(String[] labels, String[] paths, boolean[] train, int folds, long seed) {
        SortedMap<String, List<Integer>> byClass = new TreeMap<>();
        for (int i = 0; i < labels.length; i++) {
            if (train[i]) {
                byClass.computeIfAbsent(labels[i], k -> new ArrayList<>()).add(i);
            }
        }
        List<String> tooSmall = new ArrayList<>();
        int fewest = Integer.MAX_VALUE;
        for (Map.Entry<String, List<Integer>> e : byClass.entrySet()) {
            fewest = Math.min(fewest, e.getValue().size());
            if (e.getValue().size() < folds) {
                tooSmall.add(ClassNames.quoted(e.getKey()) + " has " + e.getValue().size());
            }
        }
        if (!tooSmall.isEmpty()) {
            // "Use fewer folds" was advised where 2, the fewest there are, was asked for already.
            throw new ClassifyException("--cv " + folds + " needs at least " + folds + " training images of every class"
                    + " (each fold holds out at least one of each): " + String.join(", ", tooSmall) + ". "
                    + (fewest >= 2 ? "Use --cv " + fewest + " or fewer folds, or train on more images"
                            + " (--train-per-class, --train-fraction)." : "Train on more images of it"
                            + " (--train-per-class, --train-fraction), or choose C yourself (-C) without --cv."));
        }
        int[] fold = new int[labels.length];
        java.util.Arrays.fill(fold, -1);
        int dealt = 0;
        for (Map.Entry<String, List<Integer>> e : byClass.entrySet()) {
            List<Integer> rows = e.getValue();
            rows.sort(Comparator.comparing((Integer i) -> paths[i]).thenComparing(i -> i));
            Collections.shuffle(rows, new Random(classSeed(seed ^ FOLD_SALT, e.getKey())));
            for (int row : rows) {
                fold[row] = dealt++ % folds;
            }
        }
        return fold;
    }

    static int trainCount(SplitRule rule, int classSize) {
        if (rule instanceof SplitRule.PerClass p) {
            return p.count();
        }
        double fraction = ((SplitRule.Fraction) rule).fraction();
        return (int) Math.max(1, Math.min(classSize - 1, Math.round(fraction * classSize)));
    }

    private static long classSeed(long seed, String label) {
        return seed * 0x9e3779b97f4a7c15L + label.hashCode(); // String.hashCode is specified, so stable
    }

    /** Every class must keep at least one image to train and one to test; names every class that cannot. */
    private static void checkSizes(SortedMap<String, List<Integer>> byClass, SplitRule rule) {
        List<String> tooSmall = new ArrayList<>();
        int smallest = Integer.MAX_VALUE;
        for (Map.Entry<String, List<Integer>> e : byClass.entrySet()) {
            int size = e.getValue().size();
            smallest = Math.min(smallest, size);
            boolean fits = rule instanceof SplitRule.PerClass p ? size > p.count() : size >= 2;
            if (!fits) {
                tooSmall.add(ClassNames.quoted(e.getKey()) + " has " + size + (size == 1 ? " image" : " images"));
            }
        }
        if (tooSmall.isEmpty()) {
            return;
        }
        String which = String.join(", ", tooSmall);
        // A class of one image cannot be split by any rule: --train-fraction was advised for it, and refused it too.
        String lone = "A class of one image cannot be split at all: give it more images, or leave it out (its images"
                + " moved out of the input or labelled otherwise, or a --pair of two other classes).";
        if (rule instanceof SplitRule.PerClass p) {
            throw new ClassifyException("Too few images for --train-per-class " + p.count() + ": " + which
                    + " (each class needs more than " + p.count() + ", to keep at least one for testing). "
                    + (smallest >= 2 ? "Use --train-per-class " + (smallest - 1) + " or less, or --train-fraction."
                            : lone));
        }
        throw new ClassifyException("Too few images to split: " + which
                + " (each class needs at least 2, one to train and one to test). " + lone);
    }
}
