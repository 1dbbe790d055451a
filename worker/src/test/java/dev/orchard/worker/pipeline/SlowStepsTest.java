package dev.orchard.worker.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** A read or decode that runs long is named once, with its image and unit; one that ended is never named. */
class SlowStepsTest {

    @Test
    void aStepRunningPastTheLimitIsNamedOnce() {
        long[] now = {0};
        SlowSteps steps = new SlowSteps(() -> now[0]);
        Object stuck = steps.begin("reading", "/in/Kiwi/fifo.jpg", 7);
        Object quick = steps.begin("decoding", "/in/Kiwi/a.jpg", 7);
        steps.end(quick);
        now[0] = SlowSteps.AFTER.toNanos() - 1;
        assertThat(steps.overdue()).isEmpty();
        now[0] = SlowSteps.AFTER.toNanos() + 5_000_000_000L;
        assertThat(steps.overdue()).containsExactly("Reading /in/Kiwi/fifo.jpg (unit 7) has taken 65 s and has not"
                + " ended: a store or file system that does not answer, or a named pipe nothing writes to? Its unit is"
                + " handed out again after --unit-timeout; if it hangs wherever it goes, leave the file out of the input.");
        now[0] += 60_000_000_000L;
        assertThat(steps.overdue()).as("named once").isEmpty();
        steps.end(stuck);
        Object decode = steps.begin("decoding", "/in/b.png", 8);
        now[0] += SlowSteps.AFTER.toNanos();
        assertThat(steps.overdue()).singleElement().asString().startsWith("Decoding /in/b.png (unit 8) has taken 60 s")
                .contains("the decoder may be stuck on this file");
        steps.end(decode);
    }
}
