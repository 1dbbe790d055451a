package dev.orchard.worker.model;

/** The model cannot be used as given; the message says what is wrong and what to do. */
public final class ModelException extends Exception {

    public ModelException(String message) {
        super(message);
    }

    public ModelException(String message, Throwable cause) {
        super(message, cause);
    }
}
