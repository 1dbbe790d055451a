package dev.orchard.store.s3;

import java.net.URI;
import java.time.Duration;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStore;
import org.jclouds.blobstore.BlobStoreContext;
import org.jclouds.blobstore.TransientApiMetadata;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.LegacyMd5Plugin;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A real S3 server for tests: S3Proxy on 127.0.0.1 with an in-memory (transient) backend, a random port and
 * signature checking on. Start one per test class, create the buckets the test needs, and point a store at
 * {@link #settings()}.
 *
 * <p>The store finds the server's credentials the way it finds real ones, through the AWS default credential chain:
 * {@link #start} sets the {@code aws.accessKeyId}/{@code aws.secretAccessKey} system properties that chain reads
 * (test values, not secrets), and turns off the EC2 instance metadata lookup so no test ever leaves the machine.
 *
 * <pre>{@code
 * try (S3TestServer server = S3TestServer.start("images", "results");
 *      ObjectStore store = S3ObjectStore.create(server.settings())) { ... }
 * }</pre>
 *
 * Other modules use it through this module's test-jar ({@code <type>test-jar</type>}) plus a test-scoped
 * {@code org.gaul:s3proxy} dependency (its version and exclusions are managed in the parent pom).
 */
public final class S3TestServer implements AutoCloseable {

    public static final String ACCESS_KEY = "orchard-test-access-key";
    public static final String SECRET_KEY = "orchard-test-secret-key";
    public static final String REGION = "us-east-1";

    private final S3Proxy proxy;
    private final BlobStoreContext context;
    private final BlobStore blobs;

    private S3TestServer(S3Proxy proxy, BlobStoreContext context) {
        this.proxy = proxy;
        this.context = context;
        this.blobs = context.getBlobStore();
    }

    /** Starts a server holding the given (empty) buckets. */
    public static S3TestServer start(String... buckets) throws Exception {
        return start(true, buckets);
    }

    /**
     * As {@link #start(String...)}, with S3Proxy's default answer to headers it does not know when
     * {@code ignoreUnknownHeaders} is false: 501 NotImplemented (as a user's S3Proxy answers the SDK's DeleteObjects).
     */
    public static S3TestServer start(boolean ignoreUnknownHeaders, String... buckets) throws Exception {
        useTestCredentials();
        // By its metadata, not its name: a lookup by name loads every provider S3Proxy registers, and the parent pom
        // leaves out the cloud SDKs those need.
        BlobStoreContext context = ContextBuilder.newBuilder(new TransientApiMetadata()).build(BlobStoreContext.class);
        S3Proxy proxy = S3Proxy.builder()
                .blobStore(context.getBlobStore())
                .endpoint(URI.create("http://127.0.0.1:0"))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
                // The SDK sends x-amz-checksum-crc32 where S3 requires a checksum (DeleteObjects), even with
                // Content-MD5 restored; this S3Proxy release answers 501 to headers it does not know.
                .ignoreUnknownHeaders(ignoreUnknownHeaders)
                .jettyMaxThreads(64)
                .build();
        proxy.start();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!"STARTED".equals(proxy.getState())) {
            if (System.nanoTime() > deadline) {
                proxy.stop();
                throw new IllegalStateException("S3Proxy did not start within 30 s (state " + proxy.getState() + ")");
            }
            Thread.sleep(10);
        }
        S3TestServer server = new S3TestServer(proxy, context);
        for (String bucket : buckets) {
            server.createBucket(bucket);
        }
        return server;
    }

    /** Points the AWS default credential chain at this server's credentials, and keeps it off the network. */
    public static void useTestCredentials() {
        System.setProperty("aws.accessKeyId", ACCESS_KEY);
        System.setProperty("aws.secretAccessKey", SECRET_KEY);
        System.setProperty("aws.disableEc2Metadata", "true");
    }

    public void createBucket(String bucket) {
        blobs.createContainerInLocation(null, bucket);
    }

    /** Stores an object straight into the server's backend, bypassing HTTP: fast set-up of thousands of keys. */
    public void putDirect(String bucket, String key, byte[] bytes) {
        blobs.putBlob(bucket, blobs.blobBuilder(key).payload(bytes).contentLength((long) bytes.length).build());
    }

    public int port() {
        return proxy.getPort();
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + port());
    }

    /** Settings for a store that talks to this server: path-style addressing, quick retries and timeouts. */
    public S3Settings settings() {
        return settingsFor(endpoint());
    }

    /** As {@link #settings()}, for another way to the same server (e.g. a fault-injecting proxy in front of it). */
    public static S3Settings settingsFor(URI endpoint) {
        return S3Settings.builder()
                .endpoint(endpoint)
                .pathStyle(true)
                .region(REGION)
                .maxConcurrentGets(8)
                .retryBaseDelay(Duration.ofMillis(5))
                .retryMaxDelay(Duration.ofMillis(100))
                .connectTimeout(Duration.ofSeconds(2))
                .socketTimeout(Duration.ofSeconds(10))
                .build();
    }

    /** A plain SDK client for this server, configured as a store's, to set up and inspect what a test needs. Close it. */
    public S3Client newClient() {
        return S3Client.builder()
                .endpointOverride(endpoint())
                .forcePathStyle(true)
                .region(Region.of(REGION))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
                // as S3Clients does for S3-compatible servers: no streamed trailing checksums, Content-MD5 where needed
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .addPlugin(LegacyMd5Plugin.create())
                .build();
    }

    @Override
    public void close() throws Exception {
        proxy.stop();
        context.close();
    }
}
