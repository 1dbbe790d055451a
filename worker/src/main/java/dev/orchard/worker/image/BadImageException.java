package dev.orchard.worker.image;

/** An input that cannot be used as an image; the message is the reason written to errors.csv. */
public final class BadImageException extends Exception {

    public BadImageException(String reason) {
        super(reason);
    }

    public BadImageException(String reason, Throwable cause) {
        super(reason, cause);
    }
}
