package dev.orchard.store.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.orchard.store.Location;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** Each way a user's S3 configuration goes wrong, caught before any work starts, with a message that says what to do. */
class S3ConfigErrorsTest {

    private static S3TestServer server;
    private static FaultInjectingProxy proxy;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() throws Exception {
        server = S3TestServer.start("bucket");
        proxy = FaultInjectingProxy.start(server.port(), 0, 1, 0);
    }

    @AfterAll
    static void stop() throws Exception {
        proxy.close();
        server.close();
    }

    @AfterEach
    void restore() {
        proxy.clearRules();
        S3TestServer.useTestCredentials();
    }

    private static Location s3(String uri) {
        return Location.parse(uri);
    }

    private static S3Settings quick(URI endpoint) {
        return S3TestServer.settingsFor(endpoint).toBuilder().maxAttempts(2).build();
    }

    @Test
    void missingBucketIsNamed() throws Exception {
        try (S3ObjectStore store = S3ObjectStore.create(server.settings())) {
            assertThatThrownBy(() -> store.checkWritable(s3("s3://no-such-bucket/results/run1")))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("Bucket 'no-such-bucket' does not exist at " + server.endpoint())
                    .hasMessageContaining("s3://no-such-bucket/results/run1")
                    .hasMessageContaining("create the bucket");
            assertThatThrownBy(() -> store.checkReadable(s3("s3://no-such-bucket/images/")))
                    .hasMessageContaining("Bucket 'no-such-bucket' does not exist");
            assertThatThrownBy(() -> store.list(s3("s3://no-such-bucket/images/")).close())
                    .hasMessageContaining("Bucket 'no-such-bucket' does not exist");
        }
    }

    @Test
    void wrongCredentialsAreRejectedWithTheirCode() throws Exception {
        System.setProperty("aws.secretAccessKey", "not-the-secret");
        try (S3ObjectStore store = S3ObjectStore.create(server.settings())) {
            assertThatThrownBy(() -> store.checkWritable(s3("s3://bucket/out")))
                    .hasMessageContaining("S3 rejected the credentials trying to write to s3://bucket/out")
                    .hasMessageContaining("SignatureDoesNotMatch")
                    .hasMessageNotContaining("not-the-secret");
        }
        System.setProperty("aws.accessKeyId", "unknown-key");
        try (S3ObjectStore store = S3ObjectStore.create(server.settings())) {
            assertThatThrownBy(() -> store.checkReadable(s3("s3://bucket/images")))
                    .hasMessageContaining("S3 rejected the credentials trying to list s3://bucket/images")
                    .hasMessageContaining("InvalidAccessKeyId");
        }
    }

    /**
     * The AWS SDK signs a key with an empty segment otherwise than S3 reads it (aws/aws-sdk-java-v2#3749): an output
     * at s3://b/out//x was refused as "S3 rejected the credentials", which were good (a user's report).
     */
    @Test
    void aKeyWithAnEmptySegmentIsNamedAsTheCauseNotTheCredentials() throws Exception {
        try (S3ObjectStore store = S3ObjectStore.create(server.settings())) {
            store.checkWritable(s3("s3://bucket/plain")); // the credentials are good
            assertThatThrownBy(() -> store.checkWritable(s3("s3://bucket/out//dbl")))
                    .hasMessageContaining("its key holds an empty segment ('//', or a '/' first)")
                    .hasMessageNotContaining("rejected the credentials");
        }
    }

    /**
     * --profile is the credentials, as the AWS CLI's: with a wrong secret in the environment (here its stand-in, the
     * aws.* system properties, which the default chain reads first too) and a right profile, the job was refused;
     * with a wrong profile and a right environment it ran on the environment's. A profile that is not there says so.
     */
    @Test
    void aNamedProfileIsTheCredentialsWhateverTheEnvironmentHolds() throws Exception {
        java.nio.file.Path credentials = java.nio.file.Files.writeString(dir.resolve("credentials"),
                "[good]\naws_access_key_id = " + S3TestServer.ACCESS_KEY + "\naws_secret_access_key = "
                        + S3TestServer.SECRET_KEY + "\n[bad]\naws_access_key_id = " + S3TestServer.ACCESS_KEY
                        + "\naws_secret_access_key = not-the-secret\n");
        String savedFile = System.getProperty("aws.sharedCredentialsFile");
        System.setProperty("aws.sharedCredentialsFile", credentials.toString());
        try {
            System.setProperty("aws.secretAccessKey", "not-the-secret"); // the environment is wrong
            try (S3ObjectStore store = S3ObjectStore.create(server.settings().toBuilder().profile("good").build())) {
                store.checkWritable(s3("s3://bucket/profile-good"));
            }
            S3TestServer.useTestCredentials(); // the environment is right, the profile wrong
            try (S3ObjectStore store = S3ObjectStore.create(server.settings().toBuilder().profile("bad").build())) {
                assertThatThrownBy(() -> store.checkWritable(s3("s3://bucket/profile-bad")))
                        .hasMessageContaining("SignatureDoesNotMatch").hasMessageNotContaining("not-the-secret")
                        .hasMessageContaining("check the credentials that --profile bad (its entries in")
                        .hasMessageNotContaining("default credential chain"); // a user was sent to the environment
            }
            try (S3ObjectStore store = S3ObjectStore.create(server.settings().toBuilder().profile("nosuch").build())) {
                assertThatThrownBy(() -> store.checkWritable(s3("s3://bucket/profile-none")))
                        .hasMessageContaining("No AWS credentials from --profile nosuch to write to s3://bucket/profile-none")
                        .hasMessageContaining("nosuch")
                        // not the SDK's dump of the file: every profile's name and keys (an observability walk)
                        .hasMessageNotContaining("ProfileFile(").hasMessageNotContaining("good");
            }
        } finally {
            if (savedFile == null) {
                System.clearProperty("aws.sharedCredentialsFile");
            } else {
                System.setProperty("aws.sharedCredentialsFile", savedFile);
            }
        }
    }

    @Test
    void accessDeniedNamesThePermissionToGrant() throws Exception {
        proxy.failAlways(line -> line.startsWith("PUT ") || line.contains("list-type"), 403, "AccessDenied");
        try (S3ObjectStore store = S3ObjectStore.create(quick(proxy.endpoint()))) {
            assertThatThrownBy(() -> store.checkWritable(s3("s3://bucket/out/run1")))
                    .hasMessageContaining("Access denied trying to write to s3://bucket/out/run1 (AccessDenied, HTTP 403)")
                    .hasMessageContaining("s3:PutObject and s3:DeleteObject on arn:aws:s3:::bucket/out/run1*");
            assertThatThrownBy(() -> store.checkReadable(s3("s3://bucket/images")))
                    .hasMessageContaining("Access denied trying to list s3://bucket/images")
                    .hasMessageContaining("s3:ListBucket on arn:aws:s3:::bucket");
        }
    }

    @Test
    void missingCredentialsSayWhereTheyAreLookedFor() throws Exception {
        assumeTrue(System.getenv("AWS_ACCESS_KEY_ID") == null && System.getenv("AWS_WEB_IDENTITY_TOKEN_FILE") == null
                && System.getenv("AWS_CONTAINER_CREDENTIALS_FULL_URI") == null
                && System.getenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") == null
                && System.getenv("AWS_PROFILE") == null, "the environment provides AWS credentials");
        List<String> keys = List.of("aws.accessKeyId", "aws.secretAccessKey", "aws.sharedCredentialsFile", "aws.configFile");
        List<String> saved = new ArrayList<>();
        keys.forEach(k -> saved.add(System.getProperty(k)));
        try {
            System.clearProperty("aws.accessKeyId");
            System.clearProperty("aws.secretAccessKey");
            System.setProperty("aws.sharedCredentialsFile", dir.resolve("no-credentials").toString());
            System.setProperty("aws.configFile", dir.resolve("no-config").toString());
            try (S3ObjectStore store = S3ObjectStore.create(server.settings())) {
                assertThatThrownBy(() -> store.checkWritable(s3("s3://bucket/out")))
                        .hasMessageContaining("No AWS credentials found to write to s3://bucket/out")
                        .hasMessageContaining("AWS_ACCESS_KEY_ID");
                assertThatThrownBy(() -> store.read(s3("s3://bucket/images/a.jpg")))
                        .hasMessageContaining("No AWS credentials found to read s3://bucket/images/a.jpg");
            }
        } finally {
            for (int i = 0; i < keys.size(); i++) {
                if (saved.get(i) == null) {
                    System.clearProperty(keys.get(i));
                } else {
                    System.setProperty(keys.get(i), saved.get(i));
                }
            }
        }
    }

    /** An endpoint on a port that was free a moment ago: connections to it are refused. */
    private static URI closedEndpoint() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return URI.create("http://127.0.0.1:" + s.getLocalPort());
        }
    }

    @Test
    void refusedConnectionNamesTheEndpoint() throws Exception {
        URI endpoint = closedEndpoint();
        try (S3ObjectStore store = S3ObjectStore.create(quick(endpoint))) {
            assertThatThrownBy(() -> store.checkWritable(s3("s3://bucket/out")))
                    .hasMessageContaining("Cannot reach the S3 endpoint " + endpoint + " to write to s3://bucket/out")
                    .hasMessageContaining("check --endpoint");
        }
    }

    @Test
    void anUnreachableEndpointIsLoggedOnceAtItsFirstFailureAndWhenItAnswersAgain() throws Exception {
        Logger logger = (Logger) LoggerFactory.getLogger(EndpointOutage.class);
        Level level = logger.getLevel();
        ListAppender<ILoggingEvent> lines = new ListAppender<>();
        lines.start();
        logger.addAppender(lines);
        logger.setLevel(Level.INFO);
        // A socket bound to the port but not listening holds it: connections to it are refused, and no other process
        // can take the port before the listener below binds it too (both with SO_REUSEADDR; only one listens).
        try (Socket holder = new Socket()) {
            holder.setReuseAddress(true);
            holder.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            int port = holder.getLocalPort();
            URI endpoint = URI.create("http://127.0.0.1:" + port);
            try (S3ObjectStore store = S3ObjectStore.create(S3TestServer.settingsFor(endpoint).toBuilder()
                    .maxAttempts(3).build())) {
                for (String key : List.of("a.jpg", "b.jpg")) {
                    assertThatThrownBy(() -> store.read(s3("s3://bucket/" + key)))
                            .hasMessageContaining("Cannot reach the S3 endpoint " + endpoint);
                }
                // Two requests, three attempts each: one line, naming the endpoint and the cause.
                assertThat(lines.list).hasSize(1);
                assertThat(lines.list.get(0).getLevel()).isEqualTo(Level.WARN);
                assertThat(lines.list.get(0).getFormattedMessage())
                        .startsWith("Cannot reach the S3 endpoint " + endpoint + " (ConnectException: Connection refused)"
                                + "; requests are retried, up to 3 attempts each")
                        .contains("check --endpoint-url");
                // The SDK client's requests (a write) report to the same outage: no second line.
                assertThatThrownBy(() -> store.checkWritable(s3("s3://bucket/out")))
                        .hasMessageContaining("Cannot reach the S3 endpoint " + endpoint + " to write to s3://bucket/out");
                assertThat(lines.list).hasSize(1);

                try (ServerSocket server = new ServerSocket()) {
                    server.setReuseAddress(true);
                    server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
                    ScriptedServers.answerEach(server, request -> "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc");
                    assertThat(store.read(s3("s3://bucket/c.jpg"))).isEqualTo("abc".getBytes(StandardCharsets.US_ASCII));
                    assertThat(store.read(s3("s3://bucket/d.jpg"))).isEqualTo("abc".getBytes(StandardCharsets.US_ASCII));
                }
                assertThat(lines.list).hasSize(2);
                assertThat(lines.list.get(1).getLevel()).isEqualTo(Level.INFO);
                assertThat(lines.list.get(1).getFormattedMessage())
                        .isEqualTo("The S3 endpoint " + endpoint + " answers again");
            }
        } finally {
            logger.detachAppender(lines);
            logger.setLevel(level);
        }
    }

    /** A server that is not S3 (a web server answering 404 to everything) is named so when a listing meets it. */
    @Test
    void anEndpointAnsweringABare404ToAListingIsNotTakenForAnEmptyPrefix() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            ScriptedServers.answerEach(server, request -> "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
            URI endpoint = URI.create("http://127.0.0.1:" + server.getLocalPort());
            try (S3ObjectStore store = S3ObjectStore.create(quick(endpoint))) {
                assertThatThrownBy(() -> store.checkReadable(s3("s3://inb/c2/")))
                        .isInstanceOf(dev.orchard.store.UnusableLocationException.class)
                        .hasMessageContaining("The endpoint " + endpoint + " answered 404 without an S3 error to a"
                                + " request to list s3://inb/c2/")
                        .hasMessageContaining("--endpoint-url is an S3-compatible server");
                // A read's bare 404 is still a missing object (HEAD answers without a body).
                assertThatThrownBy(() -> store.read(s3("s3://inb/c2/a.jpg")))
                        .isInstanceOf(java.nio.file.NoSuchFileException.class);
            }
        }
    }

    /**
     * One request stalled on an endpoint that has answered is a stall, not a wrong --endpoint-url: said without that
     * advice (the diff's review), and the next answer ends it.
     */
    @Test
    void aStallAfterAnswersIsNotTakenForAWrongEndpoint() throws Exception {
        Logger logger = (Logger) LoggerFactory.getLogger(EndpointOutage.class);
        ListAppender<ILoggingEvent> lines = new ListAppender<>();
        lines.start();
        logger.addAppender(lines);
        Level level = logger.getLevel();
        logger.setLevel(Level.INFO);
        try (ServerSocket server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            // The second request gets nothing: the client gives up on it after its socket timeout, and tries again.
            ScriptedServers.answerEach(server, request -> request == 2 ? null
                    : "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc");
            URI endpoint = URI.create("http://127.0.0.1:" + server.getLocalPort());
            try (S3ObjectStore store = S3ObjectStore.create(quick(endpoint).toBuilder()
                    .socketTimeout(Duration.ofMillis(300)).build())) {
                assertThat(store.read(s3("s3://bucket/a.jpg"))).isEqualTo("abc".getBytes(StandardCharsets.US_ASCII));
                assertThat(store.read(s3("s3://bucket/b.jpg"))).as("its second attempt answered")
                        .isEqualTo("abc".getBytes(StandardCharsets.US_ASCII));
            }
        } finally {
            logger.detachAppender(lines);
            logger.setLevel(level);
        }
        assertThat(lines.list).hasSize(2);
        assertThat(lines.list.get(0).getFormattedMessage()).startsWith("A request to the S3 endpoint ")
                .contains("got nothing for 0.3 s (SocketTimeoutException: Read timed out)")
                .doesNotContain("--endpoint-url");
        assertThat(lines.list.get(1).getFormattedMessage()).endsWith(" answers again");
    }

    @Test
    void silentEndpointTimesOutQuickly() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            List<Socket> accepted = new ArrayList<>();
            Thread acceptor = new Thread(() -> {
                for (int i = 0; i < 5; i++) { // bounded: two attempts need two connections
                    try {
                        accepted.add(silent.accept());
                    } catch (IOException e) {
                        return;
                    }
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            URI endpoint = URI.create("http://127.0.0.1:" + silent.getLocalPort());
            S3Settings settings = quick(endpoint).toBuilder().socketTimeout(Duration.ofMillis(300)).build();
            long start = System.nanoTime();
            Logger logger = (Logger) LoggerFactory.getLogger(EndpointOutage.class);
            ListAppender<ILoggingEvent> lines = new ListAppender<>();
            lines.start();
            logger.addAppender(lines);
            try (S3ObjectStore store = S3ObjectStore.create(settings)) {
                assertThatThrownBy(() -> store.checkReadable(s3("s3://bucket/images")))
                        .hasMessageContaining("The S3 endpoint " + endpoint + " did not answer in time to list s3://bucket/images");
            } finally {
                logger.detachAppender(lines);
            }
            // Said at the first silent attempt, once, not only when the attempts ran out (10 minutes by default).
            assertThat(lines.list).hasSize(1);
            assertThat(lines.list.get(0).getLevel()).isEqualTo(Level.WARN);
            assertThat(lines.list.get(0).getFormattedMessage()).startsWith("The S3 endpoint " + endpoint
                    + " took the connection but did not answer in 0.3 s (SocketTimeoutException: Read timed out);"
                    + " requests are retried, up to 2 attempts each").contains("--endpoint-url is an S3 server");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
            silent.close();
            for (Socket s : accepted) {
                s.close();
            }
        }
    }

    @Test
    void theSdkClientsRequestsReportAnUnreachableEndpointToo() throws Exception {
        Logger logger = (Logger) LoggerFactory.getLogger(EndpointOutage.class);
        ListAppender<ILoggingEvent> lines = new ListAppender<>();
        lines.start();
        logger.addAppender(lines);
        URI endpoint = closedEndpoint();
        try (S3ObjectStore store = S3ObjectStore.create(quick(endpoint))) {
            // A write is the store's first request: it goes through the SDK client alone.
            assertThatThrownBy(() -> store.checkWritable(s3("s3://bucket/out")))
                    .hasMessageContaining("Cannot reach the S3 endpoint " + endpoint + " to write to s3://bucket/out");
            assertThat(lines.list).extracting(ILoggingEvent::getFormattedMessage).singleElement().asString()
                    .startsWith("Cannot reach the S3 endpoint " + endpoint + " (");
        } finally {
            logger.detachAppender(lines);
        }
    }

    @Test
    void anEndpointThatTakesNoConnectionIsUnreachableNotSlow() throws Exception {
        // A listener that never accepts, its queue full: Linux then drops further SYNs, so a connect gets no answer,
        // as behind a firewall that drops packets. Filled with connections until one of them times out itself.
        try (ServerSocket full = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            List<Socket> queued = new ArrayList<>();
            try {
                boolean filled = false;
                for (int i = 0; i < 16 && !filled; i++) {
                    Socket s = new Socket();
                    queued.add(s);
                    try {
                        s.connect(full.getLocalSocketAddress(), 500);
                    } catch (java.net.SocketTimeoutException e) {
                        filled = true;
                    }
                }
                assumeTrue(filled, "this kernel kept accepting connections into a full queue");
                URI endpoint = URI.create("http://127.0.0.1:" + full.getLocalPort());
                S3Settings settings = quick(endpoint).toBuilder().connectTimeout(Duration.ofMillis(300)).build();
                try (S3ObjectStore store = S3ObjectStore.create(settings)) {
                    assertThatThrownBy(() -> store.read(s3("s3://bucket/images/a.jpg")))
                            .hasMessageContaining("Cannot reach the S3 endpoint " + endpoint + " to read s3://bucket/images/a.jpg "
                                    + "(ConnectException: no connection to 127.0.0.1:" + full.getLocalPort() + " within 300 ms)");
                }
            } finally {
                for (Socket s : queued) {
                    s.close();
                }
            }
        }
    }

    /**
     * An https:// endpoint whose server speaks plain HTTP (a local S3 server started without TLS) failed with the TLS
     * parser's words alone ("Unsupported or unrecognized SSL message"): said so, with the http:// to use. Both clients:
     * the reads' own (Conscrypt's TLS where it loads) and the SDK's for writes (the JVM's).
     */
    @Test
    void anHttpsEndpointAnsweringInPlainHttpIsToldToUseHttp() throws Exception {
        try (ServerSocket plain = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            ScriptedServers.acceptEach(plain, new java.util.concurrent.atomic.AtomicInteger(), socket -> {
                try (socket) { // as a web server answers what is not HTTP to it: a ClientHello
                    socket.getInputStream().read(new byte[512]);
                    socket.getOutputStream().write(("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n"
                            + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                } catch (IOException e) {
                    // the client went away
                }
            });
            URI endpoint = URI.create("https://127.0.0.1:" + plain.getLocalPort());
            String advice = "use --endpoint-url http://127.0.0.1:" + plain.getLocalPort() + " if the server has no TLS";
            try (S3ObjectStore store = S3ObjectStore.create(quick(endpoint))) {
                assertThatThrownBy(() -> store.read(s3("s3://bucket/images/a.jpg")))
                        .isInstanceOf(dev.orchard.store.UnusableLocationException.class)
                        .hasMessageContaining("The S3 endpoint " + endpoint + " answered in plain HTTP, not TLS, to a"
                                + " request to read s3://bucket/images/a.jpg").hasMessageContaining(advice);
                assertThatThrownBy(() -> store.checkWritable(s3("s3://bucket/out")))
                        .hasMessageContaining("answered in plain HTTP, not TLS, to a request to write to s3://bucket/out")
                        .hasMessageContaining(advice);
            }
        }
    }

    /**
     * The reverse: an http:// endpoint on a TLS server's port, which answers a plain request with a TLS alert and
     * closes. The reads' client sees the record, the SDK's only a connection closed unanswered: both name https://.
     */
    @Test
    void anHttpEndpointAnsweringInTlsIsToldToTryHttps() throws Exception {
        try (ServerSocket tls = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            ScriptedServers.acceptEach(tls, new java.util.concurrent.atomic.AtomicInteger(), socket -> {
                try (socket) { // a fatal alert (TLS 1.2 record, protocol_version), as OpenSSL sends
                    socket.getInputStream().read(new byte[512]);
                    socket.getOutputStream().write(new byte[] {0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x46});
                } catch (IOException e) {
                    // the client went away
                }
            });
            URI endpoint = URI.create("http://127.0.0.1:" + tls.getLocalPort());
            String https = "--endpoint-url https://127.0.0.1:" + tls.getLocalPort();
            try (S3ObjectStore store = S3ObjectStore.create(quick(endpoint))) {
                assertThatThrownBy(() -> store.checkReadable(s3("s3://bucket/images/")))
                        .isInstanceOf(dev.orchard.store.UnusableLocationException.class)
                        .hasMessageContaining("The S3 endpoint " + endpoint + " answered in TLS, not plain HTTP, to a"
                                + " request to list s3://bucket/images/").hasMessageContaining("use " + https);
                assertThatThrownBy(() -> store.checkWritable(s3("s3://bucket/out")))
                        .hasMessageContaining("closed the connection without answering a request to write to"
                                + " s3://bucket/out").hasMessageContaining("try " + https);
            }
        }
    }

    @Test
    void throttlingThatOutlastsTheRetriesSaysSo() throws Exception {
        proxy.failAlways(line -> line.startsWith("GET "), 503, "SlowDown");
        try (S3ObjectStore store = S3ObjectStore.create(quick(proxy.endpoint()).toBuilder().maxAttempts(3).build())) {
            assertThatThrownBy(() -> store.read(s3("s3://bucket/images/a.jpg")))
                    .hasMessageContaining("S3 kept throttling requests to read s3://bucket/images/a.jpg after 3 attempts");
        }
    }

    /**
     * A read whose answers were cut short 7 times and then throttled 3 times was recorded in errors.csv as "S3 kept
     * throttling" alone: the reason counts each way its attempts failed, and says "kept throttling" (and its advice)
     * only where every attempt was throttled (the review).
     */
    @Test
    void aReadThatFailedInSeveralWaysCountsEach() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            java.util.concurrent.atomic.AtomicInteger requests = new java.util.concurrent.atomic.AtomicInteger();
            ScriptedServers.answerOncePerConnection(server, n -> {
                requests.set(n);
                return n <= 7 ? "HTTP/1.1 200 OK\r\nContent-Length: 100\r\nConnection: close\r\n\r\n0123456789"
                        : ScriptedServers.slowDown();
            });
            URI endpoint = URI.create("http://127.0.0.1:" + server.getLocalPort());
            try (S3ObjectStore store = S3ObjectStore.create(quick(endpoint).toBuilder().maxAttempts(10).build())) {
                assertThatThrownBy(() -> store.read(s3("s3://bucket/images/a.jpg")))
                        .hasMessageContaining("Could not read s3://bucket/images/a.jpg (SlowDown, HTTP 503: Reduce your"
                                + " request rate.; of the 10 attempts: 7 truncated, 3 throttled)")
                        .hasMessageNotContaining("kept throttling");
            }
            assertThat(requests).hasValue(10);
        }
    }

    @Test
    void anEndpointWithCredentialsInItIsRefusedWithoutEchoingThem() {
        for (String url : List.of("http://user:hunter2pass@127.0.0.1:9000", "https://AKIDX:hunter2pass@s3.example.com/")) {
            assertThatThrownBy(() -> S3Settings.builder().endpoint(java.net.URI.create(url)).build())
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("must not contain credentials")
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain("hunter2pass").doesNotContain("AKIDX"));
        }
        // A query may carry a token too: refused as bad input (the SDK failed the job with exit 1, echoing it).
        for (String url : List.of("http://127.0.0.1:9000/?token=t0k3n", "http://127.0.0.1:9000/#t0k3n")) {
            assertThatThrownBy(() -> S3Settings.builder().endpoint(java.net.URI.create(url)).build())
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("must not have a query or fragment")
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain("t0k3n"));
        }
    }

    /**
     * An endpoint that takes connections and answers nothing held an output lease's renewal for its 10 attempts of 60 s
     * (a user's walk: the coordinator stood still for 10 minutes, long past the lease's 30 s). A conditional write given
     * a bound ends by it, retries and all (the SDK's whole-call timeout, named in the failure); without one it waits the
     * socket timeout, here 30 s, once per attempt, and fails by that. No clock is read: what ended the write is.
     */
    @Test
    void aConditionalWriteGivenABoundEndsByItOnAnEndpointThatNeverAnswers() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            java.util.concurrent.atomic.AtomicInteger connections = new java.util.concurrent.atomic.AtomicInteger();
            List<Socket> held = java.util.Collections.synchronizedList(new ArrayList<>());
            ScriptedServers.acceptEach(silent, connections, held::add); // read nothing, answer nothing
            URI endpoint = URI.create("http://127.0.0.1:" + silent.getLocalPort());
            S3Settings settings = S3TestServer.settingsFor(endpoint).toBuilder().maxAttempts(10)
                    .socketTimeout(Duration.ofSeconds(30)).build();
            try (S3ObjectStore store = S3ObjectStore.create(settings)) {
                assertThatThrownBy(() -> store.putIf(s3("s3://bucket/out/_orchard/lease.json"),
                        "lease".getBytes(StandardCharsets.UTF_8), null, Duration.ofSeconds(2)))
                        .isInstanceOf(IOException.class).as("ended by its bound, not by the socket timeout")
                        .hasMessageContaining("ApiCallTimeoutException");
                assertThat(connections.get()).isPositive();
            } finally {
                for (Socket s : held) {
                    s.close();
                }
            }
        }
    }

    /**
     * An http:// endpoint that throttled twice and then closed one connection unanswered is no TLS server: the hint to
     * try https:// is for an endpoint that closed every attempt so (the review found it given here, without the
     * attempts' counts).
     */
    @Test
    void oneDroppedConnectionAfterThrottledAnswersIsNoSignOfTls() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            ScriptedServers.answerOncePerConnection(server, n -> n <= 2 ? ScriptedServers.slowDown() : null);
            URI endpoint = URI.create("http://127.0.0.1:" + server.getLocalPort());
            try (S3ObjectStore store = S3ObjectStore.create(quick(endpoint).toBuilder().maxAttempts(3).build())) {
                assertThatThrownBy(() -> store.read(s3("s3://bucket/images/a.jpg")))
                        .hasMessageNotContaining("https://").hasMessageContaining("2 throttled");
            }
        }
    }

    /**
     * A write, made through the AWS SDK's own client, throttled at every attempt: its message counts no attempts of
     * its own. The SDK hangs its earlier attempts on the exception as bare text, which were counted as "2 failed
     * (SdkClientException), 1 throttled" (the review).
     */
    @Test
    void aWriteThrottledEveryTimeIsNotCountedAsFailingOtherwise() throws Exception {
        proxy.failAlways(line -> line.startsWith("PUT "), 503, "SlowDown");
        try (S3ObjectStore store = S3ObjectStore.create(quick(proxy.endpoint()).toBuilder().maxAttempts(3).build())) {
            assertThatThrownBy(() -> store.put(s3("s3://bucket/out/x.bin"), new byte[10]))
                    .hasMessageContaining("S3 kept throttling").hasMessageNotContaining("failed (");
        }
    }
}
