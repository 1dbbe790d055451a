package dev.orchard.classify;

import java.util.Locale;
import java.util.function.Consumer;

/**
 * How far a long training got, said every {@link #EVERY_NANOS}: a one-vs-all over hundreds of classes, or a
 * cross-validation's folds times its values of C, trained for minutes without a word (users' walks).
 */
final class TrainingProgress {
    /** How often a long training says how far it got. */
    static final long EVERY_NANOS = 10_000_000_000L;

    private final Consumer<String> out;
    private final String what;
    private final int total;
    private final java.util.function.LongSupplier clock;
    private final long start;
    private long said;
    private int done;

    /** @param what the things counted, plural ("one-vs-all models") */
    TrainingProgress(Consumer<String> out, String what, int total) {
        this(out, what, total, System::nanoTime);
    }

    TrainingProgress(Consumer<String> out, String what, int total, java.util.function.LongSupplier clock) {
        this.out = out;
        this.what = what;
        this.total = total;
        this.clock = clock;
        this.start = clock.getAsLong();
        this.said = start;
    }

    /** One more done; says so when the last word was {@link #EVERY_NANOS} ago and some are left. */
    synchronized void oneDone() {
        done++;
        long now = clock.getAsLong();
        if (now - said >= EVERY_NANOS && done < total) {
            said = now;
            double seconds = (now - start) / 1e9;
            out.accept(String.format(Locale.ROOT, "%d of %d %s done in %.0f s (about %.0f s to go)", done, total, what,
                    seconds, seconds / done * (total - done)));
        }
    }
}
