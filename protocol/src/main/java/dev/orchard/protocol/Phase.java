package dev.orchard.protocol;

/** What a unit asks a worker to do. */
public enum Phase {
    /** Images → features part + covariance statistics. */
    FEATURES,
    /** Features part → PCA part, once the PCA model is solved. */
    PROJECT
}
