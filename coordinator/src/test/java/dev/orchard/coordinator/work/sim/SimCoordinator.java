package dev.orchard.coordinator.work.sim;

import dev.orchard.coordinator.update.NextInventory;
import dev.orchard.coordinator.update.UpdateComparison;
import dev.orchard.coordinator.work.Decision;
import dev.orchard.coordinator.work.GenerationContents;
import dev.orchard.coordinator.work.InventoryEntry;
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
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * One coordinator incarnation: a {@link WorkState} (fresh, or resumed from the store's journal of its generation)
 * and the small interpreter that carries out its decisions in the simulated world — exactly what the Coordinator
 * actor does with Pekko and real stores. For an update it also lists as the real lister does (the real
 * {@link UpdateComparison} against the base generation's inventory), writes the retired files, builds the next
 * inventory with the real {@link NextInventory}, and swaps the generation in step by step, as
 * {@code GenerationSwap} does, with a reader's view checked after every step. It dies when the schedule crashes it;
 * its in-flight writes then land or not, at random.
 */
final class SimCoordinator {
    static final JobDescription JOB = new JobDescription("sim", "/out", "/model.onnx", "sha", ModelSpec.mobileNetV2(), 8);

    private final Sim sim;
    private final SimCluster cluster;
    private final SimStore store;
    final long epoch;
    final int generation;
    final WorkState state;
    private final JobDescription job;
    private final Set<String> plannedBefore;
    boolean alive = true;
    private int listIndex;
    private UpdateComparison comparison;

    SimCoordinator(Sim sim, SimCluster cluster, SimStore store, long epoch, WorkState.Settings settings, int generation) {
        this.sim = sim;
        this.cluster = cluster;
        this.store = store;
        this.epoch = epoch;
        this.generation = generation;
        this.job = JOB.withGeneration(generation);
        JournalEntry.State journal = store.state(generation);
        WorkState.Base base = generation == 0 ? null : store.summaries.get(generation - 1);
        this.state = journal.isEmpty() ? new WorkState(epoch, settings, base, sim.now)
                                       : WorkState.resume(epoch, settings, base, journal, sim.now);
        this.plannedBefore = new HashSet<>();
        journal.groups().forEach(g -> g.units().forEach(u -> u.images().forEach(i -> plannedBefore.add(i.path()))));
        sim.log("coordinator " + Long.toHexString(epoch) + " of generation " + generation
                + (journal.isEmpty() ? " starts" : " resumes: " + journal.commits().size() + " commits"));
    }

    void start() {
        if (generation > 0 && !store.success && store.current == generation && store.swapBegun.contains(generation)
                && store.cleared.contains(generation)) {
            // As the Coordinator (GenerationSwap.finish): the swap ended, and a dead coordinator's late step removed
            // its _SUCCESS after; written again as the swap recorded it.
            sim.log("generation " + generation + " is swapped in without _SUCCESS: written again");
            store.success = true;
            store.successGeneration = generation;
            store.successRewritten++;
        }
        if (generation > 0 && store.success && store.current >= generation) {
            // As the Coordinator: the output holds this generation already (the swap ended before a crash).
            sim.log("generation " + generation + " is complete already");
            if (store.current == generation) { // its clean-up, which the crash may have cut short
                store.attemptRows.clear();
                store.publishAttempts.clear();
                store.regroupRows.clear();
                store.regroupStatistics.clear();
            }
            alive = false;
            cluster.finished(this, cluster.writtenOutputs);
            return;
        }
        execute(state.start(sim.now));
        if (!state.listingComplete() && alive) {
            String last = state.lastPlannedPath();
            listedAfter = last;
            if (generation == 0) {
                listIndex = last == null ? 0 : cluster.input.indexOf(last) + 1;
            } else {
                listIndex = 0; // an update lists everything again, and keeps what it planned before
                comparison = new UpdateComparison(store.inventories.get(generation - 1).iterator(), plannedBefore,
                        path -> last == null || path.compareTo(last) > 0);
            }
            sim.at(sim.between(1, 50), this::listSome);
        }
        sim.at(1000, this::tick);
    }

    /** Where this coordinator's listing took up (the last image its journal planned), null from the start. */
    private String listedAfter;

    private void listSome() {
        if (!alive) {
            return;
        }
        int n = 1 + sim.rng.nextInt(sim.scenario.listBatch());
        List<ImageRef> batch = new ArrayList<>();
        List<ImageError> skipped = new ArrayList<>();
        int taken = 0;
        while (taken < n && listIndex < cluster.input.size()) {
            String path = cluster.input.get(listIndex++);
            taken++;
            if (cluster.unlisted.contains(path)) {
                // As the Coordinator's listers: a resumed listing reports problems after the last planned image only
                // (an update's lists everything again).
                if (listedAfter == null || path.compareTo(listedAfter) > 0) {
                    skipped.add(new ImageError(path, "skipped: dangling link"));
                }
                continue;
            }
            ImageRef image = cluster.image(path);
            if (comparison == null || comparison.compare(image)) {
                batch.add(image);
            }
        }
        execute(state.listed(batch, skipped, sim.now));
        if (listIndex < cluster.input.size()) {
            sim.at(sim.between(1, 50), this::listSome);
        } else if (comparison == null) {
            execute(state.listingFinished(cluster.input.size() - cluster.unlisted.size(), sim.now));
        } else {
            Map<Integer, Set<String>> retired = new HashMap<>();
            UpdateComparison.Result result;
            try {
                result = comparison.finish(store.inventories.get(generation - 1).iterator(),
                        (part, path) -> retired.computeIfAbsent(part, p -> new TreeSet<>()).add(path));
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
            // The retired files are written before WorkState hears of them (a crash between leaves them unused).
            io(() -> store.retired.computeIfAbsent(generation, g -> new HashMap<>()).putAll(retired),
                    () -> execute(state.listingFinished(result.retirements(), result.counts(), sim.now)));
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

    /** CoordinatedShutdown's first phase reached the coordinator (SIGTERM): it stops handing out work. */
    void stopping() {
        if (alive) {
            execute(state.stopping(sim.now));
        }
    }

    /** As the Coordinator's stop task: it waits while a live worker holds statistics not yet journalled. */
    boolean awaitsCommits() {
        return alive && state.awaitsCommits();
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
                cluster.toWorker(a.worker(), new WorkerCommand.Assign(epoch, a.seq(), job, a.unit()));
            } else if (d instanceof Decision.Journal j) {
                io(() -> store.journal(generation, j.entry()), () -> execute(state.journalled(j.entry(), sim.now)));
            } else if (d instanceof Decision.DeleteAttempt del) {
                io(() -> delete(del.phase(), del.attempt()), () -> { });
            } else if (d instanceof Decision.DeleteStatistics del) {
                io(() -> store.statistics.remove(del.file()), () -> { });
            } else if (d instanceof Decision.Solve s) {
                io(() -> { }, () -> solve(s));
            } else if (d instanceof Decision.ClearPublishAttempts) {
                io(() -> {
                    store.publishAttempts.clear();
                    store.publishStatistics.clear();
                }, () -> execute(state.publishAttemptsCleared(sim.now)));
            } else if (d instanceof Decision.Promote p) {
                promoteIo(p.part(), p.attempt());
            } else if (d instanceof Decision.WriteOutputs w) {
                writeOutputs(w.outputs());
            } else if (d instanceof Decision.Warn w) {
                sim.log(() -> "warn " + w.text());
            } else if (d instanceof Decision.Note n) {
                sim.log(() -> "note " + n.text());
            } else if (d instanceof Decision.StageStarted s) {
                sim.log(() -> "stage " + s.stage() + ": " + s.description());
            } else if (d instanceof Decision.Finished f) {
                alive = false;
                cluster.finished(this, f.outputs());
            } else if (d instanceof Decision.Failed f) {
                alive = false;
                cluster.failed(this, f.reason(), f.badInput());
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
        switch (phase) {
            case FEATURES -> store.attemptRows.remove(attempt);
            case PUBLISH -> {
                store.publishAttempts.remove(attempt);
                store.publishStatistics.remove(attempt);
            }
            case REGROUP -> {
                store.regroupRows.remove(attempt);
                store.regroupStatistics.remove(attempt);
            }
        }
    }

    /**
     * The merge: the base generation's untouched parts, the regrouped parts' kept rows, and the new units'
     * files, each exactly once.
     */
    private void solve(Decision.Solve s) {
        BitSet seen = new BitSet();
        List<String> merged = new ArrayList<>();
        for (Map.Entry<Integer, Long> part : s.baseParts().entrySet()) {
            List<String> stats = store.partStatistics.getOrDefault(generation - 1, Map.of()).get(part.getKey());
            SimStore.check(stats != null, "the statistics of base part " + part.getKey() + " are missing");
            if (stats.size() != part.getValue()) {
                // As JobOutputs: statistics that count other rows than their generation records for the part are a
                // damaged file, which ends the job before the solve, as for bad input.
                SimStore.check(store.damagedStatistics.getOrDefault(generation - 1, Set.of()).contains(part.getKey()),
                        "the statistics of base part " + part.getKey() + " count " + stats.size() + " rows, but its"
                                + " generation records " + part.getValue());
                execute(state.solveFailed("the statistics of base part " + part.getKey() + " count " + stats.size()
                        + " rows, but its generation records " + part.getValue() + ": the file is damaged", true, sim.now));
                return;
            }
            merged.addAll(stats);
        }
        for (AttemptRef a : s.regrouped()) {
            List<String> stats = store.regroupStatistics.get(a);
            SimStore.check(stats != null, "the statistics of regroup " + a + " are missing");
            merged.addAll(stats);
        }
        for (String file : s.files()) {
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
        SimStore.check(seen.equals(s.units()), "the solve expected units " + s.units() + " but the files hold " + seen);
        SimStore.check(new HashSet<>(merged).size() == merged.size(), "an image is counted twice in the solve");
        store.solvedStatistics = merged;
        execute(state.solved(3, sim.now));
    }

    /**
     * A promotion takes time, as any write; one in flight when this incarnation dies lands or not, at random, and in
     * some schedules only much later ({@link Scenario#latePromoteMs}): after the next coordinator took over, perhaps
     * after its _SUCCESS. Only the lease's check was between them: no store can refuse the move then.
     */
    private void promoteIo(int part, AttemptRef attempt) {
        sim.at(sim.between(1, 60), () -> {
            if (alive) {
                promote(part, attempt);
            } else if (sim.chance(0.5)) {
                long late = sim.scenario.latePromoteMs();
                sim.at(late == 0 ? 0 : sim.between(late / 2, late), () -> promoteLate(part, attempt));
            }
        });
    }

    /** A dead incarnation's promotion lands: the attempt's files, if still there, replace what the part holds. */
    private void promoteLate(int part, AttemptRef attempt) {
        List<String> rows = store.publishAttempts.get(attempt);
        if (rows == null) {
            return; // removed meanwhile (the attempts go with the job's end): the move finds nothing
        }
        Map<Integer, List<String>> staged = store.staged.computeIfAbsent(generation, g -> new HashMap<>());
        if (generation > 0 && store.swapBegun.contains(generation) && !staged.containsKey(part)) {
            return; // into a staging folder whose part was swapped in already: read by no one
        }
        sim.log(() -> "a promotion of part " + part + " by " + attempt + " lands late");
        store.latePromotions++;
        // What the late move may do: replace part N with the same images (every coordinator groups by the journalled
        // part settings), never with others.
        List<String> holds = store.generationParts.getOrDefault(generation, Map.of()).get(part);
        SimStore.check(holds == null || new HashSet<>(holds).equals(new HashSet<>(rows)), "a late promotion of part "
                + part + " moves other images than the part holds: " + rows + " over " + holds);
        if (sim.scenario.pca()) {
            store.partStatistics.computeIfAbsent(generation, g -> new HashMap<>())
                    .put(part, store.publishStatistics.get(attempt));
        }
        store.generationParts.computeIfAbsent(generation, g -> new HashMap<>()).put(part, rows);
        if (generation == 0) {
            store.published.put(part, new SimStore.Visible(0, rows));
            store.checkReaderView();
        } else {
            staged.put(part, rows);
        }
    }

    private void promote(int part, AttemptRef attempt) {
        List<String> rows = store.publishAttempts.get(attempt);
        if (rows == null) {
            execute(state.promoteFailed(part, "the files of " + attempt + " are missing", sim.now));
            return;
        }
        if (store.success && store.successGeneration == generation) {
            store.finalWritesAfterSuccess++;
        }
        SimStore.check(!store.staleReads.contains(attempt), "part " + part + " was built from another generation's parts");
        List<String> stats = store.publishStatistics.get(attempt);
        if (sim.scenario.pca()) {
            SimStore.check(rows.equals(stats), "the statistics of part " + part + " are not exactly its rows");
            store.partStatistics.computeIfAbsent(generation, g -> new HashMap<>()).put(part, stats);
        }
        store.generationParts.computeIfAbsent(generation, g -> new HashMap<>()).put(part, rows);
        if (generation == 0) {
            store.published.put(part, new SimStore.Visible(0, rows));
            store.checkReaderView();
        } else {
            store.staged.computeIfAbsent(generation, g -> new HashMap<>()).put(part, rows);
        }
        execute(state.promoted(part, sim.now));
        cluster.promoted(this);
    }

    // ---------------------------------------------------------------- final files, and an update's swap

    private void writeOutputs(Decision.Outputs o) {
        cluster.writtenOutputs = o;
        cluster.writtenBy = state.snapshot(sim.now);
        Deque<Runnable> steps = new ArrayDeque<>();
        if (generation == 0) {
            // As JobOutputs: the parts an earlier coordinator's plan had beyond this one's removed, errors.csv, the
            // inventory and summary, the attempts removed; then _SUCCESS.
            steps.add(() -> {
                store.published.keySet().removeIf(part -> part >= o.parts());
                store.generationParts.getOrDefault(0, new HashMap<>()).keySet().removeIf(part -> part >= o.parts());
                store.errorsCsv = List.copyOf(o.errors());
                inventoryAndSummary(o);
                store.attemptRows.clear();
                store.publishAttempts.clear();
            });
            steps.add(() -> {
                store.success = true;
                store.successGeneration = 0;
            });
        } else {
            int g = generation;
            // As GenerationSwap: the staged files, the old generation out of view, the new one in, CURRENT, _SUCCESS.
            if (!store.swapBegun.contains(g)) {
                steps.add(() -> {
                    store.staged.getOrDefault(g, new HashMap<>()).keySet().removeIf(part -> part >= o.parts());
                    store.generationParts.getOrDefault(g, new HashMap<>()).keySet().removeIf(part -> part >= o.parts());
                    store.stagedErrors.put(g, List.copyOf(o.errors()));
                    inventoryAndSummary(o);
                });
                steps.add(() -> store.swapBegun.add(g));
            }
            if (!store.cleared.contains(g)) {
                steps.add(() -> store.success = false);
                // The old generation's parts, by name, one object at a time (on both stores): a step that lands late
                // deletes the part of the generation it listed, never a newer one (their names differ).
                for (Map.Entry<Integer, SimStore.Visible> listed : new ArrayList<>(store.published.entrySet())) {
                    int part = listed.getKey();
                    int listedGeneration = listed.getValue().generation();
                    if (listedGeneration != g) {
                        steps.add(() -> store.published.computeIfPresent(part,
                                (p, v) -> v.generation() == listedGeneration ? null : v));
                    }
                }
                steps.add(() -> store.cleared.add(g));
            }
            // The final files first (errors.csv replaced by the staged one), then the parts, one object at a time.
            steps.add(() -> {
                List<ImageError> errors = store.stagedErrors.get(g);
                if (errors != null) {
                    store.errorsCsv = errors;
                }
            });
            Map<Integer, List<String>> staged = store.staged.getOrDefault(g, new HashMap<>());
            for (int part : new ArrayList<>(staged.keySet())) {
                steps.add(() -> {
                    List<String> rows = staged.remove(part);
                    if (rows != null) {
                        store.published.put(part, new SimStore.Visible(g, rows));
                    }
                });
            }
            steps.add(() -> store.current = Math.max(store.current, g)); // on condition, never lowered
            steps.add(() -> {
                store.success = true;
                store.successGeneration = g;
            });
            steps.add(() -> {
                store.attemptRows.clear();
                store.publishAttempts.clear();
                store.regroupRows.clear();
                store.regroupStatistics.clear();
            });
        }
        runSteps(steps, () -> execute(state.outputsWritten(sim.now)));
    }

    /**
     * One write at a time, each perhaps the last (a crash); a reader looks after every one. A step of an update's swap
     * in flight when this incarnation dies lands or not, at random, and in some schedules only much later
     * ({@link Scenario#latePromoteMs}: its process frozen between its lease's check and the request), perhaps after
     * the next coordinator finished the swap, or after the job's end ({@link SimCluster#lateWrite}).
     */
    private void runSteps(Deque<Runnable> steps, Runnable then) {
        Runnable step = steps.poll();
        if (step == null) {
            then.run();
            return;
        }
        Runnable write = () -> {
            step.run();
            store.checkReaderView();
        };
        sim.at(sim.between(1, 60), () -> {
            if (alive) {
                write.run();
                if (generation > 0) {
                    cluster.swapStepped(this);
                }
                runSteps(steps, then);
            } else if (sim.chance(0.5)) {
                long late = generation == 0 ? 0 : sim.scenario.latePromoteMs();
                if (late == 0) {
                    write.run();
                } else {
                    cluster.lateWrite(sim.between(late / 2, late), write);
                }
            }
        });
    }

    /** The generation's inventory (the real NextInventory) and summary, as JobOutputs writes them. */
    private void inventoryAndSummary(Decision.Outputs o) {
        GenerationContents contents = o.contents();
        List<InventoryEntry> entries = new ArrayList<>();
        try {
            NextInventory.write(contents,
                    contents.isUpdate() ? store.inventories.get(contents.baseGeneration()).iterator() : null,
                    part -> store.retired.get(generation).get(part), entries::add);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        store.inventories.put(generation, entries);
        long[] rows = new long[o.parts()];
        for (InventoryEntry e : entries) {
            if (e.isRow()) {
                rows[e.part()]++;
            }
        }
        List<WorkState.BasePart> parts = new ArrayList<>();
        for (int p = 0; p < o.parts(); p++) {
            parts.add(new WorkState.BasePart(rows[p], 100 * rows[p]));
        }
        store.summaries.put(generation, new WorkState.Base(generation, parts));
    }

    static List<ImageError> errorsOf(Map<String, String> reasons) {
        return reasons.entrySet().stream().map(e -> new ImageError(e.getKey(), e.getValue())).toList();
    }
}
