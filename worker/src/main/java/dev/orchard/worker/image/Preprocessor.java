package dev.orchard.worker.image;

import dev.orchard.protocol.ModelSpec;
import java.nio.FloatBuffer;

/**
 * Pixels → one image's slice of the model's input tensor, as torchvision does it with PIL:
 * {@code Resize(shorter side S, bilinear, antialiased)}, {@code CenterCrop(H, W)}, {@code ToTensor()},
 * {@code Normalize(mean, std)}. The resize reproduces PIL's separable resampling in fixed point (the same
 * filter support, coefficients and 8-bit rounding after each pass), and is evaluated only inside the crop
 * window, so no full-size intermediate image is ever made. Output layout is CHW float.
 */
public final class Preprocessor {
    private static final int PRECISION_BITS = 32 - 8 - 2; // as PIL's Resample.c

    private final ModelSpec spec;
    private final float[][] normalised = new float[3][256]; // (v/255 − mean)/std for each channel and byte value

    public Preprocessor(ModelSpec spec) {
        this.spec = spec;
        for (int c = 0; c < 3; c++) {
            for (int v = 0; v < 256; v++) {
                normalised[c][v] = (v / 255f - spec.mean()[c]) / spec.std()[c]; // ToTensor, then Normalize
            }
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
        Axis ax = new Axis(img.width(), rw, Math.max(left, 0), tw);
        Axis ay = new Axis(img.height(), rh, Math.max(top, 0), th);

        // Horizontal pass over just the source rows the vertical pass will read, into one plane per channel.
        int rowFirst = ay.first();
        int rowCount = ay.last() - rowFirst;
        byte[] src = img.rgb();
        int srcStride = img.width() * 3;
        int planeIn = rowCount * tw;
        Scratch scratch = SCRATCH.get().ensure(3 * planeIn, tw, 3 * tw * th);
        int[] tmp = scratch.rows;
        for (int y = 0; y < rowCount; y++) {
            int rowBase = (rowFirst + y) * srcStride;
            for (int x = 0, t = y * tw; x < tw; x++, t++) {
                int r = HALF;
                int g = HALF;
                int b = HALF;
                int p = rowBase + ax.min[x] * 3;
                for (int k = x * ax.kernelSize, end = k + ax.size[x]; k < end; k++, p += 3) {
                    int w = ax.coeffs[k];
                    r += (src[p] & 0xff) * w;
                    g += (src[p + 1] & 0xff) * w;
                    b += (src[p + 2] & 0xff) * w;
                }
                tmp[t] = clip8(r);
                tmp[planeIn + t] = clip8(g);
                tmp[2 * planeIn + t] = clip8(b);
            }
        }

        // Vertical pass a row at a time per channel, then scale and normalise: every inner loop is contiguous,
        // so the JIT vectorises it. The result goes to the tensor in one bulk copy.
        int plane = tw * th;
        int[] acc = scratch.acc;
        float[] out = scratch.out;
        for (int c = 0; c < 3; c++) {
            int in = c * planeIn;
            int channel = spec.bgr() ? 2 - c : c;
            float[] lut = normalised[channel];
            int outPlane = channel * plane;
            for (int y = 0; y < th; y++) {
                java.util.Arrays.fill(acc, 0, tw, HALF);
                int base = in + (ay.min[y] - rowFirst) * tw;
                for (int k = y * ay.kernelSize, end = k + ay.size[y]; k < end; k++, base += tw) {
                    int w = ay.coeffs[k];
                    for (int x = 0; x < tw; x++) {
                        acc[x] += tmp[base + x] * w;
                    }
                }
                int o = outPlane + y * tw;
                for (int x = 0; x < tw; x++) {
                    out[o + x] = lut[clip8(acc[x])];
                }
            }
        }
        dst.put(offset, out, 0, 3 * plane);
    }

    private static final int HALF = 1 << (PRECISION_BITS - 1);

    /** Per-thread work arrays, so preprocessing allocates nothing per image once warm. */
    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private static final class Scratch {
        int[] rows = new int[0];
        int[] acc = new int[0];
        float[] out = new float[0];

        Scratch ensure(int rowInts, int accInts, int outFloats) {
            if (rows.length < rowInts) {
                rows = new int[rowInts];
            }
            if (acc.length < accInts) {
                acc = new int[accInts];
            }
            if (out.length < outFloats) {
                out = new float[outFloats];
            }
            return this;
        }
    }

    private static int clip8(int acc) {
        int v = acc >> PRECISION_BITS;
        return v < 0 ? 0 : Math.min(v, 255);
    }

    /**
     * PIL's {@code precompute_coeffs} for a bilinear (triangle) filter along one axis, for output indices
     * {@code [start, start+count)} of an {@code inSize → outSize} resize. When shrinking, the filter widens by
     * the scale: that is the antialiasing.
     */
    private static final class Axis {
        final int[] min;
        final int[] size;
        final int[] coeffs;
        final int kernelSize;

        Axis(int inSize, int outSize, int start, int count) {
            double scale = (double) inSize / outSize;
            double filterScale = Math.max(scale, 1.0);
            double support = filterScale; // the triangle's support is 1
            kernelSize = (int) Math.ceil(support) * 2 + 1;
            min = new int[count];
            size = new int[count];
            coeffs = new int[count * kernelSize];
            double[] k = new double[kernelSize];
            for (int i = 0; i < count; i++) {
                double center = (start + i + 0.5) * scale;
                int xmin = Math.max((int) (center - support + 0.5), 0);
                int xmax = Math.min((int) (center + support + 0.5), inSize) - xmin;
                double total = 0;
                for (int x = 0; x < xmax; x++) {
                    double w = triangle((x + xmin - center + 0.5) / filterScale);
                    k[x] = w;
                    total += w;
                }
                for (int x = 0; x < xmax; x++) {
                    double w = total != 0 ? k[x] / total : 0;
                    coeffs[i * kernelSize + x] = (int) (w < 0 ? w * (1 << PRECISION_BITS) - 0.5
                                                              : w * (1 << PRECISION_BITS) + 0.5);
                }
                min[i] = xmin;
                size[i] = xmax;
            }
        }

        int first() {
            int f = Integer.MAX_VALUE;
            for (int m : min) {
                f = Math.min(f, m);
            }
            return f;
        }

        int last() {
            int l = 0;
            for (int i = 0; i < min.length; i++) {
                l = Math.max(l, min[i] + size[i]);
            }
            return l;
        }

        private static double triangle(double x) {
            x = Math.abs(x);
            return x < 1.0 ? 1.0 - x : 0.0;
        }
    }
}
