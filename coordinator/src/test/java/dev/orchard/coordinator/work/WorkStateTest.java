package dev.orchard.coordinator.work;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.orchard.coordinator.work.Decision.Assign;
import dev.orchard.protocol.AttemptRef;
import dev.orchard.protocol.CoordinatorCommand;
import dev.orchard.protocol.ImageError;
import dev.orchard.protocol.ImageRef;
import dev.orchard.protocol.PartSource;
import dev.orchard.protocol.Phase;
import dev.orchard.protocol.UnitReport;
import dev.orchard.protocol.WorkerCommand;
import dev.orchard.protocol.WorkerInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Hand-written schedules for the ways the promise broke before WorkState (issue 11), each replayed step by step.
 * The generated schedules of {@code ProtocolSimulationTest} cover the rest.
 */
class WorkStateTest {
    private static final long EPOCH = 7;

    private long now;
    private final List<Decision> seen = new ArrayList<>();
    private final java.util.Map<String, Long> statusSeq = new java.util.HashMap<>();

    private static WorkState.Settings settings(int unitSize, int minWorkers) {
        return new WorkState.Settings(unitSize, 1 << 20, 3, 3, 60_000, 5_000, 30_000, 2_000, 10_000, minWorkers, 60_000,
                1, 1 << 20, 100);
    }

    private static List<ImageRef> images(int n) {
        return IntStream.range(0, n).mapToObj(i -> new ImageRef(String.format("/in/%03d.jpg", i), "l")).toList();
    }

    private List<Decision> run(List<Decision> decisions) {
        seen.addAll(decisions);
        return decisions;
    }

    /** Lists {@code n} images, journals the plan, and returns the state ready to hand out work. */
    private WorkState planned(WorkState s, int n) {
        run(s.start(now));
        run(s.listed(images(n), List.of(), now));
        run(s.listingFinished(n, now));
        for (int i = 0; i < 10; i++) {
            for (Decision d : List.copyOf(seen)) {
                if (d instanceof Decision.Journal j && !(j.entry() instanceof JournalEntry.Commit)) {
                    seen.remove(d);
                    run(s.journalled(j.entry(), now));
                }
            }
        }
        return s;
    }

    private List<Decision> status(WorkState s, String worker, long seen, int free, List<AttemptRef> attempts,
                                  List<AttemptRef> accepted) {
        long seq = statusSeq.merge(worker, 1L, Long::sum);
        return run(s.status(new CoordinatorCommand.WorkerStatus(worker, null, EPOCH, seq, seen, free, attempts, accepted,
                WorkerInfo.UNKNOWN, false), now));
    }

    private List<Decision> finished(WorkState s, String worker, Assign a, int rows) {
        return run(s.finished(new CoordinatorCommand.UnitFinished(worker, null, EPOCH, a.unit().id(), a.unit().attempt(),
                new UnitReport(rows, List.of(), 0, 100, UnitReport.StageNanos.ZERO)), now));
    }

    private static List<Assign> assigns(List<Decision> decisions) {
        return decisions.stream().filter(d -> d instanceof Assign).map(d -> (Assign) d).toList();
    }

    private static <T> List<T> of(List<Decision> decisions, Class<T> type) {
        return decisions.stream().filter(type::isInstance).map(type::cast).toList();
    }

    private static List<WorkerCommand.Verdict> verdicts(List<Decision> decisions) {
        return of(decisions, Decision.Tell.class).stream().map(Decision.Tell::message)
                .filter(m -> m instanceof WorkerCommand.Verdict).map(m -> (WorkerCommand.Verdict) m).toList();
    }

    @Test
    void aLosingAttemptIsToldItLostItsFilesAreDeletedAndOnlyTheWinnerIsPublished() {
        WorkState s = planned(new WorkState(EPOCH, settings(4, 0), now), 4);
        Assign first = assigns(status(s, "w1", 0, 1, List.of(), List.of())).get(0);
        // w1 runs long: at the tail, an idle w2 gets a speculative copy.
        now += 20_000;
        Assign copy = assigns(status(s, "w2", 0, 1, List.of(), List.of())).get(0);
        assertThat(copy.unit().id()).isEqualTo(first.unit().id());
        assertThat(verdicts(finished(s, "w2", copy, 4))).containsExactly(new WorkerCommand.Verdict(EPOCH, 0, copy.unit().attempt(), true));
        List<Decision> late = finished(s, "w1", first, 3);
        assertThat(verdicts(late)).containsExactly(new WorkerCommand.Verdict(EPOCH, 0, first.unit().attempt(), false));
        assertThat(of(late, Decision.DeleteAttempt.class)).containsExactly(
                new Decision.DeleteAttempt(Phase.FEATURES, first.unit().attemptRef()));
        // The winner's statistics are journalled; the publish part reads the winner's rows only.
        run(s.committed(new CoordinatorCommand.StatisticsCommitted("w2", null, EPOCH, "f1", List.of(copy.unit().attemptRef())), now));
        var commit = of(seen, Decision.Journal.class).stream().map(Decision.Journal::entry)
                .filter(e -> e instanceof JournalEntry.Commit).findFirst().orElseThrow();
        run(s.journalled(commit, now));
        run(s.solved(2, now));
        assertThat(assigns(status(s, "w2", 1, 1, List.of(), List.of()))).as("before earlier publish attempts are gone")
                .isEmpty();
        assertThat(of(seen, Decision.ClearPublishAttempts.class)).hasSize(1);
        Assign publish = assigns(run(s.publishAttemptsCleared(now))).get(0); // w2's free slot, waiting
        assertThat(publish.unit().phase()).isEqualTo(Phase.PUBLISH);
        assertThat(publish.unit().sources()).containsExactly(dev.orchard.protocol.PartSource.rows(copy.unit().attemptRef()));
    }

    /**
     * A worker whose statuses stopped coming (cut off from the coordinator, frozen) is given no work, a speculative
     * copy included, until it speaks again: the copy went to a worker already unreachable, which never saw it, and
     * stayed there until the worker was gone (a user's walk). Its free slot, reported before it fell silent, is
     * filled at its next status.
     */
    @Test
    void aWorkerThatFellSilentGetsNoCopyUntilItSpeaksAgain() {
        WorkState s = planned(new WorkState(EPOCH, settings(4, 0), now), 4);
        Assign first = assigns(status(s, "w1", 0, 1, List.of(), List.of())).get(0);
        assertThat(assigns(status(s, "w2", 0, 1, List.of(), List.of()))).as("nothing to hand out yet").isEmpty();
        now += 20_000; // w1 runs long; w2 has said nothing since (its worker timeout is 30 s: not gone)
        assertThat(assigns(status(s, "w1", 1, 0, List.of(first.unit().attemptRef()), List.of())))
                .as("a copy for the silent w2").isEmpty();
        Assign copy = assigns(status(s, "w2", 0, 1, List.of(), List.of())).get(0);
        assertThat(copy.unit().id()).isEqualTo(first.unit().id());
    }

    /**
     * A quiet worker still counts as one that works: a unit that failed on a broken worker (no model file) waits for it
     * and is not handed back to the broken one, which would fail it three times within a second and end a job the
     * healthy worker can do (the review of the quiet rule: its first version let it).
     */
    @Test
    void aBrokenWorkerDoesNotEndTheJobWhileTheHealthyOneIsBrieflyQuiet() {
        WorkState s = planned(new WorkState(EPOCH, settings(4, 0), now), 8); // 2 units
        assertThat(assignsTo("w2", status(s, "w2", 0, 1, List.of(), List.of()))).hasSize(1);
        Assign a = assignsTo("w1", status(s, "w1", 0, 1, List.of(), List.of())).get(0);
        String noModel = "this worker has no model file";
        assertThat(assignsTo("w1", failedOn(s, "w1", a, noModel))).as("not back to w1 while w2 works").isEmpty();
        now += 6_000; // w2's statuses are 6 s late (a GC pause, a network blip): quiet, not gone (30 s)
        long seq = a.seq();
        for (int i = 0; i < 3; i++) {
            List<Assign> next = assignsTo("w1", status(s, "w1", seq, 1, List.of(), List.of()));
            if (next.isEmpty()) {
                break;
            }
            seq = next.get(0).seq();
            failedOn(s, "w1", next.get(0), noModel);
            now += 100;
        }
        assertThat(of(seen, Decision.Failed.class)).as("the job ended").isEmpty();
    }

    /** A job that a unit's failures end (an S3 outage, say) says how to go on: it did not mention --resume. */
    @Test
    void aUnitThatKeepsFailingEndsTheJobWithTheWayOn() {
        WorkState s = planned(new WorkState(EPOCH, settings(4, 0), now), 4);
        List<Decision.Failed> failed = List.of();
        for (int i = 0; i < 3 && failed.isEmpty(); i++) {
            Assign a = assigns(status(s, "w1", 0, 1, List.of(), List.of())).get(0);
            failed = of(run(s.failed(new CoordinatorCommand.UnitFailed("w1", null, EPOCH, a.unit().id(),
                    a.unit().attempt(), "Cannot reach the S3 endpoint"), now)), Decision.Failed.class);
            now += 1_000;
        }
        assertThat(failed).singleElement().satisfies(f -> {
            assertThat(f.reason()).startsWith("Unit 0 failed 3 times; last reason: Cannot reach the S3 endpoint. The"
                    + " same command with --resume goes on from the units committed");
            assertThat(f.badInput()).isFalse();
        });
    }

    /**
     * A unit that failed on a damaged file of Orchard's ends the job at once, as bad input, in the file's words: every
     * worker reads the same file. Three attempts failed on it, and the job said --resume went on (a walk).
     */
    @Test
    void aUnitThatFailedOnADamagedFileEndsTheJobAtOnceAsBadInput() {
        WorkState s = planned(new WorkState(EPOCH, settings(4, 0), now), 4);
        Assign a = assigns(status(s, "w1", 0, 1, List.of(), List.of())).get(0);
        String damaged = "/o/_orchard/parts/part-000000.stats is damaged (it counts 5 rows, but base part 0 holds 4): it"
                + " is covariance statistics Orchard keeps to solve this output's PCA and to update it; restore it from a"
                + " copy, or make the output again from the input with --overwrite";
        List<Decision> decisions = run(s.failed(new CoordinatorCommand.UnitFailed("w1", null, EPOCH, a.unit().id(),
                a.unit().attempt(), damaged, true), now));
        assertThat(of(decisions, Decision.Failed.class)).singleElement().satisfies(f -> {
            assertThat(f.reason()).isEqualTo("Unit 0 failed: " + damaged);
            assertThat(f.badInput()).isTrue();
        });
        assertThat(assigns(decisions)).as("not tried again").isEmpty();
        assertThat(s.stage()).isEqualTo(WorkState.Stage.FAILED);
    }

    private List<Decision> failedOn(WorkState s, String worker, Assign a, String reason) {
        return run(s.failed(new CoordinatorCommand.UnitFailed(worker, null, EPOCH, a.unit().id(), a.unit().attempt(),
                reason), now));
    }

    private static List<Assign> assignsTo(String worker, List<Decision> decisions) {
        return assigns(decisions).stream().filter(a -> a.worker().equals(worker)).toList();
    }

    /**
     * A worker that cannot read the job's model fails each unit it takes at once. It took the same unit three times
     * while the healthy worker was busy, and ended the job (a user's walk). Now a unit that failed on a worker goes to
     * another, and a worker whose last three attempts failed gets no more work: the healthy one finishes.
     */
    @Test
    void aWorkerThatFailsEveryUnitDoesNotEndAJobAnotherWorkerFinishes() {
        WorkState s = planned(new WorkState(EPOCH, settings(2, 0), now), 12); // 6 units
        String noModel = "this worker has no model file at the job's --model /m.onnx";
        var broken = new java.util.ArrayDeque<Assign>();
        var healthy = new java.util.ArrayDeque<Assign>();
        java.util.function.Consumer<List<Decision>> handOut = ds -> {
            broken.addAll(assignsTo("w1", ds));
            healthy.addAll(assignsTo("w2", ds));
        };
        handOut.accept(status(s, "w1", 0, 1, List.of(), List.of()));
        handOut.accept(status(s, "w2", 0, 1, List.of(), List.of()));
        java.util.Set<Integer> failedOnBroken = new java.util.HashSet<>();
        List<AttemptRef> heldByHealthy = new ArrayList<>();
        while (!broken.isEmpty() || !healthy.isEmpty()) {
            now += 100;
            if (!broken.isEmpty()) { // w1 fails at once: it runs ahead of w2
                Assign a = broken.poll();
                assertThat(failedOnBroken.add(a.unit().id())).as("unit %d handed to w1 again", a.unit().id()).isTrue();
                handOut.accept(failedOn(s, "w1", a, noModel));
                handOut.accept(status(s, "w1", a.seq(), 1, List.of(), List.of()));
            } else {
                Assign a = healthy.poll();
                handOut.accept(finished(s, "w2", a, 2));
                heldByHealthy.add(a.unit().attemptRef());
                handOut.accept(status(s, "w2", a.seq(), 1, List.of(), heldByHealthy));
            }
        }
        assertThat(of(seen, Decision.Failed.class)).isEmpty();
        assertThat(failedOnBroken).as("w1 is passed over after three failures in a row").hasSize(3);
        assertThat(heldByHealthy).map(AttemptRef::unit).containsExactlyInAnyOrder(0, 1, 2, 3, 4, 5);
        assertThat(s.snapshot(now).workers()).as("the status page's workers")
                .extracting(WorkState.WorkerSnapshot::id, WorkState.WorkerSnapshot::passedOver)
                .containsExactly(tuple("w1", true), tuple("w2", false));
        assertThat(of(seen, Decision.Warn.class)).map(Decision.Warn::text)
                .containsOnlyOnce("Worker w1 failed 3 times in a row (last reason: " + noModel + "): while other"
                        + " workers do the work, it gets none for 60 s after each failure");
    }

    /**
     * A result sent again for an attempt already answered (its verdict lost) is not a worker finishing again: it does
     * not clear the worker's failures in a row (the second review of the rule).
     */
    @Test
    void aResultSentAgainDoesNotClearAWorkersFailuresInARow() {
        WorkState s = planned(new WorkState(EPOCH, settings(2, 0), now), 12);
        status(s, "w2", 0, 0, List.of(), List.of()); // live, productive, busy
        Assign done = assignsTo("w1", status(s, "w1", 0, 1, List.of(), List.of())).get(0);
        finished(s, "w1", done, 2);
        List<AttemptRef> held = List.of(done.unit().attemptRef());
        long seenSeq = done.seq();
        for (int i = 0; i < 3; i++) {
            Assign a = assignsTo("w1", status(s, "w1", seenSeq, 1, List.of(), held)).get(0);
            seenSeq = a.seq();
            failedOn(s, "w1", a, "Cannot reach the S3 endpoint");
            if (i == 1) {
                finished(s, "w1", done, 2); // the first result again
            }
        }
        assertThat(assignsTo("w1", status(s, "w1", seenSeq, 1, List.of(), held))).as("passed over").isEmpty();
    }

    /**
     * A gone worker's warning counts the finished units it had not committed, redone with its running ones: "its
     * unfinished units are handed out again" hid 800 images of finished units redone (a chaos walk: the progress fell
     * from 850 to 50 with no word).
     */
    @Test
    void aGoneWorkersWarningCountsItsFinishedUnitsRedone() {
        WorkState s = planned(new WorkState(EPOCH, settings(2, 0), now), 12);
        List<Assign> first = assignsTo("w1", status(s, "w1", 0, 2, List.of(), List.of()));
        assertThat(first).hasSize(2);
        finished(s, "w1", first.get(0), 2); // accepted: its statistics in w1's memory, not committed
        seen.clear();
        run(s.workerGone("w1", now));
        assertThat(of(seen, Decision.Warn.class)).map(Decision.Warn::text).containsExactly("Worker w1 is gone; what it"
                + " held is done again: 1 attempt(s) running and 1 finished unit(s) whose statistics it had not committed"
                + " (they were in its memory)");
    }

    /** An attempt whose unit another worker already won is not counted as done again when its worker goes (a review). */
    @Test
    void aGoneWorkersLosingCopyIsNotCountedAsDoneAgain() {
        WorkState s = planned(new WorkState(EPOCH, settings(4, 0), now), 8);
        Assign first = assigns(status(s, "w1", 0, 1, List.of(), List.of())).get(0);
        Assign other = assigns(status(s, "w2", 0, 1, List.of(), List.of())).get(0);
        finished(s, "w2", other, 4);
        now += 20_000;
        Assign copy = assigns(status(s, "w2", 1, 1, List.of(), List.of(other.unit().attemptRef()))).get(0);
        assertThat(copy.unit().id()).isEqualTo(first.unit().id());
        finished(s, "w2", copy, 4); // w2 wins unit 0; w1's attempt of it still runs
        seen.clear();
        run(s.workerGone("w1", now));
        assertThat(of(seen, Decision.Warn.class)).map(Decision.Warn::text)
                .containsExactly("Worker w1 is gone; nothing it held is done again");
    }

    /** A worker passed over after its failures takes work again once it is the only live one: the job never waits. */
    @Test
    void aWorkerPassedOverTakesWorkAgainWhenNoOtherIsLive() {
        WorkState s = planned(new WorkState(EPOCH, settings(2, 0), now), 12);
        status(s, "w2", 0, 0, List.of(), List.of()); // live, busy
        List<Assign> next = assignsTo("w1", status(s, "w1", 0, 1, List.of(), List.of()));
        for (int i = 0; i < 3; i++) {
            Assign a = next.get(0);
            failedOn(s, "w1", a, "Cannot reach the S3 endpoint");
            next = assignsTo("w1", status(s, "w1", a.seq(), 1, List.of(), List.of()));
            assertThat(next).as("after failure %d", i + 1).hasSize(i < 2 ? 1 : 0);
        }
        assertThat(assignsTo("w1", run(s.workerGone("w2", now)))).hasSize(1);
        assertThat(of(seen, Decision.Failed.class)).isEmpty();
    }

    /** A unit that fails wherever it goes still ends the job after three failures, on two workers. */
    @Test
    void aUnitThatFailsOnEveryWorkerStillEndsTheJob() {
        WorkState s = planned(new WorkState(EPOCH, settings(4, 0), now), 4); // 1 unit
        Assign a = assignsTo("w1", status(s, "w1", 0, 1, List.of(), List.of())).get(0);
        status(s, "w2", 0, 1, List.of(), List.of());
        Assign b = assignsTo("w2", failedOn(s, "w1", a, "unit-level fault")).get(0); // not back to w1
        failedOn(s, "w2", b, "unit-level fault");
        Assign c = assignsTo("w1", status(s, "w1", a.seq(), 1, List.of(), List.of())).get(0); // failed on both: any
        List<Decision.Failed> failed = of(failedOn(s, "w1", c, "unit-level fault"), Decision.Failed.class);
        assertThat(failed).singleElement().satisfies(f -> assertThat(f.reason()).startsWith("Unit 0 failed 3 times"));
    }

    /**
     * w2's only lane hangs on unit 0 (a read that never returns; the worker has no attempt timeout and keeps sending
     * statuses). Unit 0 times out and w1 finishes the copy: unit 0 is won, so w2's attempt never times out again, and w2
     * reports 0 free slots for good. Returns w1's accepted attempt of unit 0 and w2's stuck attempt.
     */
    private AttemptRef[] zombieW2(WorkState s) {
        Assign stuck = assignsTo("w2", status(s, "w2", 0, 1, List.of(), List.of())).get(0);
        assertThat(stuck.unit().id()).isEqualTo(0);
        for (int i = 0; i < 7; i++) {
            now += 10_000;
            status(s, "w2", stuck.seq(), 0, List.of(stuck.unit().attemptRef()), List.of());
            run(s.tick(now));
        }
        Assign copy = assignsTo("w1", status(s, "w1", 0, 1, List.of(), List.of())).get(0);
        assertThat(copy.unit().id()).as("the timed-out unit 0 goes to w1").isEqualTo(0);
        finished(s, "w1", copy, 4);
        return new AttemptRef[] {copy.unit().attemptRef(), stuck.unit().attemptRef()};
    }

    /**
     * Statuses every 10 s for an hour at most, w1 finishing whatever it gets and the zombie w2 holding its attempt: the
     * round of w1's first assignment (0: its next status), or -1.
     */
    private int firstRoundW1GetsWork(WorkState s, long w1Seen, AttemptRef[] refs) {
        for (int round = 0; round < 360; round++) {
            now += 10_000;
            List<Assign> got = assignsTo("w1", status(s, "w1", w1Seen, 1, List.of(), List.of(refs[0])));
            if (!got.isEmpty()) {
                return round;
            }
            status(s, "w2", 1, 0, List.of(refs[1]), List.of());
            run(s.tick(now));
        }
        return -1;
    }

    /**
     * One transient failure of unit 1 on w1 beside a w2 that finishes nothing: w1 takes it again (a review of the
     * first version of the rule found it handed out never again, and nothing timed out).
     */
    @Test
    void aUnitThatFailedOnceIsTakenAgainWhileTheOtherWorkerFinishesNothing() {
        WorkState s = planned(new WorkState(EPOCH, settings(4, 0), now), 8); // units 0, 1
        AttemptRef[] refs = zombieW2(s);
        long w1Seen = 1;
        Assign u1 = assignsTo("w1", status(s, "w1", w1Seen, 1, List.of(), List.of(refs[0]))).get(0);
        assertThat(u1.unit().id()).isEqualTo(1);
        w1Seen = u1.seq();
        failedOn(s, "w1", u1, "S3 returned 503 Slow Down"); // transient
        assertThat(firstRoundW1GetsWork(s, w1Seen, refs)).as("unit 1 handed out again at w1's next status").isZero();
    }

    /**
     * w1 fails three times in a row (a transient outage) beside a w2 that finishes nothing: w1, the only worker that
     * works, is never passed over and takes its failed unit again at once, so the unit's third failure ends the job
     * then (the first version of the rule left w1 idle for good).
     */
    @Test
    void aWorkerBesideAPeerThatFinishesNothingIsNotPassedOver() {
        WorkState s = planned(new WorkState(EPOCH, settings(4, 0), now), 20); // units 0..4
        AttemptRef[] refs = zombieW2(s);
        long w1Seen = 1;
        List<Integer> failedUnits = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            now += 1_000;
            Assign a = assignsTo("w1", status(s, "w1", w1Seen, 1, List.of(), List.of(refs[0]))).get(0);
            w1Seen = a.seq();
            failedUnits.add(a.unit().id());
            failedOn(s, "w1", a, "Cannot reach the S3 endpoint");
        }
        assertThat(failedUnits).containsExactly(1, 1, 1);
        assertThat(of(seen, Decision.Failed.class)).singleElement()
                .satisfies(f -> assertThat(f.reason()).startsWith("Unit 1 failed 3 times"));
    }

    private final List<AttemptRef> w2Accepted = new ArrayList<>();

    /** Sets up: w1 passed over after three failures; w2 (2 lanes) finished units 0..2, its attempt of unit 3 hangs. */

    private Assign passedOverW1AndSlowW2(WorkState s) {
        status(s, "w2", 0, 0, List.of(), List.of()); // live, busy
        long w1Seen = 0;
        for (int i = 0; i < 3; i++) {
            Assign a = assignsTo("w1", status(s, "w1", w1Seen, 1, List.of(), List.of())).get(0);
            w1Seen = a.seq();
            failedOn(s, "w1", a, "Cannot reach the S3 endpoint");
        }
        // w2 runs everything but unit 3, which hangs on one lane
        List<Assign> w2 = new ArrayList<>(assignsTo("w2", status(s, "w2", 0, 2, List.of(), List.of())));
        Assign hung = null;
        List<AttemptRef> accepted = w2Accepted;
        long seenSeq = 0;
        while (!w2.isEmpty()) {
            Assign a = w2.remove(0);
            seenSeq = Math.max(seenSeq, a.seq());
            if (a.unit().id() == 3) {
                hung = a;
                continue;
            }
            finished(s, "w2", a, 4);
            accepted.add(a.unit().attemptRef());
            w2.addAll(assignsTo("w2", status(s, "w2", seenSeq, 1, hung == null ? List.of() : List.of(hung.unit().attemptRef()),
                    accepted)));
        }
        assertThat(hung).isNotNull();
        return hung;
    }

    /**
     * With w1 passed over, w2's timed-out unit gets a copy on w2's free lane: w2 is the only worker that does work (the
     * first version left it to the passed-over w1, and the job failed on timeouts).
     */
    @Test
    void aTimedOutUnitGetsACopyOnItsOwnWorkerWhenTheOtherIsPassedOver() {
        WorkState s = planned(new WorkState(EPOCH, settings(4, 0), now), 16); // units 0..3
        Assign hung = passedOverW1AndSlowW2(s);
        int copies = 0;
        for (int i = 0; i < 40 && of(seen, Decision.Failed.class).isEmpty(); i++) {
            now += 10_000;
            copies += assignsTo("w1", status(s, "w1", 3, 1, List.of(), List.of())).size();
            copies += assignsTo("w2", status(s, "w2", hung.seq(), 1, List.of(hung.unit().attemptRef()), w2Accepted)).size();
            copies += of(run(s.tick(now)), Assign.class).size();
        }
        assertThat(copies).as("copies of the timed-out unit 3 handed out before the job ended").isPositive();
    }

    /** The same, with w1 gone instead of passed over: w2 takes a copy on its free lane (onlyWorker). */
    @Test
    void aTimedOutUnitGetsACopyWhenTheOtherWorkerIsGone() {
        WorkState s = planned(new WorkState(EPOCH, settings(4, 0), now), 16);
        Assign hung = passedOverW1AndSlowW2(s);
        run(s.workerGone("w1", now));
        int copies = 0;
        for (int i = 0; i < 20 && of(seen, Decision.Failed.class).isEmpty() && copies == 0; i++) {
            now += 10_000;
            copies += assignsTo("w2", status(s, "w2", hung.seq(), 1, List.of(hung.unit().attemptRef()), w2Accepted)).size();
            copies += of(run(s.tick(now)), Assign.class).size();
        }
        assertThat(copies).isPositive();
    }

    /**
     * A two-second outage: w1 and w2 fail the three units each holds at once; w3 happened to hold none. Three lanes
     * failing at once are one failure in a row: w1 and w2 go on working (the first version passed them over).
     */
    @Test
    void aBriefOutageThatFailsEveryLaneOfAWorkerAtOncePassesNoWorkerOver() {
        WorkState s = planned(new WorkState(EPOCH, settings(4, 0), now), 4 * 40); // 40 units
        List<Assign> w1 = assignsTo("w1", status(s, "w1", 0, 3, List.of(), List.of()));
        List<Assign> w2 = assignsTo("w2", status(s, "w2", 0, 3, List.of(), List.of()));
        List<Assign> w3 = new ArrayList<>(assignsTo("w3", status(s, "w3", 0, 1, List.of(), List.of())));
        now += 100;
        for (Assign a : w1) {
            failedOn(s, "w1", a, "Cannot reach the S3 endpoint");
        }
        for (Assign a : w2) {
            failedOn(s, "w2", a, "Cannot reach the S3 endpoint");
        }
        int toW1 = 0;
        int toW2 = 0;
        int toW3 = 0;
        List<AttemptRef> accepted = new ArrayList<>();
        long w3Seen = 0;
        for (int round = 0; round < 40 && !w3.isEmpty(); round++) { // outage over: every attempt now succeeds
            now += 1_000;
            Assign a = w3.remove(0);
            w3Seen = Math.max(w3Seen, a.seq());
            finished(s, "w3", a, 4);
            accepted.add(a.unit().attemptRef());
            List<Decision> d3 = status(s, "w3", w3Seen, 1, List.of(), accepted);
            w3.addAll(assignsTo("w3", d3));
            toW3 += assignsTo("w3", d3).size();
            toW1 += assignsTo("w1", status(s, "w1", 3, 3, List.of(), List.of())).size();
            toW2 += assignsTo("w2", status(s, "w2", 3, 3, List.of(), List.of())).size();
        }
        assertThat(toW1 + toW2).as("units handed to w1 and w2 (3 free lanes each) after the outage").isPositive();
    }
    /**
     * Seed 90011058 of the simulator (under the first version of the rule), by hand. w3 runs unit 0 slowly. At the
     * tail w1's speculative copy fails, w2's copy wins, and w2's statistics are lost: unit 0 is pending again, failed
     * on w1 and w2, while w3's attempt lives. The first version left it to w3, which runs it: nobody took it until
     * w3's attempt timed out, the unit's third failure. Now w1 takes it at its next status.
     */
    @Test
    void aUnitFailedOnTwoWorkersWhileItRunsOnAThirdGoesBackToThemAtOnce() {
        WorkState s = planned(new WorkState(EPOCH, settings(4, 0), now), 12); // units 0..2
        Assign slow = assignsTo("w3", status(s, "w3", 0, 1, List.of(), List.of())).get(0);
        assertThat(slow.unit().id()).isEqualTo(0);
        Assign u1 = assignsTo("w1", status(s, "w1", 0, 1, List.of(), List.of())).get(0);
        Assign u2 = assignsTo("w2", status(s, "w2", 0, 1, List.of(), List.of())).get(0);
        finished(s, "w1", u1, 4);
        finished(s, "w2", u2, 4);
        now += 11_000;
        Assign spec1 = assignsTo("w1", status(s, "w1", u1.seq(), 1, List.of(), List.of(u1.unit().attemptRef()))).get(0);
        assertThat(spec1.unit().id()).isEqualTo(0);
        failedOn(s, "w1", spec1, "simulated write failure");
        Assign spec2 = assignsTo("w2", status(s, "w2", u2.seq(), 1, List.of(), List.of(u2.unit().attemptRef()))).get(0);
        assertThat(spec2.unit().id()).isEqualTo(0);
        finished(s, "w2", spec2, 4);
        run(s.lost(new CoordinatorCommand.StatisticsLost("w2", null, EPOCH, List.of(spec2.unit().attemptRef()),
                "simulated disk error"), now));
        int copies = 0;
        for (int i = 0; i < 60 && of(seen, Decision.Failed.class).isEmpty() && copies == 0; i++) {
            now += 1_000;
            copies += assignsTo("w1", status(s, "w1", spec1.seq(), 1, List.of(), List.of(u1.unit().attemptRef()))).size();
            copies += assignsTo("w2", status(s, "w2", spec2.seq(), 1, List.of(), List.of(u2.unit().attemptRef()))).size();
            copies += assignsTo("w3", status(s, "w3", slow.seq(), 0, List.of(slow.unit().attemptRef()), List.of())).size();
            copies += of(run(s.tick(now)), Assign.class).size();
        }
        assertThat(copies).as("unit 0 handed out again to idle w1 or w2 before the job ended").isPositive();
        assertThat(now).as("at the first status after the loss").isEqualTo(12_000);
    }

    @Test
    void theStatisticsHandshakeNeitherLoopsNorWaitsForStatisticsTheWorkerNoLongerHolds() {
        WorkState s = planned(new WorkState(EPOCH, settings(4, 0), now), 4);
        Assign a = assigns(status(s, "w1", 0, 1, List.of(), List.of())).get(0);
        // The worker holds the accepted statistics: it is asked to write them, once per interval however often it
        // reports.
        long asked = of(finished(s, "w1", a, 4), Decision.Tell.class).stream()
                .filter(t -> t.message() instanceof WorkerCommand.CommitStatistics).count();
        for (int i = 0; i < 10; i++) {
            now += 100;
            asked += of(status(s, "w1", 1, 1, List.of(), List.of(a.unit().attemptRef())), Decision.Tell.class).stream()
                    .filter(t -> t.message() instanceof WorkerCommand.CommitStatistics).count();
        }
        assertThat(asked).isEqualTo(1);
        // It lost them (its window was dropped): the next status says so, and the unit is handed out again.
        now += 100;
        List<Decision> after = status(s, "w1", 1, 1, List.of(), List.of());
        assertThat(assigns(after)).hasSize(1);
        assertThat(assigns(after).get(0).unit().id()).isEqualTo(a.unit().id());
    }

    /**
     * Seed 1122565 of the protocol simulator: the only worker holds the accepted statistics of the last unit when a
     * late assignment from an earlier coordinator takes it away (its ledger then drops all it held for this one). Its
     * statuses now carry the other epoch; the coordinator asked it for the statistics for ever. A worker that reports
     * another coordinator's epoch holds nothing of this one's: its units are handed out again. One that never served
     * it (its assignment may still be on the way) keeps its assignment.
     */
    @Test
    void aWorkerThatNowServesAnotherCoordinatorHoldsNothingOfThisOne() {
        WorkState s = planned(new WorkState(EPOCH, settings(4, 0), now), 8); // two units
        Assign a = assigns(status(s, "w1", 0, 1, List.of(), List.of())).get(0);
        Assign b = assigns(status(s, "w2", 0, 1, List.of(), List.of())).get(0);
        finished(s, "w1", a, 4);
        now += 100;
        status(s, "w1", 1, 1, List.of(), List.of(a.unit().attemptRef()));
        long other = EPOCH + 1;
        now += 100;
        List<Decision> left = run(s.status(new CoordinatorCommand.WorkerStatus("w1", null, other,
                statusSeq.merge("w1", 1L, Long::sum), 0, 1, List.of(), List.of(), WorkerInfo.UNKNOWN, false), now));
        assertThat(assigns(left)).as("the unit whose statistics it dropped, handed out again").hasSize(1);
        assertThat(assigns(left).get(0).unit().id()).isEqualTo(a.unit().id());
        // w2 has yet to see its assignment (its statuses never said so), so a status of another epoch takes nothing
        // back: the assignment may still be on its way; at once it would also have been handed out again to w2.
        Assign c = assigns(left).get(0);
        List<Decision> notYet = run(s.status(new CoordinatorCommand.WorkerStatus("w2", null, other,
                statusSeq.merge("w2", 1L, Long::sum), 0, 1, List.of(), List.of(), WorkerInfo.UNKNOWN, false), now));
        assertThat(assigns(notYet)).as("nothing is handed out again").isEmpty();
        assertThat(of(notYet, Decision.Warn.class)).isEmpty();
        assertThat(verdicts(finished(s, "w2", b, 4))).containsExactly(
                new WorkerCommand.Verdict(EPOCH, b.unit().id(), b.unit().attempt(), true));
        assertThat(verdicts(finished(s, "w1", c, 4))).containsExactly(
                new WorkerCommand.Verdict(EPOCH, c.unit().id(), c.unit().attempt(), true));
    }

    @Test
    void aWorkerLeftWithNothingToRunIsAskedForItsStatisticsAtOnceNotAfterTheInterval() {
        WorkState s = planned(new WorkState(EPOCH, settings(4, 0), now), 8); // two units
        List<Assign> both = assigns(status(s, "w1", 0, 2, List.of(), List.of()));
        assertThat(both).hasSize(2);
        // The first is accepted while the second still runs: asked once (no work is queued any more).
        assertThat(commitRequests(finished(s, "w1", both.get(0), 4))).isEqualTo(1);
        // The second, well within the 2 s interval: the worker now runs nothing, so it is asked again at once, since
        // the stage waits for exactly these statistics.
        now += 300;
        assertThat(commitRequests(finished(s, "w1", both.get(1), 4))).isEqualTo(1);
        // Its statuses while it writes do not ask again before the interval: only a newly accepted unit does.
        now += 300;
        assertThat(commitRequests(status(s, "w1", 2, 2, List.of(), List.of(both.get(0).unit().attemptRef(),
                both.get(1).unit().attemptRef())))).isZero();
    }

    private static long commitRequests(List<Decision> decisions) {
        return of(decisions, Decision.Tell.class).stream().filter(t -> t.message() instanceof WorkerCommand.CommitStatistics)
                .count();
    }

    @Test
    void aUnitHandedOutAgainAfterATimeoutIsFinishedByItsFirstAttemptWithOneWorker() {
        WorkState s = planned(new WorkState(EPOCH, settings(4, 0), now), 4);
        Assign a = assigns(status(s, "w1", 0, 1, List.of(), List.of())).get(0);
        now += 61_000;
        run(s.status(new CoordinatorCommand.WorkerStatus("w1", null, EPOCH, statusSeq.merge("w1", 1L, Long::sum), 1, 0,
                List.of(a.unit().attemptRef()), List.of(), WorkerInfo.UNKNOWN, false), now));
        assertThat(of(run(s.tick(now)), Decision.Warn.class)).anyMatch(w -> w.text().contains("run over"));
        finished(s, "w1", a, 4);
        run(s.committed(new CoordinatorCommand.StatisticsCommitted("w1", null, EPOCH, "f1", List.of(a.unit().attemptRef())), now));
        var commit = of(seen, Decision.Journal.class).stream().map(Decision.Journal::entry)
                .filter(e -> e instanceof JournalEntry.Commit).findFirst().orElseThrow();
        assertThat(of(run(s.journalled(commit, now)), Decision.Solve.class)).hasSize(1);
    }

    /**
     * A unit whose third failure is a failed attempt after a timeout period says so: "failed 3 times; last reason"
     * named only the last attempt's failure, and the timeout that counted was nowhere (the diff's review).
     */
    @Test
    void failuresAfterATimeoutPeriodSayItCounted() {
        WorkState s = planned(new WorkState(EPOCH, settings(4, 0), now), 4);
        Assign a = assignsTo("w1", status(s, "w1", 0, 1, List.of(), List.of())).get(0);
        now += 61_000;
        status(s, "w1", a.seq(), 0, List.of(a.unit().attemptRef()), List.of());
        assertThat(of(run(s.tick(now)), Decision.Warn.class)).anyMatch(w -> w.text().contains("run over"));
        List<Decision.Failed> failed = of(failedOn(s, "w1", a, "Cannot reach the S3 endpoint"), Decision.Failed.class);
        for (int i = 0; i < 2 && failed.isEmpty(); i++) {
            now += 1_000;
            Assign again = assigns(status(s, "w1", 0, 1, List.of(), List.of())).get(0);
            failed = of(failedOn(s, "w1", again, "Cannot reach the S3 endpoint"), Decision.Failed.class);
        }
        assertThat(failed).singleElement().satisfies(f -> assertThat(f.reason()).startsWith("Unit 0 failed 3 times (1 of"
                + " them --unit-timeout periods of 60000 ms with no attempt finished); last reason: Cannot reach the S3"
                + " endpoint."));
    }

    /** The same when a timeout period is the third failure: one wording for a unit's mixed failures. */
    @Test
    void aTimeoutPeriodAfterAFailedAttemptSaysBothCounted() {
        WorkState s = planned(new WorkState(EPOCH, settings(4, 0), now), 4);
        Assign first = assignsTo("w1", status(s, "w1", 0, 1, List.of(), List.of())).get(0);
        assertThat(of(failedOn(s, "w1", first, "Cannot reach the S3 endpoint"), Decision.Failed.class)).isEmpty();
        now += 1_000;
        Assign second = assigns(status(s, "w1", 0, 1, List.of(), List.of())).get(0);
        List<Decision.Failed> failed = List.of();
        for (int period = 1; period <= 2 && failed.isEmpty(); period++) {
            now += 61_000;
            status(s, "w1", second.seq(), 0, List.of(second.unit().attemptRef()), List.of());
            failed = of(run(s.tick(now)), Decision.Failed.class);
        }
        assertThat(failed).singleElement().satisfies(f -> assertThat(f.reason()).startsWith("Unit 0 failed 3 times (2 of"
                + " them --unit-timeout periods of 60000 ms with no attempt finished), the last a timeout period: check"
                + " its images, or try a larger --unit-timeout or a smaller --unit-size."));
    }

    /**
     * One lane on a unit too large for --unit-timeout, and no other worker: each period counts against the one
     * attempt, and the third ends the job. Its message said "ran over the unit timeout or failed 3 times" (read as
     * three attempts), and the third timeout was not counted (/metrics: 2 attempts, 2 timeouts; a walk).
     */
    @Test
    void timeoutPeriodsOfOneAttemptEndTheJobSayingSoAndAreAllCounted() {
        WorkState s = planned(new WorkState(EPOCH, settings(4, 0), now), 4);
        Assign a = assignsTo("w1", status(s, "w1", 0, 1, List.of(), List.of())).get(0);
        List<Decision.Failed> failed = List.of();
        for (int period = 1; period <= 3 && failed.isEmpty(); period++) {
            now += 61_000;
            status(s, "w1", a.seq(), 0, List.of(a.unit().attemptRef()), List.of());
            failed = of(run(s.tick(now)), Decision.Failed.class);
        }
        assertThat(s.snapshot(now).attempts()).isEqualTo(1);
        assertThat(s.snapshot(now).timeouts()).isEqualTo(3);
        assertThat(failed).singleElement().satisfies(f -> assertThat(f.reason()).startsWith("Unit 0 ran over the unit"
                + " timeout (60000 ms) 3 times: each period counts, and all were of its one attempt, which ran 183 s without"
                + " finishing (no copy of it lasted to a period's end). Try a larger --unit-timeout or a smaller"
                + " --unit-size, or check its images. The same command with --resume"));
    }

    @Test
    void aUnitThatKeepsLosingItsWorkersIsSplitAndItsPoisonImageQuarantined() {
        WorkState s = planned(new WorkState(EPOCH, settings(3, 0), now), 3);
        for (int w = 1; w <= 3; w++) {
            assigns(status(s, "w" + w, 0, 1, List.of(), List.of()));
            run(s.workerGone("w" + w, now));
        }
        var split = of(seen, Decision.Journal.class).stream().map(Decision.Journal::entry)
                .filter(e -> e instanceof JournalEntry.Split).map(e -> (JournalEntry.Split) e).findFirst().orElseThrow();
        assertThat(split.children()).hasSize(3).allMatch(c -> c.images().size() == 1);
        run(s.journalled(split, now));
        // The first single image kills three more workers: it is quarantined, and reported as an error.
        for (int w = 4; w <= 6; w++) {
            List<Assign> given = assigns(status(s, "w" + w, 0, 1, List.of(), List.of()));
            assertThat(given).hasSize(1);
            assertThat(given.get(0).unit().images()).extracting(ImageRef::path).containsExactly("/in/000.jpg");
            run(s.workerGone("w" + w, now));
        }
        var quarantine = of(seen, Decision.Journal.class).stream().map(Decision.Journal::entry)
                .filter(e -> e instanceof JournalEntry.Quarantine).map(e -> (JournalEntry.Quarantine) e).findFirst().orElseThrow();
        assertThat(quarantine.error().path()).isEqualTo("/in/000.jpg");
        assertThat(quarantine.error().reason()).contains("lost 3 times");
    }

    @Test
    void anAssignmentTheWorkerNeverSawIsSentAgainAndOneItSkippedIsHandedOutAgain() {
        WorkState s = planned(new WorkState(EPOCH, settings(1, 0), now), 3);
        List<Assign> given = assigns(status(s, "w1", 0, 2, List.of(), List.of()));
        assertThat(given).hasSize(2);
        // The worker got neither: after the retry interval both are sent again, with the same numbers.
        now += 6_000;
        run(s.status(new CoordinatorCommand.WorkerStatus("w1", null, EPOCH, statusSeq.merge("w1", 1L, Long::sum), 0, 2,
                List.of(), List.of(), WorkerInfo.UNKNOWN, false), now));
        assertThat(assigns(run(s.tick(now)))).containsExactlyElementsOf(given);
        // It then saw the second (seq 2) but not the first: the first is lost, and handed out again.
        List<Decision> after = status(s, "w1", 2, 1, List.of(given.get(1).unit().attemptRef()), List.of());
        assertThat(of(after, Decision.Warn.class)).anyMatch(w -> w.text().contains("was lost"));
        assertThat(assigns(after)).extracting(a -> a.unit().id()).containsExactly(given.get(0).unit().id());
    }

    /** A stopping worker gives back what it runs: handed out again, logged as a step of the stop, not as a loss. */
    @Test
    void anAttemptAStoppingWorkerGaveBackIsHandedOutAgainAndNotCountedLost() {
        WorkState s = planned(new WorkState(EPOCH, settings(1, 0), now), 3);
        List<Assign> given = assigns(status(s, "w1", 0, 2, List.of(), List.of()));
        List<Decision> stopping = run(s.status(new CoordinatorCommand.WorkerStatus("w1", null, EPOCH,
                statusSeq.merge("w1", 1L, Long::sum), given.get(1).seq(), 0, List.of(), List.of(), WorkerInfo.UNKNOWN,
                true), now));
        assertThat(of(stopping, Decision.Warn.class)).isEmpty();
        assertThat(of(stopping, Decision.Note.class)).extracting(Decision.Note::text).containsExactly(
                "Unit 0 was given back by w1, which is stopping: handing it out again",
                "Unit 1 was given back by w1, which is stopping: handing it out again");
        assertThat(s.snapshot(now).lostAssignments()).isZero();
        assertThat(assigns(status(s, "w2", 0, 3, List.of(), List.of()))).extracting(a -> a.unit().id())
                .contains(given.get(0).unit().id(), given.get(1).unit().id());
    }

    /**
     * A stopping coordinator hands out nothing more and asks at once for the statistics its workers hold (they commit
     * every 32 units or a minute by themselves while work is queued), and waits until they are journalled.
     */
    @Test
    void aStoppingCoordinatorHandsOutNothingAndHasItsWorkersCommitFirst() {
        WorkState s = planned(new WorkState(EPOCH, settings(1, 0), now), 6);
        List<Assign> given = assigns(status(s, "w1", 0, 2, List.of(), List.of()));
        finished(s, "w1", given.get(0), 1);
        assertThat(s.awaitsCommits()).as("w1 holds unit 0's statistics").isTrue();
        List<Decision> stopping = run(s.stopping(now));
        assertThat(of(stopping, Decision.Tell.class)).extracting(Decision.Tell::message)
                .containsExactly(new WorkerCommand.CommitStatistics(EPOCH));
        AttemptRef accepted = given.get(0).unit().attemptRef();
        assertThat(assigns(status(s, "w1", given.get(1).seq(), 2, List.of(given.get(1).unit().attemptRef()),
                List.of(accepted)))).as("nothing more is handed out, 4 units queued").isEmpty();
        assertThat(assigns(status(s, "w2", 0, 2, List.of(), List.of()))).as("to a new worker neither").isEmpty();
        // The unit it ran as the stop began finishes: its file is asked for at once.
        assertThat(of(finished(s, "w1", given.get(1), 1), Decision.Tell.class)).extracting(Decision.Tell::message)
                .contains(new WorkerCommand.CommitStatistics(EPOCH));
        List<Decision> committed = run(s.committed(new CoordinatorCommand.StatisticsCommitted("w1", null, EPOCH, "f1",
                List.of(accepted)), now));
        assertThat(s.awaitsCommits()).as("being journalled").isTrue();
        Decision.Journal journal = of(committed, Decision.Journal.class).get(0);
        run(s.journalled(journal.entry(), now));
        assertThat(s.awaitsCommits()).as("unit 1's statistics are still with w1").isTrue();
        AttemptRef second = given.get(1).unit().attemptRef();
        List<Decision> secondCommitted = run(s.committed(new CoordinatorCommand.StatisticsCommitted("w1", null, EPOCH,
                "f2", List.of(second)), now));
        run(s.journalled(of(secondCommitted, Decision.Journal.class).get(0).entry(), now));
        assertThat(s.awaitsCommits()).as("journalled: the stop may go on").isFalse();
    }

    @Test
    void aDuplicateFinishArrivingAfterTheStatisticsWereLostDoesNotRevive() {
        WorkState s = planned(new WorkState(EPOCH, settings(4, 0), now), 4);
        Assign a = assigns(status(s, "w1", 0, 1, List.of(), List.of())).get(0);
        finished(s, "w1", a, 4);
        run(s.lost(new CoordinatorCommand.StatisticsLost("w1", null, EPOCH, List.of(a.unit().attemptRef()), "disk full"), now));
        assertThat(verdicts(finished(s, "w1", a, 4))).containsExactly(new WorkerCommand.Verdict(EPOCH, 0, a.unit().attempt(), false));
    }

    @Test
    void unitsAreCutByTheBytesOfTheirPathsNotOnlyByCount() {
        var budget = new WorkState.Settings(256, 3_000, 3, 3, 60_000, 5_000, 30_000, 2_000, 10_000, 0, 60_000, 1,
                1 << 20, 100);
        WorkState s = new WorkState(EPOCH, budget, now);
        List<ImageRef> longKeys = IntStream.range(0, 10)
                .mapToObj(i -> new ImageRef("s3://b/" + "k".repeat(1000) + i + ".jpg", null)).toList();
        run(s.listed(longKeys, List.of(), now));
        run(s.listingFinished(10, now));
        var groups = of(seen, Decision.Journal.class).stream().map(Decision.Journal::entry)
                .filter(e -> e instanceof JournalEntry.PlanGroup).map(e -> (JournalEntry.PlanGroup) e).toList();
        assertThat(groups.stream().flatMap(g -> g.units().stream()))
                .allMatch(u -> u.images().size() <= 2);
    }

    @Test
    void workIsHandedOutOnlyOnceTheMinimumOfWorkersHasJoinedAndTheJobFailsIfTheyNeverDo() {
        WorkState s = planned(new WorkState(EPOCH, settings(1, 2), now), 4);
        assertThat(assigns(status(s, "w1", 0, 2, List.of(), List.of()))).isEmpty();
        List<Decision> second = status(s, "w2", 0, 2, List.of(), List.of());
        assertThat(assigns(second)).extracting(Assign::worker).containsExactly("w1", "w1", "w2", "w2");
        // A step the operator looks for, nothing amiss: not a warning.
        assertThat(of(second, Decision.Note.class)).extracting(Decision.Note::text)
                .containsExactly("2 workers have joined: handing out work");
        assertThat(of(second, Decision.Warn.class)).isEmpty();
        WorkState lonely = planned(new WorkState(EPOCH, settings(1, 2), now), 4);
        status(lonely, "w9", 0, 2, List.of(), List.of());
        // The wait is logged every 30 s (it said nothing before: a worker of an earlier job rejoins only after its
        // --rejoin-after, and a wrong --join waits out the whole --min-workers-timeout).
        List<String> notes = new ArrayList<>();
        for (int i = 0; i < 59; i++) {
            now += 1_000;
            if (i % 5 == 0) {
                status(lonely, "w9", 0, 2, List.of(), List.of()); // alive, and alone
            }
            notes.addAll(of(run(lonely.tick(now)), Decision.Note.class).stream().map(Decision.Note::text).toList());
        }
        assertThat(notes).singleElement().asString().startsWith("Waiting 30 s for workers: 1 of the 2 asked for "
                + "(--min-workers) have joined; the job fails in 29 s without them").contains("--join", "--rejoin-after");
        now += 2_000;
        assertThat(of(run(lonely.tick(now)), Decision.Failed.class)).singleElement()
                .satisfies(f -> assertThat(f.reason()).contains("--min-workers").contains("or ask for fewer with"
                        + " --min-workers. The same command with --resume goes on")); // how to go on (a walk)
    }

    /**
     * The status page said "listing and extracting features" and "No worker has reported yet" while the coordinator
     * waited for --min-workers (an operator's walk): its statuses carry the wait and its deadline, as the log says it.
     */
    @Test
    void statusesSayWhatWorkersTheJobWaitsForAndUntilWhen() {
        WorkState s = planned(new WorkState(EPOCH, settings(1, 2), now), 4);
        now += 10_000;
        run(s.tick(now));
        assertThat(s.snapshot(now).workerWait()).isEqualTo(new WorkState.WorkerWait(0, 2, 50_000));
        status(s, "w1", 0, 2, List.of(), List.of());
        assertThat(s.snapshot(now).workerWait()).isEqualTo(new WorkState.WorkerWait(1, 2, 50_000));
        status(s, "w2", 0, 2, List.of(), List.of());
        assertThat(s.snapshot(now).workerWait()).isNull();
        run(s.tick(now));
        run(s.workerGone("w1", now));
        run(s.workerGone("w2", now));
        now += 5_000;
        run(s.tick(now)); // work waits, with no worker live: the job fails after --min-workers-timeout
        assertThat(s.snapshot(now + 1_000).workerWait()).isEqualTo(new WorkState.WorkerWait(0, 0, 59_000));
    }

    /**
     * Without --min-workers, queued work that no worker comes for is logged every 30 s, and no longer once one does;
     * work that waits with no live worker for --min-workers-timeout ends the job (a user's kill -9 of the only worker:
     * the split-brain resolver downed the worker, and the coordinator waited for good).
     */
    @Test
    void queuedWorkWithoutWorkersSaysSoEveryHalfMinuteAndFailsAfterTheTimeout() {
        WorkState s = planned(new WorkState(EPOCH, settings(1, 0), now), 4);
        List<String> notes = new ArrayList<>();
        for (int i = 0; i < 61; i++) {
            now += 1_000;
            notes.addAll(of(run(s.tick(now)), Decision.Note.class).stream().map(Decision.Note::text).toList());
        }
        assertThat(notes).hasSize(2);
        assertThat(notes.get(0)).startsWith("Waiting 30 s for workers: none has joined. Check that the worker nodes run");
        assertThat(notes.get(1)).startsWith("Waiting 60 s for workers: none has joined.");
        assertThat(assigns(status(s, "w1", 0, 2, List.of(), List.of()))).hasSize(2);
        for (int i = 0; i < 25; i++) {
            now += 1_000;
            assertThat(of(run(s.tick(now)), Decision.Note.class)).as("a worker came").isEmpty();
        }
        // It falls silent (30 s): its units are queued again, and no worker is live.
        List<String> later = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            now += 1_000;
            later.addAll(of(run(s.tick(now)), Decision.Note.class).stream().map(Decision.Note::text).toList());
        }
        assertThat(later).singleElement().asString().contains("for workers: none is live (1 joined and left)");
        List<Decision.Failed> failed = new ArrayList<>();
        for (int i = 0; i < 60 && failed.isEmpty(); i++) {
            now += 1_000;
            failed.addAll(of(run(s.tick(now)), Decision.Failed.class));
        }
        assertThat(failed).singleElement().satisfies(f -> assertThat(f.reason())
                .startsWith("No worker has been live for 60 s (--min-workers-timeout) while work waited: the 1 that"
                        + " joined left or were lost.").contains("--resume"));
        WorkState none = planned(new WorkState(EPOCH, settings(1, 0), now), 2);
        List<Decision.Failed> never = new ArrayList<>();
        for (int i = 0; i < 62; i++) {
            now += 1_000;
            never.addAll(of(run(none.tick(now)), Decision.Failed.class));
        }
        assertThat(never).singleElement().satisfies(f -> assertThat(f.reason()).contains("none has joined"));
    }

    /** A worker's reason that ends with a full stop got a second one before what to do next (a user's walk). */
    @Test
    void aReasonThatEndsASentenceIsFollowedByOneFullStop() {
        assertThat(WorkState.goesOn("every worker must read the job's model (then restart the job)."))
                .isEqualTo("every worker must read the job's model (then restart the job)" + WorkState.GOES_ON);
        assertThat(WorkState.goesOn("disk full")).isEqualTo("disk full" + WorkState.GOES_ON);
    }

    @Test
    void aResumedCoordinatorRedoesUncommittedUnitsContinuesTheListingAndRefusesADoubleCommit() {
        var unit0 = new JournalEntry.PlannedUnit(0, images(2));
        var unit1 = new JournalEntry.PlannedUnit(1, images(4).subList(2, 4));
        var plan = new JournalEntry.PlanGroup(0, List.of(unit0, unit1), List.of());
        var commit = new JournalEntry.Commit("f1", List.of(new JournalEntry.UnitRecord(0, 3, 1, 2, 100, 0, List.of(),
                UnitReport.StageNanos.ZERO)));
        var journal = new JournalEntry.State(List.of(plan), List.of(), null, List.of(commit), List.of());
        WorkState s = WorkState.resume(EPOCH, settings(2, 0), journal, now);
        assertThat(s.lastPlannedPath()).isEqualTo("/in/003.jpg");
        assertThat(s.listingComplete()).isFalse();
        // The committed unit's 2 images were done before this coordinator: a rate of its own work leaves them out.
        assertThat(of(run(s.start(now)), Decision.Progress.class)).singleElement()
                .satisfies(p -> assertThat(p.imagesDone()).isEqualTo(2)).satisfies(p -> assertThat(p.imagesBefore()).isEqualTo(2));
        assertThat(s.snapshot(now).imagesBefore()).isEqualTo(2);
        assertThat(assigns(status(s, "w1", 0, 2, List.of(), List.of()))).extracting(a -> a.unit().id()).containsExactly(1);
        var twice = new JournalEntry.State(List.of(plan), List.of(), null, List.of(commit, new JournalEntry.Commit("f2",
                commit.units())), List.of());
        assertThatThrownBy(() -> WorkState.resume(EPOCH, settings(2, 0), twice, now)).hasMessageContaining("twice");
    }

    /**
     * A resumed listing reports its problems from the start. One at an image planned before the restart (a file
     * swapped for a link while the job was stopped) is not recorded: its unit's row or error accounts for it, and
     * errors.csv had it beside that row (a review). A folder that became unreadable meanwhile is recorded, though
     * it sorts before the last planned image (an update's rows below it are kept: the line says why); one recorded
     * before the restart is not recorded twice.
     */
    @Test
    void aResumedListingRecordsTheProblemsOfPathsItHasNotPlannedOnce() {
        var unit0 = new JournalEntry.PlannedUnit(0, images(2));
        var unit1 = new JournalEntry.PlannedUnit(1, images(4).subList(2, 4));
        var before = new ImageError("/in/000-gone", "skipped: dangling symbolic link");
        var plan = new JournalEntry.PlanGroup(0, List.of(unit0, unit1), List.of(before));
        var commit = new JournalEntry.Commit("f1", List.of(new JournalEntry.UnitRecord(0, 3, 1, 2, 100, 0, List.of(),
                UnitReport.StageNanos.ZERO)));
        var journal = new JournalEntry.State(List.of(plan), List.of(), null, List.of(commit), List.of());
        WorkState s = WorkState.resume(EPOCH, settings(2, 0), journal, now);
        run(s.start(now));
        seen.clear();
        var committedImage = new ImageError("/in/000.jpg", "skipped: symbolic link to /elsewhere/a.jpg");
        var plannedImage = new ImageError("/in/003.jpg", "skipped: symbolic link to /elsewhere/b.jpg");
        var folder = new ImageError("/in/001-locked", "skipped: cannot list this folder: permission denied");
        var after = new ImageError("/in/zzz-gone", "skipped: dangling symbolic link");
        run(s.listed(images(6).subList(4, 6), List.of(before, committedImage, folder, plannedImage, after), now));
        List<ImageError> journalled = of(seen, Decision.Journal.class).stream().map(Decision.Journal::entry)
                .filter(e -> e instanceof JournalEntry.PlanGroup).flatMap(e -> ((JournalEntry.PlanGroup) e).skipped().stream())
                .toList();
        assertThat(journalled).containsExactly(folder, after);
        assertThat(s.snapshot(now).listingErrors()).isEqualTo(3);
    }

    /**
     * The listing's end is journalled with the part settings before anything is solved or published: a coordinator
     * that takes over then groups parts as this one did (a late promotion moves the same images; the protocol
     * simulator's seed 5300).
     */
    @Test
    void aFirstRunSolvesOnlyOnceTheListingsEndIsJournalledWithItsPartSettings() {
        WorkState s = new WorkState(EPOCH, settings(4, 0), now);
        run(s.start(now));
        run(s.listed(images(4), List.of(), now));
        run(s.listingFinished(4, now));
        JournalEntry.PlanComplete end = null;
        for (int i = 0; i < 3; i++) { // the plan groups journalled, the listing's end held back
            for (Decision d : List.copyOf(seen)) {
                if (d instanceof Decision.Journal j && j.entry() instanceof JournalEntry.PlanComplete c) {
                    end = c;
                    seen.remove(d);
                } else if (d instanceof Decision.Journal j && !(j.entry() instanceof JournalEntry.Commit)) {
                    seen.remove(d);
                    run(s.journalled(j.entry(), now));
                }
            }
        }
        assertThat(end).isNotNull();
        assertThat(end.partBytes()).isEqualTo(1L << 20);
        assertThat(end.maxUnitsPerPart()).isEqualTo(100);
        Assign a = assigns(status(s, "w1", 0, 1, List.of(), List.of())).get(0);
        finished(s, "w1", a, 4);
        run(s.committed(new CoordinatorCommand.StatisticsCommitted("w1", null, EPOCH, "f1", List.of(a.unit().attemptRef())),
                now));
        var commit = of(seen, Decision.Journal.class).stream().map(Decision.Journal::entry)
                .filter(e -> e instanceof JournalEntry.Commit).findFirst().orElseThrow();
        run(s.journalled(commit, now));
        assertThat(of(seen, Decision.Solve.class)).as("solved before the listing's end is journalled").isEmpty();
        assertThat(of(run(s.journalled(end, now)), Decision.Solve.class)).hasSize(1);
    }

    /** A resumed coordinator groups parts by the settings journalled with the listing's end, not by its own. */
    @Test
    void aResumedCoordinatorGroupsPartsByTheJournalledSettings() {
        List<JournalEntry.PlannedUnit> units = IntStream.range(0, 4)
                .mapToObj(u -> new JournalEntry.PlannedUnit(u, images(8).subList(2 * u, 2 * u + 2))).toList();
        var plan = new JournalEntry.PlanGroup(0, units, List.of());
        var commit = new JournalEntry.Commit("f1", IntStream.range(0, 4).mapToObj(u -> new JournalEntry.UnitRecord(u, 3,
                1, 2, 100, 0, List.of(), UnitReport.StageNanos.ZERO)).toList());
        // The coordinator that ended the listing cut a part at every unit; this one's settings would make one part.
        var end = new JournalEntry.PlanComplete(4, 8, List.of(), null, 1L, 1);
        var journal = new JournalEntry.State(List.of(plan), List.of(), end, List.of(commit), List.of());
        WorkState s = WorkState.resume(EPOCH, settings(2, 0), journal, now);
        run(s.start(now));
        run(s.solved(1, now));
        assertThat(of(seen, Decision.StageStarted.class)).extracting(Decision.StageStarted::description)
                .contains("publishing 4 part(s)");
        var older = new JournalEntry.State(List.of(plan), List.of(), new JournalEntry.PlanComplete(4, 8), List.of(commit),
                List.of());
        seen.clear();
        // A journal an older Orchard wrote: the coordinator journals the listing's end again with its own settings,
        // and solves nothing before, so a coordinator that takes over from it groups as it does (each had grouped by
        // its own, and a late promotion could then put images in two parts: a reviewer, read in code).
        WorkState own = WorkState.resume(EPOCH, settings(2, 0), older, now);
        run(own.start(now));
        JournalEntry.PlanComplete again = of(seen, Decision.Journal.class).stream().map(Decision.Journal::entry)
                .filter(e -> e instanceof JournalEntry.PlanComplete).map(e -> (JournalEntry.PlanComplete) e)
                .findFirst().orElseThrow();
        assertThat(again).isEqualTo(new JournalEntry.PlanComplete(4, 8, List.of(), null, settings(2, 0).partBytes(),
                settings(2, 0).maxUnitsPerPart()));
        assertThat(of(seen, Decision.Solve.class)).as("solved before the settings are journalled").isEmpty();
        run(own.journalled(again, now));
        assertThat(of(seen, Decision.Solve.class)).hasSize(1);
        run(own.solved(1, now));
        assertThat(of(seen, Decision.StageStarted.class)).extracting(Decision.StageStarted::description)
                .as("the coordinator's own settings, journalled").contains("publishing 1 part(s)");
        var cutsEveryUnit = new WorkState.Settings(2, 1 << 20, 3, 3, 60_000, 5_000, 30_000, 2_000, 10_000, 0, 60_000, 1,
                1L, 1);
        WorkState next = WorkState.resume(EPOCH + 1, cutsEveryUnit,
                new JournalEntry.State(List.of(plan), List.of(), again, List.of(commit), List.of()), now);
        seen.clear();
        run(next.start(now));
        run(next.solved(1, now));
        assertThat(of(seen, Decision.StageStarted.class)).extracting(Decision.StageStarted::description)
                .as("the next coordinator, other settings of its own").contains("publishing 1 part(s)");
    }

    /**
     * A resumed job names only what is left of the features stage: with every unit committed, nothing (the solve's
     * line comes first); with the listing done and units left, the extraction alone. (A finished job run again with
     * --resume said "listing and extracting features", and did neither: a walk.)
     */
    @Test
    void aResumedJobSaysOnlyWhatIsLeftOfTheFeaturesStage() {
        List<JournalEntry.PlannedUnit> units = IntStream.range(0, 2)
                .mapToObj(u -> new JournalEntry.PlannedUnit(u, images(4).subList(2 * u, 2 * u + 2))).toList();
        var plan = new JournalEntry.PlanGroup(0, units, List.of());
        var end = new JournalEntry.PlanComplete(2, 4, List.of(), null, 1L << 20, 100);
        java.util.function.Function<Integer, JournalEntry.Commit> committing = n -> new JournalEntry.Commit("f1",
                IntStream.range(0, n).mapToObj(u -> new JournalEntry.UnitRecord(u, 3, 1, 2, 100, 0, List.of(),
                        UnitReport.StageNanos.ZERO)).toList());
        WorkState done = WorkState.resume(EPOCH, settings(2, 0),
                new JournalEntry.State(List.of(plan), List.of(), end, List.of(committing.apply(2)), List.of()), now);
        assertThat(of(done.start(now), Decision.StageStarted.class)).extracting(Decision.StageStarted::description)
                .containsExactly("solving PCA");
        WorkState half = WorkState.resume(EPOCH, settings(2, 0),
                new JournalEntry.State(List.of(plan), List.of(), end, List.of(committing.apply(1)), List.of()), now);
        assertThat(of(half.start(now), Decision.StageStarted.class)).extracting(Decision.StageStarted::description)
                .containsExactly("extracting features (the input was listed before)");
        WorkState listing = WorkState.resume(EPOCH, settings(2, 0),
                new JournalEntry.State(List.of(plan), List.of(), null, List.of(committing.apply(2)), List.of()), now);
        assertThat(of(listing.start(now), Decision.StageStarted.class)).extracting(Decision.StageStarted::description)
                .containsExactly("listing and extracting features");
    }

    // ---------------------------------------------------------------- updates

    private static final WorkState.Base BASE = new WorkState.Base(0, List.of(new WorkState.BasePart(3, 300),
            new WorkState.BasePart(2, 200)));

    private static final JournalEntry.UpdateCounts COUNTS = new JournalEntry.UpdateCounts(1, 1, 0, 4, 0);

    private final List<JournalEntry> written = new ArrayList<>();

    /** Journals whatever the state asked to journal (once each, commits aside), until it asks nothing more. */
    private void journalAll(WorkState s) {
        for (int i = 0; i < 10; i++) {
            for (Decision d : List.copyOf(seen)) {
                if (d instanceof Decision.Journal j && !(j.entry() instanceof JournalEntry.Commit)) {
                    seen.remove(d);
                    written.add(j.entry());
                    run(s.journalled(j.entry(), now));
                }
            }
        }
    }

    /** Entries of {@code type} the state asked to journal so far (written or not). */
    private <T extends JournalEntry> List<T> journalled(Class<T> type) {
        List<JournalEntry> all = new ArrayList<>(written);
        of(seen, Decision.Journal.class).forEach(j -> all.add(j.entry()));
        return all.stream().filter(type::isInstance).map(type::cast).toList();
    }

    /**
     * An update that changes one image of base part 0 and adds one: part 0 is regrouped once (a second attempt
     * loses and its files go), part 1 is merged as stored, and the new generation is published from the kept rows
     * of part 0, part 1 as it is, and the new unit's rows.
     */
    @Test
    void anUpdateRegroupsABasePartThatLosesRowsOnceAndPublishesFromAllThreeKindsOfSource() {
        WorkState s = new WorkState(EPOCH, settings(4, 0), BASE, now);
        run(s.start(now));
        run(s.listed(List.of(new ImageRef("/in/changed.jpg", "l", 5, "2"), new ImageRef("/in/new.jpg", "l", 5, "1")),
                List.of(), now));
        run(s.listingFinished(List.of(new JournalEntry.Retirement(0, 1)), COUNTS, now));
        journalAll(s);
        // The listing's end, with what it drops, is journalled after the plan (and before any regroup).
        assertThat(written).extracting(e -> e.getClass().getSimpleName()).containsExactly("PlanGroup", "PlanComplete");
        assertThat(journalled(JournalEntry.PlanComplete.class)).singleElement()
                .satisfies(c -> assertThat(c.retired()).containsExactly(new JournalEntry.Retirement(0, 1)));
        List<Assign> given = assigns(status(s, "w1", 0, 2, List.of(), List.of()));
        assertThat(given).extracting(a -> a.unit().phase()).containsExactly(Phase.FEATURES, Phase.REGROUP);
        Assign regroup = given.get(1);
        assertThat(regroup.unit().id()).isZero();
        now += 20_000;
        Assign copy = assigns(status(s, "w2", 0, 1, List.of(), List.of())).get(0);
        assertThat(copy.unit().phase()).isEqualTo(Phase.FEATURES); // a copy of the slowest attempt
        finished(s, "w1", regroup, 2);
        assertThat(journalled(JournalEntry.Regrouped.class)).singleElement()
                .satisfies(r -> assertThat(r.attemptRef()).isEqualTo(regroup.unit().attemptRef()));
        journalAll(s);
        finished(s, "w1", given.get(0), 2);
        List<Decision> late = finished(s, "w2", copy, 2);
        assertThat(of(late, Decision.DeleteAttempt.class)).containsExactly(
                new Decision.DeleteAttempt(Phase.FEATURES, copy.unit().attemptRef()));
        run(s.committed(new CoordinatorCommand.StatisticsCommitted("w1", null, EPOCH, "f1",
                List.of(given.get(0).unit().attemptRef())), now));
        List<Decision> solve = run(s.journalled(journalled(JournalEntry.Commit.class).get(0), now));
        assertThat(of(solve, Decision.Solve.class)).singleElement().satisfies(d -> {
            assertThat(d.baseParts()).as("with the rows BASE records").containsExactly(Map.entry(1, 2L));
            assertThat(d.regrouped()).containsExactly(regroup.unit().attemptRef());
            assertThat(d.files()).containsExactly("f1");
        });
        run(s.solved(2, now));
        run(s.publishAttemptsCleared(now));
        Assign publish = assigns(status(s, "w1", 3, 1, List.of(), List.of())).get(0);
        assertThat(publish.unit().sources()).containsExactly(PartSource.regrouped(regroup.unit().attemptRef()),
                PartSource.base(1), PartSource.rows(given.get(0).unit().attemptRef()));
    }

    /**
     * Found by the simulator: an update whose listing planned nothing (only removals, or no change) journals no plan
     * group; a coordinator that died after publishing it resumed as a fresh job and published it again after the
     * swap had begun. It must resume from its journal: straight to the final files.
     */
    @Test
    void anUpdateThatPlannedNothingResumesFromItsJournal() {
        WorkState s = new WorkState(EPOCH, settings(4, 0), BASE, now);
        run(s.start(now));
        run(s.listingFinished(List.of(), new JournalEntry.UpdateCounts(0, 0, 0, 5, 0), now));
        journalAll(s);
        Decision.Solve solve = of(seen, Decision.Solve.class).get(0);
        assertThat(solve.baseParts()).containsExactly(Map.entry(0, 3L), Map.entry(1, 2L));
        run(s.solved(2, now));
        run(s.publishAttemptsCleared(now));
        List<Assign> parts = assigns(status(s, "w1", 0, 2, List.of(), List.of()));
        for (Assign part : parts) {
            finished(s, "w1", part, 5);
        }
        for (Decision.Promote p : of(seen, Decision.Promote.class)) {
            run(s.promoted(p.part(), now));
        }
        journalAll(s);
        assertThat(of(seen, Decision.WriteOutputs.class)).hasSize(1);
        var journal = new JournalEntry.State(List.of(), List.of(), journalled(JournalEntry.PlanComplete.class).get(0),
                List.of(), List.of(), journalled(JournalEntry.Published.class).get(0), List.of());
        assertThat(journal.isEmpty()).isFalse();
        WorkState resumed = WorkState.resume(EPOCH + 1, settings(4, 0), BASE, journal, now);
        List<Decision> again = new ArrayList<>(resumed.start(now));
        assertThat(solve.published()).isFalse();
        assertThat(of(again, Decision.Solve.class)).singleElement().as("its parts published: their model is kept")
                .satisfies(d -> assertThat(d.published()).isTrue());
        again.addAll(resumed.solved(2, now));
        assertThat(of(again, Decision.WriteOutputs.class)).singleElement()
                .satisfies(w -> assertThat(w.outputs().rows()).isEqualTo(5));
        assertThat(assigns(again)).isEmpty();
    }

    /**
     * An update whose listing's end an earlier Orchard journalled (no part settings): resumed, it journals that end
     * again with its settings; the regroups the journal asks for are made once, from the journal, not again when the
     * new entry is journalled (a second time failed the job: "or twice").
     */
    @Test
    void anUpdateWhoseListingsEndAnEarlierOrchardJournalledRegroupsOnce() {
        var older = new JournalEntry.PlanComplete(0, 0, List.of(new JournalEntry.Retirement(0, 1)), COUNTS, null, null);
        WorkState s = WorkState.resume(EPOCH, settings(4, 0), BASE,
                new JournalEntry.State(List.of(), List.of(), older, List.of(), List.of()), now);
        assertThat(of(run(s.start(now)), Decision.StageStarted.class)).extracting(Decision.StageStarted::description)
                .as("a regroup is all that is left of its features stage").containsExactly("regrouping base parts");
        JournalEntry.PlanComplete again = journalled(JournalEntry.PlanComplete.class).get(0);
        assertThat(again).isEqualTo(new JournalEntry.PlanComplete(0, 0, older.retired(), COUNTS,
                settings(4, 0).partBytes(), settings(4, 0).maxUnitsPerPart()));
        assertThat(of(run(s.journalled(again, now)), Decision.Failed.class)).isEmpty();
        assertThat(assigns(status(s, "w1", 0, 2, List.of(), List.of()))).extracting(a -> a.unit().phase())
                .containsExactly(Phase.REGROUP);
    }

    /**
     * An update under way whose input now holds fewer than 2 images (a new one is refused so at its setup) fails at its
     * listing as for bad input, naming --input and how to go on or give the update up. It said only "PCA needs at least
     * 2 images; the input holds 1: run this update again once the input holds more".
     */
    @Test
    void anUpdateUnderWayWhoseInputHoldsTooFewImagesSaysHowToGoOnOrGiveItUp() {
        WorkState s = new WorkState(EPOCH, settings(4, 0), BASE, now);
        run(s.start(now));
        List<Decision> ended = run(s.listingFinished(List.of(new JournalEntry.Retirement(0, 3),
                new JournalEntry.Retirement(1, 1)), new JournalEntry.UpdateCounts(0, 0, 4, 1, 0), now));
        assertThat(of(ended, Decision.Failed.class)).singleElement().satisfies(f -> {
            assertThat(f.badInput()).isTrue();
            assertThat(f.reason()).isEqualTo("PCA needs at least 2 images; the input holds 1 now. This update is"
                    + " under way, and lists the input again each time it goes on: restore the images (or add others)"
                    + " and run the same command again. Or, to run the update anew (another input or --glob), give this one"
                    + " up: nothing of it is in view yet, and deleting _orchard/gen-000001/ in --output (only that"
                    + " folder) leaves the output as its last update made it.");
        });
    }

    @Test
    void aRegroupThatKeepsAnotherNumberOfRowsThanTheInventorySaysEndsTheJob() {
        WorkState s = new WorkState(EPOCH, settings(4, 0), BASE, now);
        run(s.start(now));
        run(s.listingFinished(List.of(new JournalEntry.Retirement(1, 1)), COUNTS, now));
        journalAll(s);
        Assign regroup = assigns(status(s, "w1", 0, 1, List.of(), List.of())).get(0);
        assertThat(of(finished(s, "w1", regroup, 2), Decision.Failed.class)).singleElement()
                .satisfies(f -> assertThat(f.reason()).contains("does not match its parts"));
    }
}
