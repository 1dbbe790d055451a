package dev.orchard.store.parquet;

import java.io.IOException;

/**
 * A rows file that is not the Parquet part it should be (truncated, rewritten, another file), named: Parquet's own
 * messages name no file ("footer is too large"), or an object's identity. Its contents are at fault, not the reading:
 * a reader that names what to do (an update's publish, classify) tells it from a failure to read or write.
 */
public final class UnreadablePartException extends IOException {
    public UnreadablePartException(String file, String column, Exception cause) {
        super(file + " is not a readable Orchard '" + column + "' part (" + (cause.getMessage() != null
                ? cause.getMessage() : cause.toString()) + "): damaged or replaced since it was written?", cause);
    }
}
