package dev.orchard.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The pause rule, fed by hand: what the watcher's late wake-ups say about the JVM standing still. */
class JvmPausesTest {
    private static final long TICK = JvmPauses.TICK_NANOS;
    private final AtomicLong clock = new AtomicLong();
    private final JvmPauses pauses = new JvmPauses(clock::get);

    private static long s(double seconds) {
        return (long) (seconds * 1e9);
    }

    @Test
    void aWakeUpOnTimeIsNoPauseAndOneLateByTheLengthIsOne() {
        pauses.asleep(0);
        pauses.woke(0, TICK + s(0.01));
        clock.set(TICK + s(0.01));
        assertThat(pauses.stoodStillSince(0, s(0.1))).isFalse();
        pauses.asleep(s(1));
        pauses.woke(s(1), s(1) + TICK + s(6)); // 6 s late: the JVM stood still
        clock.set(s(7.2));
        pauses.asleep(s(7.2));
        assertThat(pauses.stoodStillSince(s(0.5), s(5))).isTrue();
        assertThat(pauses.stoodStillSince(s(0.5), s(7))).as("not that long").isFalse();
        assertThat(pauses.stoodStillSince(s(7.5), s(5))).as("ended before").isFalse();
    }

    @Test
    void aPauseTheWatcherHasYetToWakeFromCounts() {
        pauses.asleep(s(2));
        clock.set(s(2) + TICK + s(8)); // the watcher has not run since: its sleep is 8 s late now
        assertThat(pauses.stoodStillSince(s(3), s(5))).isTrue();
        assertThat(pauses.stoodStillSince(s(3), s(9))).isFalse();
    }

    /** Once, only the last 16 pauses were kept: a long one went out of sight behind many short ones. */
    @Test
    void manyShortPausesDoNotHideALongOneButAnHourOldOneIsForgotten() {
        pauses.woke(s(1), s(1) + TICK + s(12));
        long t = s(14);
        for (int i = 0; i < 100; i++, t += s(1)) {
            pauses.woke(t, t + TICK + s(0.3));
        }
        clock.set(t);
        pauses.asleep(t);
        assertThat(pauses.stoodStillSince(s(0.5), s(10))).isTrue();
        long later = s(1) + TICK + s(12) + JvmPauses.KEPT_FOR_NANOS + s(1);
        pauses.woke(later - TICK - s(0.3), later);
        assertThat(pauses.stoodStillSince(s(0.5), s(10))).as("an hour after it ended").isFalse();
    }

    @Test
    void thisJvmHasOneWatcher() {
        assertThat(JvmPauses.watching()).isSameAs(JvmPauses.watching());
    }
}
