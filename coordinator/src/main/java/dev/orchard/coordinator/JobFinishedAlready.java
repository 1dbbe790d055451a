package dev.orchard.coordinator;

/**
 * A coordinator's refusal to start on an output whose job has finished ({@code _SUCCESS} is there): nothing is left
 * to do, and nothing may be written after {@code _SUCCESS}. Not a failure of the job: a standby coordinator node meets
 * it whenever the first one finishes, since the singleton moves to the standby as the first leaves.
 */
public final class JobFinishedAlready extends IllegalArgumentException {
    public JobFinishedAlready(String output) {
        super(message(output));
    }

    /** What a user is told when the job in {@code output} has finished already (its name escaped to be printed). */
    public static String message(String output) {
        return "the job in " + dev.orchard.store.Printable.escaped(output)
                + " has finished already (see its _SUCCESS): nothing to resume";
    }
}
