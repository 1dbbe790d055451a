package dev.orchard.store.s3;

import dev.orchard.store.Location;
import dev.orchard.store.ObjectStore;
import dev.orchard.store.StoredObject;
import dev.orchard.store.UnusableLocationException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
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
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.utils.SdkAutoCloseable;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.DeleteObjectsResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Error;

/**
 * Objects in S3 or an S3-compatible server. What a job does per image, GET, HEAD and listing, goes through
 * {@link S3Requests} (SigV4-signed requests on a minimal keep-alive HTTP/1.1 client with the SDK's retry strategy, a
 * fraction of the SDK client's CPU per request); writes, deletes and streamed reads go through the AWS SDK for Java v2's synchronous
 * client, made on first use, so a job that only reads from S3 never builds one.
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

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(S3ObjectStore.class);

    private final S3Settings settings;
    /** Whether the server takes DeleteObjects; false once it answered 501 (see {@link #deleteBatch}). */
    private volatile boolean batchDeletes = true;
    private final AwsCredentialsProvider credentials;
    private final EndpointOutage outage;
    private final S3Requests requests;
    private S3Clients.Client client; // made on first write, delete or streamed read
    private final S3Errors errors;
    private final ExecutorService listings;

    private S3ObjectStore(S3Settings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
        // A fresh chain per store (not the shared singleton) so that nothing it cached outlives the store. A profile
        // named by --profile is the credentials, as the AWS CLI's --profile is: in the default chain, credentials in
        // the environment came first, and a wrong AWS_SECRET_ACCESS_KEY failed a job whose profile was right.
        this.credentials = settings.profile() == null ? DefaultCredentialsProvider.builder().build()
                : ProfileCredentialsProvider.builder().profileName(settings.profile()).build();
        this.outage = new EndpointOutage(settings);
        this.requests = new S3Requests(settings, credentials,
                settings.maxConcurrentGets() + settings.listParallelism() + S3Clients.SPARE_CONNECTIONS, outage);
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
                S3Requests.Head head = head(prefix);
                return head == null ? Stream.empty() : Stream.of(new StoredObject(prefix, head.size(), head.eTag()));
            }
        } catch (UncheckedIOException e) {
            objects.close();
            throw e.getCause();
        }
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(objects,
                Spliterator.ORDERED | Spliterator.NONNULL), false).onClose(objects::close);
    }

    /** The whole object, retried as a whole on any failure. */
    @Override
    public byte[] read(Location location) throws IOException {
        return read(location, S3Settings.MAX_ARRAY_BYTES);
    }

    /** As {@link #read(Location)}; an object above {@code maxBytes} fails at once, its body unread, not retried. */
    @Override
    public byte[] read(Location location, long maxBytes) throws IOException {
        requireS3(location);
        try {
            return requests.getObject(location, maxBytes);
        } catch (SdkException e) {
            throw errors.translate("read", location, e);
        }
    }

    /** Streams the object; a failure in the middle of the body is not retried (use {@link #read} where it must be). */
    @Override
    public InputStream open(Location location) throws IOException {
        requireS3(location);
        try {
            return sdk().getObject(b -> b.bucket(location.bucket()).key(location.key()));
        } catch (SdkException e) {
            throw errors.translate("read", location, e);
        }
    }

    @Override
    public boolean exists(Location location) throws IOException {
        requireS3(location);
        return head(location) != null;
    }

    /** One PutObject: S3 shows the new object only once all of it has arrived. */
    @Override
    public void put(Location target, byte[] bytes) throws IOException {
        requireS3(target);
        try {
            sdk().putObject(b -> b.bucket(target.bucket()).key(target.key()), RequestBody.fromBytes(bytes));
        } catch (SdkException e) {
            throw errors.translate("write", target, e);
        }
    }

    /** One ranged GetObject ({@code bytes=-n}, the last n bytes). */
    @Override
    public byte[] readTail(Location location, int n) throws IOException {
        requireS3(location);
        if (n < 1) {
            return new byte[0];
        }
        try {
            return sdk().getObjectAsBytes(b -> b.bucket(location.bucket()).key(location.key()).range("bytes=-" + n))
                    .asByteArray();
        } catch (SdkException e) {
            throw errors.translate("read", location, e);
        }
    }

    /** One GetObject through the SDK, whose answer carries the ETag; null on 404. */
    @Override
    public Tagged readTagged(Location location) throws IOException {
        requireS3(location);
        try {
            var object = sdk().getObjectAsBytes(b -> b.bucket(location.bucket()).key(location.key()));
            return new Tagged(object.asByteArray(), object.response().eTag());
        } catch (NoSuchKeyException e) {
            return null;
        } catch (SdkException e) {
            throw errors.translate("read", location, e);
        }
    }

    /**
     * One conditional PutObject: {@code If-Match: <tag>}, or {@code If-None-Match: *} when no object is expected. S3
     * answers 412 Precondition Failed when the object is another, 404 when an {@code If-Match} finds none, and 409
     * ConditionalRequestConflict when another conditional write to the key is under way; all three mean "not written".
     * The SDK retries a PUT whose answer was lost; if the first try had landed, the retry fails its condition against
     * that very write, which the object's bytes then show ({@link ObjectStore#putIf}).
     */
    @Override
    public String putIf(Location target, byte[] bytes, String expectedTag) throws IOException {
        return putIf(target, bytes, expectedTag, null);
    }

    @Override
    public String putIf(Location target, byte[] bytes, String expectedTag, java.time.Duration within) throws IOException {
        requireS3(target);
        try {
            return sdk().putObject(b -> {
                b.bucket(target.bucket()).key(target.key());
                if (within != null) {
                    b.overrideConfiguration(o -> o.apiCallTimeout(within));
                }
                if (expectedTag == null) {
                    b.ifNoneMatch("*");
                } else {
                    b.ifMatch(expectedTag);
                }
            }, RequestBody.fromBytes(bytes)).eTag();
        } catch (AwsServiceException e) {
            int status = e.statusCode();
            if (S3Errors.notImplemented(e)) {
                throw errors.conditionsNotImplemented("write", target, e);
            }
            if (status != 412 && status != 404 && status != 409) {
                throw errors.translate("write", target, e);
            }
        } catch (SdkException e) {
            throw errors.translate("write", target, e);
        }
        Tagged now = readTagged(target);
        return now != null && java.util.Arrays.equals(now.bytes(), bytes) ? now.tag() : null;
    }

    /** AWS S3 evaluates If-Match and If-None-Match; an S3-compatible server (an endpoint is set) may not. */
    @Override
    public boolean evaluatesConditions() {
        return settings.endpoint() == null;
    }

    /** One PutObject, or a multipart upload from {@link S3Settings#multipartThreshold()} bytes on. */
    @Override
    public void putFile(Location target, Path file) throws IOException {
        requireS3(target);
        long size = Files.size(file);
        try {
            if (size < settings.multipartThreshold()) {
                sdk().putObject(b -> b.bucket(target.bucket()).key(target.key()), RequestBody.fromFile(file));
            } else {
                new MultipartUpload(sdk(), settings.partSize(), settings.flexibleChecksums()).upload(target.bucket(), target.key(), file);
            }
        } catch (SdkException e) {
            throw errors.translate("write", target, e);
        }
    }

    /**
     * {@link #putFile} with {@code If-None-Match: *} on its PutObject or its CompleteMultipartUpload. A multipart
     * upload looks first, too, before it sends the parts: S3Proxy 3.1 ignores the condition on the completion (AWS S3
     * evaluates it), and a file found there then costs no upload. A write whose answer was lost and that the SDK
     * retried fails its condition against itself: so on a failed condition, an object there with exactly this file's
     * bytes counts as written (as {@link #putIf} does). Another conditional write under way (409) is waited for, a
     * few times, as AWS advises.
     */
    @Override
    public boolean putFileIfAbsent(Location target, Path file) throws IOException {
        requireS3(target);
        long size = Files.size(file);
        for (int attempt = 1; ; attempt++) {
            try {
                if (size < settings.multipartThreshold()) {
                    sdk().putObject(b -> b.bucket(target.bucket()).key(target.key()).ifNoneMatch("*"),
                            RequestBody.fromFile(file));
                } else if (exists(target)) {
                    return holds(target, file);
                } else {
                    new MultipartUpload(sdk(), settings.partSize(), settings.flexibleChecksums())
                            .uploadIfAbsent(target.bucket(), target.key(), file);
                }
                return true;
            } catch (AwsServiceException e) {
                if (S3Errors.notImplemented(e)) {
                    throw errors.conditionsNotImplemented("write", target, e);
                }
                if (e.statusCode() == 409 && attempt < 4) { // ConditionalRequestConflict: another write under way
                    sleep(250L * attempt);
                } else if (e.statusCode() == 412 || e.statusCode() == 409) {
                    return holds(target, file);
                } else {
                    throw errors.translate("write", target, e);
                }
            } catch (SdkException e) {
                throw errors.translate("write", target, e);
            }
        }
    }

    /** Whether the object at {@code target} holds exactly {@code file}'s bytes: its size, then its bytes. */
    private boolean holds(Location target, Path file) throws IOException {
        S3Requests.Head head = head(target);
        if (head == null || head.size() != Files.size(file)) {
            return false;
        }
        try (InputStream there = open(target); InputStream ours = Files.newInputStream(file)) {
            byte[] a = new byte[1 << 16];
            byte[] b = new byte[1 << 16];
            int n;
            do {
                n = ours.readNBytes(a, 0, a.length);
                if (there.readNBytes(b, 0, b.length) != n || !Arrays.equals(a, 0, n, b, 0, n)) {
                    return false;
                }
            } while (n == a.length);
            return there.read() < 0;
        } catch (java.nio.file.NoSuchFileException gone) {
            return false; // deleted since: not this write's
        }
    }

    private static void sleep(long millis) throws IOException {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while another write to the object was under way");
        }
    }

    /** A server-side CopyObject (the new key appears whole), then the old key is deleted. */
    @Override
    public void move(Location from, Location to) throws IOException {
        requireS3(from);
        requireS3(to);
        try {
            sdk().copyObject(b -> b.sourceBucket(from.bucket()).sourceKey(from.key())
                    .destinationBucket(to.bucket()).destinationKey(to.key()));
            sdk().deleteObject(b -> b.bucket(from.bucket()).key(from.key()));
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
        deleteAll(prefix, Fence.NONE);
    }

    @Override
    public void deleteAll(Location prefix, Fence fence) throws IOException {
        requireS3(prefix);
        String key = prefix.key();
        if (key.isEmpty() || key.equals("/")) {
            throw new IOException("Refusing to delete every object in bucket '" + prefix.bucket()
                    + "': give a prefix below the bucket, e.g. s3://" + prefix.bucket() + "/results/run1");
        }
        String folder = key.endsWith("/") ? key : key + "/";
        java.util.stream.Stream<String> below = java.util.stream.StreamSupport.stream(
                new Pages(requests, prefix.bucket(), folder, null).spliterator(), false)
                .flatMap(page -> page.objects().stream().map(ListPage.Entry::key));
        try {
            deleteKeys(prefix, inDeletionOrder(below, key), fence);
        } catch (SdkException e) {
            throw errors.translate("delete", prefix, e);
        }
    }

    /**
     * The keys {@code below} a prefix (as listed), then the folders' keys among them (ending in '/'), deepest first,
     * then the prefix's {@code key} itself (deleting a missing key is no error), lazily: the folders' keys go in the
     * same request as the last files where they fit. A server that keeps objects as files (S3Proxy's filesystem store)
     * lists a folder as a key and takes such a key for the folder: asked to delete it while it still held files, it
     * retried for seconds (a job's end stalled ~30 s there, an update's clean-up ~90 s: a user's walk).
     */
    static java.util.Iterator<String> inDeletionOrder(java.util.stream.Stream<String> below, String key) {
        List<String> folders = new ArrayList<>();
        java.util.stream.Stream<String> files = below.filter(k -> !k.endsWith("/") || !folders.add(k));
        java.util.stream.Stream<String> afterFiles = java.util.stream.Stream.of(key).flatMap(k -> {
            folders.sort(java.util.Comparator.reverseOrder()); // a folder's key after every key below it
            return java.util.stream.Stream.concat(folders.stream(), k.endsWith("/") ? java.util.stream.Stream.empty()
                                                                                    : java.util.stream.Stream.of(k));
        });
        return java.util.stream.Stream.concat(files, afterFiles).iterator();
    }

    /**
     * Deletes {@code keys} of {@code where}'s bucket, 1,000 a DeleteObjects request, the fence checked before each
     * request; a key DeleteObjects' XML cannot carry (control characters) goes in a DeleteObject of its own.
     */
    private void deleteKeys(Location where, java.util.Iterator<String> keys, Fence fence) throws IOException {
        List<ObjectIdentifier> batch = new ArrayList<>(DELETE_BATCH);
        while (keys.hasNext()) {
            String key = keys.next();
            if (xmlUnsafe(key)) {
                fence.check();
                sdk().deleteObject(b -> b.bucket(where.bucket()).key(key));
                continue;
            }
            batch.add(ObjectIdentifier.builder().key(key).build());
            if (batch.size() == DELETE_BATCH) {
                fence.check();
                deleteBatch(where, batch, fence);
            }
        }
        if (!batch.isEmpty()) {
            fence.check();
            deleteBatch(where, batch, fence);
        }
    }

    /**
     * One DeleteObject (a missing key is no error), nothing below the key: ObjectStore's default, a deletion of the
     * prefix, cost a listing besides (two requests for each losing attempt's file, statistics file, old part).
     */
    @Override
    public void delete(Location location) throws IOException {
        requireS3(location);
        if (location.key().isEmpty()) {
            throw new IOException("Refusing to delete the bucket root of '" + location.bucket() + "': name an object");
        }
        try {
            sdk().deleteObject(b -> b.bucket(location.bucket()).key(location.key()));
        } catch (SdkException e) {
            throw errors.translate("delete", location, e);
        }
    }

    /** The keys given, 1,000 a DeleteObjects request, the fence checked before each request. */
    @Override
    public void deleteObjects(List<Location> objects, Fence fence) throws IOException {
        Map<String, List<String>> byBucket = new java.util.LinkedHashMap<>();
        for (Location o : objects) {
            requireS3(o);
            byBucket.computeIfAbsent(o.bucket(), b -> new ArrayList<>()).add(o.key());
        }
        for (Map.Entry<String, List<String>> e : byBucket.entrySet()) {
            Location bucket = new Location(Location.Scheme.S3, e.getKey(), "");
            try {
                deleteKeys(bucket, e.getValue().iterator(), fence);
            } catch (SdkException ex) {
                throw errors.translate("delete", bucket, ex);
            }
        }
    }

    /**
     * One DeleteObject per key, for a server that refuses DeleteObjects, the fence checked before each (as before each
     * batch: a writer that lost the output makes at most the request it had begun); empties {@code batch}.
     */
    private void deleteEach(Location prefix, List<ObjectIdentifier> batch, Fence fence) throws IOException {
        for (ObjectIdentifier o : batch) {
            fence.check();
            sdk().deleteObject(b -> b.bucket(prefix.bucket()).key(o.key()));
        }
        batch.clear();
    }

    /** Control characters: XML 1.0 forbids most, and its parsers turn CR into LF. */
    private static boolean xmlUnsafe(String key) {
        for (int i = 0; i < key.length(); i++) {
            if (Character.isISOControl(key.charAt(i))) {
                return true;
            }
        }
        return false;
    }

    private void deleteBatch(Location prefix, List<ObjectIdentifier> batch, Fence fence) throws IOException {
        if (!batchDeletes) {
            deleteEach(prefix, batch, fence);
            return;
        }
        DeleteObjectsResponse response;
        try {
            response = sdk().deleteObjects(b -> b.bucket(prefix.bucket()).delete(d -> d.objects(batch).quiet(true)));
        } catch (software.amazon.awssdk.services.s3.model.S3Exception e) {
            if (e.statusCode() != 501) {
                throw e;
            }
            // The SDK sends x-amz-checksum-crc32 with DeleteObjects, where S3 requires a checksum; a server that
            // does not know the header may refuse the request (S3Proxy by default: every job with an S3 output
            // failed at its end, a user's report). A DeleteObject has no body, and so no checksum.
            batchDeletes = false;
            LOG.info("{} does not take DeleteObjects as the AWS SDK sends it ({}): objects there are deleted one at a"
                    + " time (for S3Proxy, s3proxy.ignore-unknown-headers=true lets it take them 1,000 at a time)",
                    settings.describeEndpoint(), e.awsErrorDetails() == null ? "HTTP 501"
                            : e.awsErrorDetails().errorCode() + ", HTTP 501");
            deleteEach(prefix, batch, fence);
            return;
        }
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
        Location probe = new Location(Location.Scheme.S3, prefix.bucket(), folder + WRITE_PROBE + "-" + UUID.randomUUID());
        try {
            sdk().putObject(b -> b.bucket(probe.bucket()).key(probe.key()),
                    RequestBody.fromBytes("Orchard checks that it may write here; this object is deleted at once."
                            .getBytes(StandardCharsets.UTF_8)));
        } catch (SdkException e) {
            throw errors.translate("write to", prefix, e);
        }
        try {
            sdk().deleteObject(b -> b.bucket(probe.bucket()).key(probe.key()));
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
            found = !requests.listObjects(location.bucket(), folder, null, null, 1).objects().isEmpty();
        } catch (SdkException e) {
            throw errors.translate("list", location, e);
        }
        if (!found && !key.equals(folder)) {
            found = head(location) != null; // a single object, e.g. the model file
        }
        if (!found) {
            throw new UnusableLocationException("Nothing to read at " + location + " (no object with that key and none "
                    + "below s3://" + location.bucket() + "/" + folder + "): check the prefix; keys are case-sensitive");
        }
    }

    @Override
    public synchronized void close() {
        if (listings != null) {
            listings.shutdownNow();
        }
        requests.close();
        if (client != null) {
            client.close();
        }
        if (credentials instanceof SdkAutoCloseable closeable) {
            closeable.close();
        }
    }

    /** The SDK client, for everything but GET, HEAD and listing; built on first use. */
    private synchronized S3Client sdk() {
        if (client == null) {
            client = S3Clients.build(settings, credentials, outage);
        }
        return client.s3();
    }

    /** The object's size and ETag by HEAD, or null when there is none. */
    private S3Requests.Head head(Location location) throws IOException {
        try {
            return requests.headObject(location.bucket(), location.key());
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
        private final Iterator<ListPage.Entry> source;
        private final Runnable closer;
        private StoredObject next;

        ObjectIterator(Location prefix, String folder) {
            this.prefix = prefix;
            String bucket = prefix.bucket();
            if (listings != null) {
                ParallelListing parallel = new ParallelListing(requests, bucket, folder, settings.listParallelism(), listings);
                this.source = parallel;
                this.closer = parallel::close;
            } else {
                this.source = new Pages(requests, bucket, folder, null).stream()
                        .flatMap(page -> page.objects().stream()).iterator();
                this.closer = () -> { }; // nothing is held between pages
            }
        }

        @Override
        public boolean hasNext() {
            try {
                while (next == null && source.hasNext()) {
                    ListPage.Entry o = source.next();
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
