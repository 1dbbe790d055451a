package dev.orchard.store;

import java.io.IOException;

/**
 * The failure of a step run on another thread (the cause of a {@code CompletionException} or an
 * {@code ExecutionException}), given back as it was raised there: an I/O failure as itself, an unchecked one thrown.
 */
public final class AsyncFailure {

    private AsyncFailure() {
    }

    /** {@code wrapper}'s cause when it is an IOException (to throw); throws it when it is unchecked. */
    public static IOException cause(Exception wrapper) {
        Throwable cause = wrapper.getCause();
        if (cause instanceof IOException io) {
            return io;
        }
        if (cause instanceof RuntimeException r) {
            throw r;
        }
        if (cause instanceof Error err) {
            throw err;
        }
        return new IOException(cause == null ? wrapper : cause);
    }
}
