package dev.orchard.store.s3;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;

/**
 * How Orchard talks to S3 or an S3-compatible server. Credentials are deliberately not part of it: they come only
 * from the AWS SDK's default provider chain (environment, system properties, profile, container or instance role),
 * so no secret ever passes through Orchard's configuration, command line or logs.
 *
 * @param region             AWS region; {@code null} = the SDK's region chain ({@code AWS_REGION}, profile), falling
 *                           back to us-east-1 with cross-region access so that a bucket in any region still works
 * @param endpoint           endpoint of an S3-compatible server ({@code http://127.0.0.1:9000}); {@code null} = AWS
 * @param pathStyle          address buckets as {@code endpoint/bucket/key} rather than {@code bucket.endpoint/key}
 *                           (most S3-compatible servers need it)
 * @param maxConcurrentGets  GETs in flight at once: the size of the HTTP connection pool (the worker sizes it to its fetch threads)
 * @param listParallelism    first-level "folders" listed at once; 1 = one sequential listing
 * @param multipartThreshold files of at least this many bytes are uploaded in parts
 * @param partSize           bytes per part of a multipart upload (S3's minimum is 5 MiB)
 * @param retryMode          the SDK retry strategy: STANDARD, or ADAPTIVE, which also rate-limits the whole client
 *                           after throttling (503 SlowDown) and ramps back up slowly: for buckets that keep throttling
 * @param maxAttempts        attempts per request, the first included
 * @param retryBaseDelay     base of the exponential backoff (full jitter) between attempts
 * @param retryMaxDelay      cap of that backoff
 * @param connectTimeout     TCP connect timeout
 * @param socketTimeout      longest silence while waiting for response bytes
 * @param profile            AWS profile for credentials and region ({@code null}: the default chain, where credentials
 *                           in the environment come first, then {@code AWS_PROFILE} or "default"); a profile named
 *                           here is the credentials, as the AWS CLI's --profile is (the environment's are not used)
 */
public record S3Settings(
        String region,
        URI endpoint,
        boolean pathStyle,
        int maxConcurrentGets,
        int listParallelism,
        long multipartThreshold,
        long partSize,
        RetryMode retryMode,
        int maxAttempts,
        Duration retryBaseDelay,
        Duration retryMaxDelay,
        Duration connectTimeout,
        Duration socketTimeout,
        String profile) {

    public enum RetryMode { STANDARD, ADAPTIVE }

    static final long MIN_PART_SIZE = 5L << 20;
    /** A Java array holds at most this many bytes. */
    static final long MAX_ARRAY_BYTES = Integer.MAX_VALUE - 8;

    public S3Settings {
        Objects.requireNonNull(retryMode, "retryMode");
        Objects.requireNonNull(retryBaseDelay, "retryBaseDelay");
        Objects.requireNonNull(retryMaxDelay, "retryMaxDelay");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(socketTimeout, "socketTimeout");
        requirePositive(maxConcurrentGets, "maxConcurrentGets");
        requirePositive(listParallelism, "listParallelism");
        requirePositive(maxAttempts, "maxAttempts");
        if (partSize < MIN_PART_SIZE) {
            throw new IllegalArgumentException("S3 part size must be at least 5 MiB, not " + partSize + " bytes");
        }
        if (multipartThreshold < partSize) {
            throw new IllegalArgumentException("The multipart threshold (" + multipartThreshold
                    + " bytes) must not be below the part size (" + partSize + " bytes)");
        }
        if (endpoint != null && (endpoint.getRawUserInfo() != null || endpoint.getRawAuthority() != null
                && endpoint.getRawAuthority().contains("@"))) {
            // Never echo the URL: it holds a password. Credentials come only from the AWS credential chain.
            throw new IllegalArgumentException("The S3 endpoint URL must not contain credentials (user:password@host): "
                    + "give the endpoint as scheme://host:port, and the credentials through the AWS credential chain "
                    + "(AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, or an instance role)");
        }
        if (endpoint != null && (endpoint.getRawQuery() != null || endpoint.getRawFragment() != null)) {
            // Not echoed either: a query may carry a token. The SDK refused it mid-job ("not a valid URI"), exit 1.
            throw new IllegalArgumentException("The S3 endpoint URL must not have a query or fragment (?… or #…): give"
                    + " it as scheme://host:port[/path]");
        }
        if (endpoint != null && (endpoint.getScheme() == null || endpoint.getHost() == null)) {
            throw new IllegalArgumentException("S3 endpoint '" + endpoint + "' needs a scheme and a host, e.g. http://127.0.0.1:9000");
        }
    }

    /** AWS S3, region from the environment, 32 concurrent GETs, parts of 16 MiB above 64 MiB, 10 attempts. */
    public static S3Settings defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    /**
     * Whether every upload carries the SDK's CRC32 checksum (the SDK's default since 2.30). AWS verifies it; several
     * S3-compatible servers (S3Proxy, older MinIO and Ceph) reject the streamed, trailing-checksum form the SDK then
     * uses, so with an endpoint override checksums are sent only where S3 requires them (e.g. DeleteObjects).
     */
    public boolean flexibleChecksums() {
        return endpoint == null;
    }

    /**
     * Whether buckets are addressed as {@code endpoint/bucket/key}: when asked, and for every S3-compatible server
     * (MinIO, S3Proxy, Ceph rarely serve bucket.host virtual hosts); AWS gets virtual hosts.
     */
    public boolean usePathStyle() {
        return pathStyle || endpoint != null && !endpoint.getHost().endsWith("amazonaws.com");
    }

    /** Where requests go, for messages: the endpoint (never with credentials: those are refused), or AWS and its region. */
    public String describeEndpoint() {
        if (endpoint != null) {
            return endpoint.toString();
        }
        return region == null ? "AWS S3" : "AWS S3 (" + region + ")";
    }

    private static void requirePositive(int value, String name) {
        if (value < 1) {
            throw new IllegalArgumentException("S3 setting " + name + " must be at least 1, not " + value);
        }
    }

    public static final class Builder {
        private String region;
        private URI endpoint;
        private boolean pathStyle;
        private int maxConcurrentGets = 32;
        private int listParallelism = 1;
        private long multipartThreshold = 64L << 20;
        private long partSize = 16L << 20;
        private RetryMode retryMode = RetryMode.STANDARD;
        private int maxAttempts = 10;
        private Duration retryBaseDelay = Duration.ofMillis(100);
        private Duration retryMaxDelay = Duration.ofSeconds(20);
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration socketTimeout = Duration.ofSeconds(60);
        private String profile;

        private Builder() {
        }

        private Builder(S3Settings s) {
            region = s.region;
            endpoint = s.endpoint;
            pathStyle = s.pathStyle;
            maxConcurrentGets = s.maxConcurrentGets;
            listParallelism = s.listParallelism;
            multipartThreshold = s.multipartThreshold;
            partSize = s.partSize;
            retryMode = s.retryMode;
            maxAttempts = s.maxAttempts;
            retryBaseDelay = s.retryBaseDelay;
            retryMaxDelay = s.retryMaxDelay;
            connectTimeout = s.connectTimeout;
            socketTimeout = s.socketTimeout;
            profile = s.profile;
        }

        public Builder region(String v) { region = v; return this; }
        public Builder endpoint(URI v) { endpoint = v; return this; }
        public Builder pathStyle(boolean v) { pathStyle = v; return this; }
        public Builder maxConcurrentGets(int v) { maxConcurrentGets = v; return this; }
        public Builder listParallelism(int v) { listParallelism = v; return this; }
        public Builder multipartThreshold(long v) { multipartThreshold = v; return this; }
        public Builder partSize(long v) { partSize = v; return this; }
        public Builder retryMode(RetryMode v) { retryMode = v; return this; }
        public Builder maxAttempts(int v) { maxAttempts = v; return this; }
        public Builder retryBaseDelay(Duration v) { retryBaseDelay = v; return this; }
        public Builder retryMaxDelay(Duration v) { retryMaxDelay = v; return this; }
        public Builder connectTimeout(Duration v) { connectTimeout = v; return this; }
        public Builder socketTimeout(Duration v) { socketTimeout = v; return this; }
        public Builder profile(String v) { profile = v; return this; }

        public S3Settings build() {
            return new S3Settings(region, endpoint, pathStyle, maxConcurrentGets, listParallelism, multipartThreshold,
                    partSize, retryMode, maxAttempts, retryBaseDelay, retryMaxDelay, connectTimeout, socketTimeout, profile);
        }
    }
}
