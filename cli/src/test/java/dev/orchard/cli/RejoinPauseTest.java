package dev.orchard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RejoinPauseTest {

    private static final Duration SHORT = Duration.ofSeconds(20);

    /** Nodes that did nothing (refused, no coordinator) wait longer each time, up to a minute. */
    @Test
    void nodesThatDidNoWorkWaitLongerEachTimeUpToAMinute() {
        RejoinPause pauses = new RejoinPause();
        List<Long> seconds = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            seconds.add(pauses.after(0, SHORT).toSeconds());
        }
        assertThat(seconds).containsExactly(1L, 2L, 4L, 8L, 16L, 32L, 60L, 60L);
        assertThat(pauses.afterPortTaken()).isEqualTo(Duration.ofMinutes(1));
    }

    /**
     * The user's walk: a worker serving seven jobs of a minute or two, each node leaving when its coordinator went,
     * waited 1, 2, 4, 8, 16, 32 s before the next. A node that finished a unit is followed after 1 s, as is one that was
     * a member for five minutes; the doubling starts again from there.
     */
    @Test
    void aNodeThatDidWorkOrLivedLongIsFollowedPromptly() {
        RejoinPause pauses = new RejoinPause();
        for (int job = 0; job < 7; job++) {
            assertThat(pauses.after(3, SHORT)).as("after job %d", job).isEqualTo(Duration.ofSeconds(1));
        }
        assertThat(pauses.after(0, SHORT)).isEqualTo(Duration.ofSeconds(2));
        assertThat(pauses.after(0, SHORT)).isEqualTo(Duration.ofSeconds(4));
        assertThat(pauses.after(0, Duration.ofMinutes(6))).isEqualTo(Duration.ofSeconds(1));
        assertThat(pauses.after(0, SHORT)).isEqualTo(Duration.ofSeconds(2));
    }
}
