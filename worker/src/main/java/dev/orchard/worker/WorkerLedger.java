package dev.orchard.worker;

import dev.orchard.protocol.AttemptRef;
import dev.orchard.protocol.CoordinatorCommand;
import dev.orchard.protocol.JobDescription;
import dev.orchard.protocol.Phase;
import dev.orchard.protocol.UnitReport;
import dev.orchard.protocol.WorkUnit;
import dev.orchard.protocol.WorkerCommand;
import dev.orchard.protocol.WorkerInfo;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BinaryOperator;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * The worker's half of the protocol, as pure code: the attempts it runs or has finished (awaiting a verdict), the
 * window of accepted statistics not yet written, the statistics files written but not yet acknowledged, and the
 * retries that make each of them reach the coordinator. It takes events and returns {@link Effect}s as values
 * (start an attempt, send a message, write a file); the Worker actor carries them out, the simulator too.
 * <p>Nothing is dropped while the worker looks for its coordinator: everything unanswered is sent again every
 * {@code retryMs}, and every status lists all it holds, so the coordinator can tell what was lost. What it holds
 * belongs to one coordinator incarnation (epoch): an assignment from another epoch means that coordinator is gone,
 * and everything of the old one is dropped (its units were not journalled, so the new one redoes them). A coordinator
 * whose job finished never takes the worker back: its assignments that arrive late change nothing. One the worker
 * left for another may (epochs are random, so the worker cannot tell a late assignment from the coordinator that
 * replaced the one it left; the coordinator it left finds out from its statuses and hands out again what it held),
 * but the worker remembers the assignments it had seen of it, and runs none of them twice.
 *
 * @param <S> the statistics of an attempt (a covariance partial); {@code merge} folds the second into the first
 */
public final class WorkerLedger<S> {

    /**
     * @param capacity      attempts run at once
     * @param commitEvery   accepted attempts per statistics file (the coordinator may ask for one sooner)
     * @param retryMs       unanswered messages are sent again after this long
     * @param statusMs      a status (heartbeat and pull) at least this often
     * @param commitAfterMs a statistics file is written once the oldest accepted attempt not in one is this old, however
     *                      few there are: what a crash makes the job do again is bounded in time as well
     */
    public record Settings(int capacity, int commitEvery, long retryMs, long statusMs, long commitAfterMs) {
        public Settings {
            if (capacity < 1 || commitEvery < 1 || retryMs < 1 || statusMs < 1 || commitAfterMs < 1) {
                throw new IllegalArgumentException("invalid worker settings " + this);
            }
        }

        /** Without a time bound: a file every {@code commitEvery} accepted attempts, and when asked. */
        public Settings(int capacity, int commitEvery, long retryMs, long statusMs) {
            this(capacity, commitEvery, retryMs, statusMs, Long.MAX_VALUE);
        }
    }

    /** What the worker must do. */
    public sealed interface Effect {
    }

    /** Start an attempt on the pipeline. */
    public record Run(JobDescription job, WorkUnit unit) implements Effect {
    }

    /** Stop an attempt that no longer counts (its coordinator is gone or the job is over). */
    public record Cancel(AttemptRef attempt) implements Effect {
    }

    /** Send the coordinator a message. */
    public record Send(CoordinatorCommand message) implements Effect {
    }

    /** Write these accepted attempts' statistics as one file named {@code name}; report back. */
    public record WriteStatistics<S>(String name, List<AttemptRef> attempts, S statistics) implements Effect {
    }

    /** The job of the coordinator this worker served is over: drop what was kept for it (rows held for publishing). */
    public record JobEnded() implements Effect {
    }

    private enum State { RUNNING, FINISHED, FAILED }

    private static final class Held<S> {
        final WorkUnit unit;
        State state = State.RUNNING;
        UnitReport report;
        S statistics;
        String reason;
        boolean damagedFile;
        long lastSentMs;

        Held(WorkUnit unit) {
            this.unit = unit;
        }

        AttemptRef ref() {
            return unit.attemptRef();
        }
    }

    private record Written(List<AttemptRef> attempts, long[] lastSentMs) {
    }

    /** Coordinators left, remembered (the latest ones) for their late assignments. */
    private static final int LEFT_KEPT = 64;

    /** A coordinator the worker served and left: the last assignment it had seen of it, and whether its job ended. */
    private record Left(long assignSeqSeen, boolean finished) {
    }

    private final String workerId;
    private final ActorRef<WorkerCommand> self;
    private final Settings settings;
    private final BinaryOperator<S> merge;
    private final List<Effect> out = new ArrayList<>();
    private long epoch;
    private final Map<Long, Left> left = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Left> eldest) {
            return size() > LEFT_KEPT;
        }
    };
    private long assignSeqSeen;
    private long statusSeq;
    private long lastStatusMs = Long.MIN_VALUE / 2;
    private final Map<Integer, Held<S>> held = new LinkedHashMap<>();
    private S window;
    private List<AttemptRef> windowAttempts = new ArrayList<>();
    /** When the first attempt of the window was accepted. */
    private long windowStartedMs;
    private String writing;
    private List<AttemptRef> writingAttempts = List.of();
    private boolean writeAgain;
    private final Map<String, Written> committed = new LinkedHashMap<>();
    private int fileSeq;
    private long imagesDone;
    private WorkerInfo info = WorkerInfo.UNKNOWN;
    private boolean leaving;
    private final StopCommits stop = new StopCommits();

    public WorkerLedger(String workerId, ActorRef<WorkerCommand> self, Settings settings, BinaryOperator<S> merge) {
        this.workerId = workerId;
        this.self = self;
        this.settings = settings;
        this.merge = merge;
    }

    /** The coordinator incarnation this worker serves (0: none). */
    public long epoch() {
        return epoch;
    }

    public int running() {
        return (int) held.values().stream().filter(h -> h.state == State.RUNNING).count();
    }

    /** Host and lanes for the statuses; images done are counted here. */
    public void describe(String host, int lanes) {
        info = new WorkerInfo(host, lanes, imagesDone);
    }

    // ---------------------------------------------------------------- from the coordinator

    public List<Effect> assigned(WorkerCommand.Assign m, long now) {
        if (m.epoch() != epoch) {
            Left before = left.get(m.epoch());
            if (before != null && before.finished()) {
                return drain(); // late: that coordinator's job is over (seed 1122565 of the simulator)
            }
            adopt(m.epoch(), false);
        }
        if (m.seq() <= assignSeqSeen) {
            // A duplicate, or overtaken by a later one, or seen before the worker last left this coordinator (seed
            // 2605678): the coordinator finds it lost, and hands out a new attempt.
            return drain();
        }
        assignSeqSeen = m.seq();
        WorkUnit unit = m.unit();
        if (unit.epoch() != epoch || held.containsKey(unit.attempt())) {
            return drain();
        }
        if (leaving) {
            status(now); // not held: the coordinator finds the assignment lost and hands it out again
            return drain();
        }
        held.put(unit.attempt(), new Held<>(unit));
        out.add(new Run(m.job(), unit));
        return drain();
    }

    public List<Effect> verdict(WorkerCommand.Verdict m, long now) {
        Held<S> h = m.epoch() == epoch ? held.get(m.attempt()) : null;
        if (h == null || h.unit.id() != m.unitId() || h.state == State.RUNNING) {
            return drain();
        }
        held.remove(m.attempt());
        if (m.accepted() && h.state == State.FINISHED && h.unit.phase() == Phase.FEATURES) {
            window = window == null ? h.statistics : merge.apply(window, h.statistics);
            if (windowAttempts.isEmpty()) {
                windowStartedMs = now;
            }
            windowAttempts.add(h.ref());
            // A stopping worker writes at once: nobody asks it for a file mid-job, and it stops within seconds.
            if (leaving || windowAttempts.size() >= settings.commitEvery() || windowDue(now)) {
                write();
            }
        }
        status(now);
        return drain();
    }

    public List<Effect> commitRequested(WorkerCommand.CommitStatistics m, long now) {
        if (m.epoch() == epoch) {
            write();
        }
        return drain();
    }

    public List<Effect> commitAck(WorkerCommand.CommitAck m, long now) {
        if (m.epoch() == epoch) {
            Written w = committed.remove(m.file());
            if (w != null && leaving) {
                stop.count(w.attempts().size(), m.accepted());
            }
        }
        return drain();
    }

    public List<Effect> jobFinished(WorkerCommand.JobFinished m, long now) {
        if (m.epoch() == epoch) {
            adopt(0, true);
            out.add(new JobEnded());
            status(now);
        }
        return drain();
    }

    // ---------------------------------------------------------------- from the pipeline

    public List<Effect> attemptFinished(AttemptRef attempt, UnitReport report, S statistics, long now) {
        Held<S> h = attempt.epoch() == epoch ? held.get(attempt.attempt()) : null;
        if (h == null || h.state != State.RUNNING) {
            return drain(); // of a coordinator that is gone: nobody counts it
        }
        h.state = State.FINISHED;
        h.report = report;
        h.statistics = statistics;
        if (h.unit.phase() == dev.orchard.protocol.Phase.FEATURES) { // a publish or regroup reads rows, not images
            imagesDone += report.rows() + report.errors().size();
            info = new WorkerInfo(info.host(), info.lanes(), imagesDone);
        }
        send(h, now);
        status(now);
        return drain();
    }

    public List<Effect> attemptFailed(AttemptRef attempt, String reason, long now) {
        return attemptFailed(attempt, reason, false, now);
    }

    /** As above; {@code damagedFile}: it failed on a damaged file of Orchard's in the output (see UnitFailed). */
    public List<Effect> attemptFailed(AttemptRef attempt, String reason, boolean damagedFile, long now) {
        Held<S> h = attempt.epoch() == epoch ? held.get(attempt.attempt()) : null;
        if (h == null || h.state != State.RUNNING) {
            return drain();
        }
        h.state = State.FAILED;
        h.reason = reason;
        h.damagedFile = damagedFile;
        send(h, now);
        status(now);
        return drain();
    }

    /** The statistics file {@code name} is durably written ({@code failure} null) or could not be written. */
    public List<Effect> statisticsWritten(String name, String failure, long now) {
        if (!name.equals(writing)) {
            return drain(); // written for a coordinator that is gone
        }
        List<AttemptRef> attempts = writingAttempts;
        writing = null;
        writingAttempts = List.of();
        if (failure == null) {
            committed.put(name, new Written(attempts, new long[] {now}));
            out.add(new Send(new CoordinatorCommand.StatisticsCommitted(workerId, self, epoch, name, attempts)));
        } else if (leaving) {
            // Lost with the stopping JVM, not through a fault of these units: the status no longer lists them, so
            // the coordinator redoes them without counting a failure.
            stop.count(attempts.size(), false);
        } else {
            // The statistics are lost with the failed write: the coordinator redoes these units.
            out.add(new Send(new CoordinatorCommand.StatisticsLost(workerId, self, epoch, attempts, failure)));
        }
        if (writeAgain) {
            writeAgain = false;
            write();
        }
        status(now);
        return drain();
    }

    /**
     * This worker is stopping (SIGTERM, its JVM shutting down): it takes no more work and gives back what runs.
     * Attempts still running are cancelled and forgotten, not reported as failed, since their failures would be
     * the shutdown's and not the unit's; the coordinator finds them missing from the status and hands them out
     * again without counting a failure. Finished attempts still await their verdicts, and accepted statistics
     * are written now.
     */
    public List<Effect> leave(long now) {
        if (leaving) {
            return drain();
        }
        leaving = true;
        for (var it = held.values().iterator(); it.hasNext(); ) {
            Held<S> h = it.next();
            if (h.state != State.FINISHED) {
                if (h.state == State.RUNNING) {
                    out.add(new Cancel(h.ref()));
                }
                it.remove();
            }
        }
        write();
        status(now);
        return drain();
    }

    public boolean leaving() {
        return leaving;
    }

    /** Of the accepted units a stopping worker committed as it stopped: how many its coordinator kept, and how many not. */
    public static final class StopCommits {
        private int kept;
        private int notKept;

        private void count(int units, boolean accepted) {
            if (accepted) {
                kept += units;
            } else {
                notKept += units;
            }
        }

        public int kept() {
            return kept;
        }

        public int notKept() {
            return notKept;
        }
    }

    /** What became of the statistics this worker wrote or sent since it began to stop. */
    public StopCommits stopCommits() {
        return stop;
    }

    /** Nothing of a job is here: no attempt running or awaiting its verdict, no statistics to write or to commit. */
    public boolean holdsNothing() {
        return held.isEmpty() && windowAttempts.isEmpty() && writing == null && committed.isEmpty();
    }

    // ---------------------------------------------------------------- the clock

    /** Sends again what is unanswered, and a status when one is due. */
    public List<Effect> tick(long now) {
        for (Held<S> h : held.values()) {
            if (h.state != State.RUNNING && now - h.lastSentMs >= settings.retryMs()) {
                send(h, now);
            }
        }
        for (Map.Entry<String, Written> e : committed.entrySet()) {
            if (now - e.getValue().lastSentMs()[0] >= settings.retryMs()) {
                e.getValue().lastSentMs()[0] = now;
                out.add(new Send(new CoordinatorCommand.StatisticsCommitted(workerId, self, epoch, e.getKey(),
                        e.getValue().attempts())));
            }
        }
        if (windowDue(now)) {
            write();
        }
        if (now - lastStatusMs >= settings.statusMs()) {
            status(now);
        }
        return drain();
    }

    /** Whether the window's oldest accepted attempt has waited {@code commitAfterMs} for a statistics file. */
    private boolean windowDue(long now) {
        return !windowAttempts.isEmpty() && writing == null && now - windowStartedMs >= settings.commitAfterMs();
    }

    /** A status now (a coordinator was just found, say). */
    public List<Effect> statusNow(long now) {
        status(now);
        return drain();
    }

    // ---------------------------------------------------------------- internals

    /** Serves {@code newEpoch} (0: none), leaving the coordinator it served ({@code finished}: whose job ended). */
    private void adopt(long newEpoch, boolean finished) {
        if (epoch != 0) {
            left.put(epoch, new Left(assignSeqSeen, finished));
        }
        Left before = left.remove(newEpoch);
        for (Held<S> h : held.values()) {
            if (h.state == State.RUNNING) {
                out.add(new Cancel(h.ref()));
            }
        }
        held.clear();
        window = null;
        windowAttempts = new ArrayList<>();
        writing = null;
        writingAttempts = List.of();
        writeAgain = false;
        committed.clear();
        assignSeqSeen = before == null ? 0 : before.assignSeqSeen();
        epoch = newEpoch;
    }

    private void write() {
        if (writing != null) {
            writeAgain = true;
            return;
        }
        if (windowAttempts.isEmpty()) {
            return;
        }
        writing = String.format("%s-%016x-%05d", workerId.replaceAll("[^A-Za-z0-9_.-]", "_"), epoch, ++fileSeq);
        writingAttempts = List.copyOf(windowAttempts);
        out.add(new WriteStatistics<>(writing, writingAttempts, window));
        window = null;
        windowAttempts = new ArrayList<>();
    }

    private void send(Held<S> h, long now) {
        h.lastSentMs = now;
        if (h.state == State.FINISHED) {
            out.add(new Send(new CoordinatorCommand.UnitFinished(workerId, self, epoch, h.unit.id(), h.unit.attempt(),
                    h.report)));
        } else {
            out.add(new Send(new CoordinatorCommand.UnitFailed(workerId, self, epoch, h.unit.id(), h.unit.attempt(),
                    h.reason, h.damagedFile)));
        }
    }

    private void status(long now) {
        lastStatusMs = now;
        List<AttemptRef> attempts = new ArrayList<>();
        int running = 0;
        for (Held<S> h : held.values()) {
            attempts.add(h.ref());
            running += h.state == State.RUNNING ? 1 : 0;
        }
        List<AttemptRef> accepted = new ArrayList<>(windowAttempts);
        accepted.addAll(writingAttempts);
        committed.values().forEach(w -> accepted.addAll(w.attempts()));
        out.add(new Send(new CoordinatorCommand.WorkerStatus(workerId, self, epoch, ++statusSeq, assignSeqSeen,
                leaving ? 0 : Math.max(0, settings.capacity() - running), attempts, accepted, info, leaving)));
    }

    private List<Effect> drain() {
        List<Effect> effects = List.copyOf(out);
        out.clear();
        return effects;
    }
}
