package dev.orchard.stats;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * The sufficient statistics of a set of vectors for an exact PCA: count n, mean μ and co-moment
 * M = Σ (x−μ)(x−μ)ᵀ, in double precision. Partials built anywhere (one batch, one unit, one worker) merge
 * exactly and in any grouping with the pairwise update of Chan, Golub and LeVeque:
 * <pre>
 *   n = nA + nB,  δ = μB − μA,  μ = μA + δ·nB/n,  M = MA + MB + δδᵀ·nA·nB/n
 * </pre>
 * Summing centred co-moments rather than raw Σxxᵀ avoids the catastrophic cancellation of
 * Σxxᵀ − nμμᵀ when features have a large mean. M is symmetric, so only its upper triangle is kept,
 * packed row by row: a 1280-d partial is 6.6 MB.
 */
public final class CovariancePartial {
    private static final int MAGIC = 0x4f524350; // "ORCP"
    private static final int VERSION = 1;

    private final int dim;
    private long count;
    private final double[] mean;
    private final double[] comoment;
    private GramUpdate gram = GramUpdate.DEFAULT;

    private CovariancePartial(int dim, long count, double[] mean, double[] comoment) {
        this.dim = dim;
        this.count = count;
        this.mean = mean;
        this.comoment = comoment;
    }

    /**
     * No vectors yet. At {@code dim} 0 a partial keeps the count alone (a job without a PCA folds nothing, but its
     * units' statistics files still count their rows): it merges and encodes like any other, in 20 bytes.
     */
    public static CovariancePartial empty(int dim) {
        if (dim < 0) {
            throw new IllegalArgumentException("dimension must not be negative, was " + dim);
        }
        return new CovariancePartial(dim, 0, new double[dim], new double[packedSize(dim)]);
    }

    public int dim() {
        return dim;
    }

    public long count() {
        return count;
    }

    public double[] mean() {
        return mean.clone();
    }

    /**
     * Folds in {@code rows} vectors stored row-major in {@code batch} (rows × dim). The batch is centred on its
     * own mean and merged (Chan et al.): its co-moment and the merge's correction are formed in one pass of outer
     * products over the upper triangle.
     */
    public void addBatch(float[] batch, int rows) {
        if (rows == 0) {
            return;
        }
        if (batch.length < rows * dim) {
            throw new IllegalArgumentException("batch holds " + batch.length + " floats, need " + rows + "×" + dim);
        }
        double[] batchMean = new double[dim];
        for (int r = 0; r < rows; r++) {
            int off = r * dim;
            for (int i = 0; i < dim; i++) {
                batchMean[i] += batch[off + i];
            }
        }
        for (int i = 0; i < dim; i++) {
            batchMean[i] /= rows;
        }
        // Chan's merge with the batch's co-moment added in place, in the same pass as the batch's own Gram matrix:
        // the merge's δδᵀ·nA·nB/n is the outer product of one more row, δ·√(nA·nB/n). One pass over the packed
        // triangle per batch, no 6.6 MB temporary.
        long nA = count;
        long n = nA + rows;
        boolean shift = nA > 0;
        double[][] centred = new double[shift ? rows + 1 : rows][];
        for (int r = 0; r < rows; r++) {
            int off = r * dim;
            double[] row = new double[dim];
            for (int i = 0; i < dim; i++) {
                row[i] = batch[off + i] - batchMean[i];
            }
            centred[r] = row;
        }
        double f = (double) rows / n;
        double[] delta = new double[dim];
        for (int i = 0; i < dim; i++) {
            delta[i] = batchMean[i] - mean[i];
        }
        if (shift) {
            double root = Math.sqrt((double) nA * rows / n);
            double[] scaled = new double[dim];
            for (int i = 0; i < dim; i++) {
                scaled[i] = delta[i] * root;
            }
            centred[rows] = scaled;
        }
        gram.add(comoment, centred, dim);
        for (int i = 0; i < dim; i++) {
            mean[i] += delta[i] * f;
        }
        count = n;
    }

    /** The same partial, folding batches in with {@code update} (tests compare the two ways). */
    CovariancePartial using(GramUpdate update) {
        gram = update;
        return this;
    }

    /** Adds one vector. */
    public void add(float[] x) {
        addBatch(x, 1);
    }

    /** Merges {@code other} into this partial (Chan et al.); {@code other} is unchanged. */
    public void merge(CovariancePartial other) {
        if (other.dim != dim) {
            throw new IllegalArgumentException("cannot merge a " + other.dim + "-d partial into a " + dim + "-d one");
        }
        merge(other.count, other.mean, other.comoment);
    }

    private void merge(long nB, double[] meanB, double[] comomentB) {
        if (nB == 0) {
            return;
        }
        long nA = count;
        long n = nA + nB;
        double[] delta = new double[dim];
        for (int i = 0; i < dim; i++) {
            delta[i] = meanB[i] - mean[i];
        }
        for (int k = 0; k < comoment.length; k++) {
            comoment[k] += comomentB[k];
        }
        if (nA > 0) {
            double w = (double) nA * nB / n;
            double[] scaled = new double[dim];
            for (int i = 0; i < dim; i++) {
                scaled[i] = delta[i] * Math.sqrt(w);
            }
            addOuterProduct(comoment, scaled);
        }
        double f = (double) nB / n;
        for (int i = 0; i < dim; i++) {
            mean[i] += delta[i] * f;
        }
        count = n;
    }

    /**
     * packed += v vᵀ over the upper triangle. Row i of the triangle starts at {@code base + i}, so the inner loop
     * is a plain axpy over contiguous memory with one induction variable, which the JIT vectorises.
     */
    private void addOuterProduct(double[] packed, double[] v) {
        int rowStart = 0;
        for (int i = 0; i < dim; i++) {
            double vi = v[i];
            if (vi != 0.0) {
                int base = rowStart - i;
                for (int j = i; j < dim; j++) {
                    packed[base + j] += vi * v[j];
                }
            }
            rowStart += dim - i;
        }
    }

    /** The sample covariance M/(n−1) as a full symmetric matrix. */
    public double[][] covariance() {
        if (count < 2) {
            throw new IllegalStateException("covariance needs at least 2 vectors, have " + count);
        }
        double[][] c = new double[dim][dim];
        double scale = 1.0 / (count - 1);
        int k = 0;
        for (int i = 0; i < dim; i++) {
            for (int j = i; j < dim; j++) {
                double v = comoment[k++] * scale;
                c[i][j] = v;
                c[j][i] = v;
            }
        }
        return c;
    }

    /**
     * The sample covariance M/(n−1) as a d×d array whose upper triangle is filled row by row (the lower part is
     * zero): to LAPACK, which reads column-major, that is the lower triangle. One contiguous copy per row of the
     * packed co-moment, no transposition.
     */
    public double[] covarianceUpperRowMajor() {
        if (count < 2) {
            throw new IllegalStateException("covariance needs at least 2 vectors, have " + count);
        }
        double[] c = new double[Math.multiplyExact(dim, dim)];
        double scale = 1.0 / (count - 1);
        int k = 0;
        for (int i = 0; i < dim; i++) {
            int row = i * dim;
            for (int j = i; j < dim; j++) {
                c[row + j] = comoment[k++] * scale;
            }
        }
        return c;
    }

    public CovariancePartial copy() {
        return new CovariancePartial(dim, count, mean.clone(), comoment.clone());
    }

    /** Binary form (little-endian): magic, version, dim, count, mean[dim], packed co-moment. */
    public byte[] encode() {
        ByteBuffer buf = ByteBuffer.allocate(4 + 4 + 4 + 8 + 8 * (dim + comoment.length)).order(ByteOrder.LITTLE_ENDIAN);
        buf.putInt(MAGIC).putInt(VERSION).putInt(dim).putLong(count);
        buf.asDoubleBuffer().put(mean).put(comoment);
        return buf.array();
    }

    public static CovariancePartial decode(byte[] bytes) {
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (bytes.length < 20 || buf.getInt() != MAGIC) {
            throw new IllegalArgumentException("not an Orchard covariance partial");
        }
        int version = buf.getInt();
        if (version != VERSION) {
            throw new IllegalArgumentException("covariance partial version " + version + ", this build reads " + VERSION);
        }
        int dim = buf.getInt();
        long count = buf.getLong();
        double[] mean = new double[dim];
        double[] comoment = new double[packedSize(dim)];
        if (buf.remaining() != 8L * (dim + comoment.length)) {
            throw new IllegalArgumentException("covariance partial is truncated");
        }
        var doubles = buf.asDoubleBuffer();
        doubles.get(mean).get(comoment);
        return new CovariancePartial(dim, count, mean, comoment);
    }

    static int packedSize(int dim) {
        long size = (long) dim * (dim + 1) / 2;
        if (size > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(dim + "-d covariance is too large for an exact PCA; "
                    + "reduce the dimension first (sparse random projection)");
        }
        return (int) size;
    }

    @Override
    public String toString() {
        return "CovariancePartial[dim=" + dim + ", count=" + count + ", mean[0..3]="
                + Arrays.toString(Arrays.copyOf(mean, Math.min(3, dim))) + "]";
    }
}
