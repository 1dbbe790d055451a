package dev.orchard.store.parquet;

/**
 * How Orchard encodes the float vectors of {@code features/} and {@code pca/}. The default is what every reader
 * users run opens: PLAIN floats in version-1 data pages (ZSTD-compressed), as Spark 3.x, Hive, Trino/Athena,
 * pandas/pyarrow and DuckDB all read. {@code byteStreamSplit} groups the floats' bytes by significance before
 * ZSTD, which made MobileNetV2 features 5% smaller on the Fruits-360 sample, but Spark's vectorized Parquet reader
 * (which reads list columns by default from Spark 3.4, EMR 7 included) refuses it with "Unsupported encoding:
 * BYTE_STREAM_SPLIT": it is for readers known to have it (pyarrow, DuckDB, Trino), or Spark with
 * {@code spark.sql.parquet.enableVectorizedReader=false}.
 *
 * @param byteStreamSplit write the vector column with BYTE_STREAM_SPLIT instead of PLAIN
 */
public record ParquetOptions(boolean byteStreamSplit) {

    /** PLAIN floats: readable everywhere. */
    public static final ParquetOptions DEFAULT = new ParquetOptions(false);
}
