package dev.orchard.store;

import java.io.IOException;

/** An object larger than its reader allows ({@code --max-object-bytes}): it was not read, and a retry will not help. */
public final class ObjectTooLargeException extends IOException {

    public ObjectTooLargeException(Location location, long size, long maxBytes) {
        super(location + (size >= 0 ? " is " + size + " bytes, more" : " is more") + " than --max-object-bytes ("
                + maxBytes + "): not read");
    }
}
