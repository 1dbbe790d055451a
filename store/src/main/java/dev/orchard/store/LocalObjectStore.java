package dev.orchard.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
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
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/** Local files. Atomic writes go to a hidden temporary file in the same folder, then a rename. */
public final class LocalObjectStore implements ObjectStore {

    @Override
    public Stream<StoredObject> list(Location prefix) throws IOException {
        Path root = prefix.path();
        if (Files.isRegularFile(root)) {
            BasicFileAttributes attrs = Files.readAttributes(root, BasicFileAttributes.class);
            return Stream.of(new StoredObject(prefix, attrs.size(), version(attrs)));
        }
        if (!Files.isDirectory(root)) {
            throw new NoSuchFileException(root.toString(), null, "no such folder");
        }
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(new SortedWalk(root),
                Spliterator.ORDERED | Spliterator.NONNULL), false);
    }

    @Override
    public byte[] read(Location location) throws IOException {
        return Files.readAllBytes(location.path());
    }

    @Override
    public boolean exists(Location location) {
        return Files.exists(location.path());
    }

    @Override
    public void put(Location target, byte[] bytes) throws IOException {
        Path tmp = temporarySibling(target.path());
        try {
            Files.write(tmp, bytes);
            Files.move(tmp, target.path(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    @Override
    public void putFile(Location target, Path file) throws IOException {
        Path tmp = temporarySibling(target.path());
        try {
            // Stream the bytes (not Files.copy(file, tmp)) so the new file gets the default permissions rather
            // than the private ones of a temporary file.
            try (var in = Files.newInputStream(file)) {
                Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            }
            Files.move(tmp, target.path(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** The file copied beside its target, then renamed (as {@link #putFile}). */
    @Override
    public void copy(Location from, Location to) throws IOException {
        putFile(to, from.path());
    }

    /** A rename within the output's file system (both lie below the output folder). */
    @Override
    public void move(Location from, Location to) throws IOException {
        Files.createDirectories(to.path().toAbsolutePath().getParent());
        Files.move(from.path(), to.path(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    @Override
    public void deleteAll(Location prefix) throws IOException {
        Path root = prefix.path();
        if (!Files.exists(root)) {
            return;
        }
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                if (!dir.equals(root)) {
                    Files.delete(dir);
                }
                return FileVisitResult.CONTINUE;
            }
        });
    }

    @Override
    public void checkWritable(Location prefix) throws IOException {
        Path dir = prefix.path();
        try {
            Files.createDirectories(dir);
            Path probe = Files.createTempFile(dir, ".orchard-write-check", ".tmp");
            Files.delete(probe);
        } catch (java.nio.file.FileSystemException e) {
            throw new IOException("Cannot write to output folder " + dir + " (" + e.getClass().getSimpleName()
                    + "): choose a folder you can write to, or fix its permissions", e);
        }
    }

    @Override
    public void checkReadable(Location location) throws IOException {
        Path path = location.path();
        if (!Files.exists(path)) {
            throw new NoSuchFileException(path.toString(), null,
                    "no such file or folder: check the path (names are case-sensitive)");
        }
        if (!Files.isReadable(path)) {
            throw new IOException("Cannot read " + path + ": fix its permissions or run as a user who may read it");
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

    @Override
    public boolean renamesFolders() {
        return true;
    }

    /**
     * One rename of the whole folder when {@code to} does not exist yet (a reader sees every object below
     * {@code from} at one name or the other, never some at each); object by object otherwise.
     */
    @Override
    public void moveAll(Location from, Location to) throws IOException {
        Path source = from.path();
        if (!Files.isDirectory(source)) {
            return;
        }
        Path target = to.path();
        if (!Files.exists(target)) {
            Files.createDirectories(target.toAbsolutePath().getParent());
            Files.move(source, target, StandardCopyOption.ATOMIC_MOVE);
            return;
        }
        ObjectStore.super.moveAll(from, to);
        deleteAll(from);
        Files.deleteIfExists(source);
    }

    private static Path temporarySibling(Path target) throws IOException {
        Path parent = target.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        return parent.resolve("." + target.getFileName() + ".tmp-" + UUID.randomUUID());
    }

    /** Depth-first walk that visits each folder's entries in name order and holds only the open folders. */
    private static final class SortedWalk implements Iterator<StoredObject> {
        private final Deque<Iterator<Path>> stack = new ArrayDeque<>();
        private StoredObject next;

        SortedWalk(Path root) {
            stack.push(sortedChildren(root));
        }

        @Override
        public boolean hasNext() {
            while (next == null && !stack.isEmpty()) {
                Iterator<Path> top = stack.peek();
                if (!top.hasNext()) {
                    stack.pop();
                    continue;
                }
                Path p = top.next();
                try {
                    BasicFileAttributes attrs = Files.readAttributes(p, BasicFileAttributes.class);
                    if (attrs.isDirectory()) {
                        stack.push(sortedChildren(p));
                    } else if (attrs.isRegularFile()) {
                        next = new StoredObject(Location.local(p), attrs.size(), version(attrs));
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException("Cannot read " + p, e);
                }
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

        private static Iterator<Path> sortedChildren(Path dir) {
            List<Path> children = new ArrayList<>();
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
                entries.forEach(children::add);
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot list folder " + dir, e);
            }
            children.sort(null);
            return children.iterator();
        }
    }
}
