package dev.orchard.coordinator.work.sim;

import java.util.Random;

/**
 * One generated schedule's parameters, all drawn from its seed: the input (images, of which some are unreadable
 * and some take down any worker that processes them), the cluster (workers, capacity, commit window), and the
 * faults (message drops, duplicates and delays, worker crashes and graceful stops (SIGTERM), coordinator crashes,
 * failed writes, transient read errors, stalled attempts). Then, for most schedules, an update of the finished
 * output ({@code --update}): images added (some unreadable), removed, changed (some now unreadable, some unreadable
 * ones fixed), under the same faults, with its own coordinator crashes, and its generation swapped in folder by
 * folder (a local store) or object by object (S3); in a quarter of those, one or two updates more.
 */
record Scenario(long seed, int images, int unitSize, int unitBytes, int workers, int capacity, int commitEvery,
                double dropRate, double duplicateRate, int maxDelayMs, long faultsEndMs, double workerCrashPerSecond,
                int coordinatorCrashes, int badImages, int poisonImages, double readErrorRate, double writeFailRate,
                double statisticsFailRate, double stallRate, double goneNoticeRate, boolean pca, long partBytes,
                int listBatch, boolean update, int added, int removed, int changed, int newBad, boolean fixBad,
                int updateCrashes, boolean objectSwap, double gracefulStopRate) {

    /**
     * The workers' time bound on their commit window: none in half the schedules, else 300 ms to 5 s (drawn apart from
     * the rest, so that adding it changed no other parameter of a seed).
     */
    long commitAfterMs() {
        Random r = new Random(seed * 31 + 0x5DEECE66DL);
        return r.nextBoolean() ? Long.MAX_VALUE : 300 + r.nextInt(4_700);
    }

    /**
     * Entries the listing reports as problems instead of images (a dangling link, a folder it cannot read): none in
     * two thirds of the schedules, else 1-3 (drawn apart from the rest, as {@link #commitAfterMs}).
     */
    int listingProblems() {
        Random r = new Random(seed * 37 + 0x9E3779B9L);
        return r.nextInt(3) == 0 ? 1 + r.nextInt(3) : 0;
    }

    /**
     * How the n-th coordinator of the schedule (from 1) cuts parts, {@code {partBytes, maxUnitsPerPart}}: as the first
     * in two thirds of the schedules; else each later one draws its own, as a standby started with another
     * {@code --config} or a {@code --resume} after the settings were changed would (drawn apart, as
     * {@link #commitAfterMs}).
     */
    long[] partSettings(int coordinator) {
        Random r = new Random(seed * 43 + 0x2545F491L);
        if (coordinator <= 1 || r.nextInt(3) != 0) {
            return new long[] {partBytes, 4};
        }
        Random own = new Random(seed * 47 + coordinator * 0x9E3779B97F4A7C15L);
        return new long[] {1 + own.nextInt(4000), 1 + own.nextInt(6)};
    }

    /**
     * The part promoted (counted over the schedule, from 1) right after which the coordinator crashes, once: none in
     * four fifths of the schedules, else the 1st to 3rd (drawn apart, as {@link #commitAfterMs}). Crashes at random
     * times seldom land in the publish stage's short window.
     */
    int crashAfterPromote() {
        Random r = new Random(seed * 53 + 0x632BE59BD9B4E019L);
        return r.nextInt(5) == 0 ? 1 + r.nextInt(3) : 0;
    }

    /**
     * How long after its coordinator died a promotion it had in flight may still land, or 0 where it lands at once or
     * never: in a quarter of the schedules 1-30 s, past the next coordinator's start (a process frozen between its
     * lease's check and the move, thawed after a takeover; drawn apart, as {@link #commitAfterMs}).
     */
    long latePromoteMs() {
        Random r = new Random(seed * 59 + 0x3C6EF372FE94F82AL);
        return r.nextInt(4) == 0 ? 1_000 + r.nextInt(29_000) : 0;
    }

    /**
     * The step of an update's swap (counted over the schedule, from 1) right after which the coordinator crashes, once:
     * none in two thirds of the schedules, else the 1st to 12th (drawn apart, as {@link #commitAfterMs}). With
     * {@link #latePromoteMs} its step in flight may then land late, after the next coordinator's swap.
     */
    int crashAfterSwapStep() {
        Random r = new Random(seed * 61 + 0x1B873593L);
        return r.nextInt(3) == 0 ? 1 + r.nextInt(12) : 0;
    }

    /**
     * How many updates follow the first run where {@link #update} says there is one: one in three quarters of the
     * schedules, else two or three, each of the output the one before made, so that a generation's parts are deleted
     * by their generation's names and a swap follows a swap (drawn apart, as {@link #commitAfterMs}; a later update
     * draws its changes from the schedule's generator after the first has run, so the first plays as it did).
     */
    int updates() {
        Random r = new Random(seed * 67 + 0x7F4A7C15L);
        return r.nextInt(4) != 0 ? 1 : 2 + r.nextInt(2);
    }

    /**
     * Whether a base part's statistics file is damaged before the first update (it counts another number of rows than
     * its generation records for the part, which the coordinator's solve sees): in one schedule in ten (drawn apart,
     * as {@link #commitAfterMs}). The update must then end at once, as for bad input, or finish where it regroups that
     * part and so never reads the file.
     */
    boolean damagesBaseStatistics() {
        return new Random(seed * 71 + 0x41C64E6DL).nextInt(10) == 0;
    }

    static Scenario of(long seed) {
        Random r = new Random(seed);
        int images = 1 + r.nextInt(r.nextInt(8) == 0 ? 300 : 60);
        boolean harsh = r.nextInt(4) == 0;
        return new Scenario(seed, images,
                1 + r.nextInt(8),
                r.nextInt(5) == 0 ? 60 + r.nextInt(80) : 1 << 20,      // tight byte budgets cut units short
                1 + r.nextInt(4),
                1 + r.nextInt(3),
                1 + r.nextInt(4),
                harsh ? 0.2 * r.nextDouble() : 0.05 * r.nextDouble(),
                0.1 * r.nextDouble(),
                1 + r.nextInt(harsh ? 3000 : 500),
                20_000 + r.nextInt(120_000),
                harsh ? 0.05 * r.nextDouble() : 0.01 * r.nextDouble(),
                r.nextInt(4) == 0 ? 1 + r.nextInt(3) : 0,
                r.nextInt(3) == 0 ? r.nextInt(Math.max(1, images / 5) + 1) : 0,
                r.nextInt(8) == 0 ? 1 + r.nextInt(2) : 0,
                r.nextInt(3) == 0 ? 0.1 * r.nextDouble() : 0,
                r.nextInt(3) == 0 ? 0.1 * r.nextDouble() : 0,
                r.nextInt(3) == 0 ? 0.1 * r.nextDouble() : 0,
                r.nextInt(4) == 0 ? 0.1 * r.nextDouble() : 0,
                r.nextDouble(),
                r.nextInt(4) != 0,
                1 + r.nextInt(4000),
                1 + r.nextInt(40),
                r.nextInt(4) != 0,
                r.nextInt(3) == 0 ? 0 : r.nextInt(1 + images / 2),
                r.nextInt(3) == 0 ? 0 : r.nextInt(1 + images / 3),
                r.nextInt(3) == 0 ? 0 : r.nextInt(1 + images / 3),
                r.nextInt(3) == 0 ? 1 + r.nextInt(3) : 0,
                r.nextBoolean(),
                r.nextInt(3) == 0 ? 1 + r.nextInt(3) : 0,
                r.nextBoolean(),
                r.nextInt(3) == 0 ? r.nextDouble() : 0);
    }
}
