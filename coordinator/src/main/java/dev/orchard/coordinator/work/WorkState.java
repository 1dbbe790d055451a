package dev.orchard.coordinator.work;

import dev.orchard.coordinator.work.Decision.Assign;
import dev.orchard.coordinator.work.Decision.Outputs;
import dev.orchard.coordinator.work.Decision.Tell;
import dev.orchard.coordinator.work.Decision.WorkerShare;
import dev.orchard.coordinator.work.JournalEntry.Commit;
import dev.orchard.coordinator.work.JournalEntry.PlanComplete;
import dev.orchard.coordinator.work.JournalEntry.PlanGroup;
import dev.orchard.coordinator.work.JournalEntry.PlannedUnit;
import dev.orchard.coordinator.work.JournalEntry.Quarantine;
import dev.orchard.coordinator.work.JournalEntry.Regrouped;
import dev.orchard.coordinator.work.JournalEntry.Retirement;
import dev.orchard.coordinator.work.JournalEntry.Split;
import dev.orchard.coordinator.work.JournalEntry.UnitRecord;
import dev.orchard.coordinator.work.JournalEntry.UpdateCounts;
import dev.orchard.coordinator.work.Task.Live;
import dev.orchard.protocol.AttemptRef;
import dev.orchard.protocol.CoordinatorCommand.StatisticsCommitted;
import dev.orchard.protocol.CoordinatorCommand.StatisticsLost;
import dev.orchard.protocol.CoordinatorCommand.UnitFailed;
import dev.orchard.protocol.CoordinatorCommand.UnitFinished;
import dev.orchard.protocol.CoordinatorCommand.WorkerStatus;
import dev.orchard.protocol.ImageError;
import dev.orchard.protocol.ImageRef;
import dev.orchard.protocol.PartSource;
import dev.orchard.protocol.Phase;
import dev.orchard.protocol.UnitReport;
import dev.orchard.protocol.WorkUnit;
import dev.orchard.protocol.WorkerCommand;
import dev.orchard.protocol.WorkerInfo;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Every decision of the coordinator, as pure code: units and their attempts, the pending queue, workers as the
 * coordinator sees them, the journal's view of what is done, and the job's stages. It takes events (a worker's
 * status or result, a journal write done, a clock tick — time is always given, never read) and returns
 * {@link Decision}s as values; it does no I/O, holds no actor and reads no clock, so a simulator can drive it
 * through any schedule of delays, drops, duplicates, crashes and restarts (see the tests).
 * <p>What it guarantees, whatever the schedule:
 * <ul>
 *   <li>each unit has at most one accepted attempt (the first attempt to finish wins; every other loses and its
 *   files are deleted), and its statistics are journalled at most once — only in a file that holds exactly
 *   the accepted attempts of the worker that wrote them;</li>
 *   <li>the published parts are built from accepted attempts only, each unit in exactly one part;</li>
 *   <li>nothing is waited for without a retry or a timeout: lost assignments and lost statistics are found from
 *   the workers' statuses, silent workers time out, units that keep losing their workers are split and, image by
 *   image, quarantined; a unit that fails or times out {@code maxFailures} times ends the job with its reason.
 *   A failed unit goes to another worker where it has not failed, if one does work, and a worker that failed
 *   {@code maxFailures} times in a row gets no work for a while if another does: one broken worker does not end a
 *   job that the others can finish, and nothing waits on a worker that finishes nothing.</li>
 * </ul>
 * <p>An update ({@code --update}) builds on a {@link Base}: the parts of the generation the output holds. Its
 * listing plans only the images that are new, changed, or were errors; when it ends, it says how many rows each
 * base part loses (images removed or changed since), and each base part that loses some but not all is
 * <em>regrouped</em> by a worker (REGROUP: the kept rows and exactly their statistics, first attempt wins, journalled
 * before it counts). The solve merges the new units' statistics with the untouched base parts' stored statistics and
 * the regrouped parts' new ones; the publish stage gathers untouched base parts, regrouped parts and new units' rows
 * into the new generation's parts, re-projecting every row without running the model again (an untouched base part
 * of at least a quarter of the target size is a part of its own, whose features file is kept as it is).
 * <p>Its parts, each a file: the tasks it hands out ({@link Unit}, {@link Part}, {@link Regroup}, with their live
 * attempts: {@link Task}), the workers as it sees them ({@link WorkerView}), the listing's plan ({@link ListingPlan}),
 * the queue of tasks waiting for an attempt ({@link PendingQueue}), the tail's copies of slow attempts
 * ({@link Speculation}), how sources become parts ({@link PartGrouping}) and an update's base parts
 * ({@link BaseParts}). This class holds the stages and decides: who gets what, what counts, when a stage ends.
 */
public final class WorkState {

    /**
     * @param unitSize           images per unit at most
     * @param unitImageBytes     bytes of paths and labels per unit at most (so an assignment fits in a message)
     * @param maxFailures        failed or timed-out attempts of one unit before the job fails
     * @param maxCrashLosses     attempts of one unit lost with their worker before it is split (or, for a single
     *                           image, quarantined)
     * @param unitTimeoutMs      an attempt running longer is handed out again (and counts as failed)
     * @param assignRetryMs      an assignment the worker's statuses do not show after this long is sent again
     * @param workerTimeoutMs    a worker silent for longer is gone
     * @param commitIntervalMs   how often a worker holding accepted statistics is asked to write them, once
     *                           there is no work left for it (a worker running nothing is asked at once when a
     *                           unit of its is accepted)
     * @param speculateAfterMs   at the tail, an attempt running longer than this (and twice the median) gets a copy
     * @param minWorkers         work is handed out only once this many workers have reported
     * @param minWorkersWaitMs   how long to wait for them before the job fails
     * @param pcaK               principal components to solve for between features and publishing (0: no PCA)
     * @param partBytes          target size of a published rows file
     * @param maxUnitsPerPart    units per published file at most (keeps the assignment small)
     */
    public record Settings(int unitSize, int unitImageBytes, int maxFailures, int maxCrashLosses, long unitTimeoutMs,
                           long assignRetryMs, long workerTimeoutMs, long commitIntervalMs, long speculateAfterMs, int minWorkers,
                           long minWorkersWaitMs, int pcaK, long partBytes, int maxUnitsPerPart) {
        public Settings {
            if (unitSize < 1 || unitImageBytes < 1 || maxFailures < 1 || maxCrashLosses < 1 || minWorkers < 0 || pcaK < 0
                    || unitTimeoutMs < 1 || assignRetryMs < 1 || workerTimeoutMs < 1 || partBytes < 1 || maxUnitsPerPart < 1) {
                throw new IllegalArgumentException("invalid work settings " + this);
            }
        }

        public boolean pca() {
            return pcaK > 0;
        }
    }

    /**
     * The generation an update builds on: its number and its parts in order (rows and features bytes of each), as
     * the output recorded them when that generation was published.
     */
    public record Base(int generation, List<BasePart> parts) {
        public Base {
            parts = List.copyOf(parts);
        }

        public long rows() {
            return parts.stream().mapToLong(BasePart::rows).sum();
        }
    }

    /** One part of the base generation. */
    public record BasePart(long rows, long bytes) {
    }

    /** The job's stages, in order. */
    public enum Stage { FEATURES, SOLVING, PUBLISHING, WRITING, FINISHED, FAILED }

    /** How the {@link Stage#WRITING} stage's start is described to the job's listener. */
    public static final String WRITING_OUTPUTS = "writing outputs";

    /** The states {@link Snapshot#units()} counts units by (RUNNING: a pending unit with an attempt out). */
    public static final List<String> UNIT_STATES = unitStates();

    private static List<String> unitStates() {
        List<String> states = new ArrayList<>();
        for (Unit.Status status : Unit.Status.values()) {
            if (status != Unit.Status.ABSENT) {
                states.add(status.name());
            }
            if (status == Unit.Status.PENDING) {
                states.add("RUNNING");
            }
        }
        return List.copyOf(states);
    }

    private final long epoch;
    private final Settings settings;
    private final BaseParts base; // an update's: what it makes of the base generation's parts; null for a first run
    private final long startedMs;
    private final List<Decision> out = new ArrayList<>();
    private final PackedImages.Labels labels = new PackedImages.Labels();
    private final List<Unit> units = new ArrayList<>();
    private final List<Part> parts = new ArrayList<>();
    private final Map<Integer, Task> byAttempt = new HashMap<>();
    private final PendingQueue pending = new PendingQueue();
    private final Map<Integer, Long> assignSeqs = new HashMap<>(); // attempt → its assignment number
    private final Set<Integer> spent = new HashSet<>(); // attempts that lost, or whose statistics were lost: never again
    private final Set<Task> running = new LinkedHashSet<>();
    private final Map<String, WorkerView> workers = new LinkedHashMap<>();
    private final Set<String> journalled = new HashSet<>();
    private final List<String> statisticsFiles = new ArrayList<>();
    private final Set<String> refused = new HashSet<>();
    private final Speculation speculation;
    private long partBytes; // the part size this job's parts are grouped for: the settings', or the journal's
    private PlanComplete planComplete; // once journalled: the part settings every coordinator of the job groups by
    /**
     * A listing's end an earlier Orchard journalled without part settings: journalled again with this coordinator's at
     * its start, and nothing is solved or published before that, so every later coordinator groups as this one.
     */
    private PlanComplete withoutPartSettings;
    private final Map<String, Double> stageSeconds = new LinkedHashMap<>();
    private final ListingPlan listing;
    private Stage stage = Stage.FEATURES;
    private long stageStartedMs;
    private int nextAttempt = 1;
    private boolean listingComplete;
    private boolean planCompleted;
    private boolean publishJournalling;
    /** Earlier coordinators' publish attempts are being deleted: no publish unit is handed out meanwhile. */
    private boolean clearingPublishAttempts;
    private boolean minWorkersMet;
    /** This coordinator is stopping ({@link #stopping}): it hands out nothing more. */
    private boolean stopping;
    /** Since when queued work has waited for workers to join (-1: it does not), and when the log last said so. */
    private long waitingForWorkersSinceMs = -1;
    private long waitingNotedMs;
    private long imagesDone;
    /** {@link #imagesDone} when this coordinator started: what a resumed job had done before (from its journal). */
    private long imagesBefore;
    private long errors;
    private int openUnits;   // planned units not yet done, quarantined or split
    private int openParts;
    private JournalEntry.Published published; // from the journal: every part was published before a restart
    private long attemptsIssued;
    private long speculative;
    private long timeouts;
    private long lostAssignments;
    private long workersLost;

    public WorkState(long epoch, Settings settings, long now) {
        this(epoch, settings, null, now);
    }

    /** A job that makes the generation after {@code base} (an update); {@code base} null for a first run. */
    public WorkState(long epoch, Settings settings, Base base, long now) {
        this.epoch = epoch;
        this.settings = settings;
        this.base = base == null ? null : new BaseParts(base);
        this.startedMs = now;
        this.stageStartedMs = now;
        this.listing = new ListingPlan(settings.unitSize(), settings.unitImageBytes());
        this.speculation = new Speculation(settings.speculateAfterMs());
        this.minWorkersMet = settings.minWorkers() <= 0;
    }

    /**
     * A coordinator that continues a job from its journal: planned units come back pending, journalled commits
     * done (with their accepted attempts, of whichever incarnation), splits and quarantines as they were.
     */
    public static WorkState resume(long epoch, Settings settings, JournalEntry.State journal, long now) {
        return resume(epoch, settings, null, journal, now);
    }

    /** As {@link #resume(long, Settings, JournalEntry.State, long)}, for an update built on {@code base}. */
    public static WorkState resume(long epoch, Settings settings, Base base, JournalEntry.State journal, long now) {
        WorkState s = new WorkState(epoch, settings, base, now);
        Map<Integer, Unit> byId = new HashMap<>();
        List<PlannedUnit> planned = new ArrayList<>();
        for (PlanGroup g : journal.groups()) {
            planned.addAll(g.units());
            s.skip(g.skipped());
            s.listing.replay(g);
        }
        for (Split split : journal.splits()) {
            planned.addAll(split.children());
        }
        planned.sort(java.util.Comparator.comparingInt(PlannedUnit::id));
        for (PlannedUnit p : planned) {
            if (p.id() < s.units.size()) {
                throw new IllegalStateException("the journal plans unit " + p.id()
                        + " twice: it was not written by this version of Orchard, or was edited");
            }
            while (s.units.size() < p.id()) {
                // An id whose entry was never written (the coordinator died first): no unit, nothing to do.
                Unit hole = new Unit(s.units.size(), PackedImages.pack(List.of(new ImageRef("", null)), s.labels));
                hole.status = Unit.Status.ABSENT;
                s.units.add(hole);
            }
            Unit u = s.newUnit(p.images());
            u.status = Unit.Status.PENDING;
            byId.put(u.id, u);
        }
        for (Split split : journal.splits()) {
            Unit parent = byId.get(split.parent());
            parent.status = Unit.Status.SPLIT;
            s.openUnits--;
        }
        for (Commit c : journal.commits()) {
            for (UnitRecord r : c.units()) {
                Unit u = byId.get(r.id());
                if (u == null || u.status != Unit.Status.PENDING) {
                    throw new IllegalStateException("the journal commits unit " + r.id() + " "
                            + (u == null ? "that was never planned" : "twice (again in " + c.statistics() + ")"));
                }
                u.status = Unit.Status.DONE;
                u.accepted = r.attemptRef();
                u.report = r.report();
                u.statistics = c.statistics();
                s.openUnits--;
                s.countDone(u.report, +1);
            }
            s.journalled.add(c.statistics());
            s.statisticsFiles.add(c.statistics());
        }
        for (Quarantine q : journal.quarantines()) {
            Unit u = byId.get(q.unit());
            if (u != null && u.status == Unit.Status.PENDING) {
                u.status = Unit.Status.QUARANTINED;
                u.crashLosses = settings.maxCrashLosses();
                u.report = new UnitReport(0, List.of(q.error()), 0, 0, UnitReport.StageNanos.ZERO);
                s.openUnits--;
                s.countDone(u.report, +1);
            }
        }
        for (Unit u : s.units) {
            if (u.status == Unit.Status.PENDING) {
                s.pending.add(u, false);
            }
        }
        // Set once every group is replayed: the journal's own listing problems were recorded as they stand.
        List<Unit> before = List.copyOf(s.units);
        s.listing.resumed(() -> {
            Set<String> paths = new HashSet<>();
            for (Unit u : before) {
                if (u.status != Unit.Status.ABSENT) {
                    u.images.unpack(s.labels).forEach(i -> paths.add(i.path()));
                }
            }
            return paths;
        });
        if (journal.published() != null) {
            s.published = journal.published();
        }
        if (journal.complete() != null) {
            if (journal.complete().images() != s.listing.listed()) {
                throw new IllegalStateException("the journal's plan holds " + s.listing.listed() + " images but says the listing gave "
                        + journal.complete().images() + ": it was edited, or written by another version of Orchard");
            }
            s.listingComplete = true;
            s.planCompleted = true;
            if (journal.complete().partBytes() == null || journal.complete().maxUnitsPerPart() == null) {
                s.withoutPartSettings = journal.complete();
            } else {
                s.planComplete = journal.complete();
            }
            if (s.base != null) {
                s.base.listingJournalled(journal.complete().retired(), journal.complete().update());
                s.base.makeRegroups(s.pending);
                for (Regrouped r : journal.regrouped()) {
                    s.base.regroupedBefore(r, s.pending);
                }
            }
        } else if (!journal.regrouped().isEmpty()) {
            throw new IllegalStateException("the journal regroups base parts before its listing ended");
        }
        return s;
    }

    // ---------------------------------------------------------------- queries

    public long epoch() {
        return epoch;
    }

    public Stage stage() {
        return stage;
    }

    public boolean listingComplete() {
        return listingComplete;
    }

    /** The path of the last image the journal planned (the listing continues after it); null if none. */
    public String lastPlannedPath() {
        return listing.lastPlannedPath();
    }

    public long listed() {
        return listing.listed();
    }

    /** Plan groups cut but not yet journalled (the lister waits while there are many). */
    public int planBacklog() {
        return listing.backlog();
    }

    public int unitCount() {
        return units.size();
    }

    /** Workers that have reported and are not gone, for the status page. */
    public int liveWorkers() {
        return (int) workers.values().stream().filter(w -> !w.gone).count();
    }

    /**
     * Where the job stands, for the status page and metrics: a copy, safe to hand to another thread.
     *
     * @param errors        every error so far: the images of units done that could not be used, and
     *                      {@code listingErrors}
     * @param listingErrors what the listing could not take (a dangling link, a folder it cannot read): no image of a
     *                      unit, so not in {@code imagesDone}
     * @param stages        time spent per pipeline stage by the units done so far (summed over their threads)
     * @param workerWait    the job waits for workers, or null
     */
    public record Snapshot(Stage stage, long listed, boolean listingComplete, long imagesDone, long imagesBefore,
                           long errors, long listingErrors,
                           Map<String, Integer> units, int parts, int partsOpen, int queued, int running,
                           long attempts, long speculative, long timeouts, long lostAssignments, long workersLost,
                           List<WorkerSnapshot> workers, UnitReport.StageNanos stages, WorkerWait workerWait) {
    }

    /**
     * The job waits for workers: {@code live} of the {@code minWorkers} asked for have joined, or ({@code minWorkers}
     * 0) they had and work waits with none live; it fails in {@code failsInMs} without them (-1: it waits on). A
     * coordinator waiting for --min-workers showed "listing and extracting features" and "No worker has reported yet"
     * (an operator's walk).
     */
    public record WorkerWait(int live, int minWorkers, long failsInMs) {
        /** What the job waits for, and until when: "Waiting for workers: 0 of the 2 asked for (--min-workers) …". */
        public String describe() {
            String deadline = failsInMs < 0 ? "" : "; the job fails in " + Math.round(failsInMs / 1000.0)
                    + " s without " + (minWorkers > 0 ? "them" : "one") + " (--min-workers-timeout)";
            return minWorkers > 0
                    ? "Waiting for workers: " + live + " of the " + minWorkers + " asked for (--min-workers) have"
                            + " joined, and no work is handed out until they have" + deadline + "."
                    : "Waiting for a worker: work waits and none is live" + deadline + ".";
        }
    }

    /**
     * One worker as the coordinator last heard of it; {@code passedOver}: it failed {@code maxFailures} times in a row
     * and gets no work for now while others do it.
     */
    public record WorkerSnapshot(String id, String host, int lanes, int attemptsHeld, int assigned, int won,
                                 long imagesDone, long lastHeardMs, boolean gone, boolean passedOver) {
    }

    /** Where the job stands now ({@code now} turns each worker's last status into an age). */
    public Snapshot snapshot(long now) {
        Map<String, Integer> byStatus = new java.util.TreeMap<>();
        UnitReport.StageNanos stages = UnitReport.StageNanos.ZERO;
        for (Unit u : units) {
            if (u.status != Unit.Status.ABSENT) {
                String status = u.status == Unit.Status.PENDING && !u.live.isEmpty() ? "RUNNING" : u.status.name();
                byStatus.merge(status, 1, Integer::sum);
            }
            if (u.report != null && u.status != Unit.Status.SPLIT) {
                stages = stages.plus(u.report.stages()); // as outputs() counts them
            }
        }
        List<WorkerSnapshot> ws = new ArrayList<>();
        for (WorkerView w : workers.values()) {
            ws.add(new WorkerSnapshot(w.id, w.info.host(), w.info.lanes(), w.live.size(), w.assigned, w.won - w.wonThenLost,
                    w.info.imagesDone(), now - w.lastHeardMs, w.gone, !w.gone && passedOver(w, now)));
        }
        return new Snapshot(stage, listing.listed(), listingComplete, imagesDone, imagesBefore, errors,
                listing.skipped().size(), byStatus,
                parts.size(), openParts,
                pending.size(), running.size(), attemptsIssued, speculative, timeouts, lostAssignments, workersLost,
                List.copyOf(ws), stages, workerWait(now));
    }

    /** As {@link #tick} and {@link #noteWaitingForWorkers} decide it: the wait for --min-workers, or for any worker. */
    private WorkerWait workerWait(long now) {
        if (stage == Stage.FINISHED || stage == Stage.FAILED) {
            return null;
        }
        if (!minWorkersMet) {
            return new WorkerWait(liveWorkers(), settings.minWorkers(),
                    Math.max(0, startedMs + settings.minWorkersWaitMs() - now));
        }
        if (pending.size() == 0 || liveWorkers() > 0) {
            return null;
        }
        long since = waitingForWorkersSinceMs >= 0 ? waitingForWorkersSinceMs : now; // its tick is to come
        return new WorkerWait(0, 0, settings.minWorkersWaitMs() <= 0 ? -1
                : Math.max(0, since + settings.minWorkersWaitMs() - now));
    }

    /** A one-paragraph account of where every unit and worker stands, for logs and failed tests. */
    public String describe() {
        Map<String, Integer> byStatus = new java.util.TreeMap<>();
        for (Unit u : units) {
            byStatus.merge(u.status + (u.live.isEmpty() ? "" : "+live"), 1, Integer::sum);
        }
        StringBuilder text = new StringBuilder("stage " + stage + ", listing " + (listingComplete ? "complete" : "going")
                + ", plan groups in flight " + listing.inFlight() + ", units " + byStatus + ", open units " + openUnits
                + ", parts " + parts.size() + " (open " + openParts + "), queued " + pending.size() + " "
                + pending.queued().stream().map(Task::describe).toList() + ", running "
                + running.stream().map(t -> t.describe() + t.live.keySet() + (t instanceof Unit u ? " lost " + u.crashLosses : "")).toList());
        for (WorkerView w : workers.values()) {
            text.append("\n  worker ").append(w.id).append(w.gone ? " (gone)" : "").append(": free ").append(w.freeSlots)
                    .append(", seen ").append(w.assignSeqSeen).append(", live ").append(w.live.keySet())
                    .append(", accepted ").append(w.accepted);
        }
        return text.toString();
    }

    // ---------------------------------------------------------------- listing and plan

    /**
     * The start: tells what the job does first. A resumed job whose journal holds the listing's end says only what is
     * left of the stage, and nothing where all of it is done: its next stage's line follows at once (a finished job
     * run again with --resume said "listing and extracting features", and did neither: a walk).
     */
    public List<Decision> start(long now) {
        imagesBefore = imagesDone;
        String features = !listingComplete ? "listing and extracting features"
                : openUnits > 0 ? "extracting features (the input was listed before)"
                : base != null && !base.allRegrouped() ? "regrouping base parts" : null;
        if (features != null) {
            out.add(new Decision.StageStarted(Stage.FEATURES, features));
        }
        if (withoutPartSettings != null) {
            PlanComplete c = withoutPartSettings;
            withoutPartSettings = null;
            out.add(new Decision.Journal(new PlanComplete(c.units(), c.images(), c.retired(), c.update(),
                    settings.partBytes(), settings.maxUnitsPerPart())));
        }
        progress();
        afterProgress(now);
        return drain();
    }

    /** A batch of listed images (in listing order) and the inputs skipped meanwhile. */
    public List<Decision> listed(List<ImageRef> images, List<ImageError> skippedInputs, long now) {
        if (stage != Stage.FEATURES || listingComplete) {
            return drain();
        }
        List<List<ImageRef>> cut = listing.cut(images);
        if (!cut.isEmpty() || !skippedInputs.isEmpty()) {
            plan(cut, skippedInputs);
        }
        return drain();
    }

    /** The listing ended, having given {@code total} images (those planned before a resume included). */
    public List<Decision> listingFinished(long total, long now) {
        if (base != null) {
            throw new IllegalStateException("an update's listing ends with what it drops from the base generation");
        }
        return endListing(now);
    }

    /**
     * An update's listing ended: besides the images it planned, it drops {@code retired} rows from the base parts
     * (their paths are in the retired files, already written) and compared with the base generation as
     * {@code counts} says.
     */
    public List<Decision> listingFinished(List<Retirement> retired, UpdateCounts counts, long now) {
        if (base == null) {
            throw new IllegalStateException("only an update drops rows of a base generation");
        }
        if (stage != Stage.FEATURES || listingComplete) {
            return drain();
        }
        String mismatch = base.listingEnded(retired, counts);
        if (mismatch != null) {
            return fail(mismatch, false);
        }
        return endListing(now);
    }

    private List<Decision> endListing(long now) {
        if (stage != Stage.FEATURES || listingComplete) {
            return drain();
        }
        List<ImageRef> rest = listing.flush();
        if (!rest.isEmpty()) {
            plan(List.of(rest), List.of());
        }
        listingComplete = true;
        long images = listing.listed() + keptBaseRows();
        if (images == 0 && listing.skipped().isEmpty()) {
            return fail("No images found in the input (looked for the --glob patterns, skipping hidden files). "
                    + "Check --input and --glob.", true);
        }
        if (settings.pca() && images < 2) {
            // Said here, before the listing is journalled complete: an update that failed so at its solve had its
            // images planned for good, and the same command never listed the input again (stuck until --overwrite).
            // An update under way only (a new one is refused so before it is recorded: JobSetup): say how it goes on,
            // and how it is given up where it was a mistake (its --input or --glob mistyped).
            // "The input": --input's folder or prefix, or --input-manifest's list, which this state does not tell apart.
            return fail("PCA needs at least 2 images; the input holds " + images + (base == null
                    ? ": run it again on an input with more (--overwrite replaces this output)"
                    : " now. This update is under way, and lists the input again each time it goes on: restore the"
                            + " images (or add others) and run the same command again. Or, to run the update anew (another"
                            + " input or --glob), give this one up: nothing of it is in view yet, and deleting _orchard/"
                            + dev.orchard.store.OutputLayout.generationFolder(base.generation() + 1) + "/ in --output"
                            + " (only that folder) leaves the output as its last update made it."), true);
        }
        if (settings.pca() && settings.pcaK() > images) {
            // The output holds this job's bookkeeping now: say how to go on (a plain retry is refused, not empty).
            return fail("--pca-k " + settings.pcaK() + " is larger than the number of images (" + images
                    + "): " + dev.orchard.stats.PcaModel.kAdvice(images)
                    + (base == null
                    ? " and go on with --resume and the new --pca-k (a job that has not published takes another k)"
                    : " and run this update again with it (an update that has not published takes another k), or the"
                            + " same command once the input holds at least " + settings.pcaK() + " images"), true);
        }
        completePlan();
        progress();
        afterProgress(now);
        return drain();
    }

    public List<Decision> listingFailed(String reason, long now) {
        return fail("Listing the input failed after " + listing.listed() + " images: " + reason, false);
    }

    /** A file of Orchard's in the output, damaged since it was written, stops the job: only the user can mend it. */
    public List<Decision> outputDamaged(String reason, long now) {
        return fail(reason, true);
    }

    /** Plans a group of units and listing problems; the groups are journalled one at a time, in order. */
    private void plan(List<List<ImageRef>> cut, List<ImageError> listedSkips) {
        List<ImageError> skippedInputs = skip(listedSkips);
        if (cut.isEmpty() && skippedInputs.isEmpty()) {
            return;
        }
        listing.add(cut, skippedInputs, this::newUnit);
        writeNextPlanGroup();
        progress();
    }

    /** Of {@code listed}, those not skipped before: now kept by the plan and counted as errors. */
    private List<ImageError> skip(List<ImageError> listed) {
        List<ImageError> fresh = listing.skip(listed);
        errors += fresh.size();
        return fresh;
    }

    private void writeNextPlanGroup() {
        PlanGroup next = listing.nextToWrite();
        if (next != null) {
            out.add(new Decision.Journal(next));
        }
    }

    private Unit newUnit(List<ImageRef> images) {
        Unit u = new Unit(units.size(), PackedImages.pack(images, labels));
        units.add(u);
        openUnits++;
        return u;
    }

    /** A journal entry is durable: what it records now counts. */
    public List<Decision> journalled(JournalEntry entry, long now) {
        if (entry instanceof PlanGroup g) {
            List<Unit> group = listing.journalled(g.group());
            if (group != null) {
                group.forEach(u -> makePending(u, false));
                writeNextPlanGroup();
            }
            completePlan();
        } else if (entry instanceof Split s) {
            for (int i = s.children().size() - 1; i >= 0; i--) { // to the front of the queue, in their order
                makePending(units.get(s.children().get(i).id()), true);
            }
        } else if (entry instanceof Commit c) {
            commitJournalled(c);
        } else if (entry instanceof PlanComplete c && planComplete == null) {
            planComplete = c;
            if (base != null && !base.regroupsMade()) { // a resumed coordinator made them from the journal
                base.makeRegroups(pending);
            }
        } else if (entry instanceof Regrouped r) {
            if (base != null) {
                base.regroupJournalled(r);
            }
        } else if (entry instanceof JournalEntry.Published p) {
            if (stage == Stage.PUBLISHING) {
                startWriting(now, parts.size());
            }
            return drain();
        } else if (entry instanceof Quarantine q) {
            Unit u = units.get(q.unit());
            if (u.status == Unit.Status.QUARANTINING) {
                u.status = Unit.Status.QUARANTINED;
                u.report = new UnitReport(0, List.of(q.error()), 0, 0, UnitReport.StageNanos.ZERO);
                openUnits--;
                countDone(u.report, +1);
                progress();
            }
        }
        dispatch(now);
        afterProgress(now);
        return drain();
    }

    /** The listing's end is journalled only after every group it planned: the journal never claims a unit it lacks. */
    private void completePlan() {
        if (listingComplete && listing.allJournalled() && !planCompleted) {
            planCompleted = true;
            out.add(new Decision.Journal(new PlanComplete(units.size(), listing.listed(),
                    base == null ? List.of() : base.retirements(), base == null ? null : base.counts(), settings.partBytes(),
                    settings.maxUnitsPerPart())));
        }
    }

    private void makePending(Unit u, boolean front) {
        if (u.status == Unit.Status.PLANNED) {
            u.status = Unit.Status.PENDING;
            pending.add(u, front);
        }
    }

    /** The units of a journalled statistics file are done; the worker that wrote it may forget it. */
    private void commitJournalled(Commit c) {
        if (!journalled.add(c.statistics())) {
            return;
        }
        statisticsFiles.add(c.statistics());
        String owner = null;
        for (UnitRecord r : c.units()) {
            Unit u = units.get(r.id());
            if (u.status != Unit.Status.COMMITTING) {
                throw new IllegalStateException("unit " + u.id + " journalled while " + u.status);
            }
            owner = u.owner;
            u.status = Unit.Status.DONE;
            openUnits--;
            WorkerView w = workers.get(u.owner);
            if (w != null) {
                w.accepted.remove(u.id);
            }
        }
        if (owner != null && workers.containsKey(owner)) {
            out.add(new Tell(owner, new WorkerCommand.CommitAck(epoch, c.statistics(), true)));
        }
    }

    public List<Decision> journalFailed(JournalEntry entry, String reason, long now) {
        return fail("Cannot write the job journal: " + reason, false);
    }

    // ---------------------------------------------------------------- workers

    /** A worker's heartbeat and pull: reconcile what it holds with what we think it holds, then hand out work. */
    public List<Decision> status(WorkerStatus s, long now) {
        WorkerView w = heard(s.workerId(), now);
        if (s.seq() <= w.statusSeq) {
            return drain(); // an older status overtaken by a newer one
        }
        w.statusSeq = s.seq();
        w.info = s.info() != null ? s.info() : WorkerInfo.UNKNOWN;
        boolean ours = s.epoch() == epoch;
        if (!ours) {
            servesAnother(w);
        }
        long seen = ours ? s.assignSeqSeen() : 0;
        w.assignSeqSeen = Math.max(w.assignSeqSeen, seen);
        Set<Integer> held = new HashSet<>();
        Set<Integer> acceptedHeld = new HashSet<>();
        if (ours) {
            s.attempts().forEach(a -> held.add(a.attempt()));
            s.accepted().forEach(a -> acceptedHeld.add(a.attempt()));
        }
        // An assignment the worker has seen past but does not hold never arrived (or was dropped): hand it out
        // again. Not a failure: nothing ran.
        for (Map.Entry<Integer, Task> e : List.copyOf(w.live.entrySet())) {
            Live l = e.getValue().live.get(e.getKey());
            if (l != null && l.assignSeq() <= seen && !held.contains(e.getKey())) {
                out.add(s.stopping() ? new Decision.Note(capitalized(e.getValue().describe()) + " was given back by " + w.id
                                + ", which is stopping: handing it out again")
                        : new Decision.Warn("Assignment of " + e.getValue().describe() + " to " + w.id
                                + " was lost: handing it out again"));
                lostAssignments += s.stopping() ? 0 : 1;
                endAttempt(e.getValue(), e.getKey());
                requeueIfIdle(e.getValue(), true);
            }
        }
        // Accepted statistics the worker no longer holds are gone: the unit is redone.
        if (ours) {
            for (int id : List.copyOf(w.accepted)) {
                Unit u = units.get(id);
                if (u.status == Unit.Status.ACCEPTED && u.accepted.epoch() == epoch
                        && assignSeqs.getOrDefault(u.winner, Long.MAX_VALUE) <= seen
                        && !held.contains(u.winner) && !acceptedHeld.contains(u.winner)) {
                    out.add(new Decision.Warn("Worker " + w.id + " no longer holds the statistics of unit " + id
                            + ": redoing it"));
                    unaccept(u);
                }
            }
        }
        int inFlight = 0;
        for (Map.Entry<Integer, Task> e : w.live.entrySet()) {
            Live l = e.getValue().live.get(e.getKey());
            if (l != null && l.assignSeq() > seen) {
                inFlight++;
            }
        }
        w.freeSlots = Math.max(0, s.freeSlots() - inFlight);
        if (!minWorkersMet && workers.values().stream().filter(x -> !x.gone).count() >= settings.minWorkers()) {
            minWorkersMet = true;
            out.add(new Decision.Note(settings.minWorkers() + (settings.minWorkers() == 1 ? " worker has" : " workers have")
                    + " joined: handing out work"));
        }
        dispatch(now);
        requestCommits(now);
        afterProgress(now);
        return drain();
    }

    public List<Decision> finished(UnitFinished m, long now) {
        WorkerView w = heard(m.workerId(), now);
        Task t = m.epoch() == epoch ? byAttempt.get(m.attempt()) : null;
        if (t == null || t.id != m.unitId()) {
            out.add(new Tell(w.id, new WorkerCommand.Verdict(m.epoch(), m.unitId(), m.attempt(), false)));
            return drain();
        }
        Live l = t.live.get(m.attempt());
        if (l != null) { // not a copy of a result already answered (byAttempt keeps every attempt)
            w.failuresInARow = 0; // it finishes attempts again, whether this one wins or not
            w.lastProgressMs = now;
        }
        endAttempt(t, m.attempt());
        if (spent.contains(m.attempt())) {
            out.add(new Tell(w.id, new WorkerCommand.Verdict(epoch, t.id, m.attempt(), false)));
            return drain();
        }
        if (t.winner == m.attempt()) {
            out.add(new Tell(w.id, new WorkerCommand.Verdict(epoch, t.id, m.attempt(), true))); // a retry
            return drain();
        }
        if (t.winner >= 0 || !stillWanted(t)) {
            spent.add(m.attempt()); // lost once, lost for good: its files are deleted now
            out.add(new Tell(w.id, new WorkerCommand.Verdict(epoch, t.id, m.attempt(), false)));
            out.add(new Decision.DeleteAttempt(t.phase, new AttemptRef(epoch, t.id, m.attempt())));
            dispatch(now);
            afterProgress(now);
            return drain();
        }
        // The first finished attempt wins; every other attempt of this unit will lose.
        t.winner = m.attempt();
        t.owner = w.id;
        pending.remove(t);
        w.won++;
        if (l != null) {
            speculation.finished(now - l.startedMs());
        }
        out.add(new Tell(w.id, new WorkerCommand.Verdict(epoch, t.id, m.attempt(), true)));
        if (t instanceof Unit u) {
            u.status = Unit.Status.ACCEPTED;
            u.accepted = new AttemptRef(epoch, u.id, m.attempt());
            u.report = m.report();
            w.accepted.add(u.id);
            w.images += m.report().rows() + m.report().errors().size();
            countDone(u.report, +1);
            progress();
            if (stopping) {
                askForCommit(w, now); // a unit it ran as the stop began: its file is wanted now, not next interval
            }
        } else if (t instanceof Part p) {
            p.status = Part.Status.PROMOTING;
            out.add(new Decision.Promote(p.id, new AttemptRef(epoch, p.id, m.attempt())));
        } else if (t instanceof Regroup g) {
            if (m.report().rows() != g.keptRows) {
                return fail("Regrouping base part " + g.id + " kept " + m.report().rows() + " rows where its inventory"
                        + " says " + g.keptRows + ": the output's bookkeeping does not match its parts (was it edited?)",
                        false);
            }
            g.status = Regroup.Status.JOURNALLING;
            g.accepted = new AttemptRef(epoch, g.id, m.attempt());
            g.rowsBytes = m.report().rowsBytes();
            out.add(new Decision.Journal(new Regrouped(g.id, epoch, m.attempt(), m.report().rows(),
                    m.report().rowsBytes())));
        }
        dispatch(now);
        requestCommits(now);
        afterProgress(now);
        return drain();
    }

    public List<Decision> failed(UnitFailed m, long now) {
        WorkerView w = heard(m.workerId(), now);
        out.add(new Tell(w.id, new WorkerCommand.Verdict(m.epoch(), m.unitId(), m.attempt(), false)));
        Task t = m.epoch() == epoch ? byAttempt.get(m.attempt()) : null;
        if (t == null || t.id != m.unitId() || !t.live.containsKey(m.attempt())) {
            return drain(); // a retry of a failure already counted, or an attempt already given up on
        }
        long begun = t.live.get(m.attempt()).startedMs();
        endAttempt(t, m.attempt());
        out.add(new Decision.Warn(t.describe() + " failed on " + w.id + ": " + m.reason()));
        t.failedOn(w.id);
        // Attempts that were running when the worker last failed fail with it (an outage takes every lane at once):
        // one failure in a row, not one each.
        if (begun >= w.lastFailureMs && ++w.failuresInARow == settings.maxFailures()) {
            out.add(new Decision.Warn("Worker " + w.id + " failed " + w.failuresInARow + " times in a row (last"
                    + " reason: " + m.reason() + "): while other workers do the work, it gets none for "
                    + PASS_OVER_MS / 1000 + " s after each failure"));
        }
        w.lastFailureMs = now;
        if (stillWanted(t) && t.winner < 0) {
            if (m.damagedFile()) {
                // A file of Orchard's in the output, damaged since it was written: every worker reads the same one,
                // and only the user can mend it, so neither another attempt nor --resume would help.
                return fail(capitalized(t.describe()) + " failed: " + m.reason(), true);
            }
            if (++t.failures >= settings.maxFailures()) {
                return fail(failedTimes(t) + "; last reason: " + goesOn(m.reason()), false);
            }
            requeueIfIdle(t, true);
        }
        dispatch(now);
        afterProgress(now);
        return drain();
    }

    public List<Decision> committed(StatisticsCommitted m, long now) {
        WorkerView w = heard(m.workerId(), now);
        if (m.epoch() != epoch) {
            out.add(new Tell(w.id, new WorkerCommand.CommitAck(m.epoch(), m.file(), false)));
            return drain();
        }
        if (journalled.contains(m.file())) {
            out.add(new Tell(w.id, new WorkerCommand.CommitAck(epoch, m.file(), true))); // a retry
            return drain();
        }
        if (refused.contains(m.file())) {
            out.add(new Tell(w.id, new WorkerCommand.CommitAck(epoch, m.file(), false)));
            return drain();
        }
        boolean whole = !m.attempts().isEmpty();
        boolean inProgress = false;
        for (AttemptRef a : m.attempts()) {
            Unit u = a.unit() >= 0 && a.unit() < units.size() ? units.get(a.unit()) : null;
            if (u != null && u.status == Unit.Status.COMMITTING && a.equals(u.accepted) && m.file().equals(u.statistics)) {
                inProgress = true; // being journalled: the answer follows
            } else if (u == null || u.status != Unit.Status.ACCEPTED || !a.equals(u.accepted) || !w.id.equals(u.owner)) {
                whole = false;
            }
        }
        if (inProgress) {
            return drain();
        }
        if (!whole) {
            // It holds an attempt that is no longer the accepted one (or a unit owned elsewhere): the file cannot
            // be used as a whole. The accepted attempts in it lost their statistics with it.
            refused.add(m.file());
            out.add(new Decision.Warn("Refusing statistics " + m.file() + " of " + w.id
                    + ": it holds attempts that are no longer accepted"));
            out.add(new Tell(w.id, new WorkerCommand.CommitAck(epoch, m.file(), false)));
            out.add(new Decision.DeleteStatistics(m.file()));
            for (AttemptRef a : m.attempts()) {
                Unit u = a.unit() >= 0 && a.unit() < units.size() ? units.get(a.unit()) : null;
                if (u != null && u.status == Unit.Status.ACCEPTED && a.equals(u.accepted) && w.id.equals(u.owner)) {
                    unaccept(u);
                }
            }
            dispatch(now);
            return drain();
        }
        List<UnitRecord> records = new ArrayList<>();
        for (AttemptRef a : m.attempts()) {
            Unit u = units.get(a.unit());
            u.status = Unit.Status.COMMITTING;
            u.statistics = m.file();
            records.add(UnitRecord.of(u.accepted, u.report));
        }
        // Journal first, then count: a coordinator that dies in between redoes these units, never counts twice.
        out.add(new Decision.Journal(new Commit(m.file(), records)));
        return drain();
    }

    public List<Decision> lost(StatisticsLost m, long now) {
        WorkerView w = heard(m.workerId(), now);
        if (m.epoch() != epoch) {
            return drain();
        }
        for (AttemptRef a : m.attempts()) {
            Unit u = a.unit() >= 0 && a.unit() < units.size() ? units.get(a.unit()) : null;
            if (u != null && u.status == Unit.Status.ACCEPTED && a.equals(u.accepted) && w.id.equals(u.owner)) {
                out.add(new Decision.Warn("Statistics of unit " + u.id + " could not be written by " + w.id + ": "
                        + m.reason()));
                unaccept(u);
                u.failedOn(w.id);
                if (++u.failures >= settings.maxFailures()) {
                    return fail("The statistics of unit " + u.id + " could not be written " + u.failures
                            + " times; last reason: " + goesOn(m.reason()), false);
                }
            }
        }
        dispatch(now);
        return drain();
    }

    /** A worker left the cluster, was downed, or fell silent: what it held is handed out again. */
    public List<Decision> workerGone(String workerId, long now) {
        WorkerView w = workers.get(workerId);
        if (w != null && !w.gone) {
            forget(w, now);
            dispatch(now);
            afterProgress(now);
        }
        return drain();
    }

    private void forget(WorkerView w, long now) {
        w.gone = true;
        workersLost++;
        int running = 0; // attempts whose work is still wanted: a losing copy of a unit won elsewhere is not redone
        for (Map.Entry<Integer, Task> e : List.copyOf(w.live.entrySet())) {
            Task t = e.getValue();
            if (stillWanted(t) && t.winner < 0) {
                running++;
            }
            endAttempt(t, e.getKey());
            if (t instanceof Unit u && stillWanted(u) && u.winner < 0 && ++u.crashLosses >= settings.maxCrashLosses()) {
                isolate(u); // its other attempts, if any, lose
            } else {
                requeueIfIdle(t, true);
            }
        }
        int finished = 0;
        for (int id : List.copyOf(w.accepted)) {
            Unit u = units.get(id);
            if (u.status == Unit.Status.ACCEPTED) {
                unaccept(u); // its statistics were in the lost worker's memory
                finished++;
            }
        }
        w.accepted.clear();
        // The finished units too: "its unfinished units are handed out again" hid the 800 images of finished units
        // redone when a frozen worker was downed, and the progress fell from 850 to 50 with no word (a chaos walk).
        out.add(new Decision.Warn("Worker " + w.id + " is gone; " + (running + finished == 0 ? "nothing it held is done again"
                : "what it held is done again: " + running + " attempt(s) running and " + finished + " finished unit(s)"
                        + " whose statistics it had not committed (they were in its memory)")));
    }

    /**
     * A worker's latest status carries another coordinator's epoch: whatever it held of ours, its ledger dropped when
     * it took that epoch (a late assignment of an earlier coordinator can take it; seed 1122565 of the simulator). The
     * assignments it had seen and the statistics it had not written are handed out again; it is not gone, and serves
     * us again at our next assignment. (A worker that has yet to serve us holds nothing of ours: nothing changes. Nor
     * does a status that left the worker before it took our epoch and came after its results: a worker's messages to
     * the coordinator arrive in order. The simulator reorders them, and such a status costs a unit redone.)
     */
    private void servesAnother(WorkerView w) {
        int attempts = 0;
        for (Map.Entry<Integer, Task> e : List.copyOf(w.live.entrySet())) {
            Live l = e.getValue().live.get(e.getKey());
            if (l != null && l.assignSeq() <= w.assignSeqSeen) {
                attempts++;
                endAttempt(e.getValue(), e.getKey());
                requeueIfIdle(e.getValue(), true);
            }
        }
        List<Integer> redone = new ArrayList<>();
        for (int id : List.copyOf(w.accepted)) {
            Unit u = units.get(id);
            if (u.status == Unit.Status.ACCEPTED && u.accepted.epoch() == epoch) {
                redone.add(id);
                unaccept(u);
            }
        }
        w.assignSeqSeen = 0;
        if (attempts > 0 || !redone.isEmpty()) {
            out.add(new Decision.Warn("Worker " + w.id + " now serves another coordinator: " + attempts
                    + " of its attempts handed out again" + (redone.isEmpty() ? "" : ", units " + redone + " redone")));
        }
    }

    /** The clock: silent workers, attempts past the timeout, the minimum of workers, commit requests, speculation. */
    public List<Decision> tick(long now) {
        if (stage == Stage.FINISHED || stage == Stage.FAILED) {
            return drain();
        }
        for (WorkerView w : List.copyOf(workers.values())) {
            if (!w.gone && now - w.lastHeardMs > settings.workerTimeoutMs()) {
                out.add(new Decision.Warn("Worker " + w.id + " has been silent for " + (now - w.lastHeardMs) + " ms"));
                forget(w, now);
            } else if (!w.gone) {
                resendUnseen(w, now);
            }
        }
        for (Task t : List.copyOf(running)) {
            if (t.live.isEmpty() || !stillWanted(t) || t.winner >= 0 || now - t.lastTimeoutMs <= settings.unitTimeoutMs()) {
                continue;
            }
            boolean allLate = t.live.values().stream().allMatch(l -> now - l.startedMs() > settings.unitTimeoutMs());
            if (allLate) {
                // Counted again each timeout period while no attempt finishes, even if no worker is free to take
                // a copy: a job whose every worker hangs fails, it does not wait forever.
                t.lastTimeoutMs = now;
                // A unit that hangs every worker (an image that stalls the decoder, say) must end the job, not
                // hold a lane each time forever: a timeout counts as a failed attempt.
                t.timedOut();
                timeouts++; // the one that ends the job too (/metrics showed 2 of 3)
                if (t.failures >= settings.maxFailures()) {
                    return fail(timeoutReason(t, now), false);
                }
                out.add(new Decision.Warn(capitalized(t.describe()) + " has run over " + settings.unitTimeoutMs()
                        + " ms: handing it out again"));
                pending.add(t, true); // its attempts stay live: whichever finishes first wins
            }
        }
        if (!minWorkersMet && now - startedMs > settings.minWorkersWaitMs()) {
            // With what to do next (an operator's walk: it said what to check, not how to go on).
            return fail(goesOn("Only " + liveWorkers() + " of the " + settings.minWorkers() + " workers asked for "
                    + "(--min-workers) joined within " + settings.minWorkersWaitMs() / 1000 + " s: check that the worker "
                    + "nodes run and that their --join names this coordinator, or ask for fewer with --min-workers"),
                    false);
        }
        noteWaitingForWorkers(now);
        if (settings.minWorkersWaitMs() > 0 && waitingForWorkersSinceMs >= 0 && minWorkersMet
                && now - waitingForWorkersSinceMs > settings.minWorkersWaitMs()) {
            // Work waited with no live worker as long as --min-workers-timeout: with one worker, whose loss the
            // split-brain resolver answers by downing the worker, not the coordinator, the job waited for good (a
            // user's kill -9); and for good too where none ever joined. Not in `orchard run` (no wait: 0), whose
            // workers share its JVM and speak again after it stood still (the review of the change).
            return fail("No worker has been live for " + settings.minWorkersWaitMs() / 1000 + " s (--min-workers-timeout)"
                    + " while work waited: " + (workers.isEmpty() ? "none has joined" : "the " + workers.size()
                    + " that joined left or were lost") + ". Check that the worker nodes run, that their --join names"
                    + " this coordinator, and that they run its Orchard build" + ANOTHER_BUILD + GOES_ON, false);
        }
        dispatch(now);
        requestCommits(now);
        afterProgress(now);
        return drain();
    }

    /**
     * Work that waits for workers says so every {@link #WAITING_NOTE_MS}: a coordinator whose workers had not joined
     * (not started, a wrong --join, or a worker of an earlier job that rejoins only after its --rejoin-after) said
     * nothing at all while it waited.
     */
    private void noteWaitingForWorkers(long now) {
        boolean waiting = pending.size() > 0 && (!minWorkersMet || liveWorkers() == 0);
        if (!waiting) {
            waitingForWorkersSinceMs = -1;
            return;
        }
        if (waitingForWorkersSinceMs < 0) {
            waitingForWorkersSinceMs = now;
            waitingNotedMs = now;
        }
        if (now - waitingNotedMs < WAITING_NOTE_MS) {
            return;
        }
        waitingNotedMs = now;
        out.add(new Decision.Note("Waiting " + (now - waitingForWorkersSinceMs) / 1000 + " s for workers: "
                + (minWorkersMet ? (workers.isEmpty() ? "none has joined" : "none is live (" + workers.size()
                        + " joined and left)") : liveWorkers() + " of the " + settings.minWorkers()
                        // the time left, as the console and the status page say it (it said the whole timeout: a walk)
                        + " asked for (--min-workers) have joined; the job fails in "
                        + Math.round(workerWait(now).failsInMs() / 1000.0) + " s without them")
                + ". Check that the worker nodes run, that their --join names this coordinator, and that they run its"
                + " Orchard build" + ANOTHER_BUILD + "; a worker node that served an earlier job rejoins within seconds"
                + " of its coordinator node's end, or after its --rejoin-after (60 s by default) where another"
                + " coordinator node stays in its cluster"));
    }

    /** Where a worker of another Orchard build shows: it is refused as it joins, before the coordinator hears of it. */
    static final String ANOTHER_BUILD = " (one of another is refused as it joins: the log says \"Found incompatible"
            + " settings\", naming both builds)";

    /** How often work that waits for workers says so in the log. */
    static final long WAITING_NOTE_MS = 30_000;

    /** How long a worker that failed {@code maxFailures} times in a row gets no work while others do it. */
    static final long PASS_OVER_MS = 60_000;

    // ---------------------------------------------------------------- solve, publish, finish

    public List<Decision> solved(int k, long now) {
        if (stage != Stage.SOLVING) {
            return drain();
        }
        endStage("solve", now);
        startPublishing(now);
        return drain();
    }

    public List<Decision> solveFailed(String reason, boolean badInput, long now) {
        String refused = badInput ? refusedImages() : "";
        return fail(refused.isEmpty() || reason.endsWith(".") ? reason + refused : reason + "." + refused, badInput);
    }

    /** The most refused images a failed job's message names. */
    private static final int REFUSED_SHOWN = 10;

    /**
     * How many files the job could not use, and the first few by path with why: a failed job writes no errors.csv.
     * Files, not images: what the listing skipped (a link, an unreadable folder) is among them (a walk counted 53
     * "images" of a 51-image input).
     */
    private String refusedImages() {
        List<ImageError> errors = new ArrayList<>(outputs().errors());
        if (errors.isEmpty()) {
            return "";
        }
        errors.sort(java.util.Comparator.comparing(ImageError::path));
        int shown = Math.min(REFUSED_SHOWN, errors.size());
        StringBuilder text = new StringBuilder(" ").append(errors.size()).append(errors.size() == 1
                ? " file could not be used: " : " files could not be used" + (shown < errors.size()
                ? ", the first " + shown + ": " : ": "));
        for (int i = 0; i < shown; i++) {
            text.append(i == 0 ? "" : "; ").append(errors.get(i).path()).append(" (").append(errors.get(i).reason()).append(')');
        }
        return text.append(shown < errors.size() ? "; …" : "").toString();
    }

    public List<Decision> promoted(int part, long now) {
        Part p = part >= 0 && part < parts.size() ? parts.get(part) : null;
        if (p != null && p.status == Part.Status.PROMOTING) {
            p.status = Part.Status.PUBLISHED;
            openParts--;
        }
        afterProgress(now);
        return drain();
    }

    public List<Decision> promoteFailed(int part, String reason, long now) {
        return fail("Cannot publish part " + part + ": " + reason, false);
    }

    public List<Decision> outputsWritten(long now) {
        if (stage != Stage.WRITING) {
            return drain();
        }
        endStage("finish", now);
        stageSeconds.put("total", (now - startedMs) / 1000.0);
        stage = Stage.FINISHED;
        for (WorkerView w : workers.values()) {
            if (!w.gone) {
                out.add(new Tell(w.id, new WorkerCommand.JobFinished(epoch)));
            }
        }
        out.add(new Decision.Finished(outputs()));
        return drain();
    }

    public List<Decision> outputsFailed(String reason, long now) {
        return fail(reason, false);
    }

    /** Ends the job from outside (the cluster was lost, the lease was taken). */
    public List<Decision> abort(String reason, long now) {
        return fail(reason, false);
    }

    // ---------------------------------------------------------------- internals

    private WorkerView heard(String id, long now) {
        WorkerView w = workers.computeIfAbsent(id, x -> new WorkerView(x, now));
        w.gone = false; // a worker declared gone that speaks again was only silent: what it held was handed out again
        w.lastHeardMs = now;
        return w;
    }

    /** The least silence after which a worker is {@link #quiet}: its statuses come every second. */
    static final long QUIET_MS = 3_000;

    private void dispatch(long now) {
        if (stopping || !minWorkersMet || (stage != Stage.FEATURES && stage != Stage.PUBLISHING)
                || (stage == Stage.PUBLISHING && clearingPublishAttempts)) {
            return;
        }
        for (WorkerView w : workers.values()) {
            while (!w.gone && w.freeSlots > 0 && !quiet(w, now) && !passedOver(w, now)) {
                Task t = nextFor(w, now);
                if (t == null) {
                    break;
                }
                assign(w, t, now);
            }
        }
    }

    /** The next task for this worker: the head of the queue, else (at the tail) a copy of a slow attempt. */
    private Task nextFor(WorkerView w, long now) {
        List<WorkerView> others = workers.values().stream().filter(x -> x != w && productive(x, now)).toList();
        boolean onlyWorker = others.isEmpty();
        // A task it already runs is passed over: the copy is for someone else. So is one that failed here while
        // another worker that works, where it neither failed nor runs, can take it.
        java.util.function.Predicate<Task> elsewhere = t -> t.hasFailedOn(w.id)
                && others.stream().anyMatch(x -> !t.hasFailedOn(x.id) && !t.runsOn(x.id));
        Task head = pending.take(t -> t.runsOn(w.id) && !onlyWorker || elsewhere.test(t));
        if (head != null) {
            return head;
        }
        boolean tail = stage == Stage.PUBLISHING || (stage == Stage.FEATURES && listingComplete && listing.allJournalled());
        if (!tail) {
            return null;
        }
        Task slowest = speculation.slowest(running, w.id, now, elsewhere);
        if (slowest != null) {
            out.add(new Decision.Warn(capitalized(slowest.describe()) + " runs long: speculative copy to " + w.id));
            speculative++;
        }
        return slowest;
    }

    /**
     * Whether a worker is passed over: it failed {@code maxFailures} times in a row (attempts that fail together
     * count once), the last less than {@link #PASS_OVER_MS} ago, and another worker does the work. A worker that
     * could not read the job's model failed every unit it took, each at once, so it took one unit three times and
     * ended the job while a healthy worker ran.
     * Nothing waits on it for good: after the pause it takes work again (a failure passes it over anew), and where no
     * other worker is {@link #productive} it takes work at once, so a unit that fails everywhere still ends the job.
     */
    private boolean passedOver(WorkerView w, long now) {
        return resting(w, now) && workers.values().stream().anyMatch(x -> x != w && productive(x, now));
    }

    private boolean resting(WorkerView w, long now) {
        return w.failuresInARow >= settings.maxFailures() && now - w.lastFailureMs < PASS_OVER_MS;
    }

    /**
     * Whether a worker does work now or soon: live, not resting after failures, with a free lane or an attempt finished
     * within the unit timeout. A {@link #quiet} one counts: it is given nothing while quiet, but a unit that failed on a
     * broken worker still waits for it rather than going back to the broken one (the review: a healthy worker's
     * statuses 6 s late let a worker without its model fail a unit three times and end the job). A worker whose lanes
     * hang on attempts that others have won since (a read that never returns) still speaks, but finishes nothing: no
     * task waits for it.
     */
    private boolean productive(WorkerView x, long now) {
        return !x.gone && !resting(x, now) && (x.freeSlots > 0 || now - x.lastProgressMs <= settings.unitTimeoutMs());
    }

    /**
     * Whether a worker's statuses have stopped coming (they come every second): none for longer than an assignment
     * may take to show in them ({@code assignRetryMs}). It is not gone ({@code workerTimeoutMs}), and what it runs
     * stays its own; but work sent to it now may never reach it (cut off from the coordinator, it was sent a
     * speculative copy that waited there until it was gone: a user's walk), so it is given none until it speaks
     * again; its next status fills its free slots. At least {@link #QUIET_MS}, three statuses' time, whatever
     * {@code assignRetryMs} is set to.
     */
    private boolean quiet(WorkerView w, long now) {
        return now - w.lastHeardMs > Math.max(settings.assignRetryMs(), QUIET_MS);
    }

    private void assign(WorkerView w, Task t, long now) {
        int attempt = nextAttempt++;
        long seq = w.nextAssignSeq++;
        t.live.put(attempt, new Live(w.id, now, seq));
        running.add(t);
        byAttempt.put(attempt, t);
        assignSeqs.put(attempt, seq);
        w.live.put(attempt, t);
        w.freeSlots--;
        w.assigned++;
        attemptsIssued++;
        out.add(new Assign(w.id, seq, workUnit(t, attempt)));
    }

    private WorkUnit workUnit(Task t, int attempt) {
        if (t instanceof Unit u) {
            return WorkUnit.features(epoch, u.id, attempt, u.images.unpack(labels));
        }
        return t instanceof Part p ? WorkUnit.publish(epoch, p.id, attempt, p.sources)
                                   : WorkUnit.regroup(epoch, t.id, attempt);
    }

    /**
     * Sends again an assignment the worker has not acknowledged (by a status that has seen it) for a while: it was
     * lost, or is late. The worker ignores a copy of one it has.
     */
    private void resendUnseen(WorkerView w, long now) {
        for (Map.Entry<Integer, Task> e : w.live.entrySet()) {
            Live l = e.getValue().live.get(e.getKey());
            if (l != null && l.assignSeq() > w.assignSeqSeen && now - l.sentMs >= settings.assignRetryMs()) {
                l.sentMs = now;
                out.add(new Assign(w.id, l.assignSeq(), workUnit(e.getValue(), e.getKey())));
            }
        }
    }

    private void endAttempt(Task t, int attempt) {
        Live l = t.live.remove(attempt);
        if (l != null) {
            WorkerView w = workers.get(l.worker());
            if (w != null) {
                w.live.remove(attempt);
            }
        }
        if (t.live.isEmpty()) {
            running.remove(t);
        }
    }

    /** Whether the task is still part of the job (not split away, not already done). */
    private boolean stillWanted(Task t) {
        if (t instanceof Unit u) {
            return u.status == Unit.Status.PENDING;
        }
        if (t instanceof Regroup g) {
            return g.status == Regroup.Status.PENDING && stage == Stage.FEATURES;
        }
        return ((Part) t).status == Part.Status.PENDING && stage == Stage.PUBLISHING;
    }

    private void requeueIfIdle(Task t, boolean front) {
        if (t.live.isEmpty() && t.wantsAttempt()) {
            pending.add(t, front);
        }
    }

    /**
     * An accepted unit whose statistics are gone: back to pending; its rows file loses, and its worker's share no
     * longer counts it (a fresh job whose worker was killed said "3433 featurised by this run" of 3049 images, and
     * gave the dead worker units that were all done again).
     */
    private void unaccept(Unit u) {
        WorkerView w = workers.get(u.owner);
        if (w != null) {
            w.accepted.remove(u.id);
            w.wonThenLost++; // not won-- : won paces its commit requests
            w.images -= u.report.rows() + u.report.errors().size();
        }
        out.add(new Decision.DeleteAttempt(Phase.FEATURES, u.accepted));
        if (u.accepted.epoch() == epoch) {
            spent.add(u.winner);
        }
        countDone(u.report, -1);
        u.status = Unit.Status.PENDING;
        u.winner = -1;
        u.owner = null;
        u.accepted = null;
        u.report = null;
        u.statistics = null;
        pending.add(u, true);
        progress();
    }

    /**
     * Why {@code t}'s timeouts end the job. Where they were periods of one attempt (no worker free for a copy: one
     * lane on a unit too large for the timeout, say), "ran over or failed 3 times" read as three attempts (a walk:
     * /metrics said 2 attempts and 2 timeouts).
     */
    private String timeoutReason(Task t, long now) {
        String advice = "a larger --unit-timeout" + (t instanceof Unit ? " or a smaller --unit-size" : "");
        String what = capitalized(t.describe()) + " ran over the unit timeout (" + settings.unitTimeoutMs() + " ms) ";
        if (t.timeouts < t.failures) {
            return failedTimes(t) + ", the last a timeout period: check its images, or try " + advice + GOES_ON;
        }
        if (t.lateAttempts() == 1) {
            long ran = now - t.live.values().iterator().next().startedMs();
            return what + t.timeouts + " times: each period counts, and all were of its one attempt, which ran "
                    + ran / 1000 + " s without finishing (no copy of it lasted to a period's end). Try " + advice
                    + ", or check its images" + GOES_ON;
        }
        return what + t.timeouts + " times, with " + t.lateAttempts() + " attempts (each period counts, whether or not"
                + " a copy could be handed out): check its images, or try " + advice + GOES_ON;
    }

    /** "Unit 0 failed 3 times", with how many of them were timeout periods where any were. */
    private String failedTimes(Task t) {
        return capitalized(t.describe()) + " failed " + t.failures + " times" + (t.timeouts == 0 ? ""
                : " (" + t.timeouts + " of them --unit-timeout periods of " + settings.unitTimeoutMs()
                + " ms with no attempt finished)");
    }

    /** A unit that kept losing its workers: split into single images, or, for a single image, given up on. */
    private void isolate(Unit u) {
        List<ImageRef> images = u.images.unpack(labels);
        pending.remove(u);
        if (images.size() == 1) {
            u.status = Unit.Status.QUARANTINING;
            ImageError error = new ImageError(images.get(0).path(), "not processed: the worker processing it was lost "
                    + u.crashLosses + " times (the image may crash the decoder or ONNX Runtime); it was skipped");
            out.add(new Decision.Warn("Quarantining " + images.get(0).path() + ": it took down " + u.crashLosses + " workers"));
            out.add(new Decision.Journal(new Quarantine(u.id, error)));
            return;
        }
        u.status = Unit.Status.SPLIT;
        openUnits--;
        List<PlannedUnit> children = new ArrayList<>();
        for (ImageRef image : images) {
            Unit child = newUnit(List.of(image));
            children.add(new PlannedUnit(child.id, List.of(image)));
        }
        out.add(new Decision.Warn("Unit " + u.id + " lost its worker " + u.crashLosses + " times: trying its "
                + images.size() + " images one by one"));
        out.add(new Decision.Journal(new Split(u.id, children)));
    }

    private void requestCommits(long now) {
        if (stage != Stage.FEATURES) {
            return;
        }
        if (pending.size() > 0 && !stopping) {
            return; // work is left for it: it commits every few units by itself meanwhile
        }
        for (WorkerView w : workers.values()) {
            // A worker still running a unit is asked at most once per interval. One that runs nothing is asked at
            // once when it won an attempt since it was last asked: nothing more is coming from it, and the
            // stage cannot end before its statistics are written (waiting out the interval cost each job 1-2 s).
            boolean idleWithNew = w.live.isEmpty() && w.won != w.wonAtCommitRequest;
            if (!w.gone && !w.accepted.isEmpty() && (idleWithNew || now - w.lastCommitRequestMs >= settings.commitIntervalMs())) {
                if (holdsUncommitted(w)) {
                    askForCommit(w, now);
                }
            }
        }
    }

    /**
     * This coordinator is stopping (SIGTERM, Ctrl-C; a graceful handover to a standby): it hands out nothing more, and
     * asks every live worker that holds accepted statistics for its file now, so that what the workers finished is
     * journalled before it goes, and a --resume (or the standby) keeps it: before, a stopped coordinator's job redid
     * every unit its workers had not committed by themselves. The stop waits while {@link #awaitsCommits}.
     */
    public List<Decision> stopping(long now) {
        if (stopping || stage == Stage.FINISHED || stage == Stage.FAILED) {
            return drain();
        }
        stopping = true;
        if (stage == Stage.FEATURES) {
            for (WorkerView w : workers.values()) {
                if (!w.gone && holdsUncommitted(w)) {
                    askForCommit(w, now);
                }
            }
        }
        return drain();
    }

    /** Whether {@code w} holds accepted statistics it has not yet sent to be journalled. */
    private boolean holdsUncommitted(WorkerView w) {
        return w.accepted.stream().anyMatch(id -> units.get(id).status == Unit.Status.ACCEPTED);
    }

    /** Asks {@code w} for a statistics file now. */
    private void askForCommit(WorkerView w, long now) {
        w.lastCommitRequestMs = now;
        w.wonAtCommitRequest = w.won;
        out.add(new Tell(w.id, new WorkerCommand.CommitStatistics(epoch)));
    }

    /** Whether a live worker holds accepted statistics not yet journalled: a stopping coordinator waits for them. */
    public boolean awaitsCommits() {
        return stage == Stage.FEATURES && workers.values().stream().anyMatch(w -> !w.gone && !w.accepted.isEmpty());
    }

    /** Moves the job on when a stage has nothing left to do. */
    private void afterProgress(long now) {
        // The plan's end journalled first: it holds the part settings every later coordinator groups by.
        if (stage == Stage.FEATURES && listingComplete && listing.allJournalled() && openUnits == 0
                && planComplete != null && (base == null || base.allRegrouped())) {
            endStage("features", now);
            if (settings.pca()) {
                stage = Stage.SOLVING;
                BitSet expected = new BitSet();
                for (Unit u : units) {
                    if (u.status == Unit.Status.DONE) {
                        expected.set(u.id);
                    }
                }
                out.add(new Decision.StageStarted(Stage.SOLVING, "solving PCA"));
                out.add(new Decision.Solve(List.copyOf(statisticsFiles), expected,
                        base == null ? Collections.emptySortedMap() : base.untouched(),
                        base == null ? List.of() : base.regrouped(),
                        published != null));
            } else {
                startPublishing(now);
            }
        }
        if (stage == Stage.PUBLISHING && openParts == 0 && !publishJournalling) {
            publishJournalling = true;
            out.add(new Decision.Journal(new JournalEntry.Published(parts.size(),
                    parts.stream().map(p -> p.sources.size()).toList(), partBytes)));
        }
    }

    private void startWriting(long now, int partCount) {
        endStage("publish", now);
        stage = Stage.WRITING;
        out.add(new Decision.StageStarted(Stage.WRITING, WRITING_OUTPUTS));
        out.add(new Decision.WriteOutputs(outputs(partCount)));
    }

    /**
     * Groups the sources (an update's base parts, then the accepted rows files) into parts of about the target
     * size, and hands them out; after a restart that finds them published, rebuilds the same parts from the
     * journal and goes on to the final files.
     */
    private void startPublishing(long now) {
        stage = Stage.PUBLISHING;
        partBytes = published != null && published.partBytes() != null ? published.partBytes()
                : planComplete != null && planComplete.partBytes() != null ? planComplete.partBytes()
                : settings.partBytes();
        int maxUnitsPerPart = planComplete != null && planComplete.maxUnitsPerPart() != null
                ? planComplete.maxUnitsPerPart() : settings.maxUnitsPerPart();
        PartGrouping grouping = partGrouping();
        if (published != null && published.sourcesPerPart() != null) {
            List<List<PartSource>> groups = grouping.asPublished(published.sourcesPerPart());
            groups.forEach(this::addPart);
            if (!grouping.coversAll(groups) || parts.size() != published.parts()) {
                failing("The journal says " + published.parts() + " parts of " + published.sourcesPerPart()
                        + " sources were published, but the job has " + grouping.sources().size() + " sources: it was"
                        + " edited, or written by another version of Orchard", false);
                return;
            }
        } else {
            grouping.group(partBytes, maxUnitsPerPart).forEach(this::addPart);
        }
        if (published != null) {
            for (Part p : parts) {
                p.status = Part.Status.PUBLISHED;
                pending.remove(p);
            }
            openParts = 0;
            startWriting(now, published.parts()); // published before a restart: the final files are what is left
            return;
        }
        speculation.restart();
        out.add(new Decision.StageStarted(Stage.PUBLISHING, "publishing " + parts.size() + " part(s)"));
        clearingPublishAttempts = true;
        out.add(new Decision.ClearPublishAttempts());
        afterProgress(now);
    }

    /**
     * The generation's sources in order: the base generation's untouched parts of at least a quarter of the target
     * size, each a part of its own (its features file is kept as it is, only its projection is written again); then
     * the other base parts (smaller, or their kept rows), then the new units' rows, to be grouped to the target size.
     * The small ones are encoded again with what follows them, so small parts do not pile up update by update.
     */
    private PartGrouping partGrouping() {
        PartGrouping grouping = new PartGrouping();
        if (base != null) {
            base.addSources(grouping, partBytes);
        }
        for (Unit u : units) {
            if (u.status == Unit.Status.DONE && u.report.rows() > 0) {
                grouping.add(PartSource.rows(u.accepted), u.report.rowsBytes());
            }
        }
        return grouping;
    }

    /** Earlier coordinators' publish attempts are gone: the parts are handed out. */
    public List<Decision> publishAttemptsCleared(long now) {
        if (stage == Stage.PUBLISHING && clearingPublishAttempts) {
            clearingPublishAttempts = false;
            dispatch(now);
            afterProgress(now);
        }
        return drain();
    }

    public List<Decision> publishAttemptsClearFailed(String reason, long now) {
        return fail("Cannot delete the publish attempts of earlier coordinators: " + goesOn(reason), false);
    }

    private void addPart(List<PartSource> sources) {
        Part p = new Part(parts.size(), List.copyOf(sources));
        parts.add(p);
        openParts++;
        pending.add(p, false);
    }

    private Outputs outputs() {
        return outputs(parts.size());
    }

    private Outputs outputs(int partCount) {
        List<ImageError> all = new ArrayList<>(listing.skipped());
        long rows = 0;
        long bytesRead = 0;
        UnitReport.StageNanos stages = UnitReport.StageNanos.ZERO;
        int leaves = 0;
        long unlabelled = 0;
        for (Unit u : units) {
            if (u.report == null || u.status == Unit.Status.SPLIT) {
                continue;
            }
            leaves++;
            unlabelled += unlabelledRows(u);
            all.addAll(u.report.errors());
            rows += u.report.rows();
            bytesRead += u.report.bytesRead();
            stages = stages.plus(u.report.stages());
        }
        Map<String, WorkerShare> shares = new LinkedHashMap<>();
        for (WorkerView w : workers.values()) {
            shares.put(w.id, new WorkerShare(w.info.host(), w.assigned, w.won - w.wonThenLost, w.images));
        }
        return new Outputs(partCount, all, listing.listed() + keptBaseRows(), rows + keptBaseRows(), unlabelled, leaves, stages,
                bytesRead, Map.copyOf(stageSeconds), shares, contents());
    }

    /** The rows of a finished unit without a label: its unlabelled images, less those that are errors, not rows. */
    private long unlabelledRows(Unit u) {
        int unlabelled = u.images.unlabelled();
        if (unlabelled == 0 || u.report.errors().isEmpty()) {
            return unlabelled;
        }
        Set<String> errors = new HashSet<>();
        u.report.errors().forEach(e -> errors.add(e.path()));
        return u.images.unpack(labels).stream().filter(i -> i.label() == null && !errors.contains(i.path())).count();
    }

    /** What the generation holds, from the parts' sources: which part holds each planned image, and each base part. */
    private GenerationContents contents() {
        Map<Integer, Integer> unitPart = new HashMap<>();
        Map<Integer, Integer> basePart = new java.util.TreeMap<>();
        for (Part p : parts) {
            for (PartSource source : p.sources) {
                if (source.kind() == PartSource.Kind.ROWS) {
                    unitPart.put(source.id(), p.id);
                } else {
                    basePart.put(source.id(), p.id);
                }
            }
        }
        record Leaf(PackedImages images, List<ImageError> errors, int part) {
        }
        List<Leaf> leaves = new ArrayList<>();
        for (Unit u : units) {
            if ((u.status == Unit.Status.DONE || u.status == Unit.Status.QUARANTINED) && u.report != null) {
                leaves.add(new Leaf(u.images, u.report.errors(), unitPart.getOrDefault(u.id, -1)));
            }
        }
        PackedImages.Labels table = labels;
        Iterable<InventoryEntry> planned = () -> leaves.stream().flatMap(leaf -> {
            Map<String, String> errors = new HashMap<>();
            leaf.errors().forEach(e -> errors.put(e.path(), e.reason()));
            return leaf.images().unpack(table).stream().map(image -> {
                String error = errors.get(image.path());
                return error == null ? InventoryEntry.row(image.path(), image.size(), image.version(), leaf.part())
                                     : InventoryEntry.error(image.path(), image.size(), image.version(), error);
            });
        }).iterator();
        return new GenerationContents(base == null ? 0 : base.generation() + 1, base == null ? -1 : base.generation(),
                Map.copyOf(basePart), base == null ? Set.of() : Set.copyOf(base.regroupedParts()), planned,
                base == null ? UpdateCounts.NONE : base.counts());
    }

    /** The base generation's rows an update keeps; 0 for a first run. */
    private long keptBaseRows() {
        return base == null ? 0 : base.keptRows();
    }

    private void countDone(UnitReport r, int sign) {
        imagesDone += sign * (r.rows() + r.errors().size());
        errors += sign * r.errors().size();
    }

    private void progress() {
        out.add(new Decision.Progress(listing.listed(), listingComplete, imagesDone, imagesBefore, errors));
    }

    private void endStage(String name, long now) {
        stageSeconds.put(name, (now - stageStartedMs) / 1000.0);
        stageStartedMs = now;
    }

    /**
     * What a job failed by its units (a store that stayed away, a unit that kept failing) says to do next: the journal
     * holds what was committed, and a job that died of an S3 outage did not say --resume was the way on.
     */
    static final String GOES_ON = ". The same command with --resume goes on from the units committed (an --update: the"
            + " same command as it was)";

    /** {@code reason}, a worker's or a store's words, then {@link #GOES_ON}: one full stop where it ends with one. */
    static String goesOn(String reason) {
        return reason.endsWith(".") ? reason + GOES_ON.substring(1) : reason + GOES_ON;
    }

    private List<Decision> fail(String reason, boolean badInput) {
        failing(reason, badInput);
        return drain();
    }

    /** Ends the job with {@code reason}; the decisions wait in {@code out} for the caller's drain. */
    private void failing(String reason, boolean badInput) {
        if (stage == Stage.FAILED || stage == Stage.FINISHED) {
            return;
        }
        stage = Stage.FAILED;
        for (WorkerView w : workers.values()) {
            if (!w.gone) {
                out.add(new Tell(w.id, new WorkerCommand.JobFinished(epoch)));
            }
        }
        out.add(new Decision.Failed(reason, badInput));
    }

    private List<Decision> drain() {
        List<Decision> decisions = List.copyOf(out);
        out.clear();
        return decisions;
    }

    private static String capitalized(String s) {
        return Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }
}
