package dev.orchard.classify;

/** A problem with the user's input or options, with a message that says what to change; no stack trace needed. */
public final class ClassifyException extends RuntimeException {

    public ClassifyException(String message) {
        super(message);
    }
}
