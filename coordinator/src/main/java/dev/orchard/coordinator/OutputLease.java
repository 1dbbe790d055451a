package dev.orchard.coordinator;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.orchard.store.Location;
import dev.orchard.store.ObjectStore;
import dev.orchard.store.OutputLayout;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;

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
     * Why another coordinator may not start on {@code output} now (a message naming the holder), or null when it
     * may: no lease, a stale one, or one held by {@code node} itself or by a member of its cluster that is gone.
     */
    public static String refusal(ObjectStore store, Location output, String node, Set<String> goneMembers, Instant now)
            throws IOException {
        Holder h = read(store, output);
        if (h == null || !h.freshAt(now) || h.node().equals(node) || goneMembers.contains(h.node()) || deadProcess(h.node())) {
            return null;
        }
        long ageSeconds = Math.max(0, (now.toEpochMilli() - h.heartbeatMillis()) / 1000);
        long leftSeconds = Math.max(1, (h.heartbeatMillis() + h.ttlMillis() - now.toEpochMilli()) / 1000);
        return "Another coordinator (on " + h.node() + ") is writing " + output + ": it renewed its lease "
                + ageSeconds + " s ago. Wait for that job to end, or, if it is dead, retry in " + leftSeconds
                + " s when its lease expires (or remove " + new OutputLayout(output).lease() + ").";
    }

    /**
     * The holder of the lease on {@code output} when it is one of {@code members} (a cluster's nodes, {@code
     * host:port}), else null. A cluster runs one coordinator at a time (a singleton), so a coordinator finding its
     * own cluster's member holding the lease has taken over from it: that one was stopped gracefully and is leaving,
     * and stays a member, its lease fresh, until it is removed. The coordinator taking over waits for it to go rather
     * than refusing (it refused, and the standby exited 2, when the soak stopped an active coordinator with SIGTERM).
     */
    public static String holderAmong(ObjectStore store, Location output, Set<String> members) throws IOException {
        Holder h = read(store, output);
        return h != null && members.contains(h.node()) ? h.node() : null;
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
