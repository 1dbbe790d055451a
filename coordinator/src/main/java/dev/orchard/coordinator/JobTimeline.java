package dev.orchard.coordinator;

import java.util.ArrayList;
import java.util.List;

/**
 * How a job progressed over time: images done and errors, sampled about once a second, for the report's images/s
 * plot and the status page. Its memory is bounded whatever the job's length: when it holds {@link #capacity}
 * samples it keeps every other one and from then on records every other sample it is given (so a 10-hour job keeps
 * one sample every ~40 s, evenly spaced). Not thread-safe: one owner feeds it.
 */
public final class JobTimeline {

    /** At {@code seconds} since the coordinator started: images through the features phase, and errors among them. */
    public record Sample(double seconds, long imagesDone, long errors) {
    }

    private final int capacity;
    private final List<Sample> samples = new ArrayList<>();
    private int stride = 1;
    private long offered;

    public JobTimeline(int capacity) {
        if (capacity < 4) {
            throw new IllegalArgumentException("capacity must be at least 4, was " + capacity);
        }
        this.capacity = capacity;
    }

    public JobTimeline() {
        this(1024);
    }

    public void record(double seconds, long imagesDone, long errors) {
        if (offered++ % stride != 0) {
            return;
        }
        if (samples.size() == capacity) {
            List<Sample> kept = new ArrayList<>(capacity);
            for (int i = 0; i < samples.size(); i += 2) {
                kept.add(samples.get(i));
            }
            samples.clear();
            samples.addAll(kept);
            stride *= 2;
            if ((offered - 1) % stride != 0) {
                return;
            }
        }
        samples.add(new Sample(seconds, imagesDone, errors));
    }

    /** The last sample, kept whatever the stride (the report's plot ends where the job did). */
    public void end(double seconds, long imagesDone, long errors) {
        if (!samples.isEmpty() && samples.get(samples.size() - 1).seconds() == seconds) {
            samples.remove(samples.size() - 1);
        }
        samples.add(new Sample(seconds, imagesDone, errors));
    }

    /** A copy, safe to hand to another thread. */
    public List<Sample> samples() {
        return List.copyOf(samples);
    }

    /**
     * Images per second between samples, averaged over at least {@code windowSeconds} (one-second samples of a job
     * whose workers report per unit are jumpy): element i is the rate ending at sample i+1. The rate is that of new
     * images: the rise of the most images done so far, never below 0. When a worker is lost the coordinator takes back
     * the units it had finished but not yet committed, and the images done fall (2,176 → 1,920 in a walk, whose plot
     * dipped to -25 images/s); redoing them is no progress, so the rate is 0 until the count passes its most again.
     */
    public static double[][] rates(List<Sample> samples, double windowSeconds) {
        long[] most = new long[samples.size()];
        for (int i = 0; i < most.length; i++) {
            most[i] = Math.max(i == 0 ? 0 : most[i - 1], samples.get(i).imagesDone());
        }
        List<double[]> points = new ArrayList<>();
        int from = 0;
        for (int i = 1; i < samples.size(); i++) {
            Sample now = samples.get(i);
            while (from < i - 1 && now.seconds() - samples.get(from + 1).seconds() >= windowSeconds) {
                from++;
            }
            double dt = now.seconds() - samples.get(from).seconds();
            if (dt > 0) {
                points.add(new double[] {now.seconds(), (most[i] - most[from]) / dt});
            }
        }
        double[][] xy = new double[2][points.size()];
        for (int i = 0; i < points.size(); i++) {
            xy[0][i] = points.get(i)[0];
            xy[1][i] = points.get(i)[1];
        }
        return xy;
    }
}
