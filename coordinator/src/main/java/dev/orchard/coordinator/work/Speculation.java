package dev.orchard.coordinator.work;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * At the tail of a stage, an idle worker gets a copy of a slow attempt: the task whose newest attempt has run longest,
 * past {@code speculateAfterMs} and twice the median time of the stage's finished attempts, with fewer than two
 * attempts and none on that worker (nor one that failed there while another worker can take it). Whichever attempt
 * finishes first wins.
 */
final class Speculation {

    private final long afterMs;
    private final List<Long> finished = new ArrayList<>();
    private long median; // of finished, recomputed when it grows
    private int medianOf;

    Speculation(long afterMs) {
        this.afterMs = afterMs;
    }

    /** An attempt won after {@code durationMs}. */
    void finished(long durationMs) {
        finished.add(durationMs);
    }

    /** A new stage: its attempts are timed afresh. */
    void restart() {
        finished.clear();
        medianOf = -1;
    }

    /**
     * The task of {@code running} to copy to {@code worker} now, or null: never one that runs there, nor one that
     * {@code passedOver} (it failed there, and another worker can take it).
     */
    Task slowest(Collection<Task> running, String worker, long now, java.util.function.Predicate<Task> passedOver) {
        if (medianOf != finished.size()) {
            medianOf = finished.size();
            median = median(finished);
        }
        long threshold = Math.max(afterMs, 2 * median);
        Task slowest = null;
        long slowestStart = Long.MAX_VALUE;
        for (Task t : running) {
            if (!t.wantsAttempt() || t.live.size() >= 2 || t.runsOn(worker) || passedOver.test(t)) {
                continue;
            }
            long newest = t.live.values().stream().mapToLong(Task.Live::startedMs).max().orElse(now);
            if (now - newest >= threshold && newest < slowestStart) {
                slowest = t;
                slowestStart = newest;
            }
        }
        return slowest;
    }

    private static long median(List<Long> values) {
        if (values.isEmpty()) {
            return 0;
        }
        List<Long> sorted = new ArrayList<>(values);
        sorted.sort(null);
        return sorted.get(sorted.size() / 2);
    }
}
