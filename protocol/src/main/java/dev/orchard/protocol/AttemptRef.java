package dev.orchard.protocol;

/**
 * One attempt at one unit: which coordinator incarnation ({@code epoch}) handed it out, the unit, and the attempt
 * number within that incarnation. Its files carry all three in their names, so no two attempts ever write the
 * same file, whichever coordinator they served.
 */
public record AttemptRef(long epoch, int unit, int attempt) {

    @Override
    public String toString() {
        return "unit " + unit + " attempt " + attempt + " (" + Long.toHexString(epoch) + ")";
    }
}
