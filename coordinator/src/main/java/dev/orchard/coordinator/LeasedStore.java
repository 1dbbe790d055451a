package dev.orchard.coordinator;

import dev.orchard.store.ListingProblem;
import dev.orchard.store.Location;
import dev.orchard.store.ObjectStore;
import dev.orchard.store.StoredObject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The output's store as a coordinator writes it: every write (put, delete, move, copy) is made through the
 * coordinator's {@link OutputLease#fenced fence}, which first confirms that it still holds the output, so that a
 * coordinator another one took over from writes nothing more, and which a release waits for (see {@link OutputLease}
 * for what that covers). Reads go straight
 * through. A bulk operation ({@link #deleteAll}, {@link #moveAll}) is checked again before each of its requests (on
 * S3 a move of one object is a copy and a delete), so a coordinator taken over part-way through one makes at most the
 * request it had already begun. Its owner closes the store it wraps.
 */
public final class LeasedStore implements ObjectStore {
    private final ObjectStore store;
    private volatile OutputLease lease;

    public LeasedStore(ObjectStore store) {
        this.store = store;
    }

    /** The store itself, for the lease's own file. */
    public ObjectStore unleased() {
        return store;
    }

    /** From now on, writes go ahead only while {@code lease} is held (the coordinator that took it over sets it). */
    public void writeUnder(OutputLease lease) {
        this.lease = lease;
    }

    /** The lease that guards the writes now. */
    private OutputLease lease() {
        OutputLease l = lease;
        if (l == null) {
            throw new IllegalStateException("No coordinator's lease guards the writes to this output yet");
        }
        return l;
    }

    /** Makes {@code write} under the lease's fence ({@link OutputLease#fenced}). */
    private <T> T fenced(OutputLease.FencedWrite<T> write) throws IOException {
        return lease().fenced(write);
    }

    private interface Write {
        void run() throws IOException;
    }

    private void write(Write write) throws IOException {
        fenced(() -> {
            write.run();
            return null;
        });
    }

    private interface BulkWrite {
        void run(Fence fence) throws IOException;
    }

    /** A bulk operation under the fence, whose every request goes ahead only while the lease is held. */
    private void bulk(BulkWrite write) throws IOException {
        OutputLease l = lease();
        l.fenced(() -> {
            write.run(l::confirm);
            return null;
        });
    }

    @Override
    public Stream<StoredObject> list(Location prefix) throws IOException {
        return store.list(prefix);
    }

    @Override
    public Stream<StoredObject> list(Location prefix, boolean followLinks, Consumer<ListingProblem> problems)
            throws IOException {
        return store.list(prefix, followLinks, problems);
    }

    @Override
    public byte[] read(Location location) throws IOException {
        return store.read(location);
    }

    @Override
    public byte[] read(Location location, long maxBytes) throws IOException {
        return store.read(location, maxBytes);
    }

    @Override
    public byte[] readListed(Location location, long maxBytes) throws IOException {
        return store.readListed(location, maxBytes);
    }

    @Override
    public InputStream open(Location location) throws IOException {
        return store.open(location);
    }

    @Override
    public boolean exists(Location location) throws IOException {
        return store.exists(location);
    }

    @Override
    public Tagged readTagged(Location location) throws IOException {
        return store.readTagged(location);
    }

    @Override
    public String putIf(Location target, byte[] bytes, String expectedTag) throws IOException {
        return fenced(() -> store.putIf(target, bytes, expectedTag));
    }

    @Override
    public String putIf(Location target, byte[] bytes, String expectedTag, java.time.Duration within) throws IOException {
        return fenced(() -> store.putIf(target, bytes, expectedTag, within));
    }

    @Override
    public boolean evaluatesConditions() {
        return store.evaluatesConditions();
    }

    @Override
    public void put(Location target, byte[] bytes) throws IOException {
        write(() -> store.put(target, bytes));
    }

    @Override
    public void putFile(Location target, Path file) throws IOException {
        write(() -> store.putFile(target, file));
    }

    @Override
    public void deleteAll(Location prefix) throws IOException {
        bulk(fence -> store.deleteAll(prefix, fence));
    }

    @Override
    public void deleteObjects(java.util.List<Location> objects, Fence fence) throws IOException {
        bulk(own -> store.deleteObjects(objects, () -> {
            fence.check();
            own.check();
        }));
    }

    @Override
    public void delete(Location location) throws IOException {
        write(() -> store.delete(location));
    }

    @Override
    public void move(Location from, Location to) throws IOException {
        write(() -> store.move(from, to));
    }

    @Override
    public void copy(Location from, Location to) throws IOException {
        write(() -> store.copy(from, to));
    }

    @Override
    public void moveAll(Location from, Location to) throws IOException {
        bulk(fence -> store.moveAll(from, to, fence));
    }

    @Override
    public void checkWritable(Location prefix) throws IOException {
        write(() -> store.checkWritable(prefix));
    }

    @Override
    public void checkReadable(Location location) throws IOException {
        store.checkReadable(location);
    }
}
