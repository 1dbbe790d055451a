package dev.orchard.coordinator.work;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.function.Predicate;

/**
 * The tasks waiting for an attempt, in the order they are handed out: a task put back after a lost or failed attempt
 * goes to the front. A task leaves lazily: {@link #remove} only marks it ({@link Task#queued}), and {@link #take}
 * drops such entries, and those that no longer want an attempt, as it passes them.
 */
final class PendingQueue {

    private final Deque<Task> tasks = new ArrayDeque<>(); // may hold stale entries: Task.queued says
    private int size;

    /** Queues {@code t} at the front or the back; a task already queued keeps its place. */
    void add(Task t, boolean front) {
        if (t.queued) {
            return;
        }
        t.queued = true;
        size++;
        if (front) {
            tasks.addFirst(t);
        } else {
            tasks.addLast(t);
        }
    }

    /** Takes {@code t} off the queue, if it is queued. */
    void remove(Task t) {
        if (t.queued) {
            t.queued = false;
            size--;
        }
    }

    /** The tasks queued. */
    int size() {
        return size;
    }

    /** The first queued task that wants an attempt and is not {@code passedOver}, taken off the queue; or null. */
    Task take(Predicate<Task> passedOver) {
        for (var it = tasks.iterator(); it.hasNext(); ) {
            Task t = it.next();
            if (!t.queued || !t.wantsAttempt()) {
                it.remove();
                remove(t);
                continue;
            }
            if (passedOver.test(t)) {
                continue;
            }
            it.remove();
            remove(t);
            return t;
        }
        return null;
    }

    /** The tasks queued, in order, for {@link WorkState#describe()}. */
    List<Task> queued() {
        return tasks.stream().filter(t -> t.queued).toList();
    }
}
