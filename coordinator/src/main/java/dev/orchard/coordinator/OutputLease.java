package dev.orchard.coordinator;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.orchard.store.Location;
import dev.orchard.store.ObjectStore;
import dev.orchard.store.OutputLayout;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;

/**
 * A coordinator's claim on an output, in {@code _orchard/lease.json}: who holds it (the coordinator incarnation and
 * its node's address) and when it last said so. The holder renews it every few seconds; a second coordinator is
 * refused while the lease is fresh, unless it takes over from the holder: it runs on the holder's own address (the
 * same command restarted there), or the holder was a member of its cluster that is gone (a standby node whose
 * singleton just started). A lease older than its time-to-live is stale: its holder is dead or cut off, and any
 * coordinator may take it.
 * <p>This keeps operators from running two jobs into one output; it is not a fence against a coordinator that keeps
 * writing after losing its lease (object stores offer no such lock). That one stops by itself: it cannot renew,
 * and a coordinator that loses its cluster exits.
 */
public final class OutputLease {
    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    /** The lease file's content. */
    public record Holder(String owner, String node, long heartbeatMillis, long ttlMillis) {
        boolean freshAt(Instant now) {
            return now.toEpochMilli() - heartbeatMillis < ttlMillis;
        }
    }

    private final ObjectStore store;
    private final Location output;
    private final Location file;
    private final String owner;
    private final String node;
    private final Duration ttl;

    /**
     * @param owner this coordinator incarnation (its epoch, in hex)
     * @param node  this node's address, {@code host:port}
     */
    public OutputLease(ObjectStore store, Location output, String owner, String node, Duration ttl) {
        this.store = store;
        this.output = output;
        this.file = new OutputLayout(output).lease();
        this.owner = owner;
        this.node = node;
        this.ttl = ttl;
    }

    /** The current holder, or null when there is none. */
    public static Holder read(ObjectStore store, Location output) throws IOException {
        Location file = new OutputLayout(output).lease();
        if (!store.exists(file)) {
            return null;
        }
        return JSON.readValue(store.read(file), Holder.class);
    }

    /**
     * What a coordinator about to start on an output may do about its lease: take it ({@link Free}), wait for a
     * holder that is leaving its own cluster ({@link Leaving}), or give up ({@link Refused}).
     */
    public sealed interface Claim {
        /** No lease, a stale one, one held by this node, by a member gone from its cluster or by a dead process. */
        record Free() implements Claim {
        }

        /**
         * Held by {@code holder}, a member of this coordinator's own cluster. A cluster runs one coordinator at a time
         * (a singleton), so the holder is one it has taken over from: stopped gracefully, it stays a member, its lease
         * fresh, until it is removed. (Refused before: the standby exited 2 when the soak stopped the active
         * coordinator with SIGTERM.)
         */
        record Leaving(String holder) implements Claim {
        }

        /** Held by a coordinator elsewhere: {@code message} names it and says what to do. */
        record Refused(String message) implements Claim {
        }
    }

    /** The claim a coordinator on {@code node}, in {@code cluster}, has on {@code output} now. */
    public static Claim claim(ObjectStore store, Location output, String node, ClusterMembership cluster, Instant now)
            throws IOException {
        return claim(read(store, output), output, node, cluster, now);
    }

    /** The same, for the lease {@code h} (null: none). */
    static Claim claim(Holder h, Location output, String node, ClusterMembership cluster, Instant now) {
        if (h == null || !h.freshAt(now) || h.node().equals(node) || cluster.gone().contains(h.node())
                || deadProcess(h.node())) {
            return new Claim.Free();
        }
        if (cluster.members().contains(h.node())) {
            return new Claim.Leaving(h.node());
        }
        long ageSeconds = Math.max(0, (now.toEpochMilli() - h.heartbeatMillis()) / 1000);
        long leftSeconds = Math.max(1, (h.heartbeatMillis() + h.ttlMillis() - now.toEpochMilli()) / 1000);
        return new Claim.Refused("Another coordinator (on " + h.node() + ") is writing " + output + ": it renewed its"
                + " lease " + ageSeconds + " s ago. Wait for that job to end, or, if it is dead, retry in " + leftSeconds
                + " s when its lease expires (or remove " + new OutputLayout(output).lease() + ").");
    }

    /**
     * Why a coordinator outside any cluster may not start on {@code output} now (a message naming the holder), or
     * null when it may.
     */
    public static String refusal(ObjectStore store, Location output, Instant now) throws IOException {
        return claim(store, output, "", ClusterMembership.NONE, now) instanceof Claim.Refused r ? r.message() : null;
    }

    /**
     * The holder name of a coordinator that is not a cluster node ({@code orchard run}): {@code host/pid:N}. If that
     * process is gone, a run on the same host may take its lease at once.
     */
    public static String thisProcess() {
        return hostName() + "/pid:" + ProcessHandle.current().pid();
    }

    /** Whether {@code node} names a process on this host that has ended. */
    private static boolean deadProcess(String node) {
        String prefix = hostName() + "/pid:";
        if (!node.startsWith(prefix)) {
            return false;
        }
        try {
            return ProcessHandle.of(Long.parseLong(node.substring(prefix.length()))).map(p -> !p.isAlive()).orElse(true);
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static String hostName() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            return "localhost";
        }
    }

    /** Takes the lease (once {@link #refusal} has found no reason not to). */
    public void acquire(Instant now) throws IOException {
        store.put(file, JSON.writeValueAsBytes(new Holder(owner, node, now.toEpochMilli(), ttl.toMillis())));
    }

    /** Renews the lease; fails if another coordinator holds it now (it took it over). */
    public void renew(Instant now) throws IOException {
        Holder current = read(store, output);
        if (current != null && !current.owner().equals(owner)) {
            throw new IOException("coordinator " + current.owner() + " on " + current.node() + " took over this output");
        }
        acquire(now);
    }

    /** Gives the lease up (the job has ended). */
    public void release() throws IOException {
        Holder current = read(store, output);
        if (current != null && current.owner().equals(owner)) {
            store.delete(file);
        }
    }
}
