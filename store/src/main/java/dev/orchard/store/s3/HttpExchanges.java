package dev.orchard.store.s3;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Semaphore;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * HTTP/1.1 requests without a request body (GET, HEAD) on pooled keep-alive connections: what {@link S3Requests}
 * sends by the million, and nothing more (no redirects, cookies, authentication, proxies, compression, Expect).
 * HTTPS is the JVM's TLS with its default trust store ({@code javax.net.ssl.trustStore}) and host name verification.
 *
 * <p>Why not Apache HttpClient 5 (which the SDK client still uses for everything else): even its minimal classic
 * client was a third of the JIT compilation of a job reading 10,000 small objects and a quarter of the CPU of each
 * GET once compiled (its execution chain, connection pool with leases and routes, header and line parsers);
 * a job pays that compilation again in every fresh JVM (bench/README.md, issue 18). This is a few hundred lines of
 * straight-line code: a request head written in one call, a status line and headers parsed from the connection's
 * own buffer, and a body bounded by its Content-Length (or chunked, or until the connection closes).
 *
 * <p>At most {@code maxConnections} connections are in use at once (a caller waits for one); an idle connection is
 * reused newest first, and checked to be still open when it has been idle for a while (servers close idle
 * connections; S3 after ~20 s). Timeouts: connect and socket (each read), as configured.
 */
final class HttpExchanges implements AutoCloseable {

    /** An idle connection older than this is checked before it is reused. */
    private static final Duration VALIDATE_AFTER = Duration.ofSeconds(2);
    private static final int BUFFER = 16 << 10;
    private static final int MAX_HEAD_LINE = 16 << 10;
    private static final int MAX_HEADERS = 200;

    private final int connectTimeoutMillis;
    private final int socketTimeoutMillis;
    private final long validateAfterNanos;
    private final Semaphore permits;
    private final Map<Endpoint, ConcurrentLinkedDeque<Connection>> idle = new ConcurrentHashMap<>();
    private final SSLSocketFactory tls; // null: S3Tls's, shared by the JVM
    private volatile boolean closed;

    HttpExchanges(int maxConnections, Duration connectTimeout, Duration socketTimeout) {
        this(maxConnections, connectTimeout, socketTimeout, VALIDATE_AFTER);
    }

    HttpExchanges(int maxConnections, Duration connectTimeout, Duration socketTimeout, Duration validateAfter) {
        this(maxConnections, connectTimeout, socketTimeout, validateAfter, null);
    }

    /** With {@code tls} for HTTPS connections instead of {@link S3Tls}'s with the JVM's trust store (null: that one). */
    HttpExchanges(int maxConnections, Duration connectTimeout, Duration socketTimeout, Duration validateAfter,
                  SSLSocketFactory tls) {
        this.tls = tls;
        this.validateAfterNanos = validateAfter.toNanos();
        this.permits = new Semaphore(maxConnections, true);
        this.connectTimeoutMillis = (int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis());
        this.socketTimeoutMillis = (int) Math.min(Integer.MAX_VALUE, socketTimeout.toMillis());
    }

    /** Where requests go: HTTPS or not, the host to connect to (a name or an address, IPv6 without brackets), and the port. */
    record Endpoint(boolean https, String host, int port) {
        Endpoint {
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1); // as URI.getHost() gives an IPv6 literal
            }
        }
    }

    /**
     * Sends {@code method target} with {@code headers} (name, value, name, value...; Host among them) and returns
     * the answer once its head has arrived. Close the answer (reading its body first to keep the connection).
     */
    Response send(Endpoint endpoint, String method, String target, List<String> headers) throws IOException {
        if (closed) {
            throw new IOException("Connection pool shut down");
        }
        try {
            permits.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("Interrupted while waiting for a connection");
        }
        Connection connection = null;
        try {
            connection = lease(endpoint);
            StringBuilder head = new StringBuilder(512).append(method).append(' ').append(target).append(" HTTP/1.1\r\n");
            for (int i = 0; i < headers.size(); i += 2) {
                head.append(headers.get(i)).append(": ").append(headers.get(i + 1)).append("\r\n");
            }
            head.append("\r\n");
            connection.out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
            connection.out.flush();
            Response response = connection.readHead("HEAD".equals(method));
            connection = null; // the answer owns it now
            return response;
        } catch (IOException | RuntimeException | Error e) {
            if (connection != null) {
                connection.discard();
            }
            permits.release();
            throw e;
        }
    }

    @Override
    public void close() {
        closed = true;
        for (ConcurrentLinkedDeque<Connection> connections : idle.values()) {
            Connection c;
            while ((c = connections.pollFirst()) != null) {
                c.discard();
            }
        }
    }

    private Connection lease(Endpoint endpoint) throws IOException {
        ConcurrentLinkedDeque<Connection> pool = idle.computeIfAbsent(endpoint, k -> new ConcurrentLinkedDeque<>());
        Connection c;
        while ((c = pool.pollFirst()) != null) {
            if (System.nanoTime() - c.idleSince < validateAfterNanos || c.stillOpen()) {
                return c;
            }
            c.discard();
        }
        return connect(endpoint, pool);
    }

    private Connection connect(Endpoint endpoint, ConcurrentLinkedDeque<Connection> pool) throws IOException {
        Socket socket = endpoint.https() ? new BufferedInputSocket() : new Socket();
        try {
            socket.setTcpNoDelay(true);
            try {
                socket.connect(new InetSocketAddress(endpoint.host(), endpoint.port()), connectTimeoutMillis);
            } catch (SocketTimeoutException e) {
                // No connection at all (a firewall dropping packets, a wrong address), not a server slow to answer:
                // reported as unreachable, as a refused connection is.
                throw new ConnectException("no connection to " + endpoint.host() + ":" + endpoint.port() + " within "
                        + connectTimeoutMillis + " ms");
            }
            socket.setSoTimeout(socketTimeoutMillis);
            if (endpoint.https()) {
                SSLSocket ssl = (SSLSocket) tls().createSocket(socket, endpoint.host(), endpoint.port(), true);
                SSLParameters parameters = ssl.getSSLParameters();
                parameters.setEndpointIdentificationAlgorithm("HTTPS"); // the certificate must name the host
                ssl.setSSLParameters(parameters);
                ssl.startHandshake();
                socket = ssl;
            }
            return new Connection(socket, pool);
        } catch (IOException | RuntimeException e) {
            closeQuietly(socket);
            throw e;
        }
    }

    /**
     * The plain socket under a TLS connection, its input read through a buffer: the JVM's TLS reads a record in two
     * reads of its socket (the 5-byte header, then the body), each a system call; through the buffer, one read takes
     * in what has arrived, a small object's whole answer. 10,200 GETs of 4.6 KB over HTTPS made 31,189 reads and
     * 7,714 polls before, 17,656 and 4,761 so; the GETs' CPU once compiled fell from 0.052 to 0.047 ms each
     * ({@code ReadCpu}, 4 threads, 3 alternated pairs; bench/README.md, seventeenth session).
     */
    private static final class BufferedInputSocket extends Socket {
        private InputStream in;

        @Override
        public synchronized InputStream getInputStream() throws IOException {
            if (in == null) {
                in = new BufferedInputStream(super.getInputStream(), 2 * BUFFER);
            }
            return in;
        }
    }

    /** The given TLS, else {@link S3Tls}'s with the JVM's trust store (made once per JVM, on its first HTTPS connection). */
    private SSLSocketFactory tls() throws IOException {
        return tls != null ? tls : S3Tls.socketFactory();
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing: nothing to do about it
        }
    }

    /** An answer: its status and headers, and its body as a stream. */
    final class Response implements AutoCloseable {
        private final Connection connection;
        private final int status;
        private final List<String> headers; // name, value, name, value...
        private final long contentLength;   // -1 when unknown
        private final InputStream body;
        private boolean reusable;
        private boolean done;

        private Response(Connection connection, int status, List<String> headers, long contentLength, InputStream body,
                         boolean reusable) {
            this.connection = connection;
            this.status = status;
            this.headers = headers;
            this.contentLength = contentLength;
            this.body = body;
            this.reusable = reusable;
        }

        int status() {
            return status;
        }

        /** The first header of that name (case-insensitive), its value trimmed; null when absent. */
        String header(String name) {
            for (int i = 0; i < headers.size(); i += 2) {
                if (headers.get(i).equalsIgnoreCase(name)) {
                    return headers.get(i + 1);
                }
            }
            return null;
        }

        /** Every header as name, value, name, value... */
        List<String> headers() {
            return headers;
        }

        /** The body's length from Content-Length, or -1 (chunked, or until the connection closes). */
        long contentLength() {
            return contentLength;
        }

        InputStream body() {
            return body;
        }

        /** Drops the connection instead of reading the rest of the body. */
        void abort() {
            reusable = false;
            close();
        }

        /** Returns the connection to the pool when the body was read to its end, else closes it. */
        @Override
        public void close() {
            if (done) {
                return;
            }
            done = true;
            try {
                if (reusable && !closed && body.read() == -1) {
                    connection.idleSince = System.nanoTime();
                    connection.pool.offerFirst(connection);
                } else {
                    connection.discard();
                }
            } catch (IOException e) {
                connection.discard();
            } finally {
                permits.release();
            }
        }
    }

    /** One socket and its read buffer. */
    private final class Connection {
        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;
        private final ConcurrentLinkedDeque<Connection> pool;
        private final byte[] buffer = new byte[BUFFER];
        private int position;
        private int limit;
        private long idleSince;

        Connection(Socket socket, ConcurrentLinkedDeque<Connection> pool) throws IOException {
            this.socket = socket;
            this.in = socket.getInputStream();
            this.out = socket.getOutputStream();
            this.pool = pool;
        }

        /** Whether the server has not closed this idle connection (nor sent anything unasked). */
        boolean stillOpen() {
            if (position < limit) {
                return false;
            }
            try {
                socket.setSoTimeout(1);
                try {
                    in.read(buffer, 0, buffer.length);
                    return false; // closed (-1), or bytes nobody asked for
                } finally {
                    socket.setSoTimeout(socketTimeoutMillis);
                }
            } catch (SocketTimeoutException e) {
                return true; // nothing to read: still open
            } catch (IOException e) {
                return false;
            }
        }

        void discard() {
            closeQuietly(socket);
        }

        Response readHead(boolean head) throws IOException {
            if (position == limit) {
                fill(); // nothing read: readLine says so
            }
            if (limit - position >= 2 && (buffer[position] == TLS_ALERT || buffer[position] == TLS_HANDSHAKE)
                    && buffer[position + 1] == 3) { // a TLS record's type and major version, where "HTTP/" should be
                throw new TlsAnswerException();
            }
            String statusLine;
            int status;
            do {
                statusLine = readLine(true);
                if (!statusLine.startsWith("HTTP/") || statusLine.length() < 12 || statusLine.charAt(8) != ' ') {
                    throw new IOException("Not an HTTP answer: " + abbreviate(statusLine));
                }
                try {
                    status = Integer.parseInt(statusLine, 9, 12, 10);
                } catch (NumberFormatException e) {
                    throw new IOException("Not an HTTP status line: " + abbreviate(statusLine));
                }
                if (status >= 100 && status < 200) {
                    while (!readLine(false).isEmpty()) {
                        // headers of an interim answer: skipped
                    }
                }
            } while (status >= 100 && status < 200);
            boolean reusable = statusLine.startsWith("HTTP/1.1");
            List<String> headers = new ArrayList<>(24);
            long contentLength = -1;
            boolean chunked = false;
            String line;
            while (!(line = readLine(false)).isEmpty()) {
                int colon = line.indexOf(':');
                if (colon <= 0 || headers.size() >= 2 * MAX_HEADERS) {
                    throw new IOException("Malformed HTTP header: " + abbreviate(line));
                }
                String name = line.substring(0, colon).trim();
                String value = line.substring(colon + 1).trim();
                headers.add(name);
                headers.add(value);
                if (name.equalsIgnoreCase("Content-Length")) {
                    try {
                        contentLength = Long.parseLong(value);
                    } catch (NumberFormatException e) {
                        throw new IOException("Malformed Content-Length: " + abbreviate(value));
                    }
                } else if (name.equalsIgnoreCase("Transfer-Encoding")) {
                    chunked = value.toLowerCase(java.util.Locale.ROOT).endsWith("chunked");
                } else if (name.equalsIgnoreCase("Connection")) {
                    if (value.equalsIgnoreCase("close")) {
                        reusable = false;
                    }
                }
            }
            InputStream body;
            if (head || status == 204 || status == 304) {
                body = InputStream.nullInputStream();
                contentLength = head ? contentLength : 0;
            } else if (chunked) {
                body = new Chunked();
                contentLength = -1;
            } else if (contentLength >= 0) {
                body = new Bounded(contentLength);
            } else {
                body = new Bounded(Long.MAX_VALUE); // until the server closes the connection
                reusable = false;
            }
            return new Response(this, status, headers, contentLength, body, reusable);
        }

        /** A line of the head, without its CR LF, in ISO-8859-1. */
        private String readLine(boolean first) throws IOException {
            StringBuilder line = null;
            while (true) {
                if (position == limit && !fill()) {
                    throw first && line == null
                            ? new NoAnswerException("The server closed the connection without answering")
                            : new EOFException("The server closed the connection in the middle of an answer's head");
                }
                for (int i = position; i < limit; i++) {
                    if (buffer[i] == '\n') {
                        int end = i > position && buffer[i - 1] == '\r' ? i - 1 : i;
                        String part = new String(buffer, position, end - position, StandardCharsets.ISO_8859_1);
                        position = i + 1;
                        if (line == null) {
                            return part;
                        }
                        line.append(part);
                        int n = line.length();
                        return n > 0 && line.charAt(n - 1) == '\r' ? line.substring(0, n - 1) : line.toString();
                    }
                }
                if (line == null) {
                    line = new StringBuilder(256);
                }
                line.append(new String(buffer, position, limit - position, StandardCharsets.ISO_8859_1));
                position = limit;
                if (line.length() > MAX_HEAD_LINE) {
                    throw new IOException("An HTTP header line longer than " + MAX_HEAD_LINE + " characters");
                }
            }
        }

        private boolean fill() throws IOException {
            int n = in.read(buffer, 0, buffer.length);
            if (n <= 0) {
                return false;
            }
            position = 0;
            limit = n;
            return true;
        }

        /** Up to {@code length} bytes of the body: from the buffer first, then straight from the socket. */
        private int read(byte[] target, int offset, int length) throws IOException {
            if (position < limit) {
                int n = Math.min(length, limit - position);
                System.arraycopy(buffer, position, target, offset, n);
                position += n;
                return n;
            }
            if (length >= buffer.length) {
                return in.read(target, offset, length);
            }
            if (!fill()) {
                return -1;
            }
            return read(target, offset, length);
        }

        private int read() throws IOException {
            if (position == limit && !fill()) {
                return -1;
            }
            return buffer[position++] & 0xFF;
        }

        /** A response body: read in blocks; a single byte is a block of one (the decoders never ask for one). */
        private abstract static class BodyStream extends InputStream {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) == -1 ? -1 : one[0] & 0xFF;
            }
        }

        /** A body of a known length (or, with Long.MAX_VALUE, until the connection closes). */
        private final class Bounded extends BodyStream {
            private long remaining;

            Bounded(long length) {
                this.remaining = length;
            }

            @Override
            public int read(byte[] target, int offset, int length) throws IOException {
                if (remaining == 0) {
                    return -1;
                }
                if (length == 0) {
                    return 0;
                }
                int n = Connection.this.read(target, offset, (int) Math.min(length, remaining));
                if (n < 0) {
                    if (remaining == Long.MAX_VALUE) {
                        remaining = 0;
                        return -1;
                    }
                    throw new EOFException("The server closed the connection with " + remaining
                            + " bytes of the body still to come");
                }
                if (remaining != Long.MAX_VALUE) {
                    remaining -= n;
                }
                return n;
            }
        }

        /** A chunked body (RFC 9112, section 7.1); trailers are read and ignored. */
        private final class Chunked extends BodyStream {
            private long remaining; // of the current chunk
            private boolean end;

            @Override
            public int read(byte[] target, int offset, int length) throws IOException {
                if (end) {
                    return -1;
                }
                if (length == 0) {
                    return 0;
                }
                if (remaining == 0) {
                    String sizeLine = readLine(false);
                    int extension = sizeLine.indexOf(';');
                    String size = (extension >= 0 ? sizeLine.substring(0, extension) : sizeLine).trim();
                    try {
                        remaining = Long.parseLong(size, 16);
                    } catch (NumberFormatException e) {
                        throw new IOException("Malformed chunk size: " + abbreviate(sizeLine));
                    }
                    if (remaining < 0) {
                        throw new IOException("Malformed chunk size: " + abbreviate(sizeLine));
                    }
                    if (remaining == 0) {
                        while (!readLine(false).isEmpty()) {
                            // trailers: ignored
                        }
                        end = true;
                        return -1;
                    }
                }
                int n = Connection.this.read(target, offset, (int) Math.min(length, remaining));
                if (n < 0) {
                    throw new EOFException("The server closed the connection in the middle of a chunk");
                }
                remaining -= n;
                if (remaining == 0 && !readLine(false).isEmpty()) {
                    throw new IOException("Malformed chunked body: no line end after a chunk");
                }
                return n;
            }
        }
    }

    /** The first byte of a TLS alert record, and of a handshake record. */
    private static final byte TLS_ALERT = 0x15;
    private static final byte TLS_HANDSHAKE = 0x16;

    /** A plain HTTP request was answered with a TLS record: the server speaks HTTPS (its port, given as http://). */
    static final class TlsAnswerException extends IOException {
        TlsAnswerException() {
            super("The server answered with TLS, not plain HTTP");
        }
    }

    /** The server closed a connection without answering (typically an idle one it had just timed out). */
    static final class NoAnswerException extends IOException {
        NoAnswerException(String message) {
            super(message);
        }
    }

    private static String abbreviate(String text) {
        return text.length() <= 80 ? text : text.substring(0, 80) + "...";
    }
}
