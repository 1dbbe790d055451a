package dev.orchard.worker;

import dev.orchard.store.ObjectStore;
import dev.orchard.store.OutputLayout;
import java.io.IOException;

/**
 * Whether the job a worker serves has ended, as its output says: a worker that stood still (a frozen process, a
 * suspended VM) past the end writes nothing more there that only the job would have read. A check before a write,
 * not a fence: a worker that freezes between the two can still write once.
 */
final class JobEnd {
    private JobEnd() {
    }

    /**
     * True once the output's {@code _SUCCESS} is there for {@code generation} (0: a first run; an update's once
     * {@code _orchard/CURRENT} names it or a later one: the base generation's {@code _SUCCESS} stands while an update
     * runs). False where the store cannot say: the write then goes ahead, as before.
     */
    static boolean reached(ObjectStore store, OutputLayout layout, int generation) {
        try {
            if (!store.exists(layout.success())) {
                return false;
            }
            if (generation == 0) {
                return true;
            }
            return dev.orchard.store.CurrentGeneration.read(store, layout) >= generation; // absent: 0
        } catch (IOException e) {
            return false;
        }
    }
}
