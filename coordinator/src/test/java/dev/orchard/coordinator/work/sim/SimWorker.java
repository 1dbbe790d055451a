package dev.orchard.coordinator.work.sim;

import dev.orchard.protocol.AttemptRef;
import dev.orchard.protocol.ImageError;
import dev.orchard.protocol.ImageRef;
import dev.orchard.protocol.Phase;
import dev.orchard.protocol.UnitReport;
import dev.orchard.protocol.WorkUnit;
import dev.orchard.protocol.WorkerCommand;
import dev.orchard.worker.WorkerLedger;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One worker incarnation: the real {@link WorkerLedger} with a simulated pipeline. An attempt takes a while, then
 * writes its rows file (which may fail) and hands its "statistics" (the list of images it counted) to the ledger.
 * Images that are unreadable go to the report's errors; an image that fails to read this time may read the next
 * (so two attempts of one unit can differ); a poison image takes the whole worker down.
 */
final class SimWorker {
    private final Sim sim;
    private final SimCluster cluster;
    private final SimStore store;
    final String id;
    final WorkerLedger<List<String>> ledger;
    boolean alive = true;
    SimCoordinator coordinator; // the one the receptionist shows, null while there is none
    private final Set<AttemptRef> cancelled = new HashSet<>();

    SimWorker(Sim sim, SimCluster cluster, SimStore store, String id) {
        this.sim = sim;
        this.cluster = cluster;
        this.store = store;
        this.id = id;
        this.ledger = new WorkerLedger<>(id, null, new WorkerLedger.Settings(sim.scenario.capacity(),
                sim.scenario.commitEvery(), 1500, 1000), (a, b) -> {
                    List<String> both = new ArrayList<>(a);
                    both.addAll(b);
                    return both;
                });
        sim.at(sim.between(1, 500), this::tick);
    }

    void found(SimCoordinator c) {
        if (!alive) {
            return;
        }
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
            apply(ledger.jobFinished(f, sim.now));
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
                run(r.unit());
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

    private void run(WorkUnit unit) {
        long cost = unit.phase() == Phase.FEATURES ? 50 + 40L * unit.images().size() : 30 + 10L * unit.sources().size();
        if (sim.chance(sim.scenario.stallRate())) {
            cost += sim.between(5_000, 60_000); // a stalled disk, a slow GET
        }
        AttemptRef ref = unit.attemptRef();
        sim.at(cost, () -> {
            if (!alive || cancelled.remove(ref)) {
                return;
            }
            if (unit.phase() == Phase.FEATURES) {
                features(unit, ref);
            } else {
                publish(unit, ref);
            }
        });
    }

    private void features(WorkUnit unit, AttemptRef ref) {
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
        if (store.success) {
            store.attemptWritesAfterSuccess++;
        }
        store.attemptRows.put(ref, List.copyOf(rows));
        UnitReport report = new UnitReport(rows.size(), errors, 0, 100L * rows.size(), UnitReport.StageNanos.ZERO);
        apply(ledger.attemptFinished(ref, report, List.copyOf(rows), sim.now));
    }

    private void publish(WorkUnit unit, AttemptRef ref) {
        List<String> rows = new ArrayList<>();
        for (dev.orchard.protocol.PartSource source : unit.sources()) {
            List<String> part = store.attemptRows.get(source.attemptRef());
            if (part == null) {
                apply(ledger.attemptFailed(ref, "rows of " + source + " are missing", sim.now));
                return;
            }
            rows.addAll(part);
        }
        if (sim.chance(sim.scenario.writeFailRate())) {
            apply(ledger.attemptFailed(ref, "simulated write failure", sim.now));
            return;
        }
        if (store.success) {
            store.attemptWritesAfterSuccess++;
        }
        store.publishAttempts.put(ref, List.copyOf(rows));
        UnitReport report = new UnitReport(rows.size(), List.of(), 0, 100L * rows.size(), UnitReport.StageNanos.ZERO);
        apply(ledger.attemptFinished(ref, report, null, sim.now));
    }
}
