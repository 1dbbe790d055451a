package dev.orchard.predict;

/**
 * A classifier file that cannot be used: not an Orchard classifier, or trained on other vectors than the ones it
 * is given. The message names the file and says what to do; no stack trace is needed.
 */
public final class ClassifierException extends IllegalArgumentException {

    public ClassifierException(String message) {
        super(message);
    }

    public ClassifierException(String message, Throwable cause) {
        super(message, cause);
    }
}
