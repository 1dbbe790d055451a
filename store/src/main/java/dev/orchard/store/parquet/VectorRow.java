package dev.orchard.store.parquet;

/** One output row: the image's location, its label (null when unlabelled) and a vector (features or PCA). */
public record VectorRow(String path, String label, float[] values) {
}
