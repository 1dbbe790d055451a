package dev.orchard.worker.pipeline;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A worker JVM's private folder for the Parquet parts it writes before moving them to the output, and the
 * clearing of such folders that workers which died (kill -9, out of memory, a lost machine) left behind.
 *
 * <p>A worker that ends normally deletes its folder. One that dies cannot, and a part being written when it died
 * can be tens of MB: on a node whose workers are restarted after crashes, these would pile up in the temporary
 * folder. So each folder holds a lock file that its worker keeps locked while it lives ({@link FileChannel#lock},
 * which the operating system releases when the process ends, however it ends). A starting worker looks at the
 * other folders of this kind: one whose lock it can take belongs to nobody, and it deletes the files in it. A lock
 * works across processes and containers that share the folder, where a process id would not. (A worker clears
 * once its first batch is in ONNX Runtime, not at start: with 943 entries in /tmp, clearing took 10-16 ms of a
 * fresh JVM's start-up path. Until then no worker has written a part, so nothing is lost by waiting.)
 *
 * <p>Only folders named {@value #PREFIX}… with a {@value #LOCK} file are touched, only the plain files directly in
 * them, and a folder holding anything else (a sub-folder) is left as it is.
 */
final class ScratchFolder implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ScratchFolder.class);
    static final String PREFIX = "orchard-worker-";
    static final String LOCK = "owner.lock";
    private static final String STAGING = ".orchard-worker-starting-";
    /**
     * This JVM's own folders, which its clearing must not even open: POSIX record locks belong to a process and a
     * file, and closing any channel on the file lets them go, so looking at its own lock file released it, and the
     * next worker on the host took the live folder for abandoned and deleted its parts.
     */
    private static final Set<Path> HELD = ConcurrentHashMap.newKeySet();

    private final Path dir;
    private final FileChannel lockChannel;
    private final FileLock lock;

    private ScratchFolder(Path dir, FileChannel lockChannel, FileLock lock) {
        this.dir = dir;
        this.lockChannel = lockChannel;
        this.lock = lock;
    }

    /** Makes and locks this worker's own folder under {@code root}. */
    static ScratchFolder open(Path root) throws IOException {
        // Made and locked under another name, then renamed: a folder named PREFIX… is never seen unlocked by
        // another worker's clearing, which would take it for abandoned.
        Path staging = Files.createTempDirectory(root, STAGING);
        FileChannel channel = FileChannel.open(staging.resolve(LOCK), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        try {
            FileLock lock = channel.lock();
            Path dir = root.resolve(PREFIX + staging.getFileName().toString().substring(STAGING.length()));
            HELD.add(key(dir)); // before the name exists: this JVM's clearing never opens the lock file
            try {
                Files.move(staging, dir, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException | RuntimeException e) {
                HELD.remove(key(dir));
                throw e;
            }
            return new ScratchFolder(dir, channel, lock);
        } catch (IOException | RuntimeException e) {
            channel.close();
            Files.deleteIfExists(staging.resolve(LOCK));
            Files.deleteIfExists(staging);
            throw e;
        }
    }

    /**
     * {@link #clearAbandoned}, logging what it freed; a failure is logged, not thrown: clearing is housekeeping, and
     * never stops a worker.
     */
    static void clearAbandonedAndLog(Path root) {
        try {
            Cleared cleared = clearAbandoned(root);
            if (cleared.folders() > 0) {
                LOG.info("Deleted {} scratch folder(s) of workers that ended without closing ({} file(s), {} bytes) in {}",
                        cleared.folders(), cleared.files(), cleared.bytes(), root);
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("Cannot look for scratch folders of workers that ended in {}: {}", root, e.toString());
        }
    }

    /** What {@link #clearAbandoned} removed. */
    record Cleared(int folders, int files, long bytes) {
    }

    /**
     * Deletes the files of every scratch folder under {@code root} whose lock no process holds, and the folder.
     * Folders in use (their lock held by a live worker, in this JVM or another) are not touched.
     */
    static Cleared clearAbandoned(Path root) throws IOException {
        int folders = 0;
        int files = 0;
        long bytes = 0;
        List<Path> candidates = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(root, PREFIX + "*")) {
            for (Path p : entries) {
                if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) && Files.isRegularFile(p.resolve(LOCK), LinkOption.NOFOLLOW_LINKS)) {
                    candidates.add(p);
                }
            }
        }
        for (Path folder : candidates) {
            if (HELD.contains(key(folder))) {
                continue; // a worker of this JVM holds it
            }
            try (FileChannel channel = FileChannel.open(folder.resolve(LOCK), StandardOpenOption.WRITE)) {
                FileLock taken;
                try {
                    taken = channel.tryLock();
                } catch (OverlappingFileLockException e) {
                    continue; // this JVM's, named otherwise than in HELD (WorkerRuntime opens and clears one root)
                }
                if (taken == null) {
                    continue; // a live worker of another process holds it
                }
                List<Path> contents = contents(folder);
                if (!contents.stream().allMatch(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS))) {
                    LOG.warn("Scratch folder {} of a worker that ended holds more than files; left as it is", folder);
                    continue;
                }
                for (Path p : contents) {
                    long size = Files.size(p);
                    if (Files.deleteIfExists(p)) {
                        files++;
                        bytes += size;
                    }
                }
                Files.deleteIfExists(folder.resolve(LOCK)); // the lock held is on the open file, not the name
                Files.deleteIfExists(folder);
                folders++;
            } catch (java.nio.file.NoSuchFileException e) {
                // another starting worker cleared it first
            } catch (IOException e) {
                LOG.warn("Cannot clear the scratch folder {} of a worker that ended: {}", folder, e.toString());
            }
        }
        return new Cleared(folders, files, bytes);
    }

    private static Path key(Path folder) {
        return folder.toAbsolutePath().normalize();
    }

    /** What a scratch folder holds besides its lock file. */
    private static List<Path> contents(Path folder) throws IOException {
        List<Path> contents = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(folder)) {
            for (Path p : entries) {
                if (!p.getFileName().toString().equals(LOCK)) {
                    contents.add(p);
                }
            }
        }
        return contents;
    }

    Path dir() {
        return dir;
    }

    /** Deletes the folder's files and the folder, and lets go of its lock. */
    @Override
    public void close() throws IOException {
        try {
            for (Path p : contents(dir)) {
                Files.deleteIfExists(p);
            }
        } finally {
            Files.deleteIfExists(dir.resolve(LOCK));
            lock.release();
            lockChannel.close();
            Files.deleteIfExists(dir);
            HELD.remove(key(dir));
        }
    }
}
