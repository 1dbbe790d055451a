package dev.orchard.store;

import java.io.IOException;

/**
 * A location this process cannot use as given, and that trying again will not change: a bucket that does not exist,
 * credentials missing or refused, access denied, a bucket in another region, nothing at the prefix, a folder it may
 * not read or write. Its message names the location and what the user can change (an option, a permission); a
 * command that meets one while checking its options exits as for any other bad option (2), where a transient
 * failure (an endpoint that does not answer, throttling) exits 1.
 */
public final class UnusableLocationException extends IOException {

    public UnusableLocationException(String message) {
        super(message);
    }

    public UnusableLocationException(String message, Throwable cause) {
        super(message, cause);
    }
}
