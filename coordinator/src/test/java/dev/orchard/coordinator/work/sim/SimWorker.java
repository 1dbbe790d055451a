package dev.orchard.coordinator.work.sim;

import dev.orchard.protocol.AttemptRef;
import dev.orchard.protocol.ImageError;
import dev.orchard.protocol.ImageRef;
import dev.orchard.protocol.PartSource;
import dev.orchard.protocol.Phase;
import dev.orchard.protocol.UnitReport;
import dev.orchard.protocol.WorkUnit;
import dev.orchard.protocol.WorkerCommand;
import dev.orchard.worker.WorkerLedger;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One worker incarnation: the real {@link WorkerLedger} with a simulated pipeline. An attempt takes a while, then
 * writes its rows file (which may fail) and hands its "statistics" (the list of images it counted) to the ledger.
 * Images that are unreadable go to the report's errors; an image that fails to read this time may read the next
 * (so two attempts of one unit can differ); a poison image takes the whole worker down. A PUBLISH attempt gathers
 * its sources' rows and writes the statistics of exactly those rows; a REGROUP attempt (an update) drops a base
 * part's retired rows. Both read the base generation's parts where a reader sees them, and check that they are
 * still the base generation's.
 */
final class SimWorker {
    private final Sim sim;
    private final SimCluster cluster;
    private final SimStore store;
    final String id;
    final WorkerLedger<List<String>> ledger;
    boolean alive = true;
    boolean stopping; // its JVM is shutting down (SIGTERM): whatever runs now fails with the shutdown
    SimCoordinator coordinator; // the one the receptionist shows, null while there is none
    private long listingShown; // the number of the last listing shown
    private final Set<AttemptRef> cancelled = new HashSet<>();

    SimWorker(Sim sim, SimCluster cluster, SimStore store, String id) {
        this.sim = sim;
        this.cluster = cluster;
        this.store = store;
        this.id = id;
        this.ledger = new WorkerLedger<>(id, null, new WorkerLedger.Settings(sim.scenario.capacity(),
                sim.scenario.commitEvery(), 1500, 1000, sim.scenario.commitAfterMs()), (a, b) -> {
                    List<String> both = new ArrayList<>(a);
                    both.addAll(b);
                    return both;
                });
        sim.at(sim.between(1, 500), this::tick);
    }

    /**
     * The receptionist's listing number {@code listing} shows {@code c} (null: no coordinator). Listings reach a
     * subscriber in order: one that a later listing overtook is never shown after it (seed 1091196 was left
     * without a coordinator for good so).
     */
    void found(SimCoordinator c, long listing) {
        if (!alive || listing < listingShown) {
            return;
        }
        listingShown = listing;
        sim.log(() -> "worker " + id + " is shown " + (c == null ? "no coordinator" : "coordinator " + Long.toHexString(c.epoch)));
        coordinator = c;
        if (c != null) {
            apply(ledger.statusNow(sim.now));
        }
    }

    private void tick() {
        if (!alive) {
            return;
        }
        apply(ledger.tick(sim.now));
        sim.at(500, this::tick);
    }

    /** CoordinatedShutdown's first phase reached the worker: it takes no more work. */
    void leave() {
        if (alive) {
            apply(ledger.leave(sim.now));
        }
    }

    /** As Worker.settleIfLeaving: a stopping worker has committed all it accepted, or has nobody to commit it to. */
    boolean settled() {
        return ledger.leaving() && (coordinator == null || ledger.holdsNothing());
    }

    void receive(WorkerCommand m) {
        if (!alive) {
            return;
        }
        if (m instanceof WorkerCommand.Assign a) {
            apply(ledger.assigned(a, sim.now));
        } else if (m instanceof WorkerCommand.Verdict v) {
            apply(ledger.verdict(v, sim.now));
        } else if (m instanceof WorkerCommand.CommitStatistics c) {
            apply(ledger.commitRequested(c, sim.now));
        } else if (m instanceof WorkerCommand.CommitAck a) {
            apply(ledger.commitAck(a, sim.now));
        } else if (m instanceof WorkerCommand.JobFinished f) {
            boolean ours = f.epoch() == ledger.epoch();
            List<WorkerLedger.Effect> effects = ledger.jobFinished(f, sim.now);
            if (ours && !ledger.holdsNothing()) { // what the worker's log line at its stop relies on
                throw new AssertionError(id + " still holds work after its job finished");
            }
            // The rows a worker keeps for publishing are dropped at its own coordinator's end, and only then.
            if (ours != effects.contains(new WorkerLedger.JobEnded())) {
                throw new AssertionError(id + (ours ? " was not told to drop its job's rows at the end of its job"
                        : " was told to drop its rows by a coordinator it does not serve (epoch " + f.epoch() + ")"));
            }
            apply(effects);
        }
    }

    private void apply(List<WorkerLedger.Effect> effects) {
        for (WorkerLedger.Effect e : effects) {
            if (!alive) {
                return;
            }
            if (e instanceof WorkerLedger.Send s) {
                cluster.toCoordinator(this, s.message());
            } else if (e instanceof WorkerLedger.Run r) {
                run(r.unit(), r.job().generation());
            } else if (e instanceof WorkerLedger.Cancel c) {
                cancelled.add(c.attempt());
            } else if (e instanceof WorkerLedger.WriteStatistics<?> w) {
                @SuppressWarnings("unchecked")
                List<String> images = (List<String>) w.statistics();
                List<AttemptRef> attempts = List.copyOf(w.attempts());
                String name = w.name();
                sim.at(sim.between(1, 80), () -> {
                    if (!alive) {
                        return; // the worker died with the statistics in memory
                    }
                    if (sim.chance(sim.scenario.statisticsFailRate())) {
                        apply(ledger.statisticsWritten(name, "simulated disk error", sim.now));
                    } else {
                        store.statistics.put(name, new SimStore.StatisticsFile(attempts, List.copyOf(images)));
                        apply(ledger.statisticsWritten(name, null, sim.now));
                    }
                });
            }
        }
    }

    private void run(WorkUnit unit, int generation) {
        long cost = unit.phase() == Phase.FEATURES ? 50 + 40L * unit.images().size() : 30 + 10L * unit.sources().size();
        if (unit.phase() == Phase.REGROUP) {
            cost = 80;
        }
        if (sim.chance(sim.scenario.stallRate())) {
            cost += sim.between(5_000, 60_000); // a stalled disk, a slow GET
        }
        AttemptRef ref = unit.attemptRef();
        sim.at(cost, () -> {
            if (!alive || cancelled.remove(ref)) {
                return;
            }
            if (stopping) {
                // As Worker.onAttemptDone: a failure while the JVM shuts down is the shutdown's, not the unit's.
                apply(ledger.leave(sim.now));
                apply(ledger.attemptFailed(ref, "Shutdown in progress", sim.now));
                return;
            }
            switch (unit.phase()) {
                case FEATURES -> features(unit, ref, generation);
                case PUBLISH -> publish(unit, ref, generation);
                case REGROUP -> regroup(unit, ref, generation);
            }
        });
    }

    private void features(WorkUnit unit, AttemptRef ref, int generation) {
        for (ImageRef image : unit.images()) {
            if (cluster.poison.contains(image.path())) {
                sim.log("worker " + id + " crashes on " + image.path());
                cluster.crash(this);
                return;
            }
        }
        List<String> rows = new ArrayList<>();
        List<ImageError> errors = new ArrayList<>();
        for (ImageRef image : unit.images()) {
            if (cluster.bad.contains(image.path())) {
                errors.add(new ImageError(image.path(), "not an image"));
            } else if (sim.chance(sim.scenario.readErrorRate())) {
                errors.add(new ImageError(image.path(), "cannot read: connection reset"));
            } else {
                rows.add(image.path());
            }
        }
        if (sim.chance(sim.scenario.writeFailRate())) {
            apply(ledger.attemptFailed(ref, "simulated write failure", sim.now));
            return;
        }
        if (store.success && store.successGeneration == generation) {
            store.attemptWritesAfterSuccess++;
        }
        store.attemptRows.put(ref, List.copyOf(rows));
        UnitReport report = new UnitReport(rows.size(), errors, 0, 100L * rows.size(), UnitReport.StageNanos.ZERO);
        apply(ledger.attemptFinished(ref, report, List.copyOf(rows), sim.now));
    }

    private void publish(WorkUnit unit, AttemptRef ref, int generation) {
        List<String> rows = new ArrayList<>();
        List<String> statistics = new ArrayList<>();
        for (PartSource source : unit.sources()) {
            List<String> part;
            List<String> stats;
            switch (source.kind()) {
                case ROWS -> {
                    part = store.attemptRows.get(source.attemptRef());
                    stats = part;
                }
                case REGROUPED -> {
                    part = store.regroupRows.get(source.attemptRef());
                    stats = store.regroupStatistics.get(source.attemptRef());
                }
                default -> {
                    part = basePart(source.id(), generation, ref);
                    stats = store.partStatistics.getOrDefault(generation - 1, Map.of()).get(source.id());
                }
            }
            if (part == null || (sim.scenario.pca() && stats == null)) {
                // As PublishUnit: a base part's rows that are gone are a damaged file, which must end no job here (only
                // a late copy, run after the swap, may meet them so).
                apply(ledger.attemptFailed(ref, "rows of " + source + " are missing",
                        part == null && source.kind() == PartSource.Kind.BASE, sim.now));
                return;
            }
            rows.addAll(part);
            if (sim.scenario.pca()) {
                if (stats.size() != part.size()) {
                    // As PublishUnit: a mismatch fails the attempt, a base part's as a damaged file (its statistics,
                    // written with it). Only a late copy that read the new generation's part after the swap may meet
                    // one: damaged base statistics are refused by the solve, before any publish.
                    SimStore.check(store.staleReads.contains(ref), "the statistics of " + source + " count "
                            + stats.size() + " rows, it holds " + part.size());
                    apply(ledger.attemptFailed(ref, "the statistics of " + source + " do not match its rows"
                            + (source.kind() == PartSource.Kind.BASE ? ": the file is damaged" : ""),
                            source.kind() == PartSource.Kind.BASE, sim.now));
                    return;
                }
                statistics.addAll(stats);
            }
        }
        if (sim.chance(sim.scenario.writeFailRate())) {
            apply(ledger.attemptFailed(ref, "simulated write failure", sim.now));
            return;
        }
        if (store.success && store.successGeneration == generation) {
            store.attemptWritesAfterSuccess++;
        }
        store.publishAttempts.put(ref, List.copyOf(rows));
        if (sim.scenario.pca()) {
            store.publishStatistics.put(ref, List.copyOf(statistics));
        }
        UnitReport report = new UnitReport(rows.size(), List.of(), 0, 100L * rows.size(), UnitReport.StageNanos.ZERO);
        apply(ledger.attemptFinished(ref, report, null, sim.now));
    }

    /**
     * A base part as a reader sees it (null when it is gone). A late copy of an attempt may run after the swap and
     * read the new generation's part: its result must never be accepted (the store checks that).
     */
    private List<String> basePart(int part, int generation, AttemptRef reader) {
        SimStore.Visible visible = store.published.get(part);
        if (visible == null) {
            return null;
        }
        if (visible.generation() != generation - 1) {
            store.staleReads.add(reader);
        }
        return visible.rows();
    }

    private void regroup(WorkUnit unit, AttemptRef ref, int generation) {
        Set<String> retired = store.retired.getOrDefault(generation, Map.of()).get(unit.id());
        if (retired == null) {
            apply(ledger.attemptFailed(ref, "the retired file of base part " + unit.id() + " is missing", sim.now));
            return;
        }
        List<String> base = basePart(unit.id(), generation, ref);
        if (base == null) {
            // As RegroupUnit: a base part that is gone, or (below) without its retired rows, is a damaged file, which
            // must end no job here (only a late copy, run after the swap, may meet one).
            apply(ledger.attemptFailed(ref, "base part " + unit.id() + " is gone", true, sim.now));
            return;
        }
        List<String> kept = new ArrayList<>();
        int dropped = 0;
        for (String row : base) {
            if (retired.contains(row)) {
                dropped++;
            } else {
                kept.add(row);
            }
        }
        if (dropped != retired.size()) {
            SimStore.check(store.staleReads.contains(ref), "base part " + unit.id() + " holds " + dropped + " of the "
                    + retired.size() + " rows its retired file names");
            apply(ledger.attemptFailed(ref, "base part " + unit.id() + " does not hold its retired rows", true,
                    sim.now));
            return;
        }
        if (sim.chance(sim.scenario.writeFailRate())) {
            apply(ledger.attemptFailed(ref, "simulated write failure", sim.now));
            return;
        }
        store.regroupRows.put(ref, List.copyOf(kept));
        store.regroupStatistics.put(ref, List.copyOf(kept));
        UnitReport report = new UnitReport(kept.size(), List.of(), 0, 100L * kept.size(), UnitReport.StageNanos.ZERO);
        apply(ledger.attemptFinished(ref, report, null, sim.now));
    }
}
