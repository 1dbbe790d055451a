package dev.orchard.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.LinkOption;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * Local files. Writes are atomic and durable: the bytes go to a hidden temporary file in the same folder, which is
 * fsynced, renamed over the target, and then the folder is fsynced, so a power loss leaves the old file or the whole
 * new one, never an empty one (an empty journal entry would stop {@code --resume}).
 */
public final class LocalObjectStore implements ObjectStore {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(LocalObjectStore.class);
    private static final java.util.concurrent.atomic.AtomicBoolean FOLDER_SYNC_WARNED = new java.util.concurrent.atomic.AtomicBoolean();

    /** One lock per path for this JVM's threads: a process's file locks do not exclude its own threads. */
    private static final java.util.concurrent.ConcurrentMap<String, java.util.concurrent.locks.ReentrantLock> PATH_LOCKS =
            new java.util.concurrent.ConcurrentHashMap<>();

    /** Whether {@link #putFileIfAbsent} links: false only to test its path for file systems without hard links. */
    private final boolean hardLinks;

    public LocalObjectStore() {
        this(true);
    }

    /** With {@code hardLinks} false, as on a file system without them (some network and FUSE ones): for tests. */
    LocalObjectStore(boolean hardLinks) {
        this.hardLinks = hardLinks;
    }

    /** Regular files only; symbolic links, sockets and the like are skipped; a folder it cannot read is an error. */
    @Override
    public Stream<StoredObject> list(Location prefix) throws IOException {
        return list(prefix, false, null);
    }

    @Override
    public Stream<StoredObject> list(Location prefix, boolean followLinks, Consumer<ListingProblem> problems)
            throws IOException {
        Path root = prefix.path();
        if (Files.isRegularFile(root)) {
            BasicFileAttributes attrs = Files.readAttributes(root, BasicFileAttributes.class);
            return Stream.of(new StoredObject(prefix, attrs.size(), version(attrs)));
        }
        if (!Files.isDirectory(root)) {
            throw new NoSuchFileException(root.toString(), null, "no such folder");
        }
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(new SortedWalk(root, followLinks, problems),
                Spliterator.ORDERED | Spliterator.NONNULL), false);
    }

    @Override
    public byte[] read(Location location) throws IOException {
        try {
            return Files.readAllBytes(location.path());
        } catch (java.nio.file.FileSystemException named) {
            throw named;
        } catch (IOException e) { // the JDK's "Is a directory" names no path: "orchard: Is a directory" was all a walk read
            throw new java.nio.file.FileSystemException(location.path().toString(), null,
                    Files.isDirectory(location.path()) ? "a folder, not a file" : e.getMessage());
        }
    }

    /** The file's last {@code n} bytes (all of a shorter file); a folder is refused, named, as read refuses it. */
    @Override
    public byte[] readTail(Location location, int n) throws IOException {
        if (Files.isDirectory(location.path())) { // else the JDK's bare "Is a directory", naming no path
            throw new java.nio.file.FileSystemException(location.path().toString(), null, "a folder, not a file");
        }
        try (FileChannel file = FileChannel.open(location.path(), StandardOpenOption.READ)) {
            long size = file.size();
            java.nio.ByteBuffer tail = java.nio.ByteBuffer.allocate((int) Math.min(n, size));
            for (long at = size - tail.capacity(); tail.hasRemaining(); ) {
                if (file.read(tail, at + tail.position()) < 0) {
                    throw new java.io.EOFException(location + " ended while its tail was read");
                }
            }
            return tail.array();
        }
    }

    /**
     * The file's bytes, through links, up to {@code maxBytes}. A folder is refused. What is not a regular file is read
     * as it is, within the limit: a device ({@code /dev/zero}) fails at the limit rather than filling the heap, and a
     * named pipe that a manifest names gives what its writer writes (opening it waits for one, as any reader does).
     */
    @Override
    public byte[] read(Location location, long maxBytes) throws IOException {
        return read(location, Files.readAttributes(location.path(), BasicFileAttributes.class), maxBytes);
    }

    private static byte[] read(Location location, BasicFileAttributes attrs, long maxBytes) throws IOException {
        Path path = location.path();
        if (attrs.isDirectory()) {
            throw new java.nio.file.FileSystemException(path.toString(), null, "a folder, not a file");
        }
        if (attrs.size() > maxBytes) {
            throw new ObjectTooLargeException(location, attrs.size(), maxBytes);
        }
        if (attrs.isRegularFile()) {
            return Files.readAllBytes(path);
        }
        try (InputStream in = Files.newInputStream(path)) {
            byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
            if (bytes.length > maxBytes) {
                throw new ObjectTooLargeException(location, -1, maxBytes);
            }
            return bytes;
        }
    }

    /**
     * As {@link #read(Location, long)}, of a path the listing found as a regular file: one that is something else now
     * (swapped for a named pipe, whose opening would wait for a writer for good, or a device) is refused unopened.
     */
    @Override
    public byte[] readListed(Location location, long maxBytes) throws IOException {
        Path path = location.path();
        BasicFileAttributes attrs = Files.readAttributes(path, BasicFileAttributes.class);
        if (!attrs.isRegularFile() && !attrs.isDirectory()) {
            throw new java.nio.file.FileSystemException(path.toString(), null,
                    "not a regular file now (a socket, pipe or device), though it was one when the input was listed");
        }
        return read(location, attrs, maxBytes);
    }

    @Override
    public boolean exists(Location location) {
        return Files.exists(location.path());
    }

    @Override
    public void put(Location target, byte[] bytes) throws IOException {
        Path tmp = temporarySibling(target.path());
        try {
            try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ByteBuffer buffer = ByteBuffer.wrap(bytes);
                while (buffer.hasRemaining()) {
                    out.write(buffer);
                }
                out.force(true);
            } catch (IOException e) {
                throw FailureReason.naming(target.path(), e);
            }
            commit(tmp, target.path());
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * The file's bytes and the SHA-256 of them, or null when there is no file (as {@link #exists} says: also where a
     * folder on its path is a file).
     */
    @Override
    public Tagged readTagged(Location location) throws IOException {
        try {
            byte[] bytes = Files.readAllBytes(location.path());
            return new Tagged(bytes, sha256(bytes));
        } catch (java.nio.file.FileSystemException e) {
            if (e instanceof NoSuchFileException || !Files.exists(location.path())) {
                return null;
            }
            throw e;
        }
    }

    /**
     * The file's content is compared and replaced while this JVM holds a lock on the target's path and an exclusive
     * {@link FileChannel#lock() file lock} on the hidden file {@code .<name>.lock} beside it, which other processes on
     * the machine take too (a POSIX record lock: tested between processes of one machine; whether a network file
     * system shares it between machines is that file system's matter, not tested here). The lock file stays: a lock
     * file deleted while another process waits on it would let two writers in. The write itself is {@link #put}'s, so
     * readers that take no lock see the old file or the new one.
     */
    @Override
    public String putIf(Location target, byte[] bytes, String expectedTag) throws IOException {
        Path path = target.path().toAbsolutePath().normalize();
        createFolders(path.getParent());
        return underLock(path, () -> {
            Tagged current = readTagged(target);
            String tag = sha256(bytes);
            boolean expected = current == null ? expectedTag == null
                                               : current.tag().equals(expectedTag) || current.tag().equals(tag);
            if (!expected) {
                return null;
            }
            if (current == null || !current.tag().equals(tag)) {
                put(target, bytes);
            }
            return tag;
        });
    }

    @Override
    public boolean evaluatesConditions() {
        return true;
    }

    private interface Locked<T> {
        T run() throws IOException;
    }

    /**
     * Runs {@code step} holding the path's lock in this JVM and a POSIX lock on the hidden sibling
     * {@code .<name>.lock}, which other processes on the machine take too. The lock file stays: deleting a lock file
     * others may be waiting on would let two writers in.
     */
    private static <T> T underLock(Path path, Locked<T> step) throws IOException {
        Path lockFile = path.resolveSibling("." + path.getFileName() + LOCK);
        java.util.concurrent.locks.ReentrantLock inThisJvm = PATH_LOCKS.computeIfAbsent(path.toString(),
                p -> new java.util.concurrent.locks.ReentrantLock());
        inThisJvm.lock();
        try (FileChannel lock = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             java.nio.channels.FileLock held = lock.lock()) {
            return step.run();
        } finally {
            inThisJvm.unlock();
        }
    }

    private static String sha256(byte[] bytes) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java has SHA-256", e);
        }
    }

    @Override
    public void putFile(Location target, Path file) throws IOException {
        Path tmp = temporarySibling(target.path());
        try {
            copyInto(tmp, file, target.path());
            commit(tmp, target.path());
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * {@code file}'s bytes into the new file {@code tmp}, synced. Into a new file (not Files.copy(file, tmp)) so that
     * it gets the default permissions rather than the private ones of a temporary file.
     */
    private static void copyInto(Path tmp, Path file, Path target) throws IOException {
        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ);
             FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            long size = in.size();
            for (long done = 0; done < size; ) {
                done += in.transferTo(done, size - done, out);
            }
            out.force(true);
        } catch (IOException e) {
            throw FailureReason.naming(target, e);
        }
    }

    /**
     * The copy made beside the target as {@link #putFile} makes it, then linked to the target's name: link(2) fails
     * where the name exists, so no other writer comes between the look and the write. Where the file system has no
     * links (some network and FUSE ones), the look and the rename happen under the lock that {@link #putIf} takes.
     */
    @Override
    public boolean putFileIfAbsent(Location target, Path file) throws IOException {
        Path path = target.path().toAbsolutePath().normalize();
        Path tmp = temporarySibling(path);
        try {
            copyInto(tmp, file, path);
            try {
                if (!hardLinks) {
                    throw new UnsupportedOperationException("no hard links on this file system");
                }
                Files.createLink(path, tmp);
            } catch (java.nio.file.FileAlreadyExistsException e) {
                return false;
            } catch (UnsupportedOperationException | java.nio.file.FileSystemException noLinks) {
                return underLock(path, () -> {
                    if (Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
                        return false;
                    }
                    commit(tmp, path);
                    return true;
                });
            }
            syncFolder(path.getParent());
            return true;
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** The file copied beside its target, then renamed (as {@link #putFile}). */
    @Override
    public void copy(Location from, Location to) throws IOException {
        putFile(to, from.path());
    }

    /** A rename within the output's file system (both lie below the output folder), durable as a commit is. */
    @Override
    public void move(Location from, Location to) throws IOException {
        Files.createDirectories(to.path().toAbsolutePath().getParent());
        commit(from.path(), to.path());
    }

    /** The rename that makes a synced file visible, then the folder's fsync that makes the rename itself durable. */
    private static void commit(Path tmp, Path target) throws IOException {
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        syncFolder(target.toAbsolutePath().getParent());
    }

    /**
     * fsync of a folder: makes the names created or renamed in it durable. Linux and macOS allow it; a file system
     * that refuses it (some network and FUSE ones) is warned about once, and the file itself is still synced.
     */
    static void syncFolder(Path folder) throws IOException {
        try (FileChannel dir = FileChannel.open(folder, StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException e) {
            if (!Files.isDirectory(folder)) {
                throw e;
            }
            if (FOLDER_SYNC_WARNED.compareAndSet(false, true)) {
                LOG.warn("Cannot fsync folder {} ({}): a power loss right after a write may lose the file's name",
                        folder, e.toString());
            }
        }
    }

    /** Deletes the file at {@code prefix}, or the folder there and everything below it; links are not followed. */
    @Override
    public void deleteAll(Location prefix) throws IOException {
        deleteAll(prefix, Fence.NONE);
    }

    @Override
    public void deleteAll(Location prefix, Fence fence) throws IOException {
        Path root = prefix.path();
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                fence.check();
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                if (e != null) {
                    throw e;
                }
                fence.check(); // a folder's removal is a request too
                try {
                    Files.delete(dir); // the prefix's own folder too, as on S3 (an empty _orchard/attempts/ stayed)
                } catch (java.nio.file.DirectoryNotEmptyException notEmpty) {
                    if (!dir.equals(root)) {
                        throw notEmpty;
                    }
                    // written into as it was emptied: what was there is gone, the newcomer stays, as on S3
                }
                return FileVisitResult.CONTINUE;
            }
        });
    }

    @Override
    public void checkWritable(Location prefix) throws IOException {
        Path dir = prefix.path();
        String notAFolder = notAFolderOnTheWay(dir);
        if (notAFolder != null) {
            throw new UnusableLocationException("Cannot write to output folder " + dir + ": " + notAFolder
                    + "; choose another --output");
        }
        try {
            createFolders(dir);
            Path probe = Files.createTempFile(dir, ObjectStore.WRITE_PROBE, ".tmp");
            Files.delete(probe);
        } catch (java.nio.file.FileSystemException e) {
            throw new UnusableLocationException("Cannot write to output folder " + dir + " (" + e.getClass().getSimpleName()
                    + "): choose a folder you can write to, or fix its permissions", e);
        }
    }

    /**
     * What stands where a folder of {@code dir}'s path should be (itself or a parent): a file, a pipe, a link that
     * leads nowhere; or null. Creating the folders there failed with the bare name of an exception.
     */
    private static String notAFolderOnTheWay(Path dir) {
        for (Path p = dir.toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p)) {
                return null;
            }
            if (Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
                String what = Files.isSymbolicLink(p) ? "a symbolic link that leads nowhere (to " + SortedWalk.target(p) + ")"
                        : Files.isRegularFile(p) ? "a file" : "not a folder (a socket, pipe or device)";
                return (p.equals(dir.toAbsolutePath()) ? "it is " : p + " on its way is ") + what;
            }
        }
        return null;
    }

    @Override
    public void checkReadable(Location location) throws IOException {
        Path path = location.path();
        if (!Files.exists(path)) {
            throw new NoSuchFileException(path.toString(), null,
                    "no such file or folder: check the path (names are case-sensitive)");
        }
        if (!Files.isReadable(path)) {
            throw new UnusableLocationException("Cannot read " + path + ": fix its permissions or run as a user who may read it");
        }
    }

    @Override
    public java.io.InputStream open(Location location) throws IOException {
        return Files.newInputStream(location.path());
    }

    /** A local file's version: its modification time in nanoseconds (what a rewrite changes). */
    static String version(BasicFileAttributes attrs) {
        return Long.toString(attrs.lastModifiedTime().to(java.util.concurrent.TimeUnit.NANOSECONDS));
    }

    /**
     * One rename of the whole folder when {@code to} does not exist yet (a reader sees every object below
     * {@code from} at one name or the other, never some at each); object by object otherwise.
     */
    @Override
    public void moveAll(Location from, Location to, Fence fence) throws IOException {
        Path source = from.path();
        if (!Files.isDirectory(source)) {
            return;
        }
        Path target = to.path();
        if (!Files.exists(target)) {
            Files.createDirectories(target.toAbsolutePath().getParent());
            fence.check();
            Files.move(source, target, StandardCopyOption.ATOMIC_MOVE);
            return;
        }
        ObjectStore.super.moveAll(from, to, fence);
        deleteAll(from, fence); // the folder too
    }

    private static Path temporarySibling(Path target) throws IOException {
        Path parent = target.toAbsolutePath().getParent();
        createFolders(parent);
        return parent.resolve("." + target.getFileName() + TEMPORARY + UUID.randomUUID());
    }

    /** A write's temporary file's infix: {@code .NAME.tmp-<uuid>} ({@link ObjectStore#leftoverOf} reads it back). */
    static final String TEMPORARY = ".tmp-";
    /** A conditional write's lock file's suffix: {@code .NAME.lock} ({@link ObjectStore#leftoverOf} reads it back). */
    static final String LOCK = ".lock";

    /** Creates {@code dir} and its missing parents, each made durable in its parent (fsync of the parent). */
    private static void createFolders(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            return;
        }
        Deque<Path> missing = new ArrayDeque<>();
        for (Path p = dir.toAbsolutePath(); p != null && !Files.isDirectory(p); p = p.getParent()) {
            missing.push(p);
        }
        Files.createDirectories(dir);
        for (Path created : missing) {
            syncFolder(created.getParent());
        }
    }

    /**
     * Depth-first walk that visits each folder's entries in name order and holds only the open folders. The root is
     * always followed (the user named it). Below it, with a {@code problems} consumer, whatever is not a regular file
     * that can be listed goes there and the walk goes on; without one (a plain listing) symbolic links and special
     * files are skipped and an unreadable folder is an error.
     */
    private static final class SortedWalk implements Iterator<StoredObject> {
        /** An open folder: its identity on the file system (for loop detection) and its entries still to visit. */
        private record Folder(Path path, Object key, Iterator<Path> children) {
        }

        private final Deque<Folder> stack = new ArrayDeque<>();
        private final boolean followLinks;
        private final Consumer<ListingProblem> problems;
        private StoredObject next;

        SortedWalk(Path root, boolean followLinks, Consumer<ListingProblem> problems) throws IOException {
            this.followLinks = followLinks;
            this.problems = problems;
            BasicFileAttributes attrs = Files.readAttributes(root, BasicFileAttributes.class);
            stack.push(new Folder(root, attrs.fileKey(), sortedChildren(root)));
        }

        @Override
        public boolean hasNext() {
            while (next == null && !stack.isEmpty()) {
                Folder top = stack.peek();
                if (!top.children().hasNext()) {
                    stack.pop();
                    continue;
                }
                visit(top.children().next());
            }
            return next != null;
        }

        private void visit(Path p) {
            if (!FileNames.nameable(p)) {
                problem(p, Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS), FileNames.unnameableReason(p), null);
                return;
            }
            BasicFileAttributes attrs;
            try {
                attrs = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            } catch (NoSuchFileException e) {
                problem(p, false, "vanished while the input was listed", e);
                return;
            } catch (IOException e) {
                // Its kind is unknown (a folder one may list but not search, a path too long to name): it may be a
                // folder of images, so it is reported whatever its name.
                problem(p, true, "cannot read: " + FailureReason.withoutFile(e), e);
                return;
            }
            if (attrs.isSymbolicLink()) {
                if (problems == null) {
                    return; // a plain listing never follows links
                }
                if (!followLinks) {
                    problem(p, !Files.isRegularFile(p), "skipped: symbolic link to " + target(p)
                            + " (pass --follow-links to follow links)", null);
                    return;
                }
                // A link that leads nowhere may have led to a folder (a drive not mounted): reported whatever its name.
                try {
                    attrs = Files.readAttributes(p, BasicFileAttributes.class);
                } catch (NoSuchFileException e) {
                    problem(p, true, "skipped: dangling symbolic link (its target " + target(p) + " does not exist)", e);
                    return;
                } catch (IOException e) {
                    problem(p, true, "skipped: symbolic link that cannot be followed ("
                            + FailureReason.withoutFile(e) + ")", e);
                    return;
                }
            }
            if (attrs.isDirectory()) {
                Object key = attrs.fileKey();
                if (key != null) {
                    for (Folder open : stack) {
                        if (key.equals(open.key())) {
                            problem(p, true, "skipped: symbolic link loop (it leads back to " + open.path() + ")", null);
                            return;
                        }
                    }
                }
                Iterator<Path> children;
                try {
                    children = sortedChildren(p);
                } catch (NoSuchFileException e) {
                    problem(p, true, "folder vanished while the input was listed", e);
                    return;
                } catch (IOException e) {
                    problem(p, true, "cannot read folder: " + FailureReason.withoutFile(e), e);
                    return;
                }
                stack.push(new Folder(p, key, children));
            } else if (attrs.isRegularFile()) {
                next = new StoredObject(Location.local(p), attrs.size(), version(attrs));
            } else if (problems != null) {
                problem(p, false, "skipped: not a regular file (a socket, pipe or device)", null);
            }
        }

        private void problem(Path p, boolean folder, String reason, IOException cause) {
            if (problems == null) {
                if (cause == null) {
                    return; // nothing went wrong; a plain listing just does not list it
                }
                throw new UncheckedIOException("Cannot list " + p + ": " + reason, cause);
            }
            problems.accept(new ListingProblem(Location.local(p), folder, reason));
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

        private static String target(Path link) {
            try {
                return Files.readSymbolicLink(link).toString();
            } catch (IOException e) {
                return "?";
            }
        }

        private static Iterator<Path> sortedChildren(Path dir) throws IOException {
            List<Path> children = new ArrayList<>();
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
                entries.forEach(children::add);
            } catch (java.nio.file.DirectoryIteratorException e) {
                throw e.getCause();
            }
            children.sort(null);
            return children.iterator();
        }
    }
}
