package dev.orchard.store.parquet;

import java.io.IOException;
import java.util.Map;
import org.apache.parquet.hadoop.ParquetFileReader;

/** The key-value metadata of a Parquet file held in memory: what tells a file Orchard wrote from another of its name. */
public final class ParquetMetadata {
    private ParquetMetadata() {
    }

    /** The footer's key-value metadata, or none when {@code file} is not a readable Parquet file. */
    public static Map<String, String> of(byte[] file) {
        try (ParquetFileReader reader = ParquetFileReader.open(new InMemoryInputFile(file), VectorRowsReader.options())) {
            return Map.copyOf(reader.getFooter().getFileMetaData().getKeyValueMetaData());
        } catch (IOException | RuntimeException notParquet) {
            return Map.of();
        }
    }
}
