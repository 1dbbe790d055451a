package dev.orchard.observe;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Where a node serves its status page, {@code /metrics} and {@code /ready}: {@code --http HOST:PORT}. Port 0 takes any
 * free port (the command prints which). Loopback unless the user names another address.
 */
public record HttpAddress(String host, int port) {
    public static final String LOOPBACK = "127.0.0.1";
    public static final int COORDINATOR_PORT = 8558;
    public static final int WORKER_PORT = 8559;

    public HttpAddress {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("--http " + host + ":" + port + ": the port must be 0 (any free one) to 65535");
        }
    }

    /** {@code HOST:PORT}, {@code :PORT} (loopback) or {@code [IPv6]:PORT}. */
    public static HttpAddress parse(String text) {
        String t = text.strip();
        int colon = t.lastIndexOf(':');
        if (colon < 0 || (t.indexOf(':') != colon && !t.startsWith("["))) {
            throw new IllegalArgumentException("--http '" + text + "' must be HOST:PORT, e.g. 127.0.0.1:8558 (0.0.0.0:8558"
                    + " to serve every interface, port 0 for any free port)");
        }
        String host = t.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        if (host.isEmpty()) {
            host = LOOPBACK;
        }
        int port;
        try {
            port = Integer.parseInt(t.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--http '" + text + "': the port must be a number, e.g. 127.0.0.1:8558");
        }
        return new HttpAddress(host, port);
    }

    public static HttpAddress loopback(int port) {
        return new HttpAddress(LOOPBACK, port);
    }

    /** Whether only this machine can connect (the default); anything else is worth a warning. */
    public boolean isLoopback() {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /**
     * Refuses an address this process cannot listen on now ({@link PortProbe}: a millisecond, where starting the
     * endpoint takes ~0.5 s), so that a bad {@code --http} is refused before a job starts even when the endpoint itself
     * starts later.
     *
     * @throws IllegalArgumentException as {@link NodeHttp#start} does: {@link #cannotListen}
     */
    public void requireListenable() {
        try {
            PortProbe.listen(host, port);
        } catch (java.io.IOException | SecurityException e) {
            throw cannotListen(e);
        }
    }

    /** The error for a status page that cannot listen here, naming {@code --http}, the reason and what to do. */
    IllegalArgumentException cannotListen(Throwable cause) {
        return new IllegalArgumentException("--http " + this + ": cannot listen there (" + reason(cause)
                + "). Give a free port with --http HOST:PORT (port 0 takes any free one), or turn it off with --no-http.",
                cause);
    }

    private static String reason(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof java.net.BindException || t instanceof UnknownHostException) {
                return t.getMessage();
            }
        }
        return cause.getMessage() != null ? cause.getMessage() : cause.toString();
    }

    @Override
    public String toString() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
