package dev.orchard.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalObjectStoreTest {

    @TempDir
    Path dir;

    private final LocalObjectStore store = new LocalObjectStore();

    @Test
    void aConditionalWriteReplacesOnlyTheFileItExpects() throws Exception {
        ConditionalWrites.checkOn(store, Location.local(dir.resolve("_orchard/lease.json")));
    }

    /** A file's last bytes without the rest of it (a Parquet footer's reader); all of a shorter file. */
    @Test
    void theTailIsTheLastBytes() throws Exception {
        Location file = Location.local(Files.writeString(dir.resolve("tail"), "0123456789"));
        assertThat(new String(store.readTail(file, 4), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("6789");
        assertThat(new String(store.readTail(file, 64), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("0123456789");
        assertThat(store.readTail(Location.local(Files.createFile(dir.resolve("empty"))), 4)).isEmpty();
    }

    /** A folder read as a file is named: a marker made a folder printed "orchard: Is a directory" alone (a walk). */
    @Test
    void aFolderReadAsAFileIsNamed() throws Exception {
        Path folder = Files.createDirectories(dir.resolve("_orchard/job.json"));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> store.read(Location.local(folder)))
                .isInstanceOf(java.nio.file.FileSystemException.class)
                .hasMessage(folder + ": a folder, not a file");
    }

    /** Below a file there is nothing, as {@link LocalObjectStore#exists} says (an output mistyped into a file's path). */
    @Test
    void nothingIsReadBelowAFile() throws Exception {
        Files.writeString(dir.resolve("a-file"), "x");
        Location below = Location.local(dir.resolve("a-file/sub/_orchard/lease.json"));
        assertThat(store.exists(below)).isFalse();
        assertThat(store.readTagged(below)).isNull();
    }

    /**
     * Eight writers of one name at once, each only where nothing is: one writes, the others are told, and the file is
     * the one writer's whole, with no temporary copy left; so too where the file system has no hard links (then the
     * look and the rename happen under the name's lock, whose file stays, as {@code putIf}'s does).
     */
    @org.junit.jupiter.params.ParameterizedTest(name = "hard links: {0}")
    @org.junit.jupiter.params.provider.ValueSource(booleans = {true, false})
    void aFileWrittenOnlyWhereNothingIsHasOneWriter(boolean hardLinks) throws Exception {
        LocalObjectStore store = new LocalObjectStore(hardLinks);
        Location target = Location.local(dir.resolve("out/predictions.parquet"));
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
        try {
            List<java.util.concurrent.Future<Boolean>> writes = new java.util.ArrayList<>();
            for (int i = 0; i < 8; i++) {
                Path file = Files.write(dir.resolve("file-" + i), ("writer " + i).repeat(1000).getBytes());
                writes.add(pool.submit(() -> store.putFileIfAbsent(target, file)));
            }
            List<Integer> won = new java.util.ArrayList<>();
            for (int i = 0; i < 8; i++) {
                if (writes.get(i).get()) {
                    won.add(i);
                }
            }
            assertThat(won).hasSize(1);
            assertThat(Files.readString(target.path())).isEqualTo(("writer " + won.get(0)).repeat(1000));
        } finally {
            pool.shutdownNow();
        }
        try (var left = Files.list(target.path().getParent())) {
            if (hardLinks) {
                assertThat(left).containsExactly(target.path());
            } else {
                Path lock = target.path().resolveSibling(".predictions.parquet" + LocalObjectStore.LOCK);
                assertThat(left).containsExactlyInAnyOrder(target.path(), lock);
                assertThat(ObjectStore.leftoverOf(lock.getFileName().toString())).as("Orchard's own")
                        .isEqualTo("predictions.parquet");
            }
        }
    }

    /**
     * Threads of this JVM and two other processes add one to a counter in a file, each by reading it with its tag and
     * writing it back on condition, again until its write goes through: with the compare-and-set atomic, no increment
     * is lost. (Without it, two writers that read the same count both write count + 1.)
     */
    @Test
    void conditionalWritesFromThreadsAndProcessesLoseNoIncrement() throws Exception {
        Location counter = Location.local(dir.resolve("counter"));
        store.put(counter, utf8("0"));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<Process> others = new ArrayList<>();
        for (int p = 0; p < 2; p++) {
            others.add(new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), Increments.class.getName(),
                    counter.path().toString(), "150").redirectErrorStream(true).start());
        }
        ExecutorService threads = Executors.newFixedThreadPool(3);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 3; t++) {
                done.add(threads.submit(() -> {
                    Increments.add(store, counter, 150);
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            threads.shutdown();
        }
        for (Process other : others) {
            String output = new String(other.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(other.waitFor()).as(output).isZero();
        }
        assertThat(new String(store.read(counter), StandardCharsets.UTF_8)).startsWith(5 * 150 + " ");
    }

    /** Adds one to the counter file {@code args[0]}, {@code args[1]} times (in another JVM). */
    public static final class Increments {
        public static void main(String[] args) throws Exception {
            add(new LocalObjectStore(), Location.local(Path.of(args[0])), Integer.parseInt(args[1]));
        }

        /** Each write says who made it ({@link ObjectStore#putIf} counts a write of the bytes already there as done). */
        static void add(ObjectStore store, Location counter, int times) throws java.io.IOException {
            String writer = java.util.UUID.randomUUID().toString();
            for (int i = 0; i < times; i++) {
                while (true) {
                    ObjectStore.Tagged now = store.readTagged(counter);
                    int n = Integer.parseInt(new String(now.bytes(), StandardCharsets.UTF_8).split(" ")[0]);
                    if (store.putIf(counter, utf8((n + 1) + " " + writer + " " + i), now.tag()) != null) {
                        break;
                    }
                }
            }
        }
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void checkReadableNamesAMissingPath() throws Exception {
        Files.writeString(dir.resolve("a.jpg"), "x");
        store.checkReadable(Location.local(dir));
        store.checkReadable(Location.local(dir.resolve("a.jpg")));
        assertThatThrownBy(() -> store.checkReadable(Location.local(dir.resolve("Tset"))))
                .isInstanceOf(NoSuchFileException.class)
                .hasMessageContaining(dir.resolve("Tset").toString());
    }

    @Test
    void openAndReadReadTheFile() throws Exception {
        Location a = Location.local(Files.writeString(dir.resolve("a.txt"), "hello"));
        try (InputStream in = store.open(a)) {
            assertThat(in.readAllBytes()).isEqualTo("hello".getBytes());
        }
        assertThat(store.read(a)).isEqualTo("hello".getBytes());
        assertThatThrownBy(() -> store.read(Location.local(dir.resolve("missing")))).isInstanceOf(java.nio.file.NoSuchFileException.class);
    }

    @Test
    void writesLandWholeInNewFoldersWithNothingLeftBehind() throws Exception {
        Location journal = Location.local(dir.resolve("out/_orchard/commits/a.json"));
        store.put(journal, "{\"n\":1}".getBytes());
        store.put(journal, "{\"n\":2}".getBytes());
        Path source = Files.write(dir.resolve("source.bin"), new byte[3_000_000]);
        Location part = Location.local(dir.resolve("out/features/part-000000.parquet"));
        store.putFile(part, source);
        assertThat(Files.readString(journal.path())).isEqualTo("{\"n\":2}");
        assertThat(Files.size(part.path())).isEqualTo(3_000_000);
        try (var files = Files.walk(dir.resolve("out"))) {
            assertThat(files.filter(p -> p.getFileName().toString().contains(".tmp-")).toList()).isEmpty();
        }
        // The default permissions, as any file the user makes, not a temporary file's private ones.
        assertThat(Files.getPosixFilePermissions(part.path()))
                .containsAll(Files.getPosixFilePermissions(source));
    }

    @Test
    void deletingAndPlainListingNeverFollowLinks() throws Exception {
        Path precious = Files.createDirectories(dir.resolve("precious"));
        Files.writeString(precious.resolve("photo.jpg"), "keep me");
        Path out = Files.createDirectories(dir.resolve("out/features"));
        Files.writeString(out.resolve("part.parquet"), "x");
        Files.createSymbolicLink(out.resolve("link"), precious);
        try (var listed = store.list(Location.local(dir.resolve("out")))) {
            assertThat(listed.map(o -> o.location().name()).toList()).containsExactly("part.parquet");
        }
        store.deleteAll(Location.local(out));
        assertThat(out).doesNotExist(); // as a prefix on S3: nothing below it, no folder left
        assertThat(dir.resolve("out")).isEmptyDirectory();
        assertThat(precious.resolve("photo.jpg")).hasContent("keep me");
    }

    @Test
    void aFileAboveTheLimitIsNotRead() throws Exception {
        Location a = Location.local(Files.writeString(dir.resolve("b.jpg"), "0123456789"));
        assertThat(store.read(a, 10)).hasSize(10);
        assertThatThrownBy(() -> store.read(a, 9)).isInstanceOf(ObjectTooLargeException.class)
                .hasMessageContaining("b.jpg is 10 bytes, more than --max-object-bytes (9): not read");
    }

    /**
     * A device reads without end ({@code /dev/zero} filled the heap: "Java heap space" in errors.csv, a user's walk):
     * it stops at the limit. A path listed as a file that is a named pipe now is refused unopened: opening the pipe
     * waited for a writer for good, and the unit ran over its timeout three times (a user's walk, a file swapped after
     * the listing). A manifest's pipe is read as named: opening it waits for its writer, as any reader's does.
     */
    @Test
    @org.junit.jupiter.api.Timeout(60)
    void aDeviceStopsAtTheLimitAndAListedPathThatIsAPipeNowIsNotOpened() throws Exception {
        Path zero = Path.of("/dev/zero");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isReadable(zero), "/dev/zero here");
        Location device = Location.local(Files.createSymbolicLink(dir.resolve("z.jpg"), zero));
        assertThatThrownBy(() -> store.read(device, 1 << 20)).isInstanceOf(ObjectTooLargeException.class)
                .hasMessageContaining("z.jpg is more than --max-object-bytes (1048576): not read");
        assertThatThrownBy(() -> store.readListed(device, 1 << 20)).isInstanceOf(java.nio.file.FileSystemException.class)
                .hasMessageContaining("not a regular file now (a socket, pipe or device)");

        Path pipe = dir.resolve("p.jpg");
        assertThat(new ProcessBuilder("mkfifo", pipe.toString()).inheritIO().start().waitFor()).isZero();
        assertThatThrownBy(() -> store.readListed(Location.local(pipe), 1 << 20))
                .isInstanceOf(java.nio.file.FileSystemException.class)
                .satisfies(e -> assertThat(FailureReason.withoutFile(e)).isEqualTo(
                        "not a regular file now (a socket, pipe or device), though it was one when the input was listed"));
        ExecutorService writer = Executors.newSingleThreadExecutor();
        try {
            Future<?> written = writer.submit(() -> {
                Files.write(pipe, utf8("from the pipe")); // opening waits for the reader below
                return null;
            });
            assertThat(new String(store.read(Location.local(pipe), 1 << 20), StandardCharsets.UTF_8)).isEqualTo("from the pipe");
            written.get();
        } finally {
            writer.shutdownNow();
        }

        Location folder = Location.local(Files.createDirectories(dir.resolve("f.jpg")));
        assertThatThrownBy(() -> store.readListed(folder, 1 << 20)).hasMessageContaining("a folder, not a file");
    }

    /** An --output that is a dangling link, a pipe, or below a file was "(FileAlreadyExistsException): fix its permissions". */
    @Test
    void anOutputWhereNoFolderCanBeSaysWhatStandsThere() throws Exception {
        Files.createSymbolicLink(dir.resolve("gone"), dir.resolve("nowhere"));
        Files.writeString(dir.resolve("a-file"), "x");
        assertThatThrownBy(() -> store.checkWritable(Location.local(dir.resolve("gone"))))
                .isInstanceOf(UnusableLocationException.class)
                .hasMessageContaining("it is a symbolic link that leads nowhere (to " + dir.resolve("nowhere") + ")");
        assertThatThrownBy(() -> store.checkWritable(Location.local(dir.resolve("a-file/out/x"))))
                .hasMessageContaining(dir.resolve("a-file") + " on its way is a file; choose another --output");
        Path pipe = dir.resolve("pipe");
        assertThat(new ProcessBuilder("mkfifo", pipe.toString()).inheritIO().start().waitFor()).isZero();
        assertThatThrownBy(() -> store.checkWritable(Location.local(pipe)))
                .hasMessageContaining("it is not a folder (a socket, pipe or device)");
        store.checkWritable(Location.local(dir.resolve("new/out"))); // nothing in the way
    }
}
