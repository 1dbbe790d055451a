package dev.orchard.store.s3;

import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.retries.api.RetryStrategy;
import software.amazon.awssdk.services.s3.LegacyMd5Plugin;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;

/** Builds the SDK client that an {@link S3ObjectStore} owns, from {@link S3Settings}. */
final class S3Clients {

    /** Connections beyond the GET pool: listings, writes, checks. */
    static final int SPARE_CONNECTIONS = 8;

    private S3Clients() {
    }

    /** A client and the HTTP client under it, which the SDK leaves to us to close: close this. */
    record Client(S3Client s3, SdkHttpClient http) implements AutoCloseable {
        @Override
        public void close() {
            s3.close();
            http.close();
        }
    }

    /** The client; each of its HTTP calls tells {@code outage} whether it reached the endpoint. */
    static Client build(S3Settings settings, AwsCredentialsProvider credentials, EndpointOutage outage) {
        SdkHttpClient http = new XmlBufferingHttpClient(new OutageReportingHttpClient(Apache5HttpClient.builder()
                .maxConnections(settings.maxConcurrentGets() + settings.listParallelism() + SPARE_CONNECTIONS)
                .connectionTimeout(settings.connectTimeout())
                .socketTimeout(settings.socketTimeout())
                .build(), outage));
        S3ClientBuilder builder = S3Client.builder()
                .credentialsProvider(credentials)
                .httpClient(http)
                .overrideConfiguration(ClientOverrideConfiguration.builder()
                        .retryStrategy(retryStrategy(settings))
                        .build())
                .forcePathStyle(settings.usePathStyle());
        if (!settings.flexibleChecksums()) {
            // ...and where S3 requires one (DeleteObjects), Content-MD5 as before SDK 2.30, which they all accept;
            // the SDK still adds its x-amz-checksum-crc32 there, which S3Proxy by default answers 501
            // (S3ObjectStore then deletes one object at a time).
            builder.requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                    .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                    .addPlugin(LegacyMd5Plugin.create());
        }
        if (settings.endpoint() != null) {
            builder.endpointOverride(settings.endpoint());
        }
        Region region = region(settings);
        builder.region(region);
        // Without an explicit region the bucket may live anywhere: let the SDK follow S3's region redirects.
        if (settings.region() == null && settings.endpoint() == null) {
            builder.crossRegionAccessEnabled(true);
        }
        return new Client(builder.build(), http);
    }

    /**
     * The SDK's own retry strategy, with AWS's retryable conditions (throttling such as 503 SlowDown, 500/502/503/504,
     * connection resets and timeouts) and exponential backoff with full jitter. The standard strategy's circuit
     * breaker (a retry budget shared by the client) is off: a batch job would rather wait than drop images.
     */
    static RetryStrategy retryStrategy(S3Settings settings) {
        BackoffStrategy backoff = BackoffStrategy.exponentialDelay(settings.retryBaseDelay(), settings.retryMaxDelay());
        return switch (settings.retryMode()) {
            case STANDARD -> AwsRetryStrategy.standardRetryStrategy().toBuilder()
                    .maxAttempts(settings.maxAttempts())
                    .backoffStrategy(backoff)
                    .throttlingBackoffStrategy(backoff)
                    .circuitBreakerEnabled(false)
                    .build();
            case ADAPTIVE -> AwsRetryStrategy.adaptiveRetryStrategy().toBuilder()
                    .maxAttempts(settings.maxAttempts())
                    .backoffStrategy(backoff)
                    .throttlingBackoffStrategy(backoff)
                    .build();
        };
    }

    /**
     * The region requests are signed for at first (without one set, a bucket elsewhere is followed): --region, else
     * the SDK's chain ($AWS_REGION, the profile's), else us-east-1. With an endpoint URL too, as the AWS CLI does: a
     * server with a region of its own (MinIO's MINIO_SITE_REGION) refused requests signed for us-east-1 whatever
     * $AWS_REGION or the profile said (an options walk); most S3-compatible servers take any region.
     */
    static Region region(S3Settings settings) {
        if (settings.region() != null) {
            return Region.of(settings.region());
        }
        try {
            if (settings.endpoint() != null) { // not the EC2 metadata service: off AWS, a wait for nothing
                return new software.amazon.awssdk.regions.providers.AwsRegionProviderChain(
                        new software.amazon.awssdk.regions.providers.SystemSettingsRegionProvider(),
                        new software.amazon.awssdk.regions.providers.AwsProfileRegionProvider(null, settings.profile()))
                        .getRegion();
            }
            return DefaultAwsRegionProviderChain.builder().profileName(settings.profile()).build().getRegion();
        } catch (SdkClientException e) {
            return Region.US_EAST_1;
        }
    }
}
