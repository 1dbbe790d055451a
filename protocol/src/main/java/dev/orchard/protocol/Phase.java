package dev.orchard.protocol;

/** What a unit asks a worker to do. */
public enum Phase {
    /** Images → an attempt's rows file + the covariance statistics of its rows (held by the worker until accepted). */
    FEATURES,
    /**
     * The accepted rows files of consecutive units → one attempt-scoped {@code features} file and, once the PCA is
     * solved, its {@code pca} projection; the coordinator publishes the first finished attempt under the final name.
     */
    PUBLISH
}
