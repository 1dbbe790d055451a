package dev.orchard.store.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The HTTP/1.1 framing of {@link HttpExchanges} against a scripted server on a real socket: each accepted connection
 * answers the queued answers in order, one per request head it reads; the test counts connections to see reuse.
 * S3 itself (S3Proxy) is exercised through it by S3ObjectStoreTest and S3FaultInjectionTest.
 */
class HttpExchangesTest {

    private ServerSocket server;
    private final BlockingQueue<String> answers = new LinkedBlockingQueue<>();
    private final List<String> requests = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger connections = new AtomicInteger();
    /** Appended to an answer: the server closes the connection after it, without saying so. */
    private static final String THEN_CLOSE = "\u0001";
    private final java.util.concurrent.CountDownLatch closedAfterAnswer = new java.util.concurrent.CountDownLatch(1);
    private HttpExchanges http;
    private HttpExchanges.Endpoint endpoint;

    @BeforeEach
    void start() throws IOException {
        server = new ServerSocket(0);
        endpoint = new HttpExchanges.Endpoint(false, "127.0.0.1", server.getLocalPort());
        http = new HttpExchanges(4, Duration.ofSeconds(5), Duration.ofSeconds(5));
        ScriptedServers.acceptEach(server, connections, this::serve);
    }

    @AfterEach
    void stop() throws IOException {
        http.close();
        server.close();
    }

    /** Reads request heads; answers each with the next queued answer; "CLOSE" closes the connection instead. */
    private void serve(Socket socket) {
        try (socket; InputStream in = socket.getInputStream(); OutputStream out = socket.getOutputStream()) {
            while (true) {
                String head = ScriptedServers.readHead(in);
                if (head == null) {
                    return;
                }
                requests.add(head);
                String answer = answers.take();
                if (answer.equals("CLOSE")) {
                    return;
                }
                out.write(answer.replace(THEN_CLOSE, "").getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                if (answer.contains("Connection: close")) {
                    return;
                }
                if (answer.endsWith(THEN_CLOSE)) {
                    ScriptedServers.closeAndAwaitClientSawIt(socket);
                    closedAfterAnswer.countDown();
                    return;
                }
            }
        } catch (IOException | InterruptedException e) {
            // the client went away
        }
    }


    private String get(String path) throws IOException {
        try (HttpExchanges.Response response = http.send(endpoint, "GET", path, List.of("Host", "example"))) {
            return response.status() + " " + new String(response.body().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void sendsTheHeadAndReusesTheConnectionForBodiesOfKnownLength() throws IOException {
        answers.add("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nETag: \"abc\" \r\n\r\nhello");
        answers.add("HTTP/1.1 404 Not Found\r\ncontent-length: 3\r\n\r\nnot");
        try (HttpExchanges.Response response = http.send(endpoint, "GET", "/b/k?x=1",
                List.of("Host", "example:9000", "x-amz-date", "20260101T000000Z"))) {
            assertThat(response.status()).isEqualTo(200);
            assertThat(response.contentLength()).isEqualTo(5);
            assertThat(response.header("etag")).isEqualTo("\"abc\"");
            assertThat(response.header("x-amz-missing")).isNull();
            assertThat(new String(response.body().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("hello");
        }
        assertThat(get("/second")).isEqualTo("404 not");
        assertThat(requests.get(0)).isEqualTo("GET /b/k?x=1 HTTP/1.1\r\nHost: example:9000\r\nx-amz-date: 20260101T000000Z\r\n\r\n");
        assertThat(connections.get()).isEqualTo(1);
    }

    @Test
    void thePoolGrowsToItsLimitWhileEveryConnectionIsBusyAndThenReusesThem() throws Exception {
        // The server answers nothing until four requests are in: each needs its own connection.
        ExecutorService callers = Executors.newFixedThreadPool(4);
        try {
            List<Future<String>> results = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                String path = "/k" + i;
                results.add(callers.submit(() -> get(path)));
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (requests.size() < 4) {
                assertThat(System.nanoTime()).as("requests in: %s", requests).isLessThan(deadline);
                Thread.sleep(5);
            }
            for (int i = 0; i < 4; i++) {
                answers.add("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
            }
            for (Future<String> result : results) {
                assertThat(result.get(30, TimeUnit.SECONDS)).isEqualTo("200 ok");
            }
        } finally {
            callers.shutdownNow();
        }
        assertThat(connections.get()).isEqualTo(4);
        answers.add("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        assertThat(get("/again")).isEqualTo("200 ok"); // an idle one is reused
        assertThat(connections.get()).isEqualTo(4);
    }

    @Test
    void readsChunkedBodiesWithExtensionsAndTrailersAndSkipsInterimAnswers() throws IOException {
        answers.add("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "4;name=value\r\n<Lis\r\nB\r\ntBucket/>\r\n\r\n0\r\nX-Trailer: t\r\n\r\n");
        answers.add("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        assertThat(get("/list")).isEqualTo("200 <ListBucket/>\r\n");
        assertThat(get("/next")).isEqualTo("200 ok");
        assertThat(connections.get()).isEqualTo(1);
    }

    @Test
    void aBodyUntilCloseOrConnectionCloseIsNotReused() throws IOException {
        answers.add("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nto the end");
        answers.add("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        assertThat(get("/a")).isEqualTo("200 to the end");
        assertThat(get("/b")).isEqualTo("200 ok");
        assertThat(connections.get()).isEqualTo(2);
    }

    @Test
    void anUnreadOrAbortedBodyDropsTheConnection() throws IOException {
        answers.add("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123456789");
        answers.add("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        answers.add("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        try (HttpExchanges.Response response = http.send(endpoint, "GET", "/a", List.of("Host", "h"))) {
            assertThat(response.body().read()).isEqualTo('0');
        }
        assertThat(get("/b")).isEqualTo("200 ok");
        try (HttpExchanges.Response response = http.send(endpoint, "GET", "/c", List.of("Host", "h"))) {
            response.abort();
        }
        answers.add("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        assertThat(get("/d")).isEqualTo("200 ok");
        assertThat(connections.get()).isEqualTo(3); // /a's and /c's connections were dropped, /b's reused by /c
    }

    @Test
    void aHeadAnswerHasNoBodyButItsLength() throws IOException {
        answers.add("HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n");
        answers.add("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        try (HttpExchanges.Response response = http.send(endpoint, "HEAD", "/a", List.of("Host", "h"))) {
            assertThat(response.contentLength()).isEqualTo(1234);
            assertThat(response.body().read()).isEqualTo(-1);
        }
        assertThat(get("/b")).isEqualTo("200 ok");
        assertThat(connections.get()).isEqualTo(1);
    }

    @Test
    void aBodyCutShortAndAConnectionClosedWithoutAnswerAreErrors() throws IOException {
        answers.add("HTTP/1.1 200 OK\r\nContent-Length: 10\r\nConnection: close\r\n\r\n01234");
        try (HttpExchanges.Response response = http.send(endpoint, "GET", "/a", List.of("Host", "h"))) {
            assertThatThrownBy(() -> response.body().readAllBytes()).isInstanceOf(EOFException.class)
                    .hasMessageContaining("5 bytes of the body still to come");
        }
        answers.add("CLOSE");
        assertThatThrownBy(() -> get("/b")).isInstanceOf(HttpExchanges.NoAnswerException.class);
        answers.add("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        assertThat(get("/c")).isEqualTo("200 ok"); // the pool is not left short of a permit
    }

    @Test
    void anIdleConnectionTheServerClosedIsNotReused() throws Exception {
        answers.add("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        assertThat(get("/a")).isEqualTo("200 ok");
        answers.add("CLOSE"); // closes the kept-alive connection once it reads the next head: simulate an idle timeout
        answers.add("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
        assertThatThrownBy(() -> get("/b")).isInstanceOf(HttpExchanges.NoAnswerException.class);
        assertThat(get("/c")).isEqualTo("200 ok");
        assertThat(connections.get()).isEqualTo(2);
    }

    @Test
    void anIdleConnectionIsCheckedBeforeReuseAndDroppedWhenTheServerClosedIt() throws Exception {
        HttpExchanges checking = new HttpExchanges(4, Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ZERO);
        try {
            answers.add("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok" + THEN_CLOSE);
            answers.add("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nnew");
            try (HttpExchanges.Response response = checking.send(endpoint, "GET", "/a", List.of("Host", "h"))) {
                assertThat(response.body().readAllBytes()).hasSize(2);
            }
            assertThat(closedAfterAnswer.await(60, TimeUnit.SECONDS)).as("the client's socket took in the FIN").isTrue();
            try (HttpExchanges.Response response = checking.send(endpoint, "GET", "/b", List.of("Host", "h"))) {
                assertThat(new String(response.body().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("new");
            }
            assertThat(connections.get()).isEqualTo(2);
        } finally {
            checking.close();
        }
    }

    @Test
    void garbageIsNotAnAnswer() {
        answers.add("SSH-2.0-OpenSSH\r\n\r\n");
        assertThatThrownBy(() -> get("/a")).isInstanceOf(IOException.class).hasMessageContaining("Not an HTTP answer");
    }
}
