package dev.orchard.classify;

import static org.assertj.core.api.Assertions.assertThat;

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
}
