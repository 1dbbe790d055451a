package dev.orchard.coordinator;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.orchard.store.Location;
import dev.orchard.store.ObjectStore;
import dev.orchard.store.OutputLayout;
import dev.orchard.store.StoredObject;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;

/**
 * The store of {@link LeaseSimulation}: the output's lease file, and the objects a coordinator probes the store's
 * conditions on ({@link dev.orchard.store.ConditionProbe}), whose conditional writes and deletes are linearisable, as
 * AWS S3's and a local folder's are, or whose conditions are ignored as an S3-compatible server may ignore them
 * ({@link Conditions}); and each coordinator's view of it, whose requests travel through the world ({@link Requests}).
 */
final class SimulatedLeaseStore {
    /** What the store does with the conditions of writes and deletes. */
    enum Conditions {
        /** Evaluates both, and says so (AWS S3, a local folder): coordinators do not probe it. */
        EVALUATED,
        /** Evaluates a write's, ignores a delete's, and cannot say so (S3Proxy 3.1.0, older MinIO). */
        DELETES_IGNORED,
        /** Ignores both, and cannot say so (an experiment: the lease cannot fence such a store). */
        IGNORED
    }

    static final Location OUT = Location.local(Path.of("/sim/out"));
    static final Location LEASE = new OutputLayout(OUT).lease();
    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    /** How a coordinator's request reaches the store: delayed, failed, frozen in flight, its answer lost. */
    interface Requests {
        /**
         * Applies {@code step} when the request lands. {@code write}: its answer may be lost after it was applied;
         * {@code outputWrite}: a write to the output (the world says whether one may freeze in flight).
         */
        <T> T call(SimulatedCoordinator n, String what, Step<T> step, boolean write, boolean outputWrite)
                throws IOException;

        void log(SimulatedCoordinator n, String what);
    }

    interface Step<T> {
        T apply() throws IOException;
    }

    private final Conditions conditions;
    /** Every object, by location: its bytes and its entity tag. */
    private final java.util.Map<Location, Stored> objects = new java.util.HashMap<>();
    private long versions;

    private record Stored(byte[] bytes, String tag) {
    }

    SimulatedLeaseStore(Conditions conditions) {
        this.conditions = conditions;
    }

    /** The lease file's entity tag now; null when there is none. */
    String tag() {
        Stored lease = objects.get(LEASE);
        return lease == null ? null : lease.tag();
    }

    /** The owner the lease file names now; null when there is none, or it was released. */
    String holder() throws IOException {
        Stored lease = objects.get(LEASE);
        OutputLease.Holder h = lease == null ? null : JSON.readValue(lease.bytes(), OutputLease.Holder.class);
        return h == null || h.released() ? null : h.owner();
    }

    /** The store as coordinator {@code n} reaches it. */
    ObjectStore viewOf(SimulatedCoordinator n, Requests requests) {
        return new View(n, requests);
    }

    /** The store as one coordinator reaches it: the lease's three requests, each a {@link Requests#call}. */
    private final class View implements ObjectStore {
        private final SimulatedCoordinator node;
        private final Requests requests;

        View(SimulatedCoordinator node, Requests requests) {
            this.node = node;
            this.requests = requests;
        }

        @Override
        public Tagged readTagged(Location location) throws IOException {
            return requests.call(node, "read " + name(location), () -> {
                Stored o = objects.get(location);
                return o == null ? null : new Tagged(o.bytes().clone(), o.tag());
            }, false, false);
        }

        @Override
        public String putIf(Location target, byte[] bytes, String expectedTag) throws IOException {
            return requests.call(node, "write " + name(target) + " if " + expectedTag, () -> {
                Stored o = objects.get(target);
                boolean expected = o == null
                        ? expectedTag == null : o.tag().equals(expectedTag) || Arrays.equals(o.bytes(), bytes);
                if (!expected && conditions != Conditions.IGNORED) {
                    requests.log(node, name(target) + " write refused: it is " + (o == null ? "gone" : o.tag())
                            + ", not " + expectedTag);
                    return null;
                }
                if (o == null || !Arrays.equals(o.bytes(), bytes)) {
                    o = new Stored(bytes.clone(), "v" + ++versions);
                    objects.put(target, o);
                    requests.log(node, name(target) + " written: " + o.tag());
                }
                return o.tag();
            }, true, false);
        }

        @Override
        public boolean deleteIf(Location target, String expectedTag) throws IOException {
            return requests.call(node, "delete " + name(target) + " if " + expectedTag, () -> {
                Stored o = objects.get(target);
                if (o != null && !o.tag().equals(expectedTag) && conditions == Conditions.EVALUATED) {
                    return false;
                }
                objects.remove(target);
                requests.log(node, name(target) + " deleted");
                return true;
            }, true, false);
        }

        /** Linearisable conditional writes it has, as AWS S3's and a local folder's are; it says so only if EVALUATED. */
        @Override
        public boolean evaluatesConditions() {
            return conditions == Conditions.EVALUATED;
        }

        @Override
        public boolean exists(Location location) throws IOException {
            return requests.call(node, "look for " + name(location), () -> objects.containsKey(location), false, false);
        }

        @Override
        public void deleteAll(Location prefix) throws IOException {
            requests.call(node, "delete " + name(prefix), () -> {
                objects.keySet().removeIf(l -> l.equals(prefix));
                return null;
            }, true, false);
        }

        private String name(Location location) {
            return location.equals(LEASE) ? "lease" : location.name();
        }

        @Override
        public Stream<StoredObject> list(Location prefix) {
            throw new UnsupportedOperationException("not used by the lease");
        }

        @Override
        public byte[] read(Location location) {
            throw new UnsupportedOperationException("not used by the lease");
        }

        @Override
        public void put(Location target, byte[] bytes) {
            throw new UnsupportedOperationException("not used by the lease");
        }

        @Override
        public void putFile(Location target, Path file) {
            throw new UnsupportedOperationException("not used by the lease");
        }

        @Override
        public void checkReadable(Location location) {
            throw new UnsupportedOperationException("not used by the lease");
        }

        @Override
        public void checkWritable(Location location) {
            throw new UnsupportedOperationException("not used by the lease");
        }
    }
}
