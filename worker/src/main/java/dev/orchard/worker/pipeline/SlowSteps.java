package dev.orchard.worker.pipeline;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The reads and decodes of single images in progress on this worker, so that one that runs far longer than any should
 * is named in its log. A read that never ends (a named pipe nothing writes to, a file system that does not answer)
 * held its unit until {@code --unit-timeout}; three such timeouts ended the job with "check its images", and neither
 * the message nor errors.csv said which of the unit's images it was (a README walk: 30 minutes at the default
 * timeout). Each step is named once, {@link #AFTER} after it began; what the unit does is unchanged.
 */
final class SlowSteps {
    /** Long past any read or decode of one image a healthy store and decoder take. */
    static final Duration AFTER = Duration.ofSeconds(60);

    /** One step: what it does ("reading", "decoding"), of which image, for which unit, since when (clock's nanos). */
    private static final class Step {
        final String what;
        final String path;
        final int unit;
        final long began;
        boolean named; // guarded by the SlowSteps

        Step(String what, String path, int unit, long began) {
            this.what = what;
            this.path = path;
            this.unit = unit;
            this.began = began;
        }
    }

    private final Set<Step> running = ConcurrentHashMap.newKeySet();
    private final LongSupplier nanoClock;

    SlowSteps(LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
    }

    /** A step begins; {@link #end} it with what this returns (twice an image, on the hot path: one small object). */
    Object begin(String what, String path, int unit) {
        Step step = new Step(what, path, unit, nanoClock.getAsLong());
        running.add(step);
        return step;
    }

    void end(Object step) {
        running.remove(step);
    }

    /** A line for each step running for {@link #AFTER} or more and not named yet; each is named once. */
    synchronized List<String> overdue() {
        long now = nanoClock.getAsLong();
        List<String> lines = new ArrayList<>();
        for (Step s : running) {
            long seconds = Duration.ofNanos(now - s.began).toSeconds();
            if (seconds >= AFTER.toSeconds() && !s.named) {
                s.named = true;
                lines.add(capitalized(s.what) + " " + s.path + " (unit " + s.unit + ") has taken " + seconds
                        + " s and has not ended: " + (s.what.equals("reading")
                        ? "a store or file system that does not answer, or a named pipe nothing writes to?"
                        : "the decoder may be stuck on this file")
                        + " Its unit is handed out again after --unit-timeout; if it hangs wherever it goes, leave the"
                        + " file out of the input.");
            }
        }
        return lines;
    }

    private static String capitalized(String text) {
        return Character.toUpperCase(text.charAt(0)) + text.substring(1);
    }
}
