package dev.orchard.coordinator;

import java.util.Arrays;
import java.util.Random;

/**
 * One {@link LeaseSimulation} schedule's parameters, all drawn from its seed, as the work protocol's {@code Scenario}
 * is. {@code freezeWritesInFlight}: whether a coordinator may also freeze between the fence's check and the landing of
 * the write it let through, which no lease can stop (object stores have no compare-and-set across objects): the
 * campaign that shows the checker finds what it looks for.
 * {@code partitionsPerSecond}: a coordinator cut off from its cluster (not from the store) keeps running; cut off
 * for long enough, it is downed by the others and downs itself, each side's resolver on its own timer.
 * {@code stopsPerSecond}: a coordinator stopped gracefully (SIGTERM). Those two came later, drawn after the rest,
 * so that a seed's first draws stay what they were ({@link #asFirstGenerated()}).
 */
record LeaseSchedule(long seed, int coordinators, long[] startsMs, int jobWrites, long writeEveryMs, long maxDelayMs,
                     double failRate, double lostAnswerRate, double freezesPerSecond, long maxFreezeMs, long maxSkewMs,
                     double maxDrift, long maxRunAfterWakingMs, boolean freezeWritesInFlight,
                     double partitionsPerSecond, double stopsPerSecond) {

    static LeaseSchedule of(long seed, boolean freezeWritesInFlight) {
        Random r = new Random(seed * 0x9E3779B97F4A7C15L + 29);
        int coordinators = 2 + r.nextInt(2);
        long[] starts = new long[coordinators];
        for (int i = 1; i < coordinators; i++) {
            starts[i] = r.nextInt(20_000);
        }
        boolean harsh = r.nextInt(3) == 0;
        int jobWrites = 10 + r.nextInt(80);
        long writeEvery = 100 + r.nextInt(1_400);
        long maxDelay = r.nextInt(4) == 0 ? 0 : 1 + r.nextInt(harsh ? 2_000 : 300);
        double failRate = harsh ? r.nextDouble() * 0.2 : r.nextDouble() * 0.02;
        double lostAnswerRate = harsh ? r.nextDouble() * 0.2 : r.nextDouble() * 0.02;
        double freezes = r.nextDouble() * (harsh ? 0.08 : 0.02);
        long maxFreeze = 1_000 + r.nextInt(60_000);
        long skew = r.nextInt(2_001);
        double drift = r.nextDouble() * 1e-3;
        long runAfterWaking = r.nextInt(3_001);
        double partitions = r.nextBoolean() ? 0 : r.nextDouble() * 0.03;
        double stops = r.nextInt(3) != 0 ? 0 : r.nextDouble() * 0.02;
        return new LeaseSchedule(seed, coordinators, starts, jobWrites, writeEvery, maxDelay, failRate, lostAnswerRate,
                freezes, maxFreeze, skew, drift, runAfterWaking, freezeWritesInFlight, partitions, stops);
    }

    /** The schedule as {@link #of} drew it before partitions and graceful stops were modelled. */
    LeaseSchedule asFirstGenerated() {
        return new LeaseSchedule(seed, coordinators, startsMs, jobWrites, writeEveryMs, maxDelayMs, failRate,
                lostAnswerRate, freezesPerSecond, maxFreezeMs, maxSkewMs, maxDrift, maxRunAfterWakingMs,
                freezeWritesInFlight, 0, 0);
    }

    @Override
    public String toString() {
        return "LeaseSchedule[seed=" + seed + ", coordinators=" + coordinators + " starting at " + Arrays.toString(startsMs)
                + " ms, jobWrites=" + jobWrites + " every " + writeEveryMs + " ms, maxDelayMs=" + maxDelayMs
                + ", failRate=" + String.format("%.3f", failRate) + ", lostAnswerRate="
                + String.format("%.3f", lostAnswerRate) + ", freezesPerSecond=" + String.format("%.4f", freezesPerSecond)
                + " up to " + maxFreezeMs + " ms, skew ±" + maxSkewMs + " ms, drift ±"
                + String.format("%.5f", maxDrift) + ", runAfterWaking ≤ " + maxRunAfterWakingMs
                + " ms, freezeWritesInFlight=" + freezeWritesInFlight + ", partitionsPerSecond="
                + String.format("%.4f", partitionsPerSecond) + ", stopsPerSecond=" + String.format("%.4f", stopsPerSecond)
                + "]";
    }
}

/** What a schedule came to. */
