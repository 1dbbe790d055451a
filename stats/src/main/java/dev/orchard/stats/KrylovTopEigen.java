package dev.orchard.stats;

import dev.ludovic.netlib.lapack.JavaLAPACK;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * The k largest eigenpairs of a symmetric positive semi-definite matrix (a covariance) in pure Java, by a block
 * Krylov subspace with full re-orthogonalisation and Rayleigh–Ritz: what the PCA solve tries first where no native
 * LAPACK loads. netlib-java's pure-Java {@code dsyevr} tridiagonalises the whole matrix, (4/3)·d³ flops of
 * level-2 work that Java runs slowly (1-4 s at d = 1280: bench/README.md); a subspace of m vectors costs ~2·d²·m
 * in products of the matrix with blocks of {@link #BLOCK} vectors (one pass over the matrix per block) and
 * ~4·m²·d to keep the basis orthonormal.
 *
 * <p>A Ritz pair (θ, y) is accepted when its residual ‖A·y − θ·y‖ is at most {@link #TOLERANCE}·θ, or below the
 * rounding floor of the largest eigenvalue for pairs at the bottom of a rank-deficient spectrum. Then |θ − λ| for
 * the nearest eigenvalue λ is at most that residual (1e-10 relative), and much less where the eigenvalue is apart
 * from the others (the residual squared over the gap). When the k pairs have not all converged by the time the
 * subspace reaches its {@link #budget}, {@link #solve} returns null and the caller uses {@code dsyevr}: the answer
 * is always one of the two exact methods', never a half-converged one. The start block is drawn from a fixed seed:
 * a matrix always gets the same answer.
 */
final class KrylovTopEigen {
    /** Vectors per product with the matrix: each element of the matrix read serves this many products. */
    static final int BLOCK = 16;
    /** Accepted residual, relative to the pair's eigenvalue. */
    static final double TOLERANCE = 1e-10;
    /** Rows of the product's output kept in the L1 cache at once: {@link #BLOCK} × 128 doubles = 16 KB. */
    private static final int CHUNK = 128;
    private static final long SEED = 1280;

    private KrylovTopEigen() {
    }

    /**
     * The largest subspace tried for k of d, in vectors. Spectra like the benchmark's (16 factors over a noise bulk,
     * the top 50 reaching into the bulk) need the most; a real covariance of image features, which decays, far less.
     */
    static int budget(int d, int k) {
        return Math.min(roundUp(Math.max(8 * k, k + 12 * BLOCK)), d / BLOCK * BLOCK);
    }

    /** Whether the subspace method is worth trying: the top few pairs of a large matrix. */
    static boolean suits(int d, int k) {
        return d >= 512 && budget(d, k) <= d / 2;
    }

    /**
     * The top {@code k} eigenpairs of the symmetric d×d matrix whose upper triangle, row-major, is in {@code a}
     * (its lower triangle is overwritten with the mirror image), or null if they did not converge within the
     * {@link #budget}.
     */
    static TopEigen.Pairs solve(double[] a, int d, int k) {
        for (int i = 0; i < d; i++) {
            for (int j = i + 1; j < d; j++) {
                a[j * d + i] = a[i * d + j]; // full and symmetric: row j is column j
            }
        }
        int budget = budget(d, k);
        double[][] q = new double[budget][]; // the orthonormal basis
        double[][] aq = new double[budget][]; // A·q[i]
        double[][] h = new double[budget][budget]; // qᵀ·A·q, filled as the basis grows
        SplittableRandom random = new SplittableRandom(SEED);
        for (int v = 0; v < BLOCK; v++) {
            q[v] = new double[d]; // zero: orthonormalise draws it
        }
        orthonormalise(q, 0, BLOCK, d, random);
        int m = BLOCK;
        int nextCheck = Math.min(budget, roundUp(k + 2 * BLOCK));
        int lastCheck = 0;
        double lastExcess = Double.NaN;
        while (true) {
            int from = m - BLOCK;
            for (int v = from; v < m; v++) {
                aq[v] = new double[d];
            }
            multiply(a, d, q, from, BLOCK, aq);
            // A·q[l] lies in the span of q's blocks up to l's next one, so h is banded (block tridiagonal): the entries
            // further out are rounding noise and stay 0. The residuals below are computed from A·q, not from h.
            for (int v = from; v < m; v++) {
                for (int l = Math.max(0, from - BLOCK); l <= v; l++) {
                    double x = dot(q[l], aq[v], d);
                    h[l][v] = x;
                    h[v][l] = x;
                }
            }
            if (m >= nextCheck || m == budget) {
                Check check = rayleighRitz(h, q, aq, m, d, k);
                if (check.pairs() != null || m == budget) {
                    return check.pairs();
                }
                // Each check costs ~m³: the next one where the slowest pair's residual, falling geometrically as the
                // last two checks say, reaches the tolerance (Krylov convergence speeds up as m grows, so this errs
                // late, by a few blocks at most), else a quarter further.
                int step = Math.max(2 * BLOCK, m / 4);
                if (lastCheck > 0 && check.excess() < lastExcess) {
                    double perVector = Math.log(lastExcess / check.excess()) / (m - lastCheck);
                    long toGo = (long) Math.ceil(Math.log(check.excess()) / perVector);
                    step = (int) Math.min(4L * step, Math.max(BLOCK, toGo));
                }
                lastCheck = m;
                lastExcess = check.excess();
                nextCheck = Math.min(budget, roundUp(m + step));
            }
            for (int v = 0; v < BLOCK; v++) {
                q[m + v] = aq[from + v].clone(); // the next block of the Krylov space
            }
            orthonormalise(q, m, BLOCK, d, random);
            m += BLOCK;
        }
    }

    private static int roundUp(int n) {
        return (n + BLOCK - 1) / BLOCK * BLOCK;
    }

    /**
     * Makes {@code q[from..from+count)} orthonormal and orthogonal to {@code q[0..from)}: block Gram–Schmidt against
     * the basis twice ("twice is enough"), then within the block; a vector that vanishes (the Krylov space has
     * become invariant: a rank-deficient matrix) is replaced by a random one.
     */
    private static void orthonormalise(double[][] q, int from, int count, int d, SplittableRandom random) {
        double[] before = new double[count];
        for (int v = 0; v < count; v++) {
            if (isZero(q[from + v])) {
                fill(q[from + v], d, random);
            }
            before[v] = Math.sqrt(dot(q[from + v], q[from + v], d));
        }
        for (int pass = 0; pass < 2 && from > 0; pass++) {
            double[][] c = new double[count][from]; // c[v][l] = q[l]·w[v]
            IntStream.range(0, count).parallel().forEach(v -> {
                for (int l = 0; l < from; l++) {
                    c[v][l] = dot(q[l], q[from + v], d);
                }
            });
            IntStream.range(0, (d + CHUNK - 1) / CHUNK).parallel().forEach(chunk -> {
                int i1 = Math.min(d, (chunk + 1) * CHUNK);
                for (int v = 0; v < count; v++) {
                    double[] w = q[from + v];
                    for (int l = 0; l < from; l++) {
                        double x = c[v][l];
                        double[] ql = q[l];
                        for (int i = chunk * CHUNK; i < i1; i++) {
                            w[i] -= x * ql[i];
                        }
                    }
                }
            });
        }
        for (int v = from; v < from + count; v++) {
            double[] w = q[v];
            for (int pass = 0; pass < 2; pass++) {
                for (int l = from; l < v; l++) {
                    axpy(-dot(q[l], w, d), q[l], w, d);
                }
            }
            double after = Math.sqrt(dot(w, w, d));
            for (int attempt = 0; !(after > 1e-8 * before[v - from]); attempt++) {
                if (attempt > 3) {
                    throw new IllegalStateException("cannot extend an orthonormal basis of " + v + " vectors in " + d
                            + " dimensions");
                }
                // In the span already: a random direction instead, against the whole basis twice.
                fill(w, d, random);
                before[v - from] = Math.sqrt(dot(w, w, d));
                for (int pass = 0; pass < 2; pass++) {
                    for (int l = 0; l < v; l++) {
                        axpy(-dot(q[l], w, d), q[l], w, d);
                    }
                }
                after = Math.sqrt(dot(w, w, d));
            }
            double scale = 1.0 / after;
            for (int i = 0; i < d; i++) {
                w[i] *= scale;
            }
        }
    }

    private static void fill(double[] w, int d, SplittableRandom random) {
        for (int i = 0; i < d; i++) {
            w[i] = random.nextDouble(-1.0, 1.0);
        }
    }

    private static boolean isZero(double[] w) {
        for (double x : w) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * The Ritz pairs of the subspace {@code q[0..m)}: the top k eigenpairs of h (its m×m projection) mapped back,
     * or null while any of them has a residual above the tolerance.
     */
    private static Check rayleighRitz(double[][] h, double[][] q, double[][] aq, int m, int d, int k) {
        double[] small = new double[m * m];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < m; j++) {
                small[j * m + i] = h[i][j]; // h is written symmetric
            }
        }
        TopEigen.Pairs ritz = TopEigen.solve(JavaLAPACK.getInstance(), small, m, k);
        if (ritz == null) {
            return new Check(null, Double.POSITIVE_INFINITY);
        }
        // The rounding floor: A·y itself is only known to ~ulp(λ₁)·√d.
        double floor = 16 * Math.ulp(ritz.values()[0]) * Math.sqrt(d);
        double[][] vectors = new double[k][];
        double[] y = new double[d];
        double[] ay = new double[d];
        for (int n = 0; n < k; n++) {
            int c = (n + k - 1) % k; // the k-th pair first: the slowest to converge
            double[] s = ritz.vectors()[c];
            Arrays.fill(y, 0);
            Arrays.fill(ay, 0);
            for (int l = 0; l < m; l++) {
                axpy(s[l], q[l], y, d);
                axpy(s[l], aq[l], ay, d);
            }
            double theta = ritz.values()[c];
            axpy(-theta, y, ay, d);
            double excess = Math.sqrt(dot(ay, ay, d)) / Math.max(TOLERANCE * Math.abs(theta), floor);
            if (excess > 1) {
                return new Check(null, excess);
            }
            vectors[c] = y.clone();
        }
        return new Check(new TopEigen.Pairs(ritz.values().clone(), vectors), 1);
    }

    /** A Rayleigh–Ritz check: the pairs if all converged, else how far the first that did not is (residual / limit). */
    private record Check(TopEigen.Pairs pairs, double excess) {
    }

    /**
     * {@code out[from+v] = A·x[from+v]} for v below {@code count}, A full, symmetric and row-major: one pass over A,
     * {@link #CHUNK} rows of the outputs at a time so that they stay in L1 while A's rows stream past.
     */
    private static void multiply(double[] a, int d, double[][] x, int from, int count, double[][] out) {
        // Each chunk of rows is its own task (the solve runs after the features phase: the other cores are idle);
        // each output value is summed by one task in a fixed order, so the result does not depend on the threads.
        IntStream.range(0, (d + CHUNK - 1) / CHUNK).parallel()
                .forEach(c -> multiplyRows(a, d, x, from, count, out, c * CHUNK, Math.min(d, (c + 1) * CHUNK)));
    }

    private static void multiplyRows(double[] a, int d, double[][] x, int from, int count, double[][] out, int i0,
                                     int i1) {
        int j = 0;
        for (; j + 3 < d; j += 4) { // four rows of A at once: each output value is loaded and stored once for four
            int r0 = j * d;
            int r1 = r0 + d;
            int r2 = r1 + d;
            int r3 = r2 + d;
            for (int v = from; v < from + count; v++) {
                double[] xv = x[v];
                double s0 = xv[j];
                double s1 = xv[j + 1];
                double s2 = xv[j + 2];
                double s3 = xv[j + 3];
                double[] o = out[v];
                for (int i = i0; i < i1; i++) {
                    o[i] += a[r0 + i] * s0 + a[r1 + i] * s1 + a[r2 + i] * s2 + a[r3 + i] * s3;
                }
            }
        }
        for (; j < d; j++) {
            int row = j * d; // row j of A is its column j
            for (int v = from; v < from + count; v++) {
                double s = x[v][j];
                double[] o = out[v];
                for (int i = i0; i < i1; i++) {
                    o[i] += a[row + i] * s;
                }
            }
        }
    }

    /** x·y over the first n entries, in four independent sums. */
    private static double dot(double[] x, double[] y, int n) {
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        int i = 0;
        for (; i + 3 < n; i += 4) {
            s0 += x[i] * y[i];
            s1 += x[i + 1] * y[i + 1];
            s2 += x[i + 2] * y[i + 2];
            s3 += x[i + 3] * y[i + 3];
        }
        for (; i < n; i++) {
            s0 += x[i] * y[i];
        }
        return (s0 + s1) + (s2 + s3);
    }

    /** y += alpha·x over the first n entries. */
    private static void axpy(double alpha, double[] x, double[] y, int n) {
        for (int i = 0; i < n; i++) {
            y[i] += alpha * x[i];
        }
    }
}
