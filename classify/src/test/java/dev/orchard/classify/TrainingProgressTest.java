package dev.orchard.classify;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TrainingProgressTest {

    /** A line once 10 s have passed since the last, with an estimate from the rate so far; none for the last one. */
    @Test
    void saysHowFarItGotEveryTenSecondsOfTheClockItIsGiven() {
        long[] now = {1_000};
        List<String> lines = new ArrayList<>();
        TrainingProgress progress = new TrainingProgress(lines::add, "one-vs-all models", 4, () -> now[0]);
        now[0] += 9_000_000_000L;
        progress.oneDone();
        assertThat(lines).isEmpty();
        now[0] += 1_000_000_000L;
        progress.oneDone();
        assertThat(lines).containsExactly("2 of 4 one-vs-all models done in 10 s (about 10 s to go)");
        now[0] += 5_000_000_000L;
        progress.oneDone();
        now[0] += 60_000_000_000L;
        progress.oneDone();
        assertThat(lines).hasSize(1); // the last is said by what follows it
    }
}
