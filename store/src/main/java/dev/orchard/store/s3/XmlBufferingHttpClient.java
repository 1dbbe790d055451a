package dev.orchard.store.s3;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.util.Locale;
import software.amazon.awssdk.http.AbortableInputStream;
import software.amazon.awssdk.http.ExecutableHttpRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpResponse;

/**
 * Reads S3's XML answers to the SDK client (multipart and delete results, error bodies) completely inside the HTTP
 * call. (Listings no longer go through the SDK client: {@link S3Requests} parses them inside its own attempt, so a
 * reset there is retried the same way.)
 *
 * <p>Why: the SDK parses those bodies after the HTTP call has returned, and a connection reset in the middle of one
 * surfaces as an {@link java.io.UncheckedIOException} that its retry stage never sees, so a single dropped connection
 * fails a listing page outright (aws/aws-sdk-java-v2 issues 6578 and 5442). Read here, the same reset is an
 * {@link IOException} of the HTTP call, which the client's retry strategy retries like any other. Object bodies
 * (GetObject) are left streaming: the SDK already retries failures while reading them.
 */
final class XmlBufferingHttpClient extends HttpCallDecorator {

    /** S3's XML answers are small (a listing page of 1,000 keys is a few hundred KB); beyond this, stream the rest. */
    private static final int MAX_BUFFERED = 16 << 20;

    XmlBufferingHttpClient(SdkHttpClient delegate) {
        super(delegate);
    }

    @Override
    HttpExecuteResponse around(ExecutableHttpRequest call) throws IOException {
        HttpExecuteResponse response = call.call();
        if (response.responseBody().isEmpty() || !isXml(response.httpResponse())) {
            return response;
        }
        AbortableInputStream body = response.responseBody().get();
        InputStream buffered = buffer(body);
        return HttpExecuteResponse.builder()
                .response(response.httpResponse())
                .responseBody(AbortableInputStream.create(buffered, body))
                .build();
    }

    private static boolean isXml(SdkHttpResponse response) {
        String type = response.firstMatchingHeader("Content-Type").orElse("").toLowerCase(Locale.ROOT);
        return type.startsWith("application/xml") || type.startsWith("text/xml");
    }

    /** The body read to its end (or to {@link #MAX_BUFFERED} bytes, followed by the rest still streaming). */
    private static InputStream buffer(AbortableInputStream body) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        byte[] chunk = new byte[8192];
        int n;
        while (head.size() < MAX_BUFFERED && (n = body.read(chunk)) >= 0) {
            head.write(chunk, 0, n);
        }
        if (head.size() < MAX_BUFFERED) {
            body.close();
            return new ByteArrayInputStream(head.toByteArray());
        }
        return new SequenceInputStream(new ByteArrayInputStream(head.toByteArray()), body);
    }

}
