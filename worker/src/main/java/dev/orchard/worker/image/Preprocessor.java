package dev.orchard.worker.image;

import dev.orchard.protocol.ModelSpec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;

/**
 * Pixels → one image's slice of the model's input tensor, as torchvision does it with PIL:
 * {@code Resize(shorter side S, bilinear, antialiased)}, {@code CenterCrop(H, W)}, {@code ToTensor()},
 * {@code Normalize(mean, std)}. The resize reproduces PIL's separable resampling in fixed point (the same
 * filter support, coefficients and 8-bit rounding after each pass, byte for byte: see PreprocessorPilTest),
 * and is evaluated only inside the crop window, so no full-size intermediate image is ever made. Output layout
 * is CHW float.
 *
 * <p>Speed: this runs once per image on the cores ONNX Runtime wants, so every pass is written as loops the
 * JDK 17 JIT turns into SIMD code. That JIT vectorises a loop only when each array it reads is indexed by the
 * loop variable alone and the body has no min/max and no int→float conversion; hence the layout: every pass
 * works on whole rows held as separate arrays (the horizontal pass on the transposed image, so that it too
 * runs along contiguous rows), the clip to 0..255 is proven unnecessary instead of computed (see
 * {@link Axis}), and the final conversion to float goes through the bits of a float (see
 * {@link #FLOAT_2_23}).
 */
public final class Preprocessor {
    private static final int PRECISION_BITS = 32 - 8 - 2; // as PIL's Resample.c
    private static final int HALF = 1 << (PRECISION_BITS - 1);
    /** Lines handled together when transposing: 16 ints fill one 64-byte cache line. */
    private static final int TILE = 16;
    /** 2²³ as a float: its bits plus v (0 ≤ v < 2²³) are exactly the float 2²³ + v. */
    private static final float FLOAT_2_23 = 8388608f;
    private static final int FLOAT_2_23_BITS = Float.floatToRawIntBits(FLOAT_2_23);
    /**
     * The widest horizontal kernel that goes through the transposed, vectorised pass; wider ones (shrinking by more
     * than 5×) are computed straight from the pixels. Transposing costs per input pixel, the taps per output: on the
     * 2-core Zen 4 host, 500×375 took 0.44 ms transposed against 0.82 direct (5 taps), 1400×1050 2.1 against 3.3
     * (11 taps), 1800×1350 4.6 against 4.7 (13 taps) and 2000×1500 6.6 against 5.1 (13 taps, its columns no longer
     * in the caches). With reduced decoding (the default) a JPEG reaches this class with its short side under 1,024,
     * so at 9 taps or fewer. The pass keeps the crop window's columns per thread (three int arrays per column: 12
     * bytes per pixel of the window, so ~7 MB for a 1023×767 image by the arrays' sizes), as long as the thread lives.
     */
    static final int MAX_TRANSPOSED_KERNEL = 11;

    private final ModelSpec spec;
    // ToTensor then Normalize, (v/255 − mean)/std, as one multiply-add per value: v·scale + shift.
    private final float[] scale = new float[3];
    private final float[] shift = new float[3];

    public Preprocessor(ModelSpec spec) {
        this.spec = spec;
        for (int c = 0; c < 3; c++) {
            scale[c] = (float) (1.0 / (255.0 * spec.std()[c]));
            shift[c] = (float) (-spec.mean()[c] / (double) spec.std()[c]);
        }
    }

    /** Floats per image in the input tensor (3 × H × W). */
    public int imageSize() {
        return 3 * spec.inputHeight() * spec.inputWidth();
    }

    /** Writes {@code img} into {@code dst} starting at float index {@code offset}. */
    public void write(RgbImage img, FloatBuffer dst, int offset) {
        int tw = spec.inputWidth();
        int th = spec.inputHeight();
        int rw;
        int rh;
        if (spec.resizeShorter() > 0) {
            int s = spec.resizeShorter();
            if (img.width() <= img.height()) {
                rw = s;
                rh = (int) ((long) s * img.height() / img.width());
            } else {
                rh = s;
                rw = (int) ((long) s * img.width() / img.height());
            }
        } else {
            rw = tw;
            rh = th;
        }
        // torchvision's CenterCrop: int(round((size − crop) / 2)), Python rounding = half to even = Math.rint.
        int left = (int) Math.rint((rw - tw) / 2.0);
        int top = (int) Math.rint((rh - th) / 2.0);
        Scratch s = SCRATCH.get();
        Axis ax = s.axis(0, img.width(), rw, Math.max(left, 0), tw);
        Axis ay = s.axis(1, img.height(), rh, Math.max(top, 0), th);
        int rowFirst = ay.first;
        int rows = ay.last - rowFirst; // only the source rows the vertical pass reads are ever touched
        s.ensureRows(rows, rows + ay.kernelSize, tw);

        // Horizontal pass, then vertical, each rounding to 8 bits as PIL does.
        if (ax.kernelSize <= MAX_TRANSPOSED_KERNEL) {
            horizontalTransposed(img, ax, s, rowFirst, rows, tw);
        } else {
            horizontalDirect(img, ax, s, rowFirst, rows, tw);
        }

        // The vertical pass a row at a time (rows past the last are the shared zero row, read with weight 0), then
        // to float and normalised; each row goes to the tensor while it is in L1.
        int plane = tw * th;
        int[] bits = s.rowBits;
        float[] values = s.rowValues;
        IntBuffer asInts = s.rowBuffer.asIntBuffer();
        FloatBuffer asFloats = s.rowBuffer.asFloatBuffer();
        for (int c = 0; c < 3; c++) {
            int channel = spec.bgr() ? 2 - c : c;
            float sc = scale[channel];
            float sh = shift[channel];
            int outPlane = offset + channel * plane;
            for (int y = 0; y < th; y++) {
                ay.applyAsFloatBits(s.rows[c], ay.min[y] - rowFirst, y * ay.kernelSize, bits, tw); // 2²³ + v
                asInts.put(0, bits, 0, tw);
                asFloats.get(0, values, 0, tw);
                for (int x = 0; x < tw; x++) {
                    values[x] = (values[x] - FLOAT_2_23) * sc + sh; // exact v, then ToTensor and Normalize
                }
                dst.put(outPlane + y * tw, values, 0, tw);
            }
        }
    }

    /**
     * The horizontal pass for an upscale (2 taps) or a moderate shrink (up to {@link #MAX_TRANSPOSED_KERNEL} taps):
     * the image is transposed so that the pass runs down whole columns, which the JIT vectorises; the result is
     * transposed back into rows for the vertical pass.
     */
    private static void horizontalTransposed(RgbImage img, Axis ax, Scratch s, int rowFirst, int rows, int tw) {
        // One transposed plane per channel: column x of channel c is the array columns[c][x]. Columns past the
        // last are the shared zero array: the kernels' trailing taps read them with weight 0. Filled in bands of
        // TILE rows, so each column array is visited once per band for TILE consecutive values.
        int colFirst = ax.first;
        int cols = ax.last - colFirst; // only the columns the pass reads
        s.ensureColumns(cols, cols + ax.kernelSize, rows);
        byte[] rgb = img.rgb();
        int[][] red = s.columns[0];
        int[][] green = s.columns[1];
        int[][] blue = s.columns[2];
        int stride = img.width() * 3;
        for (int y0 = 0; y0 < rows; y0 += TILE) {
            int y1 = Math.min(rows, y0 + TILE);
            for (int x = 0, p0 = ((rowFirst + y0) * img.width() + colFirst) * 3; x < cols; x++, p0 += 3) {
                int[] r = red[x];
                int[] g = green[x];
                int[] b = blue[x];
                for (int y = y0, p = p0; y < y1; y++, p += stride) {
                    r[y] = rgb[p] & 0xff;
                    g[y] = rgb[p + 1] & 0xff;
                    b[y] = rgb[p + 2] & 0xff;
                }
            }
        }

        // TILE output columns at a time, then transposed back into the rows of the vertical pass as a band of
        // TILE consecutive values per row.
        int[][] band = s.band;
        for (int c = 0; c < 3; c++) {
            int[][] mid = s.rows[c];
            for (int x0 = 0; x0 < tw; x0 += TILE) {
                int n = Math.min(TILE, tw - x0);
                for (int i = 0; i < n; i++) {
                    ax.apply(s.columns[c], ax.min[x0 + i] - colFirst, (x0 + i) * ax.kernelSize, band[i], rows);
                }
                transposeBack(band, n, mid, x0, rows);
            }
        }
    }

    /**
     * {@code mid[y][x0 + i] = band[i][y]}: the band of {@code n} columns back into rows. A whole band is written with
     * its 16 columns held in locals, so that each value is one load and one store, not a load of {@code band[i]}
     * first. With the fused conversion of {@link Axis#applyAsFloatBits}, PreprocessBench (3 alternated runs): a small
     * image 136 / 101 / 100 µs against 194 / 154 / 132 before, a photo 474 / 355 / 351 against 608 / 469 / 440; of
     * that, a scratch split put ~20 µs of a small image on this loop and ~5 on the fusion.
     */
    private static void transposeBack(int[][] band, int n, int[][] mid, int x0, int rows) {
        if (n != TILE) {
            for (int y = 0; y < rows; y++) {
                int[] row = mid[y];
                for (int i = 0; i < n; i++) {
                    row[x0 + i] = band[i][y];
                }
            }
            return;
        }
        int[] b0 = band[0], b1 = band[1], b2 = band[2], b3 = band[3], b4 = band[4], b5 = band[5], b6 = band[6];
        int[] b7 = band[7], b8 = band[8], b9 = band[9], b10 = band[10], b11 = band[11], b12 = band[12];
        int[] b13 = band[13], b14 = band[14], b15 = band[15];
        for (int y = 0; y < rows; y++) {
            int[] row = mid[y];
            row[x0] = b0[y];
            row[x0 + 1] = b1[y];
            row[x0 + 2] = b2[y];
            row[x0 + 3] = b3[y];
            row[x0 + 4] = b4[y];
            row[x0 + 5] = b5[y];
            row[x0 + 6] = b6[y];
            row[x0 + 7] = b7[y];
            row[x0 + 8] = b8[y];
            row[x0 + 9] = b9[y];
            row[x0 + 10] = b10[y];
            row[x0 + 11] = b11[y];
            row[x0 + 12] = b12[y];
            row[x0 + 13] = b13[y];
            row[x0 + 14] = b14[y];
            row[x0 + 15] = b15[y];
        }
    }

    /**
     * The horizontal pass for a large shrink (more than {@link #MAX_TRANSPOSED_KERNEL} taps), straight from the
     * interleaved pixels into the rows of the vertical pass: the transposed columns of so large an image no longer
     * fit in the caches, and transposing them costs more than the vectorised loop saves.
     */
    private static void horizontalDirect(RgbImage img, Axis ax, Scratch s, int rowFirst, int rows, int tw) {
        byte[] rgb = img.rgb();
        int stride = img.width() * 3;
        int[] coeffs = ax.coeffs;
        for (int y = 0; y < rows; y++) {
            int[] r = s.rows[0][y];
            int[] g = s.rows[1][y];
            int[] b = s.rows[2][y];
            int rowBase = (rowFirst + y) * stride;
            for (int x = 0; x < tw; x++) {
                int sr = HALF;
                int sg = HALF;
                int sb = HALF;
                int last = Math.min(ax.min[x] + ax.kernelSize, img.width());
                for (int k = x * ax.kernelSize, p = rowBase + ax.min[x] * 3, i = ax.min[x]; i < last; i++, k++, p += 3) {
                    int w = coeffs[k];
                    sr += (rgb[p] & 0xff) * w;
                    sg += (rgb[p + 1] & 0xff) * w;
                    sb += (rgb[p + 2] & 0xff) * w;
                }
                r[x] = sr >> PRECISION_BITS;
                g[x] = sg >> PRECISION_BITS;
                b[x] = sb >> PRECISION_BITS;
            }
        }
    }

    /** Per-thread work arrays and the last axes, so preprocessing allocates nothing per image once warm. */
    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private static final class Scratch {
        // Lines: the first n of a view are its own arrays (lineStore), the padding after them the zero line.
        final int[][][] columns = new int[3][0][];
        final int[][][] rows = new int[3][0][];
        private final int[][][] columnStore = new int[3][0][];
        private final int[][][] rowStore = new int[3][0][];
        int[] zeroColumn = new int[0];
        int[] zeroRow = new int[0];
        int[][] band = new int[TILE][0];
        int[] rowBits = new int[0];
        float[] rowValues = new float[0];
        ByteBuffer rowBuffer = ByteBuffer.allocate(0);
        final Axis[] axes = new Axis[2]; // images of one dataset mostly share a size: reuse the coefficients

        /** Views of {@code count} columns of {@code length}, the first {@code used} writable, the rest zero. */
        void ensureColumns(int used, int count, int length) {
            if (zeroColumn.length < length) {
                zeroColumn = new int[length];
                band = new int[TILE][length];
                for (int c = 0; c < 3; c++) {
                    columnStore[c] = new int[0][];
                }
            }
            for (int c = 0; c < 3; c++) {
                columnStore[c] = lines(columnStore[c], used, zeroColumn.length);
                columns[c] = view(columns[c], columnStore[c], used, count, zeroColumn);
            }
        }

        /** Views of {@code count} rows of {@code length}, the first {@code used} writable, the rest zero. */
        void ensureRows(int used, int count, int length) {
            if (zeroRow.length < length) {
                zeroRow = new int[length];
                rowBits = new int[length];
                rowValues = new float[length];
                rowBuffer = ByteBuffer.allocateDirect(4 * length).order(ByteOrder.nativeOrder());
                for (int c = 0; c < 3; c++) {
                    rowStore[c] = new int[0][];
                }
            }
            for (int c = 0; c < 3; c++) {
                rowStore[c] = lines(rowStore[c], used, zeroRow.length);
                rows[c] = view(rows[c], rowStore[c], used, count, zeroRow);
            }
        }

        private static int[][] lines(int[][] store, int n, int length) {
            if (store.length >= n) {
                return store;
            }
            int[][] grown = java.util.Arrays.copyOf(store, n);
            for (int i = store.length; i < n; i++) {
                grown[i] = new int[length];
            }
            return grown;
        }

        private static int[][] view(int[][] view, int[][] store, int used, int count, int[] zero) {
            int[][] v = view.length >= count ? view : new int[count][];
            System.arraycopy(store, 0, v, 0, used);
            java.util.Arrays.fill(v, used, count, zero);
            return v;
        }

        Axis axis(int which, int inSize, int outSize, int start, int count) {
            Axis a = axes[which];
            if (a == null || !a.isFor(inSize, outSize, start, count)) {
                a = new Axis(inSize, outSize, start, count);
                axes[which] = a;
            }
            return a;
        }
    }

    /**
     * PIL's {@code precompute_coeffs} for a bilinear (triangle) filter along one axis, for output indices
     * {@code [start, start+count)} of an {@code inSize → outSize} resize. When shrinking, the filter widens by
     * the scale: that is the antialiasing.
     *
     * <p>PIL clips every 8-bit result to 0..255; with this filter the clip never changes anything, so it is
     * left out (it would stop the JIT vectorising the loops). The triangle's weights are never negative, so
     * a sum is never below 0; and each of the kernelSize fixed-point weights is rounded by at most ½, so they
     * sum to at most 2²² + kernelSize/2, and 255 · that + 2²¹ stays below 256 · 2²² for any kernel under
     * 16,000 taps (a 16,000-fold shrink). The constructor checks both.
     */
    private static final class Axis {
        final int[] min;
        final int[] coeffs; // kernelSize per output, zero past the output's own taps
        final int kernelSize;
        /**
         * A 3-tap kernel (an upscale, or no resize) whose third weight is 0 for every output. With the triangle's
         * support of 1, PIL's window {@code [int(center − ½), int(center + 1.5))} holds at most two pixels, so this
         * holds for every upscale; it is computed from the weights all the same.
         */
        final boolean twoTaps;
        final int first; // the input range [first, last) that the outputs read
        final int last;
        private final int inSize;
        private final int outSize;
        private final int start;

        Axis(int inSize, int outSize, int start, int count) {
            this.inSize = inSize;
            this.outSize = outSize;
            this.start = start;
            double scale = (double) inSize / outSize;
            double filterScale = Math.max(scale, 1.0);
            double support = filterScale; // the triangle's support is 1
            kernelSize = (int) Math.ceil(support) * 2 + 1;
            if (kernelSize > 16_000) {
                throw new IllegalArgumentException("cannot shrink " + inSize + " pixels to " + outSize
                        + " in one pass; reduce the image first");
            }
            min = new int[count];
            coeffs = new int[count * kernelSize];
            double[] k = new double[kernelSize];
            int f = Integer.MAX_VALUE;
            int l = 0;
            for (int i = 0; i < count; i++) {
                double center = (start + i + 0.5) * scale;
                int xmin = Math.max((int) (center - support + 0.5), 0);
                int xmax = Math.min((int) (center + support + 0.5), inSize) - xmin;
                if (xmax <= 0) { // past the image (a crop larger than the resize): no taps, the output is 0
                    xmin = Math.min(xmin, inSize - 1);
                    xmax = 0;
                }
                double total = 0;
                for (int x = 0; x < xmax; x++) {
                    double w = triangle((x + xmin - center + 0.5) / filterScale);
                    k[x] = w;
                    total += w;
                }
                for (int x = 0; x < xmax; x++) {
                    double w = total != 0 ? k[x] / total : 0;
                    int fixed = (int) (w * (1 << PRECISION_BITS) + 0.5); // w ≥ 0: the triangle is never negative
                    if (fixed < 0) {
                        throw new IllegalStateException("negative resampling weight");
                    }
                    coeffs[i * kernelSize + x] = fixed;
                }
                min[i] = xmin;
                f = Math.min(f, xmin);
                l = Math.max(l, xmin + Math.max(xmax, 1));
            }
            first = f;
            last = l;
            boolean thirdTapsZero = kernelSize == 3;
            for (int i = 0; thirdTapsZero && i < count; i++) {
                thirdTapsZero = coeffs[i * kernelSize + 2] == 0;
            }
            twoTaps = thirdTapsZero;
        }

        boolean isFor(int inSize, int outSize, int start, int count) {
            return this.inSize == inSize && this.outSize == outSize && this.start == start && min.length == count;
        }

        /**
         * One output line: {@code out[j] = (½ + Σ_k lines[from + k][j] · coeffs[at + k]) >> 22} for j below
         * {@code n}, the 8-bit value PIL makes (no clip needed, see above). Each input line is its own array.
         */
        void apply(int[][] lines, int from, int at, int[] out, int n) {
            if (twoTaps) { // every upscale: one fused loop
                applyTwoTaps(lines, from, at, out, n, 0);
                return;
            }
            java.util.Arrays.fill(out, 0, n, HALF);
            for (int k = 0; k < kernelSize; k++) {
                int[] a = lines[from + k];
                int w = coeffs[at + k];
                if (w == 0) {
                    continue; // trailing taps past this output's own
                }
                for (int j = 0; j < n; j++) {
                    out[j] += a[j] * w;
                }
            }
            for (int j = 0; j < n; j++) {
                out[j] >>= PRECISION_BITS;
            }
        }

        /**
         * As {@link #apply}, each value v given as the bits of the float 2²³ + v (see {@link #FLOAT_2_23}): for an
         * upscale in the same loop, which saves a pass over the row.
         */
        void applyAsFloatBits(int[][] lines, int from, int at, int[] out, int n) {
            if (twoTaps) {
                applyTwoTaps(lines, from, at, out, n, FLOAT_2_23_BITS);
                return;
            }
            apply(lines, from, at, out, n);
            for (int j = 0; j < n; j++) {
                out[j] += FLOAT_2_23_BITS;
            }
        }

        /** {@link #apply} for a kernel whose third tap is 0 ({@link #twoTaps}), {@code plus} added to each result. */
        private void applyTwoTaps(int[][] lines, int from, int at, int[] out, int n, int plus) {
            int[] a = lines[from];
            int[] b = lines[from + 1];
            int wa = coeffs[at];
            int wb = coeffs[at + 1];
            for (int j = 0; j < n; j++) {
                out[j] = ((HALF + a[j] * wa + b[j] * wb) >> PRECISION_BITS) + plus;
            }
        }

        private static double triangle(double x) {
            x = Math.abs(x);
            return x < 1.0 ? 1.0 - x : 0.0;
        }
    }
}
