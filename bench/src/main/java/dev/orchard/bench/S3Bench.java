package dev.orchard.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.orchard.cli.Orchard;
import dev.orchard.store.Location;
import dev.orchard.store.ObjectStore;
import dev.orchard.store.ObjectStores;
import dev.orchard.store.StoredObject;
import dev.orchard.store.s3.S3TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * S3 reading against a local S3-compatible server (S3Proxy on loopback): objects/s and MB/s with 1, 8, 32 and 64
 * concurrent GETs, then the job's images/s from s3:// and from a local folder holding the same images, in one run.
 * <pre>java -cp bench/target/orchard-bench.jar dev.orchard.bench.S3Bench IMAGES_DIR MODEL [COPIES]</pre>
 */
public final class S3Bench {

    public static void main(String[] args) throws Exception {
        Path images = Path.of(args[0]);
        String model = Path.of(args[1]).toAbsolutePath().toString();
        int copies = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        Path local = Files.createTempDirectory("orchard-s3bench");
        try (S3TestServer server = S3TestServer.start("bench")) {
            List<Path> files;
            try (Stream<Path> walk = Files.walk(images)) {
                files = walk.filter(Files::isRegularFile).filter(p -> p.toString().endsWith(".jpg")).sorted().toList();
            }
            for (int c = 0; c < copies; c++) {
                for (Path f : files) {
                    String key = "r" + c + "/" + images.relativize(f).toString().replace('\\', '/');
                    byte[] bytes = Files.readAllBytes(f);
                    server.putDirect("bench", "img/" + key, bytes);
                    Path copy = local.resolve(key);
                    Files.createDirectories(copy.getParent());
                    Files.write(copy, bytes);
                }
            }
            Location prefix = Location.parse("s3://bench/img/");
            System.out.println("| concurrent GETs | objects/s | MB/s |\n|---|---|---|");
            for (int concurrency : new int[] {1, 8, 32, 64}) {
                try (ObjectStore s3 = ObjectStores.forLocation(prefix,
                        server.settings().toBuilder().maxConcurrentGets(concurrency).build())) {
                    List<Location> keys;
                    try (Stream<StoredObject> listed = s3.list(prefix)) {
                        keys = listed.map(StoredObject::location).toList();
                    }
                    readAll(s3, keys, concurrency); // warm-up: connections, JIT
                    long t0 = System.nanoTime();
                    long bytes = readAll(s3, keys, concurrency);
                    double s = (System.nanoTime() - t0) / 1e9;
                    System.out.printf("| %d | %.0f | %.1f |%n", concurrency, keys.size() / s, bytes / s / 1e6);
                }
            }
            // Each job twice, alternating, and the second of each counted: both then run with a warm JIT.
            String diskOut = local.resolveSibling(local.getFileName() + "-out").toString();
            job(server, local.toString(), diskOut + "1", model);
            job(server, "s3://bench/img/", "s3://bench/out1", model);
            double fromDisk = job(server, local.toString(), diskOut + "2", model);
            double fromS3 = job(server, "s3://bench/img/", "s3://bench/out2", model);
            System.out.printf("%n| job input | features phase images/s |%n|---|---|%n| local folder | %.1f |%n| s3:// (S3Proxy on loopback) | %.1f (%.2f× local) |%n",
                    fromDisk, fromS3, fromS3 / fromDisk);
        }
    }

    private static long readAll(ObjectStore store, List<Location> keys, int threads) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        AtomicLong bytes = new AtomicLong();
        try {
            List<Future<?>> reads = new ArrayList<>();
            for (Location key : keys) {
                reads.add(pool.submit(() -> {
                    bytes.addAndGet(store.read(key).length);
                    return null;
                }));
            }
            for (Future<?> r : reads) {
                r.get();
            }
        } finally {
            pool.shutdown();
        }
        return bytes.get();
    }

    /** Runs the job and returns its features-phase images/s from _SUCCESS. */
    private static double job(S3TestServer server, String input, String output, String model) throws Exception {
        int code = Orchard.execute("run", "--input", input, "--output", output, "--model", model, "--pca-k", "20",
                "--endpoint", server.endpoint().toString(), "--path-style", "--region", S3TestServer.REGION);
        if (code != 0) {
            throw new IllegalStateException("job failed: " + code);
        }
        Location out = Location.parse(output);
        try (ObjectStore store = ObjectStores.forLocation(out, server.settings())) {
            JsonNode success = new ObjectMapper().readTree(store.read(out.resolve("_SUCCESS")));
            return success.at("/counts/images").asDouble() / success.at("/seconds/features").asDouble();
        }
    }
}
