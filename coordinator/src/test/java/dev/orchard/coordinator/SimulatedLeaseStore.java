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
import java.util.List;
import java.util.stream.Stream;

/**
 * The store of {@link LeaseSimulation}: the output's lease file, the objects a coordinator probes the store's
 * conditions on ({@link dev.orchard.store.ConditionProbe}), and the job's journal ({@link JobJournal}), whose
 * conditional writes are linearisable, as AWS S3's and a local folder's are, or whose conditions are ignored as an
 * S3-compatible server may ignore them ({@link Conditions}); and each coordinator's view of it, whose
 * requests travel through the world ({@link Requests}), and a reader's that reaches it at once ({@link #direct}).
 */
final class SimulatedLeaseStore {
    /** What the store does with the conditions of writes. */
    enum Conditions {
        /** Evaluates them, and says so (AWS S3, a local folder): coordinators do not probe it. */
        EVALUATED,
        /** Evaluates them, and cannot say so (S3Proxy 3.1.0, MinIO): coordinators probe it. */
        UNSAID,
        /** Ignores them, and cannot say so (an experiment: the lease cannot fence such a store). */
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

        /** A read of the journal: delayed, and {@code n} may freeze with it in flight, but it does not fail. */
        default <T> T read(SimulatedCoordinator n, String what, Step<T> step) throws IOException {
            return call(n, what, step, false, false);
        }

        /** A journal object {@code n} wrote landed: {@code late} if the lease named another coordinator then. */
        default void landed(SimulatedCoordinator n, Location target, boolean late) {
        }

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

    /** The store as a reader outside the schedule reaches it: at once, without faults (the checks' reader). */
    ObjectStore direct() {
        return new View(null, new Requests() {
            @Override
            public <T> T call(SimulatedCoordinator n, String what, Step<T> step, boolean write, boolean outputWrite)
                    throws IOException {
                return step.apply();
            }

            @Override
            public void log(SimulatedCoordinator n, String what) {
            }
        });
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

        /** The journal's listing: one read request, its answer as the store was when it landed. */
        @Override
        public Stream<StoredObject> list(Location prefix) throws IOException {
            List<StoredObject> found = requests.read(node, "list " + name(prefix), () -> objects.entrySet().stream()
                    .filter(e -> e.getKey().path().startsWith(prefix.path()) && !e.getKey().equals(prefix))
                    .map(e -> new StoredObject(e.getKey(), e.getValue().bytes().length))
                    .sorted(java.util.Comparator.comparing(o -> o.location().key())).toList());
            return found.stream();
        }

        @Override
        public byte[] read(Location location) throws IOException {
            return requests.read(node, "read " + name(location), () -> {
                Stored o = objects.get(location);
                if (o == null) {
                    throw new java.nio.file.NoSuchFileException(location.toString());
                }
                return o.bytes().clone();
            });
        }

        /** A journal write: lands as a write to the output, which may freeze in flight where the schedule says. */
        @Override
        public void put(Location target, byte[] bytes) throws IOException {
            requests.call(node, "write " + name(target), () -> {
                boolean late = node != null && !node.owner.equals(holder());
                objects.put(target, new Stored(bytes.clone(), "v" + ++versions));
                requests.log(node, name(target) + " written" + (late ? " LATE: the lease is " + holder() + "'s" : ""));
                requests.landed(node, target, late);
                return null;
            }, true, true);
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
