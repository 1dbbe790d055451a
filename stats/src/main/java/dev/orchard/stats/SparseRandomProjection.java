package dev.orchard.stats;

import java.util.Arrays;
import java.util.Optional;

/**
 * A very sparse random projection R (K × d) from d input dimensions to K (Li, Hastie &amp; Church, "Very sparse
 * random projections", KDD 2006): each entry is independently +v or −v with probability density/2 each and 0
 * otherwise, with v = √(1 / (density·K)). Then E[(Rx)ⱼ²] = Σᵢ xᵢ²·density·v² = ‖x‖²/K, so E‖Rx‖² = ‖x‖²
 * (Li's s is 1/density; scikit-learn's SparseRandomProjection uses the same scale). The default density is
 * 1/√d, Li's recommendation.
 *
 * <p>The matrix is a pure function of (seed, d, K, density): every worker builds the identical matrix, so none
 * is shipped. Each input coordinate draws its nonzeros from its own SplitMix64 stream, and the only floating
 * point in the draw is {@link StrictMath#log}, which gives the same bits on every JVM and CPU (Math.log may
 * not). The matrix is held sparsely by input coordinate: about d·K·density ints (d = 62,720, K = 5,000: 1.25
 * M entries, 5 MB), never d×K floats (1.25 GB).
 *
 * <p>Instances are immutable and safe to share between threads.
 */
public final class SparseRandomProjection {
    /** Rows whose sums are kept together (the job's batch of 32 at once, for K ≤ 2,048). */
    static final int ROWS_AT_ONCE = 32;
    /**
     * At most this many bytes of sums (K × rows doubles): fewer rows at once for a large K, to keep the sums within a
     * core's L2 cache (the reason; only K = 2,048, where 32 rows fit, was measured).
     */
    private static final int SUMS_BYTES = 512 << 10;
    /** Input coordinates transposed at a time. */
    static final int TILE = 256;

    private final int inputDim;
    private final int outputDim;
    private final double density;
    private final long seed;
    private final double scale;
    /** The nonzeros of input coordinate i are {@code entries[start[i]] .. entries[start[i + 1] - 1]}. */
    private final int[] start;
    /** Output index j for +scale, or {@code ~j} (negative) for −scale. */
    private final int[] entries;

    /** A projection with Li's density 1/√d. */
    public SparseRandomProjection(int inputDim, int outputDim, long seed) {
        this(inputDim, outputDim, defaultDensity(inputDim), seed);
    }

    public SparseRandomProjection(int inputDim, int outputDim, double density, long seed) {
        if (inputDim < 1 || outputDim < 1) {
            throw new IllegalArgumentException("A projection needs at least one input and one output dimension, got d = "
                    + inputDim + ", K = " + outputDim);
        }
        if (!(density > 0 && density <= 1)) {
            throw new IllegalArgumentException("Density must lie in (0, 1], got " + density);
        }
        this.inputDim = inputDim;
        this.outputDim = outputDim;
        this.density = density;
        this.seed = seed;
        this.scale = Math.sqrt(1 / (density * outputDim));
        this.start = new int[inputDim + 1];
        this.entries = generate();
    }

    /** Li et al.'s recommended density, 1/√d. */
    public static double defaultDensity(int inputDim) {
        return 1 / Math.sqrt(inputDim);
    }

    /**
     * The smallest K for which a random projection keeps every pairwise squared distance of {@code nSamples}
     * points within a factor (1 ± eps) with good probability: 4 ln n / (eps²/2 − eps³/3), truncated, as
     * scikit-learn's {@code johnson_lindenstrauss_min_dim}. It does not depend on d and may well exceed it:
     * check with {@link #dimensionWarning}.
     */
    public static int johnsonLindenstraussDim(long nSamples, double eps) {
        if (nSamples < 1) {
            throw new IllegalArgumentException("The number of samples must be positive, got " + nSamples);
        }
        if (!(eps > 0 && eps < 1)) {
            throw new IllegalArgumentException("eps must lie strictly between 0 and 1, got " + eps);
        }
        double k = 4 * Math.log(nSamples) / (eps * eps / 2 - eps * eps * eps / 3);
        if (k >= Integer.MAX_VALUE) {
            throw new IllegalArgumentException("The Johnson–Lindenstrauss bound for n = " + nSamples + ", eps = " + eps
                    + " is " + (long) k + " dimensions: too many; use a larger eps");
        }
        return (int) k;
    }

    /**
     * A warning to show the user when K does not reduce d (a projection to K ≥ d dimensions only adds noise and
     * cost); empty when K &lt; d.
     */
    public static Optional<String> dimensionWarning(int outputDim, int inputDim) {
        if (outputDim < inputDim) {
            return Optional.empty();
        }
        return Optional.of("The random projection's K = " + outputDim + " is not below the input dimension d = "
                + inputDim + ": it would not reduce anything. Use a larger eps (fewer dimensions, looser distances)"
                + " or skip the projection.");
    }

    /** Rx for one vector of length d. */
    public float[] project(float[] x) {
        if (x.length != inputDim) {
            throw new IllegalArgumentException("Expected a vector of dimension " + inputDim + ", got " + x.length);
        }
        float[] out = new float[outputDim];
        project(x, 1, out);
        return out;
    }

    /** Rx for each row. */
    public float[][] project(float[][] rows) {
        float[] batch = new float[Math.multiplyExact(rows.length, inputDim)];
        for (int r = 0; r < rows.length; r++) {
            if (rows[r].length != inputDim) {
                throw new IllegalArgumentException("Expected a vector of dimension " + inputDim + ", got "
                        + rows[r].length);
            }
            System.arraycopy(rows[r], 0, batch, r * inputDim, inputDim);
        }
        float[] flat = new float[Math.multiplyExact(rows.length, outputDim)];
        project(batch, rows.length, flat);
        float[][] out = new float[rows.length][];
        for (int r = 0; r < rows.length; r++) {
            out[r] = Arrays.copyOfRange(flat, r * outputDim, (r + 1) * outputDim);
        }
        return out;
    }

    /**
     * Projects {@code rows} vectors stored row-major in {@code batch} (as an inference engine returns them) into
     * {@code out}, rows × K row-major.
     *
     * <p>Each output is Σᵢ ±xᵢ over its nonzero entries, summed in double precision in the order of i, then scaled
     * and rounded to float. The rows are projected {@link #ROWS_AT_ONCE} at a time: each nonzero of R is read once
     * for all of them and adds one input coordinate of each row (held transposed, a tile of {@link #TILE}
     * coordinates at a time) to that output's sums. Row by row, each of the ~K·d·density nonzeros cost a load,
     * a sign and an index for one row, and each input a data-dependent zero test: on the unpooled map (d = 62,720,
     * K = 2,048, 62 % zeros) 650-760 µs a row, now ~450 µs, with the same bits ({@code SparseProjectionBench},
     * bench/README.md, twenty-third session). (C2 does not vectorise the inner loop: in a scratch copy it ran as fast
     * with {@code -XX:-UseSuperWord}.)
     */
    public void project(float[] batch, int rows, float[] out) {
        if (batch.length < (long) rows * inputDim || out.length < (long) rows * outputDim) {
            throw new IllegalArgumentException("A batch of " + rows + " needs " + (long) rows * inputDim
                    + " input and " + (long) rows * outputDim + " output floats, got " + batch.length + " and " + out.length);
        }
        int atOnce = Math.max(1, Math.min(ROWS_AT_ONCE, SUMS_BYTES / (Double.BYTES * outputDim)));
        for (int first = 0; first < rows; first += atOnce) {
            projectRows(batch, first, Math.min(atOnce, rows - first), out);
        }
    }

    /**
     * Rows {@code first .. first + m - 1}: {@code sums[j·m + r]} accumulates output j of row r; {@code plus} and
     * {@code minus} hold a tile of input coordinates transposed, {@code plus[t·m + r]} = x_r[i0 + t] and
     * {@code minus} its negation (adding −x is the same double as subtracting x, without a sign per entry).
     */
    private void projectRows(float[] batch, int first, int m, float[] out) {
        double[] sums = new double[outputDim * m];
        double[] plus = new double[TILE * m];
        double[] minus = new double[TILE * m];
        for (int i0 = 0; i0 < inputDim; i0 += TILE) {
            int width = Math.min(TILE, inputDim - i0);
            for (int r = 0; r < m; r++) {
                int from = (first + r) * inputDim + i0;
                for (int t = 0; t < width; t++) {
                    double x = batch[from + t];
                    plus[t * m + r] = x;
                    minus[t * m + r] = -x;
                }
            }
            for (int t = 0; t < width; t++) {
                int xs = t * m;
                for (int p = start[i0 + t], end = start[i0 + t + 1]; p < end; p++) {
                    int e = entries[p];
                    double[] signed = e < 0 ? minus : plus;
                    int js = (e < 0 ? ~e : e) * m;
                    for (int r = 0; r < m; r++) {
                        sums[js + r] += signed[xs + r];
                    }
                }
            }
        }
        for (int r = 0; r < m; r++) {
            int to = (first + r) * outputDim;
            for (int j = 0; j < outputDim; j++) {
                out[to + j] = (float) (sums[j * m + r] * scale);
            }
        }
    }

    public int inputDim() {
        return inputDim;
    }

    public int outputDim() {
        return outputDim;
    }

    public double density() {
        return density;
    }

    public long seed() {
        return seed;
    }

    /** The magnitude of every nonzero entry, √(1 / (density·K)). */
    public double scale() {
        return scale;
    }

    /** How many entries of R are nonzero (about d·K·density). */
    public long nonZeros() {
        return entries.length;
    }

    /** The bytes the matrix holds: two int arrays. */
    public long memoryBytes() {
        return 4L * ((long) start.length + entries.length);
    }

    /**
     * A 64-bit digest of the matrix, for nodes to check cheaply that they projected with the same one (report it
     * beside the seed).
     */
    public long fingerprint() {
        long h = mix(inputDim ^ ((long) outputDim << 32));
        for (int i = 0; i < inputDim; i++) {
            for (int p = start[i]; p < start[i + 1]; p++) {
                h = mix(h ^ ((long) i << 32 | (entries[p] & 0xffffffffL)));
            }
        }
        return h;
    }

    /** Entry (j, i) of R, for tests and inspection; O(nonzeros in column i). */
    public double entry(int outputIndex, int inputIndex) {
        for (int p = start[inputIndex]; p < start[inputIndex + 1]; p++) {
            int e = entries[p];
            if (e == outputIndex) {
                return scale;
            }
            if (e == ~outputIndex) {
                return -scale;
            }
        }
        return 0;
    }

    /**
     * Draws, for each input coordinate, which of the K outputs are nonzero by geometric skips (each gap between
     * nonzeros is Geometric(density), the same law as K independent Bernoulli(density) draws, at O(nonzeros)
     * cost) and a fair sign for each.
     */
    private int[] generate() {
        double logMiss = StrictMath.log1p(-density); // -Infinity at density 1: every gap is 0
        long key = mix(mix(mix(seed) ^ inputDim) ^ ((long) outputDim << 32) ^ Double.doubleToLongBits(density));
        long expected = (long) Math.ceil((double) inputDim * outputDim * density);
        int[] out = new int[(int) Math.min(expected + expected / 16 + 16, MAX_ARRAY)];
        int n = 0;
        for (int i = 0; i < inputDim; i++) {
            start[i] = n;
            long state = mix(key + (i + 1) * GOLDEN_GAMMA);
            double j = -1;
            while (true) {
                state += GOLDEN_GAMMA;
                double u = 1 - (mix(state) >>> 11) * 0x1.0p-53; // in (0, 1]
                j += 1 + Math.floor(StrictMath.log(u) / logMiss);
                if (j >= outputDim) {
                    break;
                }
                state += GOLDEN_GAMMA;
                boolean negative = mix(state) < 0;
                if (n == out.length) {
                    out = grow(out);
                }
                out[n++] = negative ? ~(int) j : (int) j;
            }
        }
        start[inputDim] = n;
        return Arrays.copyOf(out, n);
    }

    private int[] grow(int[] array) {
        if (array.length >= MAX_ARRAY) {
            throw new IllegalArgumentException("A " + outputDim + " × " + inputDim + " projection at density " + density
                    + " has more than " + MAX_ARRAY + " nonzeros: use fewer output dimensions or a lower density");
        }
        return Arrays.copyOf(array, (int) Math.min(array.length + (array.length >> 1) + 16L, MAX_ARRAY));
    }

    private static final long GOLDEN_GAMMA = 0x9e3779b97f4a7c15L;
    private static final int MAX_ARRAY = Integer.MAX_VALUE - 8;

    /** SplitMix64's finaliser (Steele, Lea &amp; Flood 2014): a fixed bijection of 64-bit values, so draws never depend on the JDK. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
