package dev.orchard.coordinator.work.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The coordinator's {@code WorkState} and the workers' {@code WorkerLedger} driven through generated schedules —
 * message delays, drops, duplicates and reordering, workers killed at any moment (some by the images they process),
 * coordinators killed and resumed from the journal, failed writes, transient read errors, stalled attempts — with
 * DESIGN.md's invariant checked after every journal write and at the end of each job (see {@link SimCluster}).
 * Most schedules then update the finished output ({@code --update}) after changing the input, under the same
 * faults, and check the new generation the same way, with a reader's view checked at every step of the swap; some
 * update it a second and third time.
 * <p>Every schedule is a seed. A failure prints its seed and the last events; replay one schedule with all its
 * events printed by {@code -Dorchard.sim.seed=SEED}; run more with {@code -Dorchard.sim.schedules=N} and
 * {@code -Dorchard.sim.first=S}.
 */
class ProtocolSimulationTest {

    @Test
    void everyScheduleEndsWithEachReadableImageExactlyOnce() {
        String replay = System.getProperty("orchard.sim.seed");
        if (replay != null) {
            play(Long.parseLong(replay), true);
            return;
        }
        long first = Long.getLong("orchard.sim.first", 1);
        int schedules = Integer.getInteger("orchard.sim.schedules", 10_000);
        Map<String, Integer> outcomes = new TreeMap<>();
        long events = 0;
        long messages = 0;
        long dropped = 0;
        long duplicated = 0;
        long coordinators = 0;
        long workers = 0;
        long latest = 0;
        long latePromotions = 0;
        long lateSwapSteps = 0;
        long successRewritten = 0;
        long restoredStatistics = 0;
        Map<Integer, Integer> updatesFinished = new TreeMap<>();
        SimCluster.Stops workerStops = new SimCluster.Stops();
        SimCluster.Stops coordinatorStops = new SimCluster.Stops();
        long t0 = System.nanoTime();
        for (long seed = first; seed < first + schedules; seed++) {
            SimCluster cluster = play(seed, false);
            String outcome = (cluster.updated ? "update " : "first run ")
                    + (cluster.failure == null ? "finished" : "failed: " + cluster.failure.replaceAll("\\d+", "N"));
            outcomes.merge(outcome, 1, Integer::sum);
            events += cluster.sim.events;
            messages += cluster.sim.messages;
            dropped += cluster.sim.dropped;
            duplicated += cluster.sim.duplicated;
            coordinators += cluster.incarnations();
            workers += cluster.workersStarted();
            latest = Math.max(latest, cluster.endedAt);
            latePromotions += cluster.latePromotions();
            lateSwapSteps += cluster.lateSwapSteps()[0];
            successRewritten += cluster.lateSwapSteps()[1];
            restoredStatistics += cluster.restoredStatistics();
            if (cluster.updated && cluster.failure == null) {
                updatesFinished.merge(cluster.updatesFinished, 1, Integer::sum);
            }
            workerStops.add(cluster.workerStops);
            coordinatorStops.add(cluster.coordinatorStops);
        }
        System.out.printf("%d schedules (seeds %d..%d) in %.1f s: %d events, %d messages (%d dropped, %d duplicated), "
                        + "%d coordinator and %d worker incarnations; latest end at %.0f s of simulated time%n",
                schedules, first, first + schedules - 1, (System.nanoTime() - t0) / 1e9, events, messages, dropped,
                duplicated, coordinators, workers, latest / 1000.0);
        System.out.printf("promotions of dead coordinators that landed late: %d%n", latePromotions);
        System.out.printf("swap steps of dead coordinators that landed late: %d (_SUCCESS removed by one, written again by"
                + " the next start: %d)%n", lateSwapSteps, successRewritten);
        System.out.printf("updates refused on damaged base statistics, then run again once they were restored: %d%n",
                restoredStatistics);
        System.out.printf("graceful worker stops: %d with all they finished committed (or no coordinator in sight), %d "
                + "after the %d ms wait without%n", workerStops.settled, workerStops.timedOut, SimCluster.STOP_WAIT_MS);
        System.out.printf("graceful coordinator stops: %d with every finished unit of its live workers journalled, %d "
                + "after the wait without%n", coordinatorStops.settled, coordinatorStops.timedOut);
        outcomes.forEach((outcome, n) -> System.out.printf("  %6d  %s%n", n, outcome));
        updatesFinished.forEach((n, schedules1) -> System.out.printf("  %6d  of them with %d update(s) in a row%n",
                schedules1, n));
        int finished = outcomes.getOrDefault("first run finished", 0) + outcomes.getOrDefault("update finished", 0);
        assertThat(finished).as("most schedules finish").isGreaterThan(schedules * 9 / 10);
        assertThat(outcomes.getOrDefault("update finished", 0)).as("most schedules update their output")
                .isGreaterThan(schedules * 6 / 10);
        if (schedules >= 1_000) { // ~18 % of schedules do: a small run may have none by chance (the diff's review)
            assertThat(updatesFinished.getOrDefault(2, 0) + updatesFinished.getOrDefault(3, 0))
                    .as("some schedules update their output again").isGreaterThan(schedules / 10);
        }
    }

    /**
     * Schedules beyond the build's 10,000 that once broke the invariant, replayed in every build. 1091196 (found
     * by a campaign over seeds 1,000,001 on): the update's coordinator starts while the finished first run's
     * listing is still on its way to the only worker, which was shown the new coordinator and then the old one's
     * end, and fell silent for good. The simulator's receptionist, not the protocol: Pekko's receptionist tells a
     * subscriber its listings in order, so the later listing is never overtaken by an earlier one. 5300 (found once
     * a dead coordinator's promotions could land late, {@link Scenario#latePromoteMs}): the first coordinator crashed
     * with promotions of parts 1 and 2 in flight; the next, another part size, grouped the 27 parts otherwise, and
     * the late promotions put images it had published in part 0 into parts 1 and 2 as well. The part settings are
     * now journalled with the plan's end, and every later coordinator groups by them. 18750132 (once a dead
     * coordinator's swap steps could land late, the simulator playing the swap's old rule, its parts' names shared by
     * every generation): a deletion of an old part, landing after the next coordinator finished the swap, took the new
     * generation's part of the same number. Parts now name their generation, and the old ones are deleted by name.
     */
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1091196, 1122565, 2605678, 5300, 18750132})
    void schedulesThatOnceBrokeTheInvariant(long seed) {
        play(seed, false);
    }

    private static SimCluster play(long seed, boolean verbose) {
        Scenario scenario = Scenario.of(seed);
        SimCluster cluster = new SimCluster(scenario, verbose);
        try {
            cluster.run();
            cluster.check();
        } catch (AssertionError | RuntimeException e) {
            throw new AssertionError("schedule " + seed + " broke the invariant: " + e.getMessage() + "\n" + scenario
                    + "\nreplay: mvn -pl coordinator test -Dtest=ProtocolSimulationTest -Dorchard.sim.seed=" + seed
                    + "\nlast events:\n" + cluster.sim.trace(), e);
        }
        return cluster;
    }
}
