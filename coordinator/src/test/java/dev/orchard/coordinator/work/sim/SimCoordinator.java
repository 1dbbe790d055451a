package dev.orchard.coordinator.work.sim;

import dev.orchard.coordinator.work.Decision;
import dev.orchard.coordinator.work.JournalEntry;
import dev.orchard.coordinator.work.WorkState;
import dev.orchard.protocol.AttemptRef;
import dev.orchard.protocol.CoordinatorCommand;
import dev.orchard.protocol.ImageError;
import dev.orchard.protocol.ImageRef;
import dev.orchard.protocol.JobDescription;
import dev.orchard.protocol.ModelSpec;
import dev.orchard.protocol.Phase;
import dev.orchard.protocol.WorkerCommand;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;

/**
 * One coordinator incarnation: a {@link WorkState} (fresh, or resumed from the store's journal) and the small
 * interpreter that carries out its decisions in the simulated world — exactly what the Coordinator actor does with
 * Pekko and real stores. It dies when the schedule crashes it; its in-flight writes then land or not, at random.
 */
final class SimCoordinator {
    static final JobDescription JOB = new JobDescription("sim", "/out", "/model.onnx", "sha", ModelSpec.mobileNetV2(), 8);

    private final Sim sim;
    private final SimCluster cluster;
    private final SimStore store;
    final long epoch;
    final WorkState state;
    boolean alive = true;
    private int listIndex;

    SimCoordinator(Sim sim, SimCluster cluster, SimStore store, long epoch, WorkState.Settings settings) {
        this.sim = sim;
        this.cluster = cluster;
        this.store = store;
        this.epoch = epoch;
        JournalEntry.State journal = store.state();
        this.state = journal.isEmpty() ? new WorkState(epoch, settings, sim.now)
                                       : WorkState.resume(epoch, settings, journal, sim.now);
        sim.log("coordinator " + Long.toHexString(epoch) + (journal.isEmpty() ? " starts" : " resumes: " + journal.commits().size() + " commits"));
    }

    void start() {
        execute(state.start(sim.now));
        if (!state.listingComplete()) {
            String last = state.lastPlannedPath();
            listIndex = last == null ? 0 : cluster.input.indexOf(last) + 1;
            sim.at(sim.between(1, 50), this::listSome);
        }
        sim.at(1000, this::tick);
    }

    private void listSome() {
        if (!alive) {
            return;
        }
        int n = 1 + sim.rng.nextInt(sim.scenario.listBatch());
        List<ImageRef> batch = new ArrayList<>();
        while (batch.size() < n && listIndex < cluster.input.size()) {
            batch.add(new ImageRef(cluster.input.get(listIndex++), "label"));
        }
        execute(state.listed(batch, List.of(), sim.now));
        if (listIndex < cluster.input.size()) {
            sim.at(sim.between(1, 50), this::listSome);
        } else {
            execute(state.listingFinished(cluster.input.size(), sim.now));
        }
    }

    private void tick() {
        if (!alive) {
            return;
        }
        execute(state.tick(sim.now));
        sim.at(1000, this::tick);
    }

    void receive(CoordinatorCommand m) {
        if (!alive) {
            return;
        }
        if (m instanceof CoordinatorCommand.WorkerStatus s) {
            execute(state.status(s, sim.now));
        } else if (m instanceof CoordinatorCommand.UnitFinished f) {
            execute(state.finished(f, sim.now));
        } else if (m instanceof CoordinatorCommand.UnitFailed f) {
            execute(state.failed(f, sim.now));
        } else if (m instanceof CoordinatorCommand.StatisticsCommitted c) {
            execute(state.committed(c, sim.now));
        } else if (m instanceof CoordinatorCommand.StatisticsLost l) {
            execute(state.lost(l, sim.now));
        }
    }

    void workerGone(String id) {
        if (alive) {
            execute(state.workerGone(id, sim.now));
        }
    }

    /** Carries out decisions; I/O completes later (or, if this incarnation dies first, perhaps never). */
    void execute(List<Decision> decisions) {
        for (Decision d : decisions) {
            if (!alive) {
                return;
            }
            if (d instanceof Decision.Tell t) {
                cluster.toWorker(t.worker(), t.message());
            } else if (d instanceof Decision.Assign a) {
                cluster.toWorker(a.worker(), new WorkerCommand.Assign(epoch, a.seq(), JOB, a.unit()));
            } else if (d instanceof Decision.Journal j) {
                io(() -> store.journal(j.entry()), () -> execute(state.journalled(j.entry(), sim.now)));
            } else if (d instanceof Decision.DeleteAttempt del) {
                io(() -> delete(del.phase(), del.attempt()), () -> { });
            } else if (d instanceof Decision.DeleteStatistics del) {
                io(() -> store.statistics.remove(del.file()), () -> { });
            } else if (d instanceof Decision.Solve s) {
                io(() -> { }, () -> solve(s.files(), s.units()));
            } else if (d instanceof Decision.Promote p) {
                io(() -> { }, () -> promote(p.part(), p.attempt()));
            } else if (d instanceof Decision.WriteOutputs w) {
                // Two writes, as in JobOutputs: errors.csv and the attempts' removal, then _SUCCESS; a crash may
                // fall between them.
                io(() -> {
                    store.errorsCsv = List.copyOf(w.outputs().errors());
                    store.attemptRows.clear();
                    store.publishAttempts.clear();
                }, () -> io(() -> store.success = true, () -> execute(state.outputsWritten(sim.now))));
            } else if (d instanceof Decision.Warn w) {
                sim.log(() -> "warn " + w.text());
            } else if (d instanceof Decision.StageStarted s) {
                sim.log(() -> "stage " + s.stage() + ": " + s.description());
            } else if (d instanceof Decision.Finished f) {
                alive = false;
                cluster.finished(this, f.outputs());
            } else if (d instanceof Decision.Failed f) {
                alive = false;
                cluster.failed(this, f.reason());
            }
        }
    }

    /** A write that takes time: if this incarnation dies meanwhile, it lands or not, at random, and nobody hears. */
    private void io(Runnable write, Runnable then) {
        sim.at(sim.between(1, 60), () -> {
            if (alive) {
                write.run();
                then.run();
            } else if (sim.chance(0.5)) {
                write.run();
            }
        });
    }

    private void delete(Phase phase, AttemptRef attempt) {
        if (phase == Phase.FEATURES) {
            store.attemptRows.remove(attempt);
        } else {
            store.publishAttempts.remove(attempt);
        }
    }

    private void solve(List<String> files, BitSet units) {
        BitSet seen = new BitSet();
        List<String> merged = new ArrayList<>();
        for (String file : files) {
            SimStore.StatisticsFile stats = store.statistics.get(file);
            if (stats == null) {
                execute(state.solveFailed("statistics " + file + " are missing", false, sim.now));
                return;
            }
            for (AttemptRef a : stats.attempts()) {
                SimStore.check(!seen.get(a.unit()), "unit " + a.unit() + " counted twice in the solve");
                seen.set(a.unit());
            }
            merged.addAll(stats.images());
        }
        SimStore.check(seen.equals(units), "the solve expected units " + units + " but the files hold " + seen);
        store.solvedStatistics = merged;
        execute(state.solved(3, sim.now));
    }

    private void promote(int part, AttemptRef attempt) {
        List<String> rows = store.publishAttempts.get(attempt);
        if (rows == null) {
            execute(state.promoteFailed(part, "the files of " + attempt + " are missing", sim.now));
            return;
        }
        if (store.success) {
            store.finalWritesAfterSuccess++;
        }
        store.published.put(part, rows);
        execute(state.promoted(part, sim.now));
    }

    static List<ImageError> errorsOf(Map<String, String> reasons) {
        return reasons.entrySet().stream().map(e -> new ImageError(e.getKey(), e.getValue())).toList();
    }
}
