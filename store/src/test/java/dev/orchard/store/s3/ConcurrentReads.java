package dev.orchard.store.s3;

import dev.orchard.store.Location;
import dev.orchard.store.ObjectStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** Reads many objects at once, as the worker's fetch threads do: 32 GETs in flight. */
final class ConcurrentReads {

    static List<byte[]> all(ObjectStore store, List<Location> locations) {
        ExecutorService pool = Executors.newFixedThreadPool(32);
        try {
            List<CompletableFuture<byte[]>> reads = locations.stream().map(l -> CompletableFuture.supplyAsync(() -> {
                try {
                    return store.read(l);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }, pool)).toList();
            return reads.stream().map(CompletableFuture::join).toList();
        } finally {
            pool.shutdownNow();
        }
    }

    private ConcurrentReads() {
    }
}
