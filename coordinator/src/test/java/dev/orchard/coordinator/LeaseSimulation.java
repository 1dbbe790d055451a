package dev.orchard.coordinator;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.orchard.store.Location;
import dev.orchard.store.ObjectStore;
import dev.orchard.store.OutputLayout;
import dev.orchard.store.StoredObject;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The output's lease under a generated schedule: coordinators that claim, take, renew, trust and release it through
 * the real {@link OutputLease}, on one simulated object store whose conditional writes are linearisable, with wall
 * clocks that are skewed and monotonic clocks that drift, store requests that are delayed, fail, or land with their
 * answer lost, and processes that freeze (a GC pause, SIGSTOP, a suspended VM) between steps or with a request in
 * flight. A coordinator frozen for the failure detector's few seconds plus the split-brain resolver's
 * {@code stable-after} is downed: the others see it gone, and when it runs again it keeps running for a little while
 * before its node stops, as a downed Pekko node does, and its coordinator releases its lease as it stops. Coordinators
 * are also cut off from their cluster (not from the store) and stopped gracefully. One seeded
 * {@link Random} drives it all ({@link LeaseSchedule} draws the parameters from the seed): a seed replays its schedule,
 * event for event.
 * <p>Checked: every write a coordinator makes to the output lands while the lease file names that coordinator (the
 * fence), and the job ends: it finishes, or every coordinator has exited (and {@code --resume} would go on).
 * <p>Each coordinator runs its steps on a thread of its own, but only one thread runs at a time, handed the turn by
 * the world's loop: a coordinator waiting for a store request gives the turn back, and gets it again when the request
 * lands (it is applied then) and when its answer arrives. So requests of several coordinators interleave as their
 * delays say, and a schedule replays exactly.
 */
final class LeaseSimulation {
    static final Duration TTL = Duration.ofSeconds(30);
    static final Duration DOWN_AFTER = Duration.ofSeconds(20);
    /** The failure detector's time to find a frozen node unreachable, before the resolver's stable-after starts. */
    static final long DETECT_MS = 2_500;
    /** As the coordinator renews: every half of its trust. */
    static final long RENEW_EVERY_MS = Duration.ofSeconds(5).toMillis();
    /** A standby's next look at the lease. */
    static final long CLAIM_EVERY_MS = 1_000;
    /** A coordinator that exited is gone from the others' view this much later (it left the cluster). */
    static final long LEAVE_MS = 1_000;
    /** Freezes, failures and lost answers happen before this; after it the store is slow but reliable. */
    static final long FAULTS_END_MS = 120_000;
    static final long HORIZON_MS = 900_000;
    private static final Location OUT = Location.local(Path.of("/sim/out"));
    private static final Location LEASE = new OutputLayout(OUT).lease();
    private static final Instant EPOCH = Instant.parse("2026-12-04T12:00:00Z");
    /**
     * {@code -Dorchard.lease.ignoreConditions=true}: an experiment, not a guarantee: the store writes and deletes
     * whatever the condition, as an S3-compatible server without conditional writes does, and says it may.
     */
    static final boolean IGNORES_CONDITIONS = Boolean.getBoolean("orchard.lease.ignoreConditions");
    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    /** {@code exits}: how many coordinators exited for each reason ({@link #why}). */
    record Outcome(boolean finished, int writes, List<String> violations, int takeovers, int lost, int freezes,
                   int partitions, int downed, java.util.Map<String, Integer> exits) {
    }

    /** The action of an event that hands a coordinator waiting in a store call its turn back. */
    private static final Runnable RESUME = () -> { };

    private record Event(long time, long seq, Node node, Runnable action) implements Comparable<Event> {
        @Override
        public int compareTo(Event o) {
            return time != o.time ? Long.compare(time, o.time) : Long.compare(seq, o.seq);
        }
    }

    final LeaseSchedule schedule;
    private final Random rng;
    private long now;
    private long seq;
    private final PriorityQueue<Event> queue = new PriorityQueue<>();
    private final Deque<String> trace = new ArrayDeque<>();
    private final List<Node> nodes = new ArrayList<>();
    private final List<String> violations = new ArrayList<>();
    /** Given back to the world's loop by the coordinator thread that had the turn. */
    private final java.util.concurrent.Semaphore back = new java.util.concurrent.Semaphore(0);
    // The store: the lease file, and the job's progress (its journal, in short).
    private byte[] leaseBytes;
    private String leaseTag;
    private long versions;
    private int jobDone;
    private boolean finished;
    private int takeovers;
    private int lost;
    private int freezes;
    private int partitions;
    private final java.util.Map<String, Integer> exits = new java.util.TreeMap<>();

    LeaseSimulation(LeaseSchedule schedule) {
        this.schedule = schedule;
        this.rng = new Random(schedule.seed() * 0x2545F4914F6CDD1DL + 7);
        for (int i = 0; i < schedule.coordinators(); i++) {
            long skew = schedule.maxSkewMs() == 0 ? 0 : rng.nextLong(-schedule.maxSkewMs(), schedule.maxSkewMs() + 1);
            double drift = (rng.nextDouble() * 2 - 1) * schedule.maxDrift();
            Node node = new Node(i, skew, drift);
            nodes.add(node);
            at(schedule.startsMs()[i], node, () -> claim(node));
            if (schedule.freezesPerSecond() > 0) {
                at(nextFreeze(), node, () -> freeze(node));
            }
            if (schedule.partitionsPerSecond() > 0) {
                at(next(schedule.partitionsPerSecond()), node, () -> cutOff(node));
            }
            if (schedule.stopsPerSecond() > 0) {
                at(next(schedule.stopsPerSecond()), node, () -> stopGracefully(node));
            }
        }
    }

    /** Runs the schedule to its end and says what it came to. */
    Outcome run() {
        try {
            while (now < HORIZON_MS && !ended()) {
                advance(now + 5_000);
            }
        } finally {
            nodes.forEach(n -> n.thread.interrupt());
        }
        int downed = (int) nodes.stream().filter(n -> n.downedAt != Long.MAX_VALUE).count();
        return new Outcome(finished, jobDone, List.copyOf(violations), takeovers, lost, freezes, partitions, downed,
                java.util.Map.copyOf(exits));
    }

    /**
     * Whether the job ended, one way or the other: it finished, and no coordinator is in the middle of a step (the
     * last one's release, or a write still on its way, lands first); or every coordinator has exited.
     */
    boolean ended() {
        return finished ? nodes.stream().noneMatch(n -> n.busy) : nodes.stream().allMatch(n -> n.stopped);
    }

    String trace() {
        return String.join("\n", trace);
    }

    // ---------------------------------------------------------------- the coordinators

    /** A coordinator node: its clocks, its lease, and whether it is frozen, downed or gone. */
    private final class Node {
        final int index;
        final String name;
        final String owner;
        final long skewMs;
        final double drift;
        final JvmPauses pauses;
        final NodeStore store = new NodeStore(this);
        /** Runs this coordinator's steps, one at a time, when the world's loop hands it the turn. */
        final Thread thread;
        final java.util.concurrent.Semaphore go = new java.util.concurrent.Semaphore(0);
        Runnable step;
        boolean stepDone;
        Throwable failure;
        /** Steps due while it was in the middle of one: they run after it. */
        final List<Runnable> deferred = new ArrayList<>();
        OutputLease lease;
        boolean busy;
        boolean stopped;
        long stoppedAt;
        long frozenUntil;
        /** A freeze between steps not yet seen by the pause watcher: its start, by this node's monotonic clock. */
        long unseenPauseFrom = -1;
        /** When the others' resolver downed it (it was frozen long enough), if it was. */
        long downedAt = Long.MAX_VALUE;
        boolean downedWhileFrozen;
        long stopAt = Long.MAX_VALUE;

        Node(int index, long skewMs, double drift) {
            this.index = index;
            this.name = "10.0.0." + (index + 1) + ":17355";
            this.owner = "c" + index;
            this.skewMs = skewMs;
            this.drift = drift;
            this.pauses = new JvmPauses(this::nanos);
            this.thread = new Thread(this::serve, "lease-sim-" + owner);
            thread.setDaemon(true);
            thread.start();
        }

        private void serve() {
            while (true) {
                try {
                    go.acquire();
                } catch (InterruptedException e) {
                    return;
                }
                try {
                    seen(this);
                    step.run();
                } catch (Halt e) {
                    return;
                } catch (Throwable t) {
                    failure = t;
                }
                stepDone = true;
                back.release();
            }
        }

        long nanos() {
            return (long) (now * 1_000_000.0 * (1 + drift));
        }

        Instant wall() {
            return EPOCH.plusMillis(now + skewMs);
        }

        boolean goneAt(long t) {
            return t >= downedAt || stopped && t >= stoppedAt + LEAVE_MS;
        }

        @Override
        public String toString() {
            return owner;
        }
    }

    private void claim(Node n) {
        if (finished) {
            stop(n, "the job finished on another coordinator");
            return;
        }
        try {
            OutputLease.Claim claim = OutputLease.claim(n.store, OUT, n.name, membership(n), n.wall());
            if (claim instanceof OutputLease.Claim.Free free) {
                OutputLease lease = new OutputLease(n.store, OUT, n.owner, n.name, TTL, DOWN_AFTER, n::nanos, n::wall,
                        n.pauses);
                lease.acquire(free, n.wall());
                n.lease = lease;
                takeovers++;
                log(n, "took the lease (" + leaseTag + ")");
                at(RENEW_EVERY_MS, n, () -> renew(n));
                at(schedule.writeEveryMs(), n, () -> work(n));
                return;
            }
            log(n, "claim: " + claim.getClass().getSimpleName());
        } catch (IOException e) {
            log(n, "claim failed: " + e.getMessage());
        }
        at(CLAIM_EVERY_MS, n, () -> claim(n));
    }

    /** The cluster as {@code n} sees it: the others, gone or members. */
    private ClusterMembership membership(Node n) {
        Set<String> members = new HashSet<>();
        Set<String> gone = new HashSet<>();
        for (Node other : nodes) {
            (other.goneAt(now) ? gone : members).add(other.name);
        }
        members.add(n.name);
        gone.remove(n.name);
        return new ClusterMembership(members, gone);
    }

    private void renew(Node n) {
        if (!n.lease.held()) {
            return;
        }
        try {
            n.lease.renew(n.wall());
        } catch (OutputLease.Lost e) {
            lost++;
            stop(n, "lost the lease: " + e.getMessage());
            return;
        } catch (IOException e) {
            log(n, "renewal failed: " + e.getMessage());
        }
        if (!n.stopped) {
            at(RENEW_EVERY_MS, n, () -> renew(n));
        }
    }

    /** One write to the output, through the fence ({@link OutputLease#confirm}), as {@link LeasedStore} writes. */
    private void work(Node n) {
        if (!n.lease.held()) {
            return;
        }
        try {
            n.lease.confirm();
            call(n, "write output #" + (jobDone + 1), () -> {
                String holder = holder();
                if (!n.owner.equals(holder)) {
                    violations.add("at " + now + " ms " + n + " wrote to the output while the lease was "
                            + (holder == null ? "gone" : holder + "'s"));
                    log(n, "VIOLATION: wrote under " + holder + "'s lease");
                }
                jobDone++;
                return null;
            }, true, true);
        } catch (OutputLease.Lost e) {
            lost++;
            stop(n, "lost the lease: " + e.getMessage());
            return;
        } catch (IOException e) {
            log(n, "write failed: " + e.getMessage());
        }
        if (jobDone >= schedule.jobWrites() && !finished && !n.stopped) {
            finished = true; // _SUCCESS written: the last of the job's writes
            try {
                n.lease.release();
            } catch (IOException e) {
                log(n, "release failed: " + e.getMessage());
            }
            stop(n, "finished the job");
            return;
        }
        if (!n.stopped) {
            at(schedule.writeEveryMs(), n, () -> work(n));
        }
    }

    /** {@code n}'s node stops: its coordinator gives its lease up as it stops, as {@code Coordinator} does. */
    private void shutDown(Node n, String why) {
        if (n.stopped) {
            return;
        }
        if (n.lease != null && n.lease.held()) {
            try {
                n.lease.release();
            } catch (IOException e) {
                log(n, "release failed: " + e.getMessage());
            }
        }
        stop(n, why);
    }

    private void stop(Node n, String why) {
        if (!n.stopped) {
            n.stopped = true;
            n.stoppedAt = now;
            exits.merge(why(why), 1, Integer::sum);
            log(n, "exits: " + why);
        }
    }

    /** An exit's reason, in a word or three. */
    private static String why(String exit) {
        if (exit.contains("took over this output")) {
            return "lost: taken over";
        } else if (exit.contains("is gone")) {
            return "lost: lease gone";
        } else if (exit.contains("stood still")) {
            return "lost: stood still mid-renewal";
        } else if (exit.contains("could not be renewed")) {
            return "lost: not renewed within its time-to-live";
        } else if (exit.contains("downed")) {
            return "downed";
        } else if (exit.contains("gracefully")) {
            return "stopped gracefully";
        } else if (exit.startsWith("finished")) {
            return "finished the job";
        } else {
            return "saw the job finished";
        }
    }

    // ---------------------------------------------------------------- freezes

    private long nextFreeze() {
        return next(schedule.freezesPerSecond());
    }

    /** The time to the next of events that come {@code perSecond} a second, at random (a Poisson process). */
    private long next(double perSecond) {
        return (long) (-Math.log(1 - rng.nextDouble()) / perSecond * 1000);
    }

    /**
     * Cuts {@code n} off from its cluster (not from the store): it runs on, renewing and writing. Cut off for the
     * failure detector's time plus {@code stable-after}, the others' resolver downs it, and its own resolver downs it
     * too, on a timer of its own (up to a second sooner or three later); its coordinator stops and releases its lease.
     */
    private void cutOff(Node n) {
        if (now >= FAULTS_END_MS || n.stopped) {
            return;
        }
        long length = 1 + rng.nextLong(schedule.maxFreezeMs());
        long downing = DETECT_MS + DOWN_AFTER.toMillis();
        partitions++;
        log(n, "cut off from the cluster for " + length + " ms");
        if (length < downing) {
            at(length + next(schedule.partitionsPerSecond()), n, () -> cutOff(n));
            return;
        }
        n.downedAt = Math.min(n.downedAt, now + downing);
        at(downing + rng.nextLong(-1_000, 3_001), n, () -> shutDown(n, "it downed itself, cut off from the cluster"));
    }

    /** {@code n} is stopped gracefully (SIGTERM): its coordinator stops, releasing its lease, and its node leaves. */
    private void stopGracefully(Node n) {
        if (now < FAULTS_END_MS) {
            shutDown(n, "stopped gracefully");
        }
    }

    /** Freezes {@code n} between its steps. */
    private void freeze(Node n) {
        if (now < FAULTS_END_MS) {
            long length = freezeLength(n, now);
            n.frozenUntil = now + length;
            n.unseenPauseFrom = n.nanos();
            log(n, "frozen for " + length + " ms");
            at(length + nextFreeze(), n, () -> freeze(n));
        }
    }

    private long freezeLength(Node n, long from) {
        freezes++;
        long length = 1 + rng.nextLong(schedule.maxFreezeMs());
        if (length >= DETECT_MS + DOWN_AFTER.toMillis()) {
            n.downedAt = Math.min(n.downedAt, from + DETECT_MS + DOWN_AFTER.toMillis());
            n.downedWhileFrozen = true;
        }
        return length;
    }

    // ---------------------------------------------------------------- the store

    private interface Step<T> {
        T apply() throws IOException;
    }

    /**
     * A store request by {@code n}: it travels, lands (applied at once, linearisably), and its answer travels back;
     * meanwhile the other coordinators run. It may fail (not applied), or be applied with its answer lost after the
     * SDK's retries ({@code write}); and {@code n} may freeze with it in flight, a write to the output included only
     * where the schedule says.
     */
    private <T> T call(Node n, String what, Step<T> step, boolean write, boolean outputWrite) throws IOException {
        boolean faults = now < FAULTS_END_MS;
        boolean mayFreeze = faults && (!outputWrite || schedule.freezeWritesInFlight());
        park(n, delay() + (mayFreeze ? freezeInFlight(n) : 0));
        if (faults && rng.nextDouble() < schedule.failRate()) {
            park(n, delay());
            log(n, what + ": failed");
            seen(n);
            throw new IOException("simulated: " + what + " failed");
        }
        T result = step.apply();
        boolean answerLost = write && faults && rng.nextDouble() < schedule.lostAnswerRate();
        park(n, delay() + (mayFreeze ? freezeInFlight(n) : 0));
        seen(n);
        if (answerLost) {
            log(n, what + ": landed, its answer lost");
            throw new IOException("simulated: the answer to " + what + " was lost");
        }
        return result;
    }

    /** {@code n}, in the middle of a step, waits {@code delayMs}: it gives the turn back and gets it then. */
    private void park(Node n, long delayMs) {
        queue.add(new Event(now + Math.max(0, delayMs), seq++, n, RESUME));
        back.release();
        try {
            n.go.acquire();
        } catch (InterruptedException e) {
            throw new Halt();
        }
    }

    /** Ends a coordinator thread left waiting when the schedule ends. */
    private static final class Halt extends RuntimeException {
        Halt() {
            super(null, null, false, false);
        }
    }

    private long delay() {
        return schedule.maxDelayMs() == 0 ? 0 : rng.nextLong(schedule.maxDelayMs() + 1);
    }

    /** A freeze of {@code n} while it waits for a request, sometimes: its length, and the watcher sees it end. */
    private long freezeInFlight(Node n) {
        if (rng.nextDouble() >= schedule.freezesPerSecond() * 2) {
            return 0;
        }
        long length = freezeLength(n, now);
        long from = n.nanos();
        log(n, "frozen for " + length + " ms with a request in flight");
        long to = (long) ((now + length) * 1_000_000.0 * (1 + n.drift));
        n.pauses.woke(from - JvmPauses.TICK_NANOS, to);
        return length;
    }

    /** The pause watcher ticks while its JVM runs: a freeze it has not yet reported, it reports now. */
    private void seen(Node n) {
        if (n.unseenPauseFrom >= 0) {
            n.pauses.woke(n.unseenPauseFrom - JvmPauses.TICK_NANOS, n.nanos());
            n.unseenPauseFrom = -1;
        }
        n.pauses.asleep(n.nanos());
    }

    private String holder() throws IOException {
        return leaseBytes == null ? null : JSON.readValue(leaseBytes, OutputLease.Holder.class).owner();
    }

    /** The store as one coordinator reaches it: the lease's three requests, each a {@link #call}. */
    private final class NodeStore implements ObjectStore {
        private final Node node;

        NodeStore(Node node) {
            this.node = node;
        }

        @Override
        public Tagged readTagged(Location location) throws IOException {
            requireLease(location);
            return call(node, "read lease", () -> leaseBytes == null ? null : new Tagged(leaseBytes.clone(), leaseTag),
                    false, false);
        }

        @Override
        public String putIf(Location target, byte[] bytes, String expectedTag) throws IOException {
            requireLease(target);
            return call(node, "write lease if " + expectedTag, () -> {
                boolean expected = leaseBytes == null ? expectedTag == null
                                                      : leaseTag.equals(expectedTag) || Arrays.equals(leaseBytes, bytes);
                if (!expected && !IGNORES_CONDITIONS) {
                    log(node, "lease write refused: it is " + leaseTag + ", not " + expectedTag);
                    return null;
                }
                if (leaseBytes == null || !Arrays.equals(leaseBytes, bytes)) {
                    leaseBytes = bytes.clone();
                    leaseTag = "v" + ++versions;
                    log(node, "lease written: " + leaseTag);
                }
                return leaseTag;
            }, true, false);
        }

        @Override
        public boolean deleteIf(Location target, String expectedTag) throws IOException {
            requireLease(target);
            return call(node, "delete lease if " + expectedTag, () -> {
                if (leaseBytes != null && !leaseTag.equals(expectedTag) && !IGNORES_CONDITIONS) {
                    return false;
                }
                leaseBytes = null;
                leaseTag = null;
                log(node, "lease deleted");
                return true;
            }, true, false);
        }

        /** Its conditional writes are linearisable, as AWS S3's and a local folder's are (unless told otherwise). */
        @Override
        public boolean evaluatesConditions() {
            return !IGNORES_CONDITIONS;
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

    // ---------------------------------------------------------------- the world's clock

    private void at(long delayMs, Node node, Runnable action) {
        queue.add(new Event(now + Math.max(0, delayMs), seq++, node, action));
    }

    /**
     * Runs every step due by {@code until}, in time order, each on its coordinator's thread, which has the turn until
     * it finishes the step or waits for a store request. A step due while its coordinator is in the middle of another
     * runs after it; a frozen coordinator's steps wait until it thaws; a coordinator downed while frozen runs on for a
     * little while once it thaws, then its node stops.
     */
    private void advance(long until) {
        while (!queue.isEmpty() && queue.peek().time() <= until) {
            Event e = queue.poll();
            Node n = e.node();
            if (e.action() == RESUME) {
                now = Math.max(now, e.time());
                handTurn(n);
                continue;
            }
            if (n.stopped) {
                continue;
            }
            if (n.busy) {
                n.deferred.add(e.action());
                continue;
            }
            if (n.frozenUntil > e.time()) {
                queue.add(new Event(n.frozenUntil, e.seq(), n, e.action()));
                continue;
            }
            now = Math.max(now, e.time());
            if (now >= n.downedAt && n.downedWhileFrozen && n.stopAt == Long.MAX_VALUE) {
                n.stopAt = now + rng.nextLong(schedule.maxRunAfterWakingMs() + 1);
                log(n, "runs again, downed: its node stops at " + n.stopAt + " ms");
            }
            n.busy = true;
            n.step = now >= n.stopAt ? () -> shutDown(n, "its node was downed (left the cluster)") : e.action();
            handTurn(n);
        }
        now = Math.max(now, until);
    }

    /** Gives {@code n} the turn and waits for it back: its step done, or a store request on its way. */
    private void handTurn(Node n) {
        n.go.release();
        back.acquireUninterruptibly();
        if (n.failure != null) {
            throw new AssertionError("coordinator " + n + " failed at " + now + " ms", n.failure);
        }
        if (n.stepDone) {
            n.stepDone = false;
            n.busy = false;
            for (Runnable later : n.deferred) {
                queue.add(new Event(now, seq++, n, later));
            }
            n.deferred.clear();
        }
    }

    private void log(Node n, String what) {
        trace.addLast(String.format("%8d  %s %s", now, n, what));
        if (trace.size() > 400) {
            trace.removeFirst();
        }
    }
}
