package dev.orchard.store;

import dev.orchard.store.s3.S3Settings;
import java.io.IOException;

/**
 * The object stores of one process: one for local files and, made on first use, one S3 store for every bucket
 * (it owns an HTTP connection pool and threads, so there is one per process, not one per call).
 */
public final class Stores implements AutoCloseable {
    private final S3Settings s3Settings;
    private final LocalObjectStore local = new LocalObjectStore();
    private ObjectStore s3;

    public Stores(S3Settings s3Settings) {
        this.s3Settings = s3Settings;
    }

    public synchronized ObjectStore forLocation(Location location) {
        if (location.isLocal()) {
            return local;
        }
        if (s3 == null) {
            s3 = ObjectStores.forLocation(location, s3Settings);
        }
        return s3;
    }

    @Override
    public synchronized void close() throws IOException {
        if (s3 != null) {
            s3.close();
            s3 = null;
        }
    }
}
