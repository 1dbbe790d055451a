package dev.orchard.store.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.Provider;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;
import org.conscrypt.Conscrypt;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link HttpExchanges} over TLS against a scripted TLS server (the JVM's): answers whose records are cut anywhere (a
 * header split over records, bodies of many records, larger than the connection's buffers) are read byte for byte, a
 * connection is reused, and a certificate for another host name is refused. Each with both TLS implementations
 * {@link S3Tls} may choose: Conscrypt's and the JVM's. The keys are made by the JDK's keytool.
 */
class HttpExchangesTlsTest {
    private static final String PASSWORD = "test-only";

    @TempDir
    static Path keys;
    private static KeyStore forLocalhost;
    private static KeyStore forElsewhere;

    private SSLServerSocket server;
    private final BlockingQueue<Answer> answers = new LinkedBlockingQueue<>();
    private final CountDownLatch closedByServer = new CountDownLatch(1);
    private final AtomicInteger connections = new AtomicInteger();
    private HttpExchanges http;
    private HttpExchanges.Endpoint endpoint;

    @BeforeAll
    static void makeKeys() throws Exception {
        forLocalhost = selfSigned("local", "ip:127.0.0.1");
        forElsewhere = selfSigned("elsewhere", "dns:elsewhere.example");
    }

    @AfterEach
    void stop() throws IOException {
        if (http != null) {
            http.close();
        }
        if (server != null) {
            server.close();
        }
    }

    /**
     * Starts the server with {@code key}, and a client that trusts {@code trusted} and checks an idle connection before
     * reusing it once it has been idle for {@code validateAfter}.
     */
    private void start(Provider tls, KeyStore key, KeyStore trusted, Duration validateAfter) throws Exception {
        start(tls, key, trusted, validateAfter, Duration.ofSeconds(10));
    }

    /** As above, the client waiting at most {@code socketTimeout} for each read. */
    private void start(Provider tls, KeyStore key, KeyStore trusted, Duration validateAfter, Duration socketTimeout)
            throws Exception {
        KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keyManagers.init(key, PASSWORD.toCharArray());
        SSLContext serverContext = SSLContext.getInstance("TLS");
        serverContext.init(keyManagers.getKeyManagers(), null, null);
        server = (SSLServerSocket) serverContext.getServerSocketFactory().createServerSocket(0);
        http = new HttpExchanges(2, Duration.ofSeconds(10), socketTimeout, validateAfter, trusting(tls, trusted));
        endpoint = new HttpExchanges.Endpoint(true, "127.0.0.1", server.getLocalPort());
        ScriptedServers.acceptEach(server, connections, this::serve);
    }

    /** An answer's bytes in the pieces the server writes, each flushed; then the connection stays open, or not. */
    private record Answer(byte[][] pieces, boolean thenClose) {
    }

    /** Reads request heads; answers each with the next queued answer, each piece written (and so sent) on its own. */
    private void serve(Socket socket) {
        try (socket; InputStream in = socket.getInputStream(); OutputStream out = socket.getOutputStream()) {
            while (ScriptedServers.readHead(in) != null) {
                Answer answer = answers.take();
                for (byte[] piece : answer.pieces()) {
                    out.write(piece);
                    out.flush(); // each piece its own TLS record (or several, past 16 KB)
                }
                if (answer.thenClose()) {
                    // As a server closes an idle connection: TLS's close_notify, then FIN.
                    ScriptedServers.closeAndAwaitClientSawIt(socket);
                    closedByServer.countDown();
                    return;
                }
            }
        } catch (IOException | InterruptedException e) {
            // the client went away, or the handshake failed
        }
    }


    /** An answer with {@code body}, cut into pieces at {@code cuts} (offsets into the whole answer). */
    private static Answer answer(byte[] body, int... cuts) {
        byte[] head = ("HTTP/1.1 200 OK\r\nContent-Length: " + body.length + "\r\nETag: \"e\"\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1);
        byte[] whole = Arrays.copyOf(head, head.length + body.length);
        System.arraycopy(body, 0, whole, head.length, body.length);
        byte[][] pieces = new byte[cuts.length + 1][];
        int from = 0;
        for (int i = 0; i <= cuts.length; i++) {
            int to = i < cuts.length ? cuts[i] : whole.length;
            pieces[i] = Arrays.copyOfRange(whole, from, to);
            from = to;
        }
        return new Answer(pieces, false);
    }

    private byte[] get(String path) throws IOException {
        try (HttpExchanges.Response response = http.send(endpoint, "GET", path, List.of("Host", "127.0.0.1"))) {
            assertThat(response.status()).isEqualTo(200);
            assertThat(response.header("ETag")).isEqualTo("\"e\"");
            return response.body().readAllBytes();
        }
    }

    private static byte[] bytes(int length, long seed) {
        byte[] b = new byte[length];
        new Random(seed).nextBytes(b);
        return b;
    }

    @ParameterizedTest
    @MethodSource("implementations")
    void readsAnswersCutIntoRecordsAnywhereAndReusesTheConnection(Provider tls) throws Exception {
        start(tls, forLocalhost, forLocalhost, Duration.ofSeconds(30));
        byte[] small = bytes(4_700, 1);
        byte[] large = bytes(200_000, 2); // 13 records of at most 16 KB, more than the connection's buffers
        answers.add(answer(small)); // head and body in one record
        answers.add(answer(small, 1, 5, 17, 40)); // the status line and a header cut across records
        answers.add(answer(large));
        answers.add(answer(large, 3, 70, 16_000, 16_500, 100_001));
        answers.add(answer(new byte[0]));
        assertThat(get("/b/small")).isEqualTo(small);
        assertThat(get("/b/small-cut")).isEqualTo(small);
        assertThat(get("/b/large")).isEqualTo(large);
        assertThat(get("/b/large-cut")).isEqualTo(large);
        assertThat(get("/b/empty")).isEmpty();
        assertThat(connections.get()).isEqualTo(1);
    }

    @ParameterizedTest
    @MethodSource("implementations")
    void anIdleConnectionTheServerClosedIsReplacedAndAnOpenOneReused(Provider tls) throws Exception {
        start(tls, forLocalhost, forLocalhost, Duration.ZERO); // every idle connection is checked before it is reused
        byte[] first = bytes(10, 3);
        answers.add(answer(first));
        answers.add(new Answer(answer(first).pieces(), true));
        answers.add(answer(first));
        assertThat(get("/first")).isEqualTo(first);
        assertThat(get("/second")).isEqualTo(first); // the same connection: still open
        assertThat(connections.get()).isEqualTo(1);
        // Set once the client's socket has taken in the close_notify and the FIN.
        assertThat(closedByServer.await(60, TimeUnit.SECONDS)).as("the client's socket took in the close").isTrue();
        assertThat(get("/third")).isEqualTo(first); // the closed one is found closed, and replaced
        assertThat(connections.get()).isEqualTo(2);
    }

    @ParameterizedTest
    @MethodSource("implementations")
    void anAnswerThatNeverComesTimesOutInsteadOfHanging(Provider tls) throws Exception {
        // No answer queued: the server takes in the request and waits. The client's read must give up (a fetch that
        // waited for ever would keep its unit, and the job, from ending).
        start(tls, forLocalhost, forLocalhost, Duration.ofSeconds(30), Duration.ofMillis(300));
        assertThatThrownBy(() -> get("/b/silent")).isInstanceOf(SocketTimeoutException.class);
        answers.add(new Answer(new byte[0][], true)); // lets the server's thread go
    }

    @ParameterizedTest
    @MethodSource("implementations")
    void aHandshakeThatNeverComesTimesOut(Provider tls) throws Exception {
        // A server that takes the connection and never says a word: the handshake must give up too.
        List<Socket> held = new java.util.concurrent.CopyOnWriteArrayList<>(); // open, silent, until the end
        try (java.net.ServerSocket mute = new java.net.ServerSocket(0, 5, java.net.InetAddress.getLoopbackAddress());
             HttpExchanges client = new HttpExchanges(2, Duration.ofSeconds(10), Duration.ofMillis(300),
                     Duration.ofSeconds(30), trusting(tls, forLocalhost))) {
            ScriptedServers.acceptEach(mute, connections, held::add);
            HttpExchanges.Endpoint muteEndpoint = new HttpExchanges.Endpoint(true, "127.0.0.1", mute.getLocalPort());
            assertThatThrownBy(() -> client.send(muteEndpoint, "GET", "/b/k", List.of("Host", "127.0.0.1")).close())
                    .isInstanceOf(SocketTimeoutException.class);
        } finally {
            for (Socket s : held) {
                s.close();
            }
        }
    }

    @ParameterizedTest
    @MethodSource("implementations")
    void aCertificateForAnotherHostIsRefused(Provider tls) throws Exception {
        // Trusted, but the certificate names elsewhere.example, not 127.0.0.1.
        start(tls, forElsewhere, forElsewhere, Duration.ofSeconds(30));
        answers.add(answer(bytes(10, 4)));
        assertThatThrownBy(() -> get("/b/k")).isInstanceOf(IOException.class)
                .hasMessageContaining("subject alternative names matching IP address 127.0.0.1");
    }

    private static SSLSocketFactory trusting(Provider tls, KeyStore trusted) throws Exception {
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trusted);
        return S3Tls.context(tls, trust.getTrustManagers()).getSocketFactory();
    }

    /** The TLS implementations {@link S3Tls} chooses from: Conscrypt's (null where it does not load) and the JVM's. */
    static Stream<Named<Provider>> implementations() {
        return Stream.of(Named.of("Conscrypt", Conscrypt.newProvider()), Named.of("the JVM's TLS", null));
    }

    @Test
    void theJvmsTlsServesWhereConscryptDoesNotLoadOrWhenAskedFor() {
        Provider conscrypt = Conscrypt.newProvider();
        assertThat(S3Tls.choose("", () -> {
            throw new UnsatisfiedLinkError("no libconscrypt_openjdk_jni-linux-x86_64 in java.library.path");
        })).as("its library does not load").isNull();
        assertThat(S3Tls.choose("jdk", () -> conscrypt)).as("-Dorchard.tls=jdk").isNull();
        assertThat(S3Tls.choose("", () -> conscrypt)).isSameAs(conscrypt);
    }

    @Test
    void conscryptIsChosenWhereItLoads() throws Exception {
        // Linux on x86_64 and aarch64, macOS, Windows: the platforms its jar carries a library for.
        assertThat(Conscrypt.isAvailable()).as("Conscrypt's native library loads on this platform").isTrue();
        Provider chosen = S3Tls.provider();
        assertThat(chosen).isNotNull();
        assertThat(chosen.getName()).isEqualTo("Conscrypt");
        assertThat(S3Tls.socketFactory().getClass().getName()).startsWith("org.conscrypt.");
        assertThat(S3Tls.socketFactory()).as("made once per JVM, as SSLContext.getDefault()").isSameAs(S3Tls.socketFactory());
    }

    /** A key pair and its self-signed certificate with the subject alternative name {@code san}, made by keytool. */
    private static KeyStore selfSigned(String name, String san) throws Exception {
        Path file = keys.resolve(name + ".p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", name, "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=" + name,
                "-ext", "san=" + san, "-validity", "2", "-keystore", file.toString(), "-storetype", "PKCS12",
                "-storepass", PASSWORD, "-keypass", PASSWORD).redirectErrorStream(true).start();
        String output = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(keytool.waitFor()).as("keytool: %s", output).isZero();
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(file)) {
            store.load(in, PASSWORD.toCharArray());
        }
        return store;
    }
}
