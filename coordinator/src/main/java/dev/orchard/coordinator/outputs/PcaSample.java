package dev.orchard.coordinator.outputs;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * The rows the report's scatter plot shows: at most {@code max} of them, the ones whose paths hash lowest. The choice
 * depends only on the set of paths (not on the order the rows are read, nor on how they were cut into parts), so the
 * same output always gives the same plot, and every label keeps about its share of the points.
 */
final class PcaSample {
    static final int MAX_POINTS = 5_000;

    /** A row's first two PCA coordinates (y is 0 when k = 1) and its label (null when unlabelled). */
    record Point(String path, String label, double x, double y, long key) {
    }

    private static final Comparator<Point> ORDER = Comparator.comparingLong(Point::key).thenComparing(Point::path);

    private final int max;
    private final PriorityQueue<Point> kept; // the largest key on top, to be dropped first
    private long seen;

    PcaSample(int max) {
        this.max = max;
        this.kept = new PriorityQueue<>(Math.min(max, 1024) + 1, ORDER.reversed());
    }

    void offer(String path, String label, float[] pca) {
        seen++;
        if (pca.length == 0) {
            return;
        }
        Point p = new Point(path, label, pca[0], pca.length > 1 ? pca[1] : 0, key(path));
        if (kept.size() < max) {
            kept.add(p);
        } else if (ORDER.compare(p, kept.peek()) < 0) {
            kept.poll();
            kept.add(p);
        }
    }

    /** The kept rows, in key order. */
    List<Point> points() {
        List<Point> points = new ArrayList<>(kept);
        points.sort(ORDER);
        return points;
    }

    /** How many rows were offered. */
    long seen() {
        return seen;
    }

    /** A 64-bit hash of the path (FNV-1a, then SplitMix64's finaliser so nearby paths scatter). */
    static long key(String path) {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < path.length(); i++) {
            h ^= path.charAt(i);
            h *= 0x100000001b3L;
        }
        h ^= h >>> 30;
        h *= 0xbf58476d1ce4e5b9L;
        h ^= h >>> 27;
        h *= 0x94d049bb133111ebL;
        h ^= h >>> 31;
        return h;
    }
}
