package dev.orchard.coordinator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.orchard.coordinator.work.JournalEntry;
import dev.orchard.store.InterceptedStore;
import dev.orchard.store.LocalObjectStore;
import dev.orchard.store.Location;
import dev.orchard.store.ObjectStore;
import dev.orchard.store.OutputLayout;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lease rule, one case per answer ({@link OutputLease#claim}): what a coordinator starting on an output may do
 * about the lease another one holds; and the lease as its holder's fence ({@link OutputLease#confirm},
 * {@link LeasedStore}): what a coordinator frozen past its turn may still write, on a real local store, with the
 * holder's monotonic clock set by hand.
 */
class OutputLeaseTest {
    private static final Instant NOW = Instant.parse("2026-12-03T02:00:00Z");
    private static final Location OUT = Location.local(Path.of("/data/out"));
    private static final String HOLDER = "10.0.0.5:17355";
    private static final String SELF = "10.0.0.9:17355";
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();
    /** Renewed 3 s ago, for 30 s. */
    private static final OutputLease.Holder FRESH = new OutputLease.Holder("cafe", HOLDER,
            NOW.minusSeconds(3).toEpochMilli(), Duration.ofSeconds(30).toMillis(), Duration.ofSeconds(10).toMillis());

    @Test
    void noLeaseAStaleOneOrOnesOwnMayBeTaken() {
        assertThat(claim(null, ClusterMembership.NONE)).isInstanceOf(OutputLease.Claim.Free.class);
        assertThat(OutputLease.claim(FRESH, "t", OUT, SELF, ClusterMembership.NONE, NOW.plusSeconds(60)))
                .isInstanceOf(OutputLease.Claim.Free.class);
        assertThat(OutputLease.claim(FRESH, "t", OUT, HOLDER, ClusterMembership.NONE, NOW))
                .as("the same command restarted on the holder's address").isInstanceOf(OutputLease.Claim.Free.class);
    }

    /**
     * A holder gone from the cluster is taken over once it can no longer write without renewing: its last renewal
     * began twice its trust ago (10 s here). Before that it is waited for, as one still in the cluster is: downed while
     * it stood still, it may have run again and renewed before its node stopped (LeaseSimulationTest, seed 827).
     */
    @Test
    void aHolderGoneFromThisClusterIsTakenOverOnceOutOfTrustAndOneStillInItIsWaitedFor() {
        ClusterMembership gone = new ClusterMembership(Set.of(SELF), Set.of(HOLDER));
        assertThat(claim(FRESH, gone)).as("renewed 3 s ago").isEqualTo(new OutputLease.Claim.Leaving(HOLDER));
        assertThat(OutputLease.claim(FRESH, "t", OUT, SELF, gone, NOW.plusSeconds(16))).as("19 s ago")
                .isEqualTo(new OutputLease.Claim.Leaving(HOLDER));
        assertThat(OutputLease.claim(FRESH, "t", OUT, SELF, gone, NOW.plusSeconds(17))).as("20 s ago")
                .isInstanceOf(OutputLease.Claim.Free.class);
        OutputLease.Holder unrecorded = new OutputLease.Holder("cafe", HOLDER, FRESH.heartbeatMillis(), FRESH.ttlMillis(), 0);
        assertThat(OutputLease.claim(unrecorded, "t", OUT, SELF, gone, NOW.plusSeconds(26))).as("no trust recorded: 15 s")
                .isEqualTo(new OutputLease.Claim.Leaving(HOLDER));
        assertThat(OutputLease.claim(unrecorded, "t", OUT, SELF, gone, NOW.plusSeconds(27)))
                .isInstanceOf(OutputLease.Claim.Free.class);
        assertThat(claim(FRESH, new ClusterMembership(Set.of(SELF, HOLDER), Set.of())))
                .isEqualTo(new OutputLease.Claim.Leaving(HOLDER));
        assertThat(OutputLease.claim(FRESH, "t", OUT, SELF, new ClusterMembership(Set.of(SELF, HOLDER), Set.of(HOLDER)),
                NOW.plusSeconds(17))).as("removed once, back at the same address: its old lease is the gone one's")
                .isInstanceOf(OutputLease.Claim.Free.class);
    }

    @Test
    void aFreshLeaseHeldOutsideThisClusterIsRefusedNamingItsHolder() {
        assertThat(claim(FRESH, new ClusterMembership(Set.of(SELF), Set.of())))
                .isInstanceOfSatisfying(OutputLease.Claim.Refused.class, r -> assertThat(r.message())
                        .contains("Another coordinator (on " + HOLDER + ")", "3 s ago", "retry in 27 s"));
        assertThat(claim(FRESH, ClusterMembership.NONE)).isInstanceOf(OutputLease.Claim.Refused.class);
    }

    /**
     * Two coordinators start on the same output at once and both find its lease free (none, or a stale one): each
     * takes it only if the file is still what it judged, so one gets it and the other is refused, writing nothing.
     */
    @Test
    void ofTwoCoordinatorsTakingTheSameFreeLeaseAtOnceOneGetsIt(@TempDir Path out) throws Exception {
        for (boolean stale : new boolean[] {false, true}) {
            Location o = Location.local(out.resolve(stale ? "stale" : "none"));
            if (stale) {
                take(new OutputLease(store, o, "dead", "10.0.0.7:17355", TTL), o.path(), NOW.minusSeconds(60));
            }
            OutputLease.Claim first = OutputLease.claim(store, o, HOLDER, ClusterMembership.NONE, NOW);
            OutputLease.Claim second = OutputLease.claim(store, o, SELF, ClusterMembership.NONE, NOW);
            assertThat(first).isInstanceOf(OutputLease.Claim.Free.class).isEqualTo(second);
            OutputLease a = new OutputLease(store, o, "cafe", HOLDER, TTL);
            OutputLease b = new OutputLease(store, o, "beef", SELF, TTL);
            a.acquire((OutputLease.Claim.Free) first, NOW);
            // Its own type, so a command's setup tells it from a store's failure (SetupLease; the review of it).
            assertThatThrownBy(() -> b.acquire((OutputLease.Claim.Free) second, NOW)).isInstanceOf(OutputLease.Taken.class)
                    .hasMessageContaining("Another coordinator (on " + HOLDER + ") took the lease on " + o);
            assertThat(b.held()).isFalse();
            assertThat(a.held()).isTrue();
            assertThat(OutputLease.read(store, o).owner()).isEqualTo("cafe");
        }
    }

    private static OutputLease.Claim claim(OutputLease.Holder h, ClusterMembership cluster) {
        return OutputLease.claim(h, h == null ? null : "t", OUT, SELF, cluster, NOW);
    }

    // ---------------------------------------------------------------- the fence

    private static final Duration TTL = Duration.ofSeconds(30);
    /** The split-brain resolver's stable-after: the holder trusts its lease for 10 s after a renewal began. */
    private static final Duration DOWN_AFTER = Duration.ofSeconds(20);
    /** The holder's monotonic clock, in nanoseconds. */
    private final AtomicLong clock = new AtomicLong();
    private final LocalObjectStore store = new LocalObjectStore();

    private OutputLease holder(Path out) {
        return new OutputLease(store, Location.local(out), "cafe", HOLDER, TTL, DOWN_AFTER, clock::get,
                Instant::now, new JvmPauses(clock::get));
    }

    /** The holder's lease, taken at 0 s by its clock (at {@link #NOW} by the wall's). */
    private OutputLease takenAtZero(Path out) throws IOException {
        OutputLease lease = holder(out);
        at(0);
        take(lease, out, NOW);
        return lease;
    }

    /** Takes {@code lease} over whatever lease file is there, as a coordinator whose claim found it free does. */
    private void take(OutputLease lease, Path out, Instant at) throws IOException {
        ObjectStore.Tagged file = store.readTagged(new OutputLayout(Location.local(out)).lease());
        lease.acquire(new OutputLease.Claim.Free(file == null ? null : file.tag(), termOf(file)), at);
    }

    private static long termOf(ObjectStore.Tagged file) throws IOException {
        return file == null ? 0 : JSON.readValue(file.bytes(), OutputLease.Holder.class).term();
    }

    private LeasedStore writingUnder(OutputLease lease) {
        LeasedStore leased = new LeasedStore(store);
        leased.writeUnder(lease);
        return leased;
    }

    private void at(long seconds) {
        clock.set(Duration.ofSeconds(seconds).toNanos());
    }

    @Test
    void aHolderTrustsItsLeaseForHalfTheSoonerOfItsStalenessAndTheClustersDowning() {
        Location o = Location.local(Path.of("/data/out"));
        assertThat(new OutputLease(store, o, "cafe", HOLDER, TTL, DOWN_AFTER).trust()).isEqualTo(Duration.ofSeconds(10));
        assertThat(new OutputLease(store, o, "cafe", HOLDER, TTL, Duration.ofSeconds(3)).trust())
                .as("the soak's fast resolver").isEqualTo(Duration.ofMillis(1500));
        assertThat(new OutputLease(store, o, "cafe", HOLDER, TTL).trust()).as("no cluster").isEqualTo(Duration.ofSeconds(15));
    }

    @Test
    void withinItsTrustAHolderWritesWithoutReadingItsLeaseAndPastItRenewsItFirst(@TempDir Path out) throws Exception {
        OutputLease lease = takenAtZero(out);
        LeasedStore leased = writingUnder(lease);
        at(9);
        leased.put(Location.local(out.resolve("a")), new byte[] {1});
        assertThat(OutputLease.read(store, Location.local(out)).heartbeatMillis()).as("not renewed")
                .isEqualTo(NOW.toEpochMilli());
        at(10);
        leased.put(Location.local(out.resolve("b")), new byte[] {2});
        assertThat(OutputLease.read(store, Location.local(out)).heartbeatMillis()).as("renewed before the write")
                .isGreaterThan(NOW.toEpochMilli());
        assertThat(out.resolve("a")).exists();
        assertThat(out.resolve("b")).exists();
    }

    /**
     * A coordinator frozen 40 s (a GC pause, SIGSTOP, a suspended VM) while a standby took the output over: when it
     * wakes, the commit it was about to journal is refused, and so is everything after.
     */
    @Test
    void aCoordinatorFrozenPastItsTurnJournalsNothingOnceAnotherTookTheOutputOver(@TempDir Path out) throws Exception {
        OutputLease lease = takenAtZero(out);
        JobJournal journal = new JobJournal(writingUnder(lease), Location.local(out));
        journal.seal(lease.term());
        journal.write(new JournalEntry.PlanComplete(1, 1));
        take(new OutputLease(store, Location.local(out), "beef", SELF, TTL), out, NOW.plusSeconds(25)); // the standby
        at(40);
        JournalEntry.Commit commit = new JournalEntry.Commit("unit-000000-cafe-1", List.of());
        assertThatThrownBy(() -> journal.write(commit)).isInstanceOf(OutputLease.Lost.class)
                .hasMessageContaining("coordinator beef on " + SELF + " took over this output");
        assertThat(new JobJournal(store, Location.local(out)).read().commits()).isEmpty();
        assertThatThrownBy(() -> writingUnder(lease).deleteAll(new OutputLayout(Location.local(out)).attempts()))
                .isInstanceOf(OutputLease.Lost.class);
        assertThatThrownBy(() -> lease.renew(NOW.plusSeconds(40))).isInstanceOf(OutputLease.Lost.class);
        assertThat(lease.held()).isFalse();
        assertThat(OutputLease.read(store, Location.local(out)).owner()).as("the standby's lease stands").isEqualTo("beef");
    }

    /**
     * The other coordinator finished the job and released the lease: the frozen one must not take it again, and says
     * who took the output over (it said the lease "is gone", the file being there, released: a user's walk).
     */
    @Test
    void aLeaseThatIsGoneStopsItsHoldersWritesAndIsNotWrittenAgain(@TempDir Path out) throws Exception {
        OutputLease lease = takenAtZero(out);
        LeasedStore leased = writingUnder(lease);
        OutputLease other = new OutputLease(store, Location.local(out), "beef", SELF, TTL);
        take(other, out, NOW.plusSeconds(25));
        other.release();
        at(40);
        assertThatThrownBy(() -> leased.put(Location.local(out.resolve("features/part-00000.parquet")), new byte[1]))
                .isInstanceOf(OutputLease.Lost.class)
                .hasMessageContaining("coordinator beef on " + SELF + " took over this output and has released it since");
        assertThat(out.resolve("features")).doesNotExist();
        assertThat(OutputLease.read(store, Location.local(out))).isNull();
    }

    /**
     * A coordinator releasing its lease reads it, finds it its own, and writes it as released; a standby that took the
     * output over between the two (the holder stood still past its time-to-live in between) keeps its lease: the write
     * is conditional on the lease file as read. (Deleted unconditionally, the standby's lease was gone, and its next
     * renewal stopped it.)
     */
    @Test
    void aReleaseThatATakeoverOvertakesLeavesTheNewHoldersLease(@TempDir Path out) throws Exception {
        AtomicReference<IoStep> afterRead = new AtomicReference<>();
        OutputLease lease = new OutputLease(withStepAfter("readTagged", afterRead), Location.local(out), "cafe", HOLDER, TTL, DOWN_AFTER, clock::get,
                Instant::now, new JvmPauses(clock::get));
        at(0);
        take(lease, out, NOW);
        OutputLease standby = new OutputLease(store, Location.local(out), "beef", SELF, TTL);
        afterRead.set(() -> take(standby, out, NOW.plusSeconds(40)));
        lease.release();
        assertThat(afterRead.get()).as("the takeover came between the release's read and its write").isNull();
        assertThat(OutputLease.read(store, Location.local(out)).owner()).as("the standby's lease stands").isEqualTo("beef");
        standby.renew(NOW.plusSeconds(45));
        assertThat(standby.held()).isTrue();
        assertThat(lease.released()).isTrue();
    }

    /**
     * A renewal made by the fence's check that itself took longer than the trust (14 s here: the JVM stood still with
     * the request in flight, after its write had landed) is renewed again before anything is written, and that fails
     * if the output was taken over meanwhile. (LeaseSimulationTest, seed 94, once the pause check was kept for stores
     * that may ignore conditions: the write went ahead under the standby's lease.)
     */
    @Test
    void aRenewalThatTookLongerThanTheTrustIsRenewedAgainBeforeAWrite(@TempDir Path out) throws Exception {
        AtomicReference<IoStep> afterWrite = new AtomicReference<>();
        OutputLease lease = new OutputLease(withStepAfter("putIf", afterWrite), Location.local(out), "cafe", HOLDER, TTL,
                DOWN_AFTER, clock::get, Instant::now, new JvmPauses(clock::get));
        at(0);
        take(lease, out, NOW);
        LeasedStore leased = writingUnder(lease);
        at(11); // past the trust: the next write renews first
        OutputLease standby = new OutputLease(store, Location.local(out), "beef", SELF, TTL);
        afterWrite.set(() -> {
            at(25); // the renewal's answer came 14 s after it began; meanwhile the standby took the output over
            take(standby, out, NOW.plusSeconds(55));
        });
        assertThatThrownBy(() -> leased.put(Location.local(out.resolve("features/part-00000.parquet")), new byte[1]))
                .isInstanceOf(OutputLease.Lost.class).hasMessageContaining("coordinator beef on " + SELF + " took over");
        assertThat(afterWrite.get()).as("the standby took over after the renewal's write").isNull();
        assertThat(out.resolve("features")).doesNotExist();
        assertThat(OutputLease.read(store, Location.local(out)).owner()).isEqualTo("beef");
    }

    /**
     * A write to the output already past the fence's check lands before the lease is given up: the release waits for
     * it, so a coordinator that stops (or finishes) does not let the next one in while its last write is on its way;
     * writes after the release fail.
     */
    @Test
    void aReleaseWaitsForAWriteAlreadyPastTheFence(@TempDir Path out) throws Exception {
        OutputLease lease = takenAtZero(out);
        Location part = Location.local(out.resolve("features/part-00000.parquet"));
        List<String> events = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        java.util.concurrent.CountDownLatch writing = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch land = new java.util.concurrent.CountDownLatch(1);
        Thread writer = new Thread(() -> {
            try {
                lease.fenced(() -> {
                    writing.countDown();
                    awaitUninterruptibly(land);
                    store.put(part, new byte[1]);
                    events.add("write landed");
                    return null;
                });
            } catch (IOException e) {
                events.add("write failed: " + e);
            }
        });
        writer.start();
        writing.await();
        Thread releaser = new Thread(() -> {
            try {
                lease.release();
                events.add("released");
            } catch (IOException e) {
                events.add("release failed: " + e);
            }
        });
        releaser.start();
        while (releaser.isAlive() && releaser.getState() != Thread.State.WAITING) {
            Thread.onSpinWait(); // until the release is done (it did not wait) or waits for the write
        }
        land.countDown();
        writer.join();
        releaser.join();
        assertThat(events).containsExactly("write landed", "released");
        assertThat(OutputLease.read(store, Location.local(out))).isNull();
        assertThatThrownBy(() -> writingUnder(lease).put(part, new byte[1])).isInstanceOf(OutputLease.Lost.class)
                .hasMessageContaining("released");
    }

    /**
     * A release on its own thread ({@link OutputLease#releaseAsync}, what a stopping coordinator waits for a bounded
     * time) leaves its caller free while the store does not answer, and ends once it does.
     */
    @Test
    void aReleaseOnItsOwnThreadLeavesTheCallerFreeWhileTheStoreHangs(@TempDir Path out) throws Exception {
        java.util.concurrent.CountDownLatch reading = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch answer = new java.util.concurrent.CountDownLatch(1);
        AtomicReference<IoStep> hang = new AtomicReference<>();
        OutputLease lease = new OutputLease(withStepAfter("readTagged", hang), Location.local(out), "cafe", HOLDER, TTL,
                DOWN_AFTER, clock::get, Instant::now, new JvmPauses(clock::get));
        at(0);
        take(lease, out, NOW);
        hang.set(() -> {
            reading.countDown();
            awaitUninterruptibly(answer);
        });
        java.util.concurrent.CompletableFuture<Void> releasing = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(
                Duration.ofSeconds(30), lease::releaseAsync, "releaseAsync waited for the store");
        reading.await();
        assertThat(releasing).isNotDone();
        assertThat(OutputLease.read(store, Location.local(out))).as("not released yet").isNotNull();
        answer.countDown();
        releasing.get();
        assertThat(OutputLease.read(store, Location.local(out))).isNull();
        assertThat(lease.released()).isTrue();
    }

    private static void awaitUninterruptibly(java.util.concurrent.CountDownLatch latch) {
        while (true) {
            try {
                latch.await();
                return;
            } catch (InterruptedException e) {
                // the test's own threads are not interrupted; keep waiting
            }
        }
    }

    private interface IoStep {
        void run() throws IOException;
    }

    /** {@link #store}, running {@code hook}'s step, once, right after the next call of {@code method} returns. */
    private ObjectStore withStepAfter(String method, AtomicReference<IoStep> hook) {
        return withStepAfter(store, method, hook);
    }

    /** {@code base}, running {@code hook}'s step, once, right after the next call of {@code method} returns. */
    private static ObjectStore withStepAfter(ObjectStore base, String method, AtomicReference<IoStep> hook) {
        return InterceptedStore.around(base, (called, args, call) -> {
            Object result = call.proceed();
            IoStep step = called.equals(method) ? hook.getAndSet(null) : null;
            if (step != null) {
                step.run();
            }
            return result;
        });
    }

    @Test
    void nothingIsWrittenBeforeTheLeaseIsTakenOrAfterItIsReleased(@TempDir Path out) throws Exception {
        LeasedStore leased = new LeasedStore(store);
        Location file = Location.local(out.resolve("x"));
        assertThatThrownBy(() -> leased.put(file, new byte[1])).isInstanceOf(IllegalStateException.class);
        OutputLease lease = holder(out);
        leased.writeUnder(lease);
        assertThatThrownBy(() -> leased.put(file, new byte[1])).isInstanceOf(IllegalStateException.class);
        lease.renew(NOW);
        assertThat(OutputLease.read(store, Location.local(out))).as("not taken: nothing to renew").isNull();
        at(0);
        take(lease, out, NOW);
        lease.release();
        assertThat(lease.released()).isTrue();
        assertThatThrownBy(() -> leased.put(file, new byte[1])).isInstanceOf(OutputLease.Lost.class)
                .hasMessageContaining("released");
        lease.renew(NOW.plusSeconds(1));
        assertThat(OutputLease.read(store, Location.local(out))).as("released: not written again").isNull();
        assertThat(out.resolve("x")).doesNotExist();
    }

    /**
     * A renewal failed here after its write had landed (the answer lost, the retries then out of luck): the lease file
     * is this coordinator's, but not the one it knows. The next renewal goes on from it; another coordinator's is lost.
     */
    @Test
    void aRenewalThatFailedAfterItsWriteLandedDoesNotLoseTheLease(@TempDir Path out) throws Exception {
        OutputLease lease = takenAtZero(out);
        Location file = new OutputLayout(Location.local(out)).lease();
        store.put(file, ("{\"owner\":\"cafe\",\"node\":\"" + HOLDER + "\",\"heartbeatMillis\":"
                + NOW.plusSeconds(5).toEpochMilli() + ",\"ttlMillis\":30000}").getBytes(StandardCharsets.UTF_8));
        at(10);
        lease.renew(NOW.plusSeconds(10));
        assertThat(lease.held()).isTrue();
        assertThat(OutputLease.read(store, Location.local(out)).heartbeatMillis()).isEqualTo(NOW.plusSeconds(10).toEpochMilli());
        at(20);
        lease.renew(NOW.plusSeconds(20));
        assertThat(OutputLease.read(store, Location.local(out)).heartbeatMillis()).isEqualTo(NOW.plusSeconds(20).toEpochMilli());
    }

    @Test
    void aLeaseThatCannotBeRenewedForItsTimeToLiveIsLost(@TempDir Path out) throws Exception {
        OutputLease lease = takenAtZero(out);
        Path file = new OutputLayout(Location.local(out)).lease().path();
        Files.writeString(file, "not json", StandardCharsets.UTF_8); // unreadable, as an unreachable store is
        at(20);
        assertThatThrownBy(() -> lease.renew(NOW.plusSeconds(20))).isInstanceOf(IOException.class)
                .isNotInstanceOf(OutputLease.Lost.class);
        assertThat(lease.held()).as("a failed renewal within the time-to-live is tried again").isTrue();
        at(31);
        assertThatThrownBy(lease::confirm).isInstanceOf(OutputLease.Lost.class)
                .hasMessageContaining("could not be renewed for longer than its time-to-live (30 s)");
        assertThat(lease.held()).isFalse();
    }

    /**
     * A store that takes the request and answers nothing held a renewal for its 10 attempts of 60 s, and the lease was
     * lost only at the next renewal's failure, minutes later again (a user's walk). Renewals are bounded now (the S3
     * request's whole-call timeout). Where the store may ignore the condition (an S3-compatible server that cannot
     * say), by what is left of the time-to-live, and a failure past it loses the lease at once; where it evaluates it,
     * by the time-to-live and the trust, so that a brownout of about the time-to-live is ridden out (a late renewal's
     * condition fails if another coordinator took over), and the failed try is judged by its beginning, as before.
     */
    @ParameterizedTest(name = "the store evaluates conditions: {0}")
    @ValueSource(booleans = {false, true})
    void aRenewalIsBoundedAndOneThatFailsPastTheTimeToLiveLosesTheLease(boolean evaluates, @TempDir Path out)
            throws Exception {
        java.util.List<Duration> bounds = new java.util.ArrayList<>();
        ObjectStore hanging = InterceptedStore.around(store, (called, args, call) -> {
            if (called.equals("evaluatesConditions")) {
                return evaluates;
            }
            if (called.equals("putIf") && args.length == 4) {
                bounds.add((Duration) args[3]);
                if (bounds.size() >= 2) {
                    clock.addAndGet(((Duration) args[3]).toNanos()); // the store answers nothing until the bound
                    throw new IOException("Could not write the lease: the S3 endpoint answered nothing");
                }
            }
            return call.proceed();
        });
        OutputLease lease = new OutputLease(hanging, Location.local(out), "cafe", HOLDER, TTL, DOWN_AFTER, clock::get,
                Instant::now, new JvmPauses(clock::get));
        at(0);
        take(lease, out, NOW);
        at(12);
        lease.renew(NOW.plusSeconds(12)); // within 30 s of the taking: 18 s are left
        at(20);
        if (evaluates) {
            assertThatThrownBy(() -> lease.renew(NOW.plusSeconds(20))).isInstanceOf(IOException.class)
                    .isNotInstanceOf(OutputLease.Lost.class); // began 8 s after the last renewal: tried again
            assertThat(lease.held()).isTrue();
            assertThatThrownBy(() -> lease.renew(NOW.plusSeconds(60))).isInstanceOf(OutputLease.Lost.class)
                    .hasMessageContaining("could not be renewed for longer than its time-to-live (30 s)");
            assertThat(bounds).containsExactly(Duration.ofSeconds(40), Duration.ofSeconds(40), Duration.ofSeconds(40));
        } else {
            assertThatThrownBy(() -> lease.renew(NOW.plusSeconds(20))).isInstanceOf(OutputLease.Lost.class)
                    .hasMessageContaining("could not be renewed for longer than its time-to-live (30 s)")
                    .hasMessageContaining("--resume");
            assertThat(bounds).containsExactly(Duration.ofSeconds(18), Duration.ofSeconds(22));
        }
        assertThat(lease.held()).isFalse();
    }

    /**
     * Frozen between reading its lease and writing it again, a holder may replace the lease of the coordinator that
     * took the output over meanwhile, where the store may ignore the condition: it stops, whatever its write found. A
     * renewal as slow while the JVM ran is a slow store: the holder goes on. Where the store evaluates the condition,
     * the write cannot have replaced another's lease: the holder goes on after a pause too, also where the store could
     * not say so but the probe ({@link OutputLease#probeConditions}) found it; where the probe found the conditions
     * ignored, it stops.
     */
    @Test
    void aRenewalThatTookLongerThanTheTrustWhileTheJvmStoodStillLosesTheLeaseWhereTheStoreMayIgnoreConditions(
            @TempDir Path out) throws Exception {
        record Case(String name, boolean stoodStill, boolean evaluates, boolean probed, boolean lost) {
        }
        for (Case c : List.of(new Case("a", true, false, false, true), new Case("b", false, false, false, false),
                new Case("c", true, true, false, false), new Case("d", true, false, true, false))) {
            AtomicLong readings = new AtomicLong();
            long twelve = Duration.ofSeconds(12).toNanos();
            // The clock jumps 12 s between the renewal's start and its end, as a process stopped mid-renewal sees it.
            LongSupplier jumping = () -> readings.incrementAndGet() >= 3 ? twelve : 0;
            JvmPauses pauses = new JvmPauses(() -> twelve);
            if (c.stoodStill()) {
                pauses.woke(0, twelve); // the watcher slept through the 12 s
            } else {
                pauses.asleep(twelve - JvmPauses.TICK_NANOS); // it woke every tick: the store was slow, not the JVM
            }
            AtomicLong probeWrites = new AtomicLong();
            ObjectStore leaseStore = InterceptedStore.around(c.evaluates() ? store : mayIgnoreConditions(store),
                    (method, args, call) -> {
                        if (method.equals("putIf") && ((Location) args[0]).name().contains("probe")) {
                            probeWrites.incrementAndGet();
                        }
                        return call.proceed();
                    });
            OutputLease lease = new OutputLease(leaseStore, Location.local(out.resolve(c.name())), "cafe",
                    HOLDER, TTL, DOWN_AFTER, jumping, Instant::now, pauses);
            if (c.probed()) {
                lease.probeConditions();
                lease.probeConditions();
                assertThat(probeWrites).as("probed once: five conditional writes").hasValue(5);
            }
            take(lease, out.resolve(c.name()), NOW);
            if (c.lost()) {
                assertThatThrownBy(() -> lease.renew(NOW.plusSeconds(12))).as(c.toString())
                        .isInstanceOf(OutputLease.Lost.class)
                        .hasMessageContaining("longer than it is trusted (10000 ms), and this JVM stood still")
                        .hasMessageContaining("--resume");
                assertThat(lease.held()).isFalse();
            } else {
                lease.renew(NOW.plusSeconds(12));
                assertThat(lease.held()).as(c.toString()).isTrue();
            }
        }
    }

    /**
     * A store that ignores conditions, found out by the probe: the lease keeps the check for pauses, and the probe's
     * object is gone.
     */
    @Test
    void aStoreFoundToIgnoreConditionsKeepsTheCheckForPauses(@TempDir Path out) throws Exception {
        AtomicLong readings = new AtomicLong();
        long twelve = Duration.ofSeconds(12).toNanos();
        LongSupplier jumping = () -> readings.incrementAndGet() >= 3 ? twelve : 0;
        JvmPauses pauses = new JvmPauses(() -> twelve);
        pauses.woke(0, twelve);
        OutputLease lease = new OutputLease(dev.orchard.store.ConditionsIgnored.around(store), Location.local(out),
                "cafe", HOLDER, TTL, DOWN_AFTER, jumping, Instant::now, pauses);
        lease.probeConditions();
        assertThat(store.exists(new OutputLayout(Location.local(out)).conditionsProbe("cafe"))).isFalse();
        take(lease, out, NOW);
        assertThatThrownBy(() -> lease.renew(NOW.plusSeconds(12))).isInstanceOf(OutputLease.Lost.class)
                .hasMessageContaining("this JVM stood still");
    }

    /** A store that refuses a write whose condition held cannot keep a lease: said before the lease is taken. */
    @Test
    void aStoreThatRefusesWritesWhoseConditionHeldIsRefusedBeforeTheLeaseIsTaken(@TempDir Path out) {
        ObjectStore refusing = InterceptedStore.around(store, (method, args, call) -> switch (method) {
            case "evaluatesConditions" -> false; // as an S3-compatible server: it cannot say, so it is probed
            case "putIf" -> args[2] != null ? null : call.proceed();
            default -> call.proceed();
        });
        OutputLease lease = new OutputLease(refusing, Location.local(out), "cafe", HOLDER, TTL);
        assertThatThrownBy(lease::probeConditions).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("does not evaluate conditional writes as S3 does")
                .hasMessageContaining("AWS S3 does");
        assertThatThrownBy(lease::probeConditions).as("said again").isInstanceOf(IllegalArgumentException.class);
        assertThat(lease.held()).isFalse();
    }

    /**
     * Each taking of the lease counts one term more than the file it replaced, through releases (the file is written as
     * released, never deleted: a claim finds it free) and takeovers of a stale lease; a holder raises its term by a
     * renewal on condition, and a claim that finds nothing starts at 1.
     */
    @Test
    void eachTakingCountsOneTermMoreAndARaiseIsARenewal(@TempDir Path out) throws Exception {
        Location output = Location.local(out);
        at(0);
        OutputLease first = new OutputLease(store, output, "cafe", HOLDER, TTL, DOWN_AFTER, clock::get, Instant::now,
                new JvmPauses(clock::get));
        first.acquire((OutputLease.Claim.Free) OutputLease.claim(store, output, HOLDER, ClusterMembership.NONE, NOW), NOW);
        assertThat(first.term()).isEqualTo(1);
        first.release();
        assertThat(store.exists(new OutputLayout(output).lease())).as("written as released, not deleted").isTrue();
        assertThat(OutputLease.read(store, output)).as("nobody holds it").isNull();
        OutputLease second = new OutputLease(store, output, "beef", SELF, TTL);
        second.acquire((OutputLease.Claim.Free) OutputLease.claim(store, output, SELF, ClusterMembership.NONE, NOW), NOW);
        assertThat(second.term()).as("after a release").isEqualTo(2);
        Instant later = NOW.plus(TTL).plusSeconds(1); // second's lease is stale: anyone may take it
        OutputLease third = new OutputLease(store, output, "f00d", "10.0.0.10:17355", TTL);
        third.acquire((OutputLease.Claim.Free) OutputLease.claim(store, output, "10.0.0.10:17355",
                ClusterMembership.NONE, later), later);
        assertThat(third.term()).as("after a takeover").isEqualTo(3);
        third.raiseTerm(2);
        assertThat(third.term()).as("not lowered").isEqualTo(3);
        third.raiseTerm(7);
        assertThat(third.term()).isEqualTo(7);
        assertThat(termOf(store.readTagged(new OutputLayout(output).lease()))).as("written").isEqualTo(7);
        assertThatThrownBy(() -> second.raiseTerm(9)).as("by a renewal on condition")
                .isInstanceOf(OutputLease.Lost.class).hasMessageContaining("f00d");
        assertThat(OutputLease.claim(store, Location.local(out.resolve("new")), SELF, ClusterMembership.NONE, NOW))
                .isEqualTo(new OutputLease.Claim.Free(null, 0));
    }

    /** {@code store} as an S3-compatible server looks to Orchard: one that may ignore a write's condition. */
    private static ObjectStore mayIgnoreConditions(ObjectStore store) {
        return InterceptedStore.around(store,
                (method, args, call) -> method.equals("evaluatesConditions") ? Boolean.FALSE : call.proceed());
    }
}
