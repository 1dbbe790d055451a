package dev.orchard.store.s3;

import dev.orchard.store.Location;
import dev.orchard.store.ObjectStore;
import dev.orchard.store.StoredObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.DeleteObjectsResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Error;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Objects in S3 or an S3-compatible server, through the AWS SDK for Java v2 (synchronous client, Apache HTTP).
 *
 * <p>A location's key is read as a folder: {@code s3://b/images} lists the keys below {@code images/}, never
 * {@code images2/...}; when nothing is below it but an object {@code images} exists, that object is the listing.
 * Keys ending in '/' (the "folder" markers consoles create) are not objects to Orchard and are never listed.
 *
 * <p>Every request goes through the SDK's retry strategy ({@link S3Settings#retryMode()}): throttling (503 SlowDown),
 * 5xx, connection resets and timeouts are retried with exponential backoff and jitter. Errors that remain come out as
 * {@link IOException}s that name the object and the likely fix.
 *
 * <p>One store serves every bucket and is thread-safe. It owns one client, its connection pool and two small thread
 * pools: make one per JVM (or job), share it, and close it; do not make one per object.
 */
public final class S3ObjectStore implements ObjectStore {

    private static final int DELETE_BATCH = 1_000; // DeleteObjects' limit

    private final S3Settings settings;
    private final DefaultCredentialsProvider credentials;
    private final S3Clients.Client client;
    private final S3Client s3;
    private final S3Errors errors;
    private final ExecutorService listings;

    private S3ObjectStore(S3Settings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
        // A fresh chain per store (not the shared singleton) so that nothing it cached outlives the store.
        this.credentials = DefaultCredentialsProvider.builder().build();
        this.client = S3Clients.build(settings, credentials);
        this.s3 = client.s3();
        this.errors = new S3Errors(settings);
        this.listings = settings.listParallelism() > 1
                ? Executors.newFixedThreadPool(settings.listParallelism(), daemonThreads("orchard-s3-list"))
                : null;
    }

    public static S3ObjectStore create(S3Settings settings) {
        return new S3ObjectStore(settings);
    }

    public S3Settings settings() {
        return settings;
    }

    @Override
    public Stream<StoredObject> list(Location prefix) throws IOException {
        requireS3(prefix);
        String key = prefix.key();
        String folder = key.isEmpty() || key.endsWith("/") ? key : key + "/";
        ObjectIterator objects;
        try {
            objects = new ObjectIterator(prefix, folder); // the SDK's paginator asks for the first page right away
        } catch (SdkException e) {
            throw errors.translate("list", prefix, e);
        }
        try {
            if (!objects.hasNext() && !key.equals(folder)) {
                objects.close();
                HeadObjectResponse head = headOrNull(prefix);
                return head == null ? Stream.empty()
                        : Stream.of(new StoredObject(prefix, head.contentLength(), head.eTag()));
            }
        } catch (UncheckedIOException e) {
            objects.close();
            throw e.getCause();
        }
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(objects,
                Spliterator.ORDERED | Spliterator.NONNULL), false).onClose(objects::close);
    }

    @Override
    public byte[] read(Location location) throws IOException {
        requireS3(location);
        try {
            return s3.getObjectAsBytes(b -> b.bucket(location.bucket()).key(location.key())).asByteArrayUnsafe();
        } catch (SdkException e) {
            throw errors.translate("read", location, e);
        }
    }

    /** Streams the object; a failure in the middle of the body is not retried (use {@link #read} where it must be). */
    @Override
    public InputStream open(Location location) throws IOException {
        requireS3(location);
        try {
            return s3.getObject(b -> b.bucket(location.bucket()).key(location.key()));
        } catch (SdkException e) {
            throw errors.translate("read", location, e);
        }
    }

    @Override
    public boolean exists(Location location) throws IOException {
        requireS3(location);
        return headOrNull(location) != null;
    }

    /** One PutObject: S3 shows the new object only once all of it has arrived. */
    @Override
    public void put(Location target, byte[] bytes) throws IOException {
        requireS3(target);
        try {
            s3.putObject(b -> b.bucket(target.bucket()).key(target.key()), RequestBody.fromBytes(bytes));
        } catch (SdkException e) {
            throw errors.translate("write", target, e);
        }
    }

    /** One PutObject, or a multipart upload from {@link S3Settings#multipartThreshold()} bytes on. */
    @Override
    public void putFile(Location target, Path file) throws IOException {
        requireS3(target);
        long size = Files.size(file);
        try {
            if (size < settings.multipartThreshold()) {
                s3.putObject(b -> b.bucket(target.bucket()).key(target.key()), RequestBody.fromFile(file));
            } else {
                new MultipartUpload(s3, settings.partSize(), settings.flexibleChecksums()).upload(target.bucket(), target.key(), file);
            }
        } catch (SdkException e) {
            throw errors.translate("write", target, e);
        }
    }

    /** A server-side CopyObject (the new key appears whole), then the old key is deleted. */
    @Override
    public void move(Location from, Location to) throws IOException {
        requireS3(from);
        requireS3(to);
        try {
            s3.copyObject(b -> b.sourceBucket(from.bucket()).sourceKey(from.key())
                    .destinationBucket(to.bucket()).destinationKey(to.key()));
            s3.deleteObject(b -> b.bucket(from.bucket()).key(from.key()));
        } catch (SdkException e) {
            throw errors.translate("write", to, e);
        }
    }

    /**
     * Deletes the object at {@code prefix} and every key below {@code prefix/}, folder markers included, 1,000 keys a
     * request. Refuses a whole bucket: an empty prefix is far more likely a mistake than a wish.
     */
    @Override
    public void deleteAll(Location prefix) throws IOException {
        requireS3(prefix);
        String key = prefix.key();
        if (key.isEmpty() || key.equals("/")) {
            throw new IOException("Refusing to delete every object in bucket '" + prefix.bucket()
                    + "': give a prefix below the bucket, e.g. s3://" + prefix.bucket() + "/results/run1");
        }
        String folder = key.endsWith("/") ? key : key + "/";
        List<ObjectIdentifier> batch = new ArrayList<>(DELETE_BATCH);
        try {
            if (!key.endsWith("/")) {
                batch.add(ObjectIdentifier.builder().key(key).build()); // deleting a missing key is no error
            }
            for (S3Object o : s3.listObjectsV2Paginator(b -> b.bucket(prefix.bucket()).prefix(folder)).contents()) {
                batch.add(ObjectIdentifier.builder().key(o.key()).build());
                if (batch.size() == DELETE_BATCH) {
                    deleteBatch(prefix, batch);
                }
            }
            if (!batch.isEmpty()) {
                deleteBatch(prefix, batch);
            }
        } catch (SdkException e) {
            throw errors.translate("delete", prefix, e);
        }
    }

    private void deleteBatch(Location prefix, List<ObjectIdentifier> batch) throws IOException {
        DeleteObjectsResponse response = s3.deleteObjects(b -> b.bucket(prefix.bucket())
                .delete(d -> d.objects(batch).quiet(true)));
        batch.clear();
        if (response.hasErrors() && !response.errors().isEmpty()) {
            S3Error first = response.errors().get(0);
            throw new IOException("Could not delete " + response.errors().size() + " objects below " + prefix
                    + ", e.g. s3://" + prefix.bucket() + "/" + first.key() + " (" + first.code() + ": "
                    + first.message() + "): check that the credentials may s3:DeleteObject there");
        }
    }

    /**
     * Writes and deletes a small marker object below {@code prefix}: the only sure test that a job will be able to
     * save its outputs there.
     */
    @Override
    public void checkWritable(Location prefix) throws IOException {
        requireS3(prefix);
        requireCredentials("write to", prefix);
        String key = prefix.key();
        String folder = key.isEmpty() || key.endsWith("/") ? key : key + "/";
        Location probe = new Location(Location.Scheme.S3, prefix.bucket(), folder + ".orchard-write-check-" + UUID.randomUUID());
        try {
            s3.putObject(b -> b.bucket(probe.bucket()).key(probe.key()),
                    RequestBody.fromBytes("Orchard checks that it may write here; this object is deleted at once."
                            .getBytes(StandardCharsets.UTF_8)));
        } catch (SdkException e) {
            throw errors.translate("write to", prefix, e);
        }
        try {
            s3.deleteObject(b -> b.bucket(probe.bucket()).key(probe.key()));
        } catch (SdkException e) {
            throw errors.translate("delete in", prefix, e);
        }
    }

    /** Lists one key below {@code location} (or finds the object itself): needs s3:ListBucket on the bucket. */
    @Override
    public void checkReadable(Location location) throws IOException {
        requireS3(location);
        requireCredentials("read", location);
        String key = location.key();
        String folder = key.isEmpty() || key.endsWith("/") ? key : key + "/";
        boolean found;
        try {
            // contents(), not keyCount(): some S3-compatible servers leave KeyCount out
            found = !s3.listObjectsV2(b -> b.bucket(location.bucket()).prefix(folder).maxKeys(1)).contents().isEmpty();
        } catch (SdkException e) {
            throw errors.translate("list", location, e);
        }
        if (!found && !key.equals(folder)) {
            found = headOrNull(location) != null; // a single object, e.g. the model file
        }
        if (!found) {
            throw new IOException("Nothing to read at " + location + " (no object with that key and none below "
                    + "s3://" + location.bucket() + "/" + folder + "): check the prefix; keys are case-sensitive");
        }
    }

    @Override
    public void close() {
        if (listings != null) {
            listings.shutdownNow();
        }
        client.close();
        credentials.close();
    }

    private HeadObjectResponse headOrNull(Location location) throws IOException {
        try {
            return s3.headObject(b -> b.bucket(location.bucket()).key(location.key()));
        } catch (AwsServiceException e) {
            if (e.statusCode() == 404) {
                return null;
            }
            throw errors.translate("read", location, e);
        } catch (SdkException e) {
            throw errors.translate("read", location, e);
        }
    }

    /** Resolving credentials first separates "no credentials at all" from every other failure. */
    private void requireCredentials(String action, Location where) throws IOException {
        try {
            credentials.resolveCredentials();
        } catch (SdkClientException e) {
            throw errors.noCredentials(action, where, e);
        }
    }

    private static void requireS3(Location location) {
        if (location.scheme() != Location.Scheme.S3) {
            throw new IllegalArgumentException("S3ObjectStore got a non-S3 location: " + location);
        }
    }

    private static ThreadFactory daemonThreads(String name) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, name + "-" + count.incrementAndGet());
            thread.setDaemon(true); // a forgotten close() must not keep the JVM alive
            return thread;
        };
    }

    /**
     * The objects below {@code folder}, sequentially or with {@link ParallelListing}, without folder markers, SDK
     * errors turned into {@link UncheckedIOException}s that name the prefix.
     */
    private final class ObjectIterator implements Iterator<StoredObject>, AutoCloseable {
        private final Location prefix;
        private final Iterator<S3Object> source;
        private final Runnable closer;
        private StoredObject next;

        ObjectIterator(Location prefix, String folder) {
            this.prefix = prefix;
            String bucket = prefix.bucket();
            if (listings != null) {
                ParallelListing parallel = new ParallelListing(s3, bucket, folder, settings.listParallelism(), listings);
                this.source = parallel;
                this.closer = parallel::close;
            } else {
                this.source = s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(folder)).contents().iterator();
                this.closer = () -> { }; // the SDK's paginator holds no resources between pages
            }
        }

        @Override
        public boolean hasNext() {
            try {
                while (next == null && source.hasNext()) {
                    S3Object o = source.next();
                    if (!o.key().endsWith("/")) {
                        next = new StoredObject(new Location(Location.Scheme.S3, prefix.bucket(), o.key()), o.size(),
                                o.eTag());
                    }
                }
            } catch (SdkException e) {
                throw new UncheckedIOException(errors.translate("list", prefix, e));
            }
            return next != null;
        }

        @Override
        public StoredObject next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            StoredObject result = next;
            next = null;
            return result;
        }

        @Override
        public void close() {
            closer.run();
        }
    }
}
