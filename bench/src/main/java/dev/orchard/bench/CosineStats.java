package dev.orchard.bench;

import java.util.Arrays;

/** Cosine similarity of paired vectors, one pair per image: mean, minimum and 5th percentile (nearest rank). */
public record CosineStats(double mean, double min, double p5) {

    public static CosineStats of(float[][] reference, float[][] other) {
        int n = reference.length;
        if (other.length != n || n == 0) {
            throw new IllegalArgumentException("need the same non-zero number of rows, have " + n + " and " + other.length);
        }
        double[] cosines = new double[n];
        for (int i = 0; i < n; i++) {
            cosines[i] = cosine(reference[i], other[i]);
        }
        double[] sorted = cosines.clone();
        Arrays.sort(sorted);
        int p5 = Math.max(0, (int) Math.ceil(0.05 * n) - 1);
        return new CosineStats(Arrays.stream(cosines).average().orElseThrow(), sorted[0], sorted[p5]);
    }

    static double cosine(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("vectors of " + a.length + " and " + b.length + " values");
        }
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += (double) a[i] * b[i];
            na += (double) a[i] * a[i];
            nb += (double) b[i] * b[i];
        }
        return dot / Math.sqrt(na * nb);
    }
}
