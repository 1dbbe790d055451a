package dev.orchard.stats;

import dev.ludovic.netlib.lapack.JavaLAPACK;
import dev.ludovic.netlib.lapack.LAPACK;
import dev.ludovic.netlib.lapack.NativeLAPACK;
import java.util.Arrays;
import java.util.logging.Level;
import org.netlib.util.intW;

/**
 * The k largest eigenpairs of a symmetric matrix with LAPACK's {@code dsyevr} (Householder tridiagonalisation,
 * then MRRR for the k wanted pairs only, then back-transformation of those k vectors), through netlib-java
 * ({@code dev.ludovic.netlib}, what Spark MLlib uses). The system's LAPACK ({@code liblapack.so.3}: OpenBLAS on
 * Debian with {@code libopenblas0-pthread}) is used when it loads; otherwise netlib-java's pure-Java translation of
 * the same routine, which gives the same results more slowly (measured in bench/README.md: at d = 1280 the native
 * one takes ≈ 0.2–0.3 s, the Java one ≈ 0.8–4 s, Commons Math's full decomposition 6–18 s), and which
 * {@link PrincipalComponents} uses only where {@link KrylovTopEigen} has not converged.
 * {@code -Dorchard.lapack=java} forces the Java one.
 */
final class TopEigen {
    /** netlib-java warns through java.util.logging when no system LAPACK loads; we say it once, ourselves. */
    private static final java.util.logging.Logger NETLIB_LOG = quiet("dev.ludovic.netlib.lapack.InstanceBuilder");
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(TopEigen.class);
    private static volatile LAPACK chosen;

    private TopEigen() {
    }

    /** Eigenvalues in descending order and their unit eigenvectors ({@code vectors[c]} belongs to {@code values[c]}). */
    record Pairs(double[] values, double[][] vectors) {
    }

    /** The system's LAPACK when it loads, else the pure-Java one; chosen once per JVM. */
    static LAPACK lapack() {
        LAPACK l = chosen;
        if (l == null) {
            synchronized (TopEigen.class) {
                l = chosen;
                if (l == null) {
                    l = load();
                    chosen = l;
                }
            }
        }
        return l;
    }

    /** "native" or "java", for logs and reports. */
    static String kind(LAPACK lapack) {
        return lapack instanceof NativeLAPACK ? "native" : "java";
    }

    private static LAPACK load() {
        if ("java".equals(System.getProperty("orchard.lapack"))) {
            LOG.info("PCA solve: netlib-java's pure-Java LAPACK (-Dorchard.lapack=java)");
            return JavaLAPACK.getInstance();
        }
        try {
            NetlibLibraries.choose();
            LAPACK l = NativeLAPACK.getInstance();
            LOG.info("PCA solve: LAPACK dsyevr from the system library ({})", l.getClass().getSimpleName());
            return l;
        } catch (Throwable e) { // no liblapack.so.3, no JNI stub for this platform, ...
            LOG.info("PCA solve: no system LAPACK ({}); solving in pure Java (a block Krylov solve, else netlib-java's "
                    + "LAPACK), ~3× slower at d = 1280 (install libopenblas0-pthread on Debian/Ubuntu, openblas-serial "
                    + "on Fedora and Amazon Linux)", e.toString());
            return JavaLAPACK.getInstance();
        }
    }

    /**
     * The top {@code k} eigenpairs of the symmetric d×d matrix whose lower triangle, column-major, is in {@code a}
     * (equivalently: its upper triangle row-major). {@code a} is overwritten.
     *
     * @return the pairs, or null when LAPACK reports a failure (the caller falls back to another solver)
     */
    static Pairs solve(LAPACK lapack, double[] a, int d, int k) {
        intW found = new intW(0);
        intW info = new intW(0);
        double[] w = new double[d];
        double[] z = new double[d * k];
        int[] support = new int[2 * d];
        double[] workSize = new double[1];
        int[] iworkSize = new int[1];
        // Eigenvalues il..iu in ascending order: the k largest are n-k+1..n. abstol 0: LAPACK's default accuracy.
        lapack.dsyevr("V", "I", "L", d, a, d, 0, 0, d - k + 1, d, 0.0, found, w, z, d, support,
                workSize, -1, iworkSize, -1, info);
        if (info.val != 0) {
            return null;
        }
        double[] work = new double[(int) workSize[0]];
        int[] iwork = new int[iworkSize[0]];
        lapack.dsyevr("V", "I", "L", d, a, d, 0, 0, d - k + 1, d, 0.0, found, w, z, d, support,
                work, work.length, iwork, iwork.length, info);
        if (info.val != 0 || found.val != k) {
            LOG.warn("LAPACK dsyevr {} ({} of {} eigenpairs found, info {}); falling back to Commons Math",
                    info.val != 0 ? "failed" : "found too few eigenpairs", found.val, k, info.val);
            return null;
        }
        double[] values = new double[k];
        double[][] vectors = new double[k][];
        for (int c = 0; c < k; c++) {
            int column = k - 1 - c; // ascending → descending
            values[c] = w[column];
            vectors[c] = Arrays.copyOfRange(z, column * d, column * d + d);
        }
        return new Pairs(values, vectors);
    }

    private static java.util.logging.Logger quiet(String name) {
        java.util.logging.Logger logger = java.util.logging.Logger.getLogger(name);
        logger.setLevel(Level.OFF);
        return logger;
    }
}
