package dev.orchard.store.s3;

import dev.orchard.store.Location;
import dev.orchard.store.ObjectTooLargeException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.awscore.endpoints.AwsEndpointAttribute;
import software.amazon.awssdk.awscore.endpoints.authscheme.EndpointAuthScheme;
import software.amazon.awssdk.awscore.endpoints.authscheme.SigV4AuthScheme;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.exception.AbortedException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.endpoints.Endpoint;
import software.amazon.awssdk.http.SdkHttpResponse;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.retries.api.AcquireInitialTokenRequest;
import software.amazon.awssdk.retries.api.AcquireInitialTokenResponse;
import software.amazon.awssdk.retries.api.RecordSuccessRequest;
import software.amazon.awssdk.retries.api.RefreshRetryTokenRequest;
import software.amazon.awssdk.retries.api.RefreshRetryTokenResponse;
import software.amazon.awssdk.retries.api.RetryStrategy;
import software.amazon.awssdk.retries.api.RetryToken;
import software.amazon.awssdk.retries.api.TokenAcquisitionFailedException;
import software.amazon.awssdk.services.s3.endpoints.S3EndpointParams;
import software.amazon.awssdk.services.s3.endpoints.S3EndpointProvider;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.utils.http.SdkHttpUtils;

/**
 * The requests a job makes by the million, GetObject, HeadObject and ListObjectsV2, sent without the SDK client's
 * per-request machinery: signed with {@link SigV4}, sent on pooled keep-alive connections ({@link HttpExchanges}),
 * retried by the SDK's own {@link RetryStrategy} (the same one, with the same settings, that the SDK client uses for
 * everything else: {@link S3Clients#retryStrategy}).
 *
 * <p>Why: through {@code S3Client} one small GET measured ~0.7 ms of CPU here once warm and ~1.4 ms over a job's
 * first 10,000 (interceptors, endpoint rules, auth scheme resolution, metrics, the signer, the SDK's HTTP adapter),
 * as much as a fifth of the image's inference; this path is a few times cheaper (bench/README.md, issue 18).
 *
 * <p>On AWS a GET asks for and checks the object's stored checksum, as the SDK client does by default
 * ({@link ResponseChecksum}); S3-compatible servers are not asked, as the SDK client is configured for them.
 *
 * <p>What the SDK still decides: the endpoint of each bucket (its endpoint rules, once per bucket), the retry
 * conditions and backoff (throttling, 5xx, connection resets and timeouts, clock skew), and the errors: failures come
 * out as the SDK's {@link S3Exception} or {@link SdkClientException}, which {@link S3Errors} turns into messages as
 * for every other request. Without an explicit region or endpoint, a bucket in another region is followed once (S3's
 * {@code x-amz-bucket-region}), as the SDK's cross-region access does.
 */
final class S3Requests implements AutoCloseable {

    /** An S3 error body is a few hundred bytes; read no more of one. */
    private static final int MAX_ERROR_BODY = 64 << 10;
    private static final XMLInputFactory XML = XMLInputFactory.newFactory();
    private static final AcquireInitialTokenRequest RETRY_SCOPE = AcquireInitialTokenRequest.create("s3");

    static {
        XML.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        XML.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        XML.setProperty(XMLInputFactory.IS_COALESCING, true);
    }

    /** Where one bucket's requests go. */
    private record Target(HttpExchanges.Endpoint endpoint, String hostHeader, String basePath, String region) {
    }

    private final S3Settings settings;
    private final AwsCredentialsProvider credentials;
    private final RetryStrategy retries;
    private final HttpExchanges http;
    private final SigV4 signer = new SigV4();
    private final Map<String, Target> targets = new ConcurrentHashMap<>();
    private final boolean followRegion;
    private volatile Duration clockOffset = Duration.ZERO;
    private volatile Resolved resolved;
    private final EndpointOutage outage;

    /**
     * Credentials as the provider gave them, reused for at most {@link #CREDENTIALS_REUSE_NANOS}: the default chain
     * rebuilds them on each call (the environment's, for instance), a few µs and a deal of code to compile per GET;
     * providers of expiring credentials refresh them minutes before they expire, so a second's reuse changes nothing.
     */
    private record Resolved(AwsCredentials credentials, long until) {
    }

    private static final long CREDENTIALS_REUSE_NANOS = Duration.ofSeconds(1).toNanos();

    S3Requests(S3Settings settings, AwsCredentialsProvider credentials, int maxConnections, EndpointOutage outage) {
        this.settings = settings;
        this.outage = outage;
        this.credentials = credentials;
        this.retries = S3Clients.retryStrategy(settings);
        // The JVM's trust store (javax.net.ssl.trustStore), host name verification on; loaded on the first HTTPS
        // connection, so plain HTTP never loads it.
        this.http = new HttpExchanges(maxConnections, settings.connectTimeout(), settings.socketTimeout());
        this.followRegion = settings.region() == null && settings.endpoint() == null;
    }

    /**
     * The whole object, read straight into an array of its Content-Length.
     *
     * @throws ObjectTooLargeException above {@code maxBytes}: the body is not read (the connection is dropped
     *                                 instead) and the request is not retried
     */
    byte[] getObject(Location location, long maxBytes) throws ObjectTooLargeException {
        String bucket = location.bucket();
        return call(bucket, "GET", objectPath(location.key()), "", settings.flexibleChecksums(), response -> {
            long length = response.contentLength();
            if (length > maxBytes) {
                response.abort(); // drop the connection rather than drain the body
                throw new ObjectTooLargeException(location, length, maxBytes);
            }
            InputStream in = response.body();
            byte[] bytes;
            if (length >= 0) {
                bytes = new byte[(int) length];
                int read = in.readNBytes(bytes, 0, bytes.length);
                if (read < length) {
                    throw new IOException("Premature end of the object body: " + read + " of " + length + " bytes");
                }
            } else {
                bytes = in.readNBytes((int) Math.min(S3Settings.MAX_ARRAY_BYTES, maxBytes + 1)); // chunked: no length
                if (bytes.length > maxBytes) {
                    response.abort();
                    throw new ObjectTooLargeException(location, -1, maxBytes);
                }
            }
            if (settings.flexibleChecksums()) {
                ResponseChecksum.verify(bytes, response::header);
            }
            return bytes;
        });
    }

    /** An object's size and ETag (its version: a rewrite changes it). */
    record Head(long size, String eTag) {
    }

    /** The object's size and ETag, or null when there is no such object. */
    Head headObject(String bucket, String key) {
        try {
            return call(bucket, "HEAD", objectPath(key), "", false, response -> {
                String eTag = response.header("ETag");
                return new Head(Math.max(0L, response.contentLength()), eTag);
            });
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return null;
            }
            throw e;
        } catch (ObjectTooLargeException e) {
            throw new IllegalStateException(e); // HEAD reads no body
        }
    }

    /**
     * One page of ListObjectsV2 below {@code prefix}, from the first key after {@code startAfter}.
     *
     * @param delimiter  "/" to list by "folders", or null
     * @param startAfter null for the first page
     * @param maxKeys    0 for the server's page size (1,000 on S3)
     */
    ListPage listObjects(String bucket, String prefix, String delimiter, String startAfter, int maxKeys) {
        // Query parameters sorted by name, as SigV4's canonical query string needs them.
        StringBuilder query = new StringBuilder(128);
        if (delimiter != null) {
            query.append("delimiter=").append(SdkHttpUtils.urlEncode(delimiter)).append('&');
        }
        query.append("encoding-type=url&list-type=2");
        if (maxKeys > 0) {
            query.append("&max-keys=").append(maxKeys);
        }
        query.append("&prefix=").append(SdkHttpUtils.urlEncode(prefix));
        if (startAfter != null) {
            query.append("&start-after=").append(SdkHttpUtils.urlEncode(startAfter));
        }
        try {
            return call(bucket, "GET", "", query.toString(), false, response -> ListPage.parse(response.body()));
        } catch (ObjectTooLargeException e) {
            throw new IllegalStateException(e); // listings are never size-checked
        }
    }

    @Override
    public void close() {
        http.close();
    }

    @FunctionalInterface
    private interface BodyReader<T> {
        T read(HttpExchanges.Response response) throws IOException;
    }

    /** Signals that the bucket lives in another region, now recorded: send the request again at once. */
    private static final class RegionMoved extends RuntimeException {
        final S3Exception error;

        RegionMoved(S3Exception error) {
            super(null, null, false, false);
            this.error = error;
        }
    }

    /**
     * The request with the SDK's retry strategy: its conditions, backoff, and (adaptive) rate limiting. The last
     * attempt's failure carries the earlier attempts' as suppressed ones: an image read 7 times truncated and 3 times
     * throttled was recorded as throttled alone (S3Errors counts them).
     */
    private <T> T call(String bucket, String method, String path, String query, boolean checksumMode,
                       BodyReader<T> reader) throws ObjectTooLargeException {
        AcquireInitialTokenResponse initial = retries.acquireInitialToken(RETRY_SCOPE);
        RetryToken token = initial.token();
        pause(initial.delay());
        boolean followed = false;
        List<SdkException> earlier = null;
        while (true) {
            try {
                T result = attempt(bucket, method, path, query, checksumMode, reader);
                retries.recordSuccess(RecordSuccessRequest.create(token));
                outage.reached();
                return result;
            } catch (RegionMoved moved) {
                if (followed) {
                    throw moved.error;
                }
                followed = true;
            } catch (SdkException e) {
                if (e instanceof AbortedException) {
                    throw e;
                }
                outage.failed(e);
                RefreshRetryTokenResponse refreshed;
                try {
                    refreshed = retries.refreshRetryToken(RefreshRetryTokenRequest.builder().token(token).failure(e).build());
                } catch (TokenAcquisitionFailedException exhausted) {
                    if (earlier != null) {
                        earlier.forEach(f -> e.addSuppressed(new S3Errors.EarlierAttempt(f)));
                    }
                    throw e;
                }
                if (earlier == null) {
                    earlier = new ArrayList<>();
                }
                earlier.add(e);
                token = refreshed.token();
                pause(refreshed.delay());
            }
        }
    }

    private <T> T attempt(String bucket, String method, String path, String query, boolean checksumMode,
                          BodyReader<T> reader) throws ObjectTooLargeException {
        if (Thread.currentThread().isInterrupted()) {
            throw AbortedException.builder().message("Interrupted before the request was sent").build();
        }
        Target target = target(bucket);
        String fullPath = target.basePath() + path;
        if (fullPath.isEmpty()) {
            fullPath = "/";
        }
        AwsCredentials identity = credentials();
        SigV4.Signed signed = signer.sign(method, target.hostHeader(), fullPath, query, checksumMode, identity,
                target.region(), Instant.now().plus(clockOffset));
        List<String> headers = new ArrayList<>(12);
        headers.add("Host");
        headers.add(target.hostHeader());
        if (checksumMode) {
            headers.add("x-amz-checksum-mode");
            headers.add("ENABLED");
        }
        headers.add("x-amz-content-sha256");
        headers.add(signed.contentSha256());
        headers.add("x-amz-date");
        headers.add(signed.date());
        if (signed.securityToken() != null) {
            headers.add("x-amz-security-token");
            headers.add(signed.securityToken());
        }
        headers.add("Authorization");
        headers.add(signed.authorization());
        try (HttpExchanges.Response response = http.send(target.endpoint(), method,
                query.isEmpty() ? fullPath : fullPath + "?" + query, headers)) {
            int status = response.status();
            if (status < 200 || status >= 300) {
                throw error(bucket, target, method, response);
            }
            return reader.read(response);
        } catch (ObjectTooLargeException e) {
            throw e;
        } catch (IOException e) {
            if (e instanceof InterruptedIOException && !(e instanceof SocketTimeoutException)
                    || Thread.currentThread().isInterrupted()) {
                throw AbortedException.builder().message("Interrupted: " + e.getMessage()).cause(e).build();
            }
            throw SdkClientException.builder().message("Unable to execute HTTP request: " + e.getMessage()).cause(e).build();
        }
    }

    private AwsCredentials credentials() {
        long now = System.nanoTime();
        Resolved last = resolved;
        if (last == null || now - last.until > 0) {
            last = new Resolved(credentials.resolveCredentials(), now + CREDENTIALS_REUSE_NANOS);
            resolved = last;
        }
        return last.credentials;
    }

    /** The failure as the SDK would report it; records a bucket's real region or the server's clock on the way. */
    private RuntimeException error(String bucket, Target target, String method, HttpExchanges.Response response)
            throws IOException {
        int status = response.status();
        if (status == 400 || status == 403) {
            resolved = null; // expired or rotated credentials, perhaps: ask the provider again before a retry
        }
        String code = null;
        String message = null;
        if (!"HEAD".equals(method)) {
            byte[] body = response.body().readNBytes(MAX_ERROR_BODY);
            String[] parsed = parseError(body);
            code = parsed[0];
            message = parsed[1];
        }
        SdkHttpResponse.Builder http = SdkHttpResponse.builder().statusCode(status);
        List<String> headers = response.headers();
        for (int i = 0; i < headers.size(); i += 2) {
            http.appendHeader(headers.get(i), headers.get(i + 1));
        }
        String requestId = header(response, "x-amz-request-id");
        S3Exception exception = (S3Exception) S3Exception.builder()
                .statusCode(status)
                .requestId(requestId)
                .extendedRequestId(header(response, "x-amz-id-2"))
                .message((message == null ? "HTTP " + status : message) + " (Service: S3, Status Code: " + status
                        + (requestId == null ? "" : ", Request ID: " + requestId) + ")")
                .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).errorMessage(message).serviceName("S3")
                        .sdkHttpResponse(http.build()).build())
                .build();
        String region = header(response, "x-amz-bucket-region");
        if (followRegion && region != null && !region.equals(target.region()) && (status == 301 || status == 307
                || status == 400 || "HEAD".equals(method) && status == 403)) {
            targets.put(bucket, resolve(bucket, Region.of(region)));
            return new RegionMoved(exception);
        }
        if (exception.isClockSkewException()) {
            String date = header(response, "Date");
            if (date != null) {
                try {
                    Instant server = ZonedDateTime.parse(date, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
                    clockOffset = Duration.between(Instant.now(), server);
                } catch (DateTimeParseException ignored) {
                    // no usable server time: the retry will fail the same way and report it
                }
            }
        }
        return exception;
    }

    private static String[] parseError(byte[] body) {
        String[] result = new String[2];
        try {
            XMLStreamReader xml = XML.createXMLStreamReader(new java.io.ByteArrayInputStream(body));
            try {
                while (xml.hasNext()) {
                    if (xml.next() == XMLStreamConstants.START_ELEMENT) {
                        switch (xml.getLocalName()) {
                            case "Code" -> result[0] = xml.getElementText();
                            case "Message" -> result[1] = xml.getElementText();
                            default -> {
                            }
                        }
                    }
                }
            } finally {
                xml.close();
            }
        } catch (XMLStreamException e) {
            // not S3's XML (a proxy's page): status code only
        }
        return result;
    }

    private static String header(HttpExchanges.Response response, String name) {
        return response.header(name);
    }

    private static final char[] HEX_UPPER = "0123456789ABCDEF".toCharArray();

    /**
     * The key as a path, URI-encoded as S3 and SigV4 want it: each UTF-8 byte other than an unreserved character
     * (A-Z a-z 0-9 - . _ ~) or '/' as %XY, as {@code SdkHttpUtils.urlEncodeIgnoreSlashes} does (SigV4Test compares
     * them). Written out here because the SDK's way (the JDK's URLEncoder, then three replacements over the result)
     * cost ~0.5 s of optimising-compiler time per job whose keys have a space, as Fruits-360's folders do (bench/README.md).
     * A key of unreserved characters only (most: "img/00042/photo_1.jpg") is its own encoding.
     */
    static String objectPath(String key) {
        for (int i = 0, n = key.length(); i < n; i++) {
            if (!unreservedOrSlash(key.charAt(i))) {
                byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
                StringBuilder path = new StringBuilder(bytes.length * 3 + 1).append('/');
                for (byte b : bytes) {
                    int c = b & 0xFF;
                    if (unreservedOrSlash((char) c)) {
                        path.append((char) c);
                    } else {
                        path.append('%').append(HEX_UPPER[c >> 4]).append(HEX_UPPER[c & 0xF]);
                    }
                }
                return path.toString();
            }
        }
        return "/" + key;
    }

    private static boolean unreservedOrSlash(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
                || c == '/' || c == '-' || c == '.' || c == '_' || c == '~';
    }

    private Target target(String bucket) {
        Target target = targets.get(bucket);
        if (target == null) {
            target = resolve(bucket, S3Clients.region(settings));
            targets.putIfAbsent(bucket, target);
        }
        return target;
    }

    /** The bucket's endpoint by the SDK's own S3 endpoint rules, as its client would compute it. */
    private Target resolve(String bucket, Region region) {
        Endpoint endpoint;
        try {
            endpoint = S3EndpointProvider.defaultProvider().resolveEndpoint(S3EndpointParams.builder()
                    .bucket(bucket)
                    .region(region)
                    .endpoint(settings.endpoint() == null ? null : settings.endpoint().toString())
                    .forcePathStyle(settings.usePathStyle())
                    .useFips(false).useDualStack(false).accelerate(false).useGlobalEndpoint(false)
                    .build()).join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof SdkException sdk ? sdk
                    : SdkClientException.create("No S3 endpoint for bucket '" + bucket + "'", e.getCause());
        }
        String signingRegion = region.id();
        List<EndpointAuthScheme> schemes = endpoint.attribute(AwsEndpointAttribute.AUTH_SCHEMES);
        if (schemes != null && !schemes.isEmpty()) {
            if (!(schemes.get(0) instanceof SigV4AuthScheme v4)) {
                throw SdkClientException.create("Bucket '" + bucket + "' needs " + schemes.get(0).name()
                        + " signing (an S3 Express One Zone directory bucket or a multi-region access point), which "
                        + "Orchard does not support: use a general purpose bucket");
            }
            if (v4.signingRegion() != null) {
                signingRegion = v4.signingRegion();
            }
        }
        URI url = endpoint.url();
        boolean https = "https".equalsIgnoreCase(url.getScheme());
        int port = url.getPort();
        boolean defaultPort = port == -1 || port == (https ? 443 : 80);
        String hostHeader = defaultPort ? url.getHost() : url.getHost() + ":" + port;
        String basePath = url.getRawPath() == null ? "" : url.getRawPath();
        if (basePath.endsWith("/")) {
            basePath = basePath.substring(0, basePath.length() - 1);
        }
        return new Target(new HttpExchanges.Endpoint(https, url.getHost(), defaultPort ? (https ? 443 : 80) : port),
                hostHeader, basePath, signingRegion);
    }

    private static void pause(Duration delay) {
        if (delay.isZero() || delay.isNegative()) {
            return;
        }
        try {
            Thread.sleep(delay.toMillis(), (int) (delay.toNanosPart() % 1_000_000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw AbortedException.builder().message("Interrupted while waiting to retry").cause(e).build();
        }
    }
}
