package dev.orchard.predict;

import java.util.Locale;

/** Which of a job's vectors a classifier reads: the features (after any sparse projection) or the PCA coordinates. */
public enum VectorKind {
    FEATURES, PCA;

    /** {@code features} or {@code pca}: the job's output folder and Parquet column of that name. */
    public String column() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The kind named by {@link #column()}; null for any other text. */
    static VectorKind ofColumn(String column) {
        for (VectorKind kind : values()) {
            if (kind.column().equals(column)) {
                return kind;
            }
        }
        return null;
    }
}
