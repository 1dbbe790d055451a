package dev.orchard.stats;

import dev.ludovic.netlib.blas.BLAS;
import dev.ludovic.netlib.blas.NativeBLAS;

/**
 * The system's BLAS (OpenBLAS through netlib-java) where it may be used, else null. Only where it loads <em>and</em>
 * {@code OPENBLAS_NUM_THREADS=1} (the {@code orchard} launcher sets it): a multi-threaded OpenBLAS keeps its helper
 * threads spinning between calls, on the very cores the ONNX lanes need. {@code -Dorchard.lapack=java} turns it off.
 */
final class SystemBlas {
    /** netlib-java warns through java.util.logging that its Vector API BLAS needs an incubator module; we never use it. */
    private static final java.util.logging.Logger NETLIB_LOG = java.util.logging.Logger.getLogger("dev.ludovic.netlib.blas.InstanceBuilder");
    static final BLAS NATIVE = load();

    private SystemBlas() {
    }

    private static BLAS load() {
        NETLIB_LOG.setLevel(java.util.logging.Level.OFF);
        if (!"1".equals(System.getenv("OPENBLAS_NUM_THREADS")) || "java".equals(System.getProperty("orchard.lapack"))) {
            return null;
        }
        try {
            NetlibLibraries.choose();
            return NativeBLAS.getInstance();
        } catch (Throwable e) { // no system BLAS
            return null;
        }
    }
}
