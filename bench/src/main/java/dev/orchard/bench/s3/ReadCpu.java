package dev.orchard.bench.s3;

import dev.orchard.store.Location;
import dev.orchard.store.ObjectStore;
import dev.orchard.store.ObjectStores;
import dev.orchard.store.StoredObject;
import dev.orchard.store.s3.S3Settings;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Only the reads of a job, without decoding or inference: lists a location and reads every object through Orchard's
 * store with THREADS threads (the worker's fetch threads), PASSES times in one JVM, and prints this process's CPU
 * per object for each pass. The first pass carries class loading and JIT compilation, as a job does; later passes
 * show the steady cost; at the end, the CPU by kind of thread (readers, JIT compilers, GC). For profiling the read
 * path (add {@code -XX:StartFlightRecording=...}).
 * <pre>java -cp orchard-bench.jar dev.orchard.bench.s3.ReadCpu LOCATION [THREADS] [PASSES] [ENDPOINT]</pre>
 */
public final class ReadCpu {

    private ReadCpu() {
    }

    public static void main(String[] args) throws Exception {
        Location prefix = Location.parse(args[0]);
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 32;
        int passes = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        S3Settings.Builder settings = S3Settings.builder().maxConcurrentGets(threads).region("us-east-1");
        if (args.length > 3) {
            settings.endpoint(URI.create(args[3])).pathStyle(true);
        }
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long cpu0 = os.getProcessCpuTime();
        long t0 = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> new Thread(r, "reader"));
        try (ObjectStore store = ObjectStores.forLocation(prefix, settings.build())) {
            List<Location> keys;
            try (Stream<StoredObject> listed = store.list(prefix)) {
                keys = listed.map(StoredObject::location).toList();
            }
            long cpu1 = os.getProcessCpuTime();
            System.out.printf("list: %d objects, %.0f ms CPU (with start-up), %.0f ms wall%n", keys.size(),
                    (cpu1 - cpu0) / 1e6, (System.nanoTime() - t0) / 1e6);
            for (int pass = 1; pass <= passes; pass++) {
                long c0 = os.getProcessCpuTime();
                long w0 = System.nanoTime();
                long bytes = readAll(store, keys, pool);
                long c1 = os.getProcessCpuTime();
                double wall = (System.nanoTime() - w0) / 1e9;
                System.out.printf("pass %d: %.1f KB/object, %.3f ms CPU per object, %.0f objects/s%n", pass,
                        bytes / 1024.0 / keys.size(), (c1 - c0) / 1e6 / keys.size(), keys.size() / wall);
            }
        }
        System.out.printf("total: %.0f ms CPU; by thread: %s%n", (os.getProcessCpuTime() - cpu0) / 1e6, cpuByThread());
        pool.shutdown();
    }

    private static long readAll(ObjectStore store, List<Location> keys, ExecutorService pool) throws Exception {
        AtomicLong bytes = new AtomicLong();
        List<Future<?>> reads = new ArrayList<>(keys.size());
        for (Location key : keys) {
            reads.add(pool.submit(() -> {
                bytes.addAndGet(store.read(key).length);
                return null;
            }));
        }
        for (Future<?> r : reads) {
            r.get();
        }
        return bytes.get();
    }

    /** This JVM's CPU so far by kind of thread (readers, JIT compilers, GC, the rest), from /proc/self/task. */
    public static Map<String, String> cpuByThread() throws IOException {
        Map<String, Long> ticks = new TreeMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path task : tasks.toList()) {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    String kind = name.startsWith("reader") ? "readers" : name.startsWith("C2 ") ? "C2 JIT"
                            : name.startsWith("C1 ") ? "C1 JIT" : name.startsWith("qtp") ? "jetty (S3Proxy)" : name.startsWith("AwsEventLoop") || name.startsWith("Aws") ? "CRT"  : name.startsWith("G1") || name.startsWith("GC") ? "GC"
                            : name.equals("java") || name.equals("main") ? "main" : "other";
                    ticks.merge(kind, Long.parseLong(f[11]) + Long.parseLong(f[12]), Long::sum);
                } catch (NoSuchFileException gone) {
                    // the thread ended meanwhile
                }
            }
        }
        Map<String, String> ms = new LinkedHashMap<>();
        ticks.forEach((k, v) -> ms.put(k, v * 10 + " ms"));
        return ms;
    }
}
