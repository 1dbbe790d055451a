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
 * The store of {@link LeaseSimulation}: the output's lease file alone, whose conditional writes are linearisable, as
 * AWS S3's and a local folder's are (or, as an experiment, ignored, as an S3-compatible server without them ignores
 * them), and each coordinator's view of it, whose requests travel through the world ({@link Requests}).
 */
final class SimulatedLeaseStore {
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

    private final boolean ignoresConditions;
    private byte[] leaseBytes;
    private String leaseTag;
    private long versions;

    SimulatedLeaseStore(boolean ignoresConditions) {
        this.ignoresConditions = ignoresConditions;
    }

    /** The lease file's entity tag now; null when there is none. */
    String tag() {
        return leaseTag;
    }

    /** The owner the lease file names now; null when there is none. */
    String holder() throws IOException {
        return leaseBytes == null ? null : JSON.readValue(leaseBytes, OutputLease.Holder.class).owner();
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
            requireLease(location);
            return requests.call(node, "read lease",
                    () -> leaseBytes == null ? null : new Tagged(leaseBytes.clone(), leaseTag), false, false);
        }

        @Override
        public String putIf(Location target, byte[] bytes, String expectedTag) throws IOException {
            requireLease(target);
            return requests.call(node, "write lease if " + expectedTag, () -> {
                boolean expected = leaseBytes == null
                        ? expectedTag == null : leaseTag.equals(expectedTag) || Arrays.equals(leaseBytes, bytes);
                if (!expected && !ignoresConditions) {
                    requests.log(node, "lease write refused: it is " + leaseTag + ", not " + expectedTag);
                    return null;
                }
                if (leaseBytes == null || !Arrays.equals(leaseBytes, bytes)) {
                    leaseBytes = bytes.clone();
                    leaseTag = "v" + ++versions;
                    requests.log(node, "lease written: " + leaseTag);
                }
                return leaseTag;
            }, true, false);
        }

        @Override
        public boolean deleteIf(Location target, String expectedTag) throws IOException {
            requireLease(target);
            return requests.call(node, "delete lease if " + expectedTag, () -> {
                if (leaseBytes != null && !leaseTag.equals(expectedTag) && !ignoresConditions) {
                    return false;
                }
                leaseBytes = null;
                leaseTag = null;
                requests.log(node, "lease deleted");
                return true;
            }, true, false);
        }

        /** Its conditional writes are linearisable, as AWS S3's and a local folder's are (unless told otherwise). */
        @Override
        public boolean evaluatesConditions() {
            return !ignoresConditions;
        }

        private void requireLease(Location location) {
            if (!location.equals(LEASE)) {
                throw new UnsupportedOperationException("the simulated store holds the lease alone, not " + location);
            }
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
        public boolean exists(Location location) {
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
        public void deleteAll(Location prefix) {
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
