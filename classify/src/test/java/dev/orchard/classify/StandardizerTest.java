package dev.orchard.classify;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class StandardizerTest {

    /** A coordinate constant over the training rows maps to 0 (no NaN from 0/0); the others to unit spread. */
    @Test
    void standardisesOnTheTrainingRowsOnly() {
        float[][] x = {{1, 5, 0}, {3, 5, 0}, {100, 7, 9}};
        Standardizer s = Standardizer.fit(x, new boolean[] {true, true, false}, 3);
        assertThat(s.mean()).containsExactly(2, 5, 0);
        assertThat(s.inverseStd()).containsExactly(1, 0, 0);
        assertThat(s.apply(x[2])).containsExactly(98, 0, 0);
    }

    /**
     * Banana vs Kiwi at 1 training image a class scored 47 % on the test images, below chance, with nothing said (a
     * user's walk): a class with fewer than 5 training images is named, with its count, before the training.
     */
    @Test
    void classesWithFewTrainingImagesAreNamed() {
        List<String> classes = List.of("Banana", "Kiwi", "Lemon");
        String[] labels = {"Banana", "Banana", "Kiwi", "Kiwi", "Kiwi", "Kiwi", "Kiwi", "Lemon", "Lemon", "Lemon", "Lemon",
                "Lemon"};
        boolean[] train = new boolean[labels.length];
        java.util.Arrays.fill(train, true);
        train[1] = false; // a test image: Banana has 1 training image
        assertThat(Standardizer.fewTrainingImages(classes, labels, train))
                .startsWith("warning: 1 of the 3 classes has fewer than 5 training images ('Banana' 1)")
                .contains("test accuracy can fall below chance").contains("--train-per-class");
        train[2] = false;
        train[3] = false; // Kiwi 3
        assertThat(Standardizer.fewTrainingImages(classes, labels, train))
                .startsWith("warning: 2 of the 3 classes have fewer than 5 training images ('Banana' 1, 'Kiwi' 3)");
    }

    @Test
    void enoughTrainingImagesInEveryClassSayNothing() {
        List<String> classes = List.of("a", "b");
        String[] labels = new String[10];
        for (int i = 0; i < 10; i++) {
            labels[i] = i < 5 ? "a" : "b";
        }
        boolean[] train = new boolean[10];
        java.util.Arrays.fill(train, true);
        assertThat(Standardizer.fewTrainingImages(classes, labels, train)).isNull();
    }
}
