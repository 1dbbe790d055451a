package dev.orchard.worker;

/** Whether this JVM has begun to exit (a signal, Ctrl-C, {@code System.exit}). */
public final class JvmExit {
    private JvmExit() {
    }

    /**
     * True once the JVM's exit has begun. The JDK has no query for it; registering a hook is refused
     * ({@code IllegalStateException}) once shutdown has begun. Ask after something failed: a failure that the exit
     * caused is then always seen as such, since the exit began before the failure was thrown.
     */
    public static boolean began() {
        Thread probe = new Thread(() -> { }, "orchard-shutdown-probe");
        try {
            Runtime.getRuntime().addShutdownHook(probe);
            Runtime.getRuntime().removeShutdownHook(probe);
            return false;
        } catch (IllegalStateException e) {
            return true;
        }
    }
}
