package dev.orchard.protocol;

/** What a unit asks a worker to do. */
public enum Phase {
    /** Images → an attempt's rows file + the covariance statistics of its rows (held by the worker until accepted). */
    FEATURES,
    /**
     * The accepted rows of consecutive sources ({@link PartSource}) → one attempt-scoped {@code features} file, the
     * covariance statistics of its rows and, once the PCA is solved, its {@code pca} projection; the coordinator
     * publishes the first finished attempt under the final names.
     */
    PUBLISH,
    /**
     * An update ({@code --update}): one part of the generation the output holds, less the rows of images that were
     * removed or changed since → an attempt-scoped rows file of the rows kept and a statistics file of exactly those
     * rows, so the new generation's statistics merge without subtracting anything.
     */
    REGROUP
}
