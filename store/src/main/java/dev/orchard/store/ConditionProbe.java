package dev.orchard.store;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Whether a store evaluates the conditions of {@link ObjectStore#putIf}, found by trying them on an object of Orchard's
 * own, for the stores that cannot say ({@link ObjectStore#evaluatesConditions}: an S3-compatible server may ignore
 * {@code If-Match} and {@code If-None-Match} and answer as if it had written). The object is created, written on two
 * conditions that do not hold and on two that do (the object's tag as a read gives it, then as a write gives it: a
 * lease is taken on the first and renewed on the second), and deleted.
 * Each conditional write carries bytes of its own, so a write that went through cannot pass for one that landed
 * earlier ({@link ObjectStore#putIf} counts a refused write whose bytes are already there as done).
 */
public final class ConditionProbe {
    /** An entity tag no object has: the probe's writes on it must be refused. */
    private static final String NO_SUCH_TAG = "\"00000000000000000000000000000000\"";

    private ConditionProbe() {
    }

    /**
     * The store refused a write on a condition that held: {@code If-Match} with the entity tag it had just given the
     * object (a server that compares tags in another form, or refuses every conditional write). A lease taken or
     * renewed by such writes is refused at once or lost at its first renewal.
     */
    public static final class RefusedWhatHeld extends IOException {
        RefusedWhatHeld(Location at, String how) {
            super("the store refused a write to " + at + " on condition that the object was the one it had just written"
                    + " (If-Match with the entity tag " + how + ")");
        }
    }

    /**
     * Tries the conditions on {@code at} (no object may be there: name it after the caller) and deletes it after: true if
     * the store refused both writes whose conditions did not hold. A probe that failed fails with its own error, a
     * failed clean-up added to it; {@link RefusedWhatHeld} if the store refused the write whose condition held.
     */
    public static boolean probe(ObjectStore store, Location at) throws IOException {
        boolean found;
        try {
            found = tryConditions(store, at);
        } catch (IOException | RuntimeException e) {
            try {
                store.delete(at);
            } catch (IOException | RuntimeException cleanUp) {
                e.addSuppressed(cleanUp);
            }
            throw e;
        }
        store.delete(at);
        return found;
    }

    private static boolean tryConditions(ObjectStore store, Location at) throws IOException {
        String created = store.putIf(at, bytes(at, "created"), null);
        if (created == null) {
            throw new IOException("Cannot probe the store's conditional writes: " + at + " is there already");
        }
        boolean evaluated = store.putIf(at, bytes(at, "written where one is"), null) == null
                && store.putIf(at, bytes(at, "written on another tag"), NO_SUCH_TAG) == null;
        // Where the writes above went through, the object's tag is another now: the writes on its own tag are tried
        // only where they were refused.
        if (evaluated) {
            ObjectStore.Tagged read = store.readTagged(at);
            String written = read == null ? null : store.putIf(at, bytes(at, "written on its tag as read"), read.tag());
            if (written == null) {
                throw new RefusedWhatHeld(at, "a read of it gave");
            }
            if (store.putIf(at, bytes(at, "written on its tag as written"), written) == null) {
                throw new RefusedWhatHeld(at, "the last write to it gave");
            }
        }
        return evaluated;
    }

    private static byte[] bytes(Location at, String step) {
        return ("{\"probe\":\"" + at.name() + "\",\"step\":\"" + step + "\"}").getBytes(StandardCharsets.UTF_8);
    }
}
