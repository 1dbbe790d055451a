package dev.orchard.coordinator;

import static dev.orchard.coordinator.SimulatedLeaseStore.OUT;

import dev.orchard.coordinator.work.JournalEntry;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.Set;

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
 * <p>In the journal campaign ({@code journal}), the writes are the real {@link JobJournal}'s, through a
 * {@link LeasedStore}: a coordinator that takes the lease reads the journal, seals it, and commits the units it does
 * not find committed, one to three a commit, then finishes the job by a last journal write; a failed journal write
 * ends it, as it ends a real coordinator (reads are retried: they do not fail). Writes
 * may freeze past the fence's check and land late, which no lease can stop; checked instead: the journal as any reader
 * sees it commits no unit twice, a sealer's reading is what readers see until a later term seals, and a finished job's
 * journal is exactly what its finishing coordinator counted.
 * <p>This class is the world: its clock, its events, the faults it draws, and the checks. The coordinators are
 * {@link SimulatedCoordinator}s, the store a {@link SimulatedLeaseStore}.
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
    /** Freezes, failures and lost answers happen before this; after it the store is slow but reliable. */
    static final long FAULTS_END_MS = 120_000;
    static final long HORIZON_MS = 900_000;
    /**
     * {@code -Dorchard.lease.ignoreConditions=true}: an experiment, not a guarantee: the store writes
     * whatever the condition, as an S3-compatible server without conditional writes does, and says it may.
     */
    static final boolean IGNORES_CONDITIONS = Boolean.getBoolean("orchard.lease.ignoreConditions");

    /** {@code exits}: how many coordinators exited for each reason ({@link #why}). */
    record Outcome(boolean finished, int writes, List<String> violations, int takeovers, int lost, int freezes,
                   int partitions, int downed, java.util.Map<String, Integer> exits, int lateWrites) {
    }

    /** The action of an event that hands a coordinator waiting in a store call its turn back. */
    private static final Runnable RESUME = () -> { };

    private record Event(long time, long seq, SimulatedCoordinator node, Runnable action) implements Comparable<Event> {
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
    private final List<SimulatedCoordinator> nodes = new ArrayList<>();
    private final List<String> violations = new ArrayList<>();
    /** Given back to the world's loop by the coordinator thread that had the turn. */
    private final java.util.concurrent.Semaphore back = new java.util.concurrent.Semaphore(0);
    private final SimulatedLeaseStore store;
    /** The world's side of the coordinators' store requests. */
    private final SimulatedLeaseStore.Requests requests = new SimulatedLeaseStore.Requests() {
        @Override
        public <T> T call(SimulatedCoordinator n, String what, SimulatedLeaseStore.Step<T> step, boolean write,
                          boolean outputWrite) throws IOException {
            return LeaseSimulation.this.call(n, what, step, write, outputWrite);
        }

        @Override
        public <T> T read(SimulatedCoordinator n, String what, SimulatedLeaseStore.Step<T> step) throws IOException {
            return LeaseSimulation.this.call(n, what, step, false, false, false);
        }

        @Override
        public void log(SimulatedCoordinator n, String what) {
            LeaseSimulation.this.log(n, what);
        }

        @Override
        public void landed(SimulatedCoordinator n, dev.orchard.store.Location target, boolean late) {
            lateWrites += late ? 1 : 0;
        }
    };
    /** Whether the writes are the real journal's (the journal campaign: see the class comment). */
    private final boolean journal;
    private int lateWrites;
    /** The commits the coordinator that finished the job counted, and its term (the highest, if two did). */
    private java.util.Set<String> finishedWith;
    private long finishedTerm;
    // The job's progress (its journal, in short).
    private int jobDone;
    private boolean finished;
    private int takeovers;
    private int lost;
    private int freezes;
    private int partitions;
    private final java.util.Map<String, Integer> exits = new java.util.TreeMap<>();

    LeaseSimulation(LeaseSchedule schedule) {
        this(schedule, IGNORES_CONDITIONS ? SimulatedLeaseStore.Conditions.IGNORED
                                          : SimulatedLeaseStore.Conditions.EVALUATED);
    }

    LeaseSimulation(LeaseSchedule schedule, SimulatedLeaseStore.Conditions conditions) {
        this(schedule, conditions, false);
    }

    LeaseSimulation(LeaseSchedule schedule, SimulatedLeaseStore.Conditions conditions, boolean journal) {
        this.schedule = schedule;
        this.journal = journal;
        this.store = new SimulatedLeaseStore(conditions);
        this.rng = new Random(schedule.seed() * 0x2545F4914F6CDD1DL + 7);
        for (int i = 0; i < schedule.coordinators(); i++) {
            long skew = schedule.maxSkewMs() == 0 ? 0 : rng.nextLong(-schedule.maxSkewMs(), schedule.maxSkewMs() + 1);
            double drift = (rng.nextDouble() * 2 - 1) * schedule.maxDrift();
            SimulatedCoordinator node = new SimulatedCoordinator(i, skew, drift, () -> now, back, store, requests);
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
        if (journal) {
            checkJournal();
        }
        int downed = (int) nodes.stream().filter(n -> n.downedAt != Long.MAX_VALUE).count();
        return new Outcome(finished, jobDone, List.copyOf(violations), takeovers, lost, freezes, partitions, downed,
                java.util.Map.copyOf(exits), lateWrites);
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

    private void claim(SimulatedCoordinator n) {
        if (finished) {
            stop(n, "the job finished on another coordinator");
            return;
        }
        try {
            OutputLease.Claim claim = OutputLease.claim(n.store, OUT, n.name, membership(n), n.wall());
            if (claim instanceof OutputLease.Claim.Free free) {
                OutputLease lease = new OutputLease(n.store, OUT, n.owner, n.name, TTL, DOWN_AFTER, n::nanos, n::wall,
                        n.pauses);
                lease.probeConditions(); // as Coordinator does: a store that cannot say is tried
                lease.acquire(free, n.wall());
                n.lease = lease;
                takeovers++;
                log(n, "took the lease (" + store.tag() + ", term " + lease.term() + ")");
                if (journal && !startJournal(n)) {
                    return;
                }
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
    private ClusterMembership membership(SimulatedCoordinator n) {
        Set<String> members = new HashSet<>();
        Set<String> gone = new HashSet<>();
        for (SimulatedCoordinator other : nodes) {
            (other.goneAt(now) ? gone : members).add(other.name);
        }
        members.add(n.name);
        gone.remove(n.name);
        return new ClusterMembership(members, gone);
    }

    private void renew(SimulatedCoordinator n) {
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
    private void work(SimulatedCoordinator n) {
        if (!n.lease.held()) {
            return;
        }
        if (journal) {
            commitNext(n);
            return;
        }
        try {
            n.lease.confirm();
            call(n, "write output #" + (jobDone + 1), () -> {
                String holder = store.holder();
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

    // ---------------------------------------------------------------- the journal campaign

    /**
     * As a coordinator that took the lease starts: reads the journal, raises its term over the seals it finds, and
     * seals the journal; false (and it has exited) if that failed.
     */
    private boolean startJournal(SimulatedCoordinator n) {
        try {
            LeasedStore leased = new LeasedStore(n.store);
            leased.writeUnder(n.lease);
            n.journal = new JobJournal(leased, OUT);
            JournalEntry.State found = n.journal.read();
            n.journal.sealUnder(n.lease);
            for (JournalEntry.Commit c : found.commits()) {
                n.commits.add(c.statistics());
                for (JournalEntry.UnitRecord r : c.units()) {
                    if (!n.committed.add(r.id())) {
                        violations.add("at " + now + " ms " + n + " read a journal that commits unit " + r.id() + " twice");
                    }
                }
            }
            log(n, "sealed the journal at term " + n.lease.term() + ": " + n.committed.size() + " units committed");
            JobJournal reader = new JobJournal(store.direct(), OUT);
            if (reader.sealedTerm() == n.lease.term()) {
                java.util.Set<String> seen = commitsOf(reader.read());
                if (!seen.equals(n.commits)) {
                    violations.add("at " + now + " ms the journal " + n + " just sealed reads " + seen + ", but it counted "
                            + n.commits);
                }
            }
            return true;
        } catch (OutputLease.Lost e) {
            lost++;
            stop(n, "lost the lease: " + e.getMessage());
        } catch (IOException e) {
            shutDown(n, "could not start on the journal: " + e.getMessage());
        }
        return false;
    }

    /**
     * Commits the first one to three units {@code n} does not count as committed (a statistics file holds the units a
     * worker finished meanwhile), or, if there are none, finishes the job by its last journal write.
     */
    private void commitNext(SimulatedCoordinator n) {
        List<JournalEntry.UnitRecord> units = new ArrayList<>();
        int wanted = 1 + rng.nextInt(3);
        for (int unit = 0; unit < schedule.jobWrites() && units.size() < wanted; unit++) {
            if (!n.committed.contains(unit)) {
                units.add(new JournalEntry.UnitRecord(unit, n.index, 1, 1, 1, 1, List.of(),
                        dev.orchard.protocol.UnitReport.StageNanos.ZERO));
            }
        }
        JournalEntry entry = units.isEmpty() ? new JournalEntry.Published(0) // the job's last writes, fenced too
                                             : new JournalEntry.Commit(n.owner + "-" + ++n.commitSeq, units);
        try {
            n.journal.write(entry);
        } catch (OutputLease.Lost e) {
            lost++;
            stop(n, "lost the lease: " + e.getMessage());
            return;
        } catch (IOException e) {
            shutDown(n, "journal write failed: " + e.getMessage()); // the job fails, for --resume
            return;
        }
        if (entry instanceof JournalEntry.Commit commit) {
            jobDone++;
            units.forEach(r -> n.committed.add(r.id()));
            n.commits.add(commit.statistics());
            if (!n.stopped) {
                at(schedule.writeEveryMs(), n, () -> work(n));
            }
            return;
        }
        finished = true;
        if (n.lease.term() > finishedTerm) { // else one whose last write landed late, after a later term's
            finishedTerm = n.lease.term();
            finishedWith = java.util.Set.copyOf(n.commits);
        }
        shutDown(n, "finished the job");
    }

    /**
     * The journal as a reader sees it once the schedule has ended (a {@code --resume}): no unit committed twice, and a
     * finished job's commits exactly those its finishing coordinator counted, every unit among them (unless a later
     * term sealed the journal since: one that took the lease as the job finished).
     */
    private void checkJournal() {
        try {
            JobJournal reader = new JobJournal(store.direct(), OUT);
            JournalEntry.State state = reader.read();
            boolean finishedLast = finished && reader.sealedTerm() == finishedTerm;
            java.util.Map<Integer, String> byUnit = new java.util.HashMap<>();
            for (JournalEntry.Commit c : state.commits()) {
                for (JournalEntry.UnitRecord r : c.units()) {
                    String before = byUnit.put(r.id(), c.statistics());
                    if (before != null) {
                        violations.add("the journal commits unit " + r.id() + " twice: in " + before + " and "
                                + c.statistics());
                    }
                }
            }
            if (finishedLast && !commitsOf(state).equals(finishedWith)) {
                violations.add("the finished job's journal reads " + commitsOf(state) + ", but the coordinator that"
                        + " finished it counted " + finishedWith);
            }
            if (finishedLast && byUnit.size() != schedule.jobWrites()) {
                violations.add("the finished job's journal commits " + byUnit.size() + " of " + schedule.jobWrites()
                        + " units");
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static java.util.Set<String> commitsOf(JournalEntry.State state) {
        java.util.Set<String> names = new java.util.HashSet<>();
        state.commits().forEach(c -> names.add(c.statistics()));
        return names;
    }

    /** {@code n}'s node stops: its coordinator gives its lease up as it stops, as {@code Coordinator} does. */
    private void shutDown(SimulatedCoordinator n, String why) {
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

    private void stop(SimulatedCoordinator n, String why) {
        if (!n.stopped) {
            n.stopped = true;
            n.stoppedAt = now;
            exits.merge(why(why), 1, Integer::sum);
            log(n, "exits: " + why);
        }
    }

    /** Fragments of exit messages and their reasons, in a word or three; the first that matches counts. */
    private static final String[][] EXIT_REASONS = {
        {"took over this output", "lost: taken over"},
        {"is gone", "lost: lease gone"},
        {"stood still", "lost: stood still mid-renewal"},
        {"could not be renewed", "lost: not renewed within its time-to-live"},
        {"downed", "downed"},
        {"gracefully", "stopped gracefully"},
        {"journal", "failed: journal request"},
    };

    /** An exit's reason, in a word or three. */
    private static String why(String exit) {
        for (String[] reason : EXIT_REASONS) {
            if (exit.contains(reason[0])) {
                return reason[1];
            }
        }
        return exit.startsWith("finished") ? "finished the job" : "saw the job finished";
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
    private void cutOff(SimulatedCoordinator n) {
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
    private void stopGracefully(SimulatedCoordinator n) {
        if (now < FAULTS_END_MS) {
            shutDown(n, "stopped gracefully");
        }
    }

    /** Freezes {@code n} between its steps. */
    private void freeze(SimulatedCoordinator n) {
        if (now < FAULTS_END_MS) {
            long length = freezeLength(n, now);
            n.frozenUntil = now + length;
            n.unseenPauseFrom = n.nanos();
            log(n, "frozen for " + length + " ms");
            at(length + nextFreeze(), n, () -> freeze(n));
        }
    }

    private long freezeLength(SimulatedCoordinator n, long from) {
        freezes++;
        long length = 1 + rng.nextLong(schedule.maxFreezeMs());
        if (length >= DETECT_MS + DOWN_AFTER.toMillis()) {
            n.downedAt = Math.min(n.downedAt, from + DETECT_MS + DOWN_AFTER.toMillis());
            n.downedWhileFrozen = true;
        }
        return length;
    }

    // ---------------------------------------------------------------- the store

    /**
     * A store request by {@code n}: it travels, lands (applied at once, linearisably), and its answer travels back;
     * meanwhile the other coordinators run. It may fail (not applied), or be applied with its answer lost after the
     * SDK's retries ({@code write}); and {@code n} may freeze with it in flight, a write to the output included only
     * where the schedule says.
     */
    private <T> T call(SimulatedCoordinator n, String what, SimulatedLeaseStore.Step<T> step, boolean write,
                       boolean outputWrite) throws IOException {
        return call(n, what, step, write, outputWrite, true);
    }

    /** As above; unless {@code mayFail}, the request does not fail (a read whose failures the SDK's retries hide). */
    private <T> T call(SimulatedCoordinator n, String what, SimulatedLeaseStore.Step<T> step, boolean write,
                       boolean outputWrite, boolean mayFail) throws IOException {
        boolean faults = now < FAULTS_END_MS;
        boolean mayFreeze = faults && (!outputWrite || schedule.freezeWritesInFlight());
        park(n, delay() + (mayFreeze ? freezeInFlight(n) : 0));
        if (mayFail && faults && rng.nextDouble() < schedule.failRate()) {
            park(n, delay());
            log(n, what + ": failed");
            n.seen();
            throw new IOException("simulated: " + what + " failed");
        }
        T result = step.apply();
        boolean answerLost = write && faults && rng.nextDouble() < schedule.lostAnswerRate();
        park(n, delay() + (mayFreeze ? freezeInFlight(n) : 0));
        n.seen();
        if (answerLost) {
            log(n, what + ": landed, its answer lost");
            throw new IOException("simulated: the answer to " + what + " was lost");
        }
        return result;
    }

    /** {@code n}, in the middle of a step, waits {@code delayMs}: it gives the turn back and gets it then. */
    private void park(SimulatedCoordinator n, long delayMs) {
        queue.add(new Event(now + Math.max(0, delayMs), seq++, n, RESUME));
        back.release();
        try {
            n.go.acquire();
        } catch (InterruptedException e) {
            throw new SimulatedCoordinator.Halt();
        }
    }

    private long delay() {
        return schedule.maxDelayMs() == 0 ? 0 : rng.nextLong(schedule.maxDelayMs() + 1);
    }

    /** A freeze of {@code n} while it waits for a request, sometimes: its length, and the watcher sees it end. */
    private long freezeInFlight(SimulatedCoordinator n) {
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

    // ---------------------------------------------------------------- the world's clock

    private void at(long delayMs, SimulatedCoordinator node, Runnable action) {
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
            SimulatedCoordinator n = e.node();
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
    private void handTurn(SimulatedCoordinator n) {
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

    private void log(SimulatedCoordinator n, String what) {
        trace.addLast(String.format("%8d  %s %s", now, n, what));
        if (trace.size() > 400) {
            trace.removeFirst();
        }
    }
}
