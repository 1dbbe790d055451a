package dev.orchard.store.parquet;

import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.parquet.column.ColumnDescriptor;
import org.apache.parquet.column.ColumnWriteStore;
import org.apache.parquet.column.ColumnWriter;
import org.apache.parquet.column.ParquetProperties;
import org.apache.parquet.compression.CompressionCodecFactory.BytesInputCompressor;
import org.apache.parquet.hadoop.ColumnChunkPageWriteStore;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.io.OutputFile;
import org.apache.parquet.schema.MessageType;

/**
 * A Parquet file written value by value into parquet-java's column writers, each value with its repetition and
 * definition levels given by the caller: parquet-java's file writer, page store and column writers, without its
 * record assembly ({@code MessageColumnIO}'s record consumer). That consumer walks the schema for every value
 * (start and end of a group and a field around each float of a list, with a bit set of the fields seen per level):
 * writing and committing 1,000 rows of 1280 floats took 127-130 ms through it, 77-95 ms without it
 * ({@code ParquetWriteBench}; bench/README.md, "The CPU around ONNX in a whole job").
 *
 * <p>The row groups are cut where parquet-java's {@code ParquetWriter} cuts them (its size checks, at the same
 * rows), and the footer is the same, so the file is the one parquet-java writes for the same rows and properties,
 * byte for byte ({@code ColumnFileWriterTest}).
 */
final class ColumnFileWriter implements AutoCloseable {
    private final ParquetFileWriter file;
    private final MessageType schema;
    private final ParquetProperties properties;
    private final BytesInputCompressor compressor;
    private final Map<String, String> footer;
    private final long rowGroupBytes;
    private final List<ColumnDescriptor> columns;
    private final ColumnWriter[] writers;
    private ColumnChunkPageWriteStore pages;
    private ColumnWriteStore store;
    private int rowGroups;
    private long rows; // in the row group being written
    private long nextSizeCheck;
    private long nextRowGroupBytes;
    private boolean failed;
    private boolean closed;

    /**
     * @param footer        key-value metadata of the footer
     * @param rowGroupBytes the target size of a row group, as {@link ParquetWriter.Builder#withRowGroupSize}
     */
    ColumnFileWriter(OutputFile out, MessageType schema, ParquetProperties properties, BytesInputCompressor compressor,
                     Map<String, String> footer, long rowGroupBytes) throws IOException {
        this.schema = schema;
        this.properties = properties;
        this.compressor = compressor;
        this.footer = new HashMap<>(footer); // iterated as parquet-java's writer iterates it: the same footer bytes
        this.rowGroupBytes = rowGroupBytes;
        this.nextRowGroupBytes = rowGroupBytes;
        this.columns = schema.getColumns();
        this.writers = new ColumnWriter[columns.size()];
        this.file = new ParquetFileWriter(out, schema, ParquetFileWriter.Mode.OVERWRITE, rowGroupBytes,
                ParquetWriter.MAX_PADDING_SIZE_DEFAULT, null, properties);
        file.start();
        startRowGroup();
        this.nextSizeCheck = properties.getMinRowCountForPageSizeCheck();
    }

    /** The writer of the schema's {@code index}-th leaf column, for the row being written. */
    ColumnWriter column(int index) {
        return writers[index];
    }

    /** Ends the row whose values were given to {@link #column}; may finish a row group. */
    void endRow() throws IOException {
        try {
            store.endRecord();
            rows++;
            if (rows >= properties.getRowGroupRowCountLimit()) {
                nextRowGroup();
            } else if (rows >= nextSizeCheck) {
                // parquet-java's rule: cut the row group when within about two rows of its size, else look again
                // halfway to where the size would be reached (at most so many rows ahead).
                long buffered = store.getBufferedSize();
                long rowBytes = buffered / rows;
                if (buffered > nextRowGroupBytes - 2 * rowBytes) {
                    nextRowGroup();
                } else {
                    nextSizeCheck = Math.min(
                            Math.max(properties.getMinRowCountForPageSizeCheck(),
                                    (rows + (long) (nextRowGroupBytes / ((float) rowBytes))) / 2),
                            rows + properties.getMaxRowCountForPageSizeCheck());
                }
            }
        } catch (IOException | RuntimeException e) {
            failed = true;
            throw e;
        }
    }

    /**
     * Appends every row group of {@code source} as it is (its column chunks copied, not decoded), after the rows
     * written so far; rows written afterwards go to a row group of their own. The source must have this file's schema.
     */
    void append(ParquetFileReader source) throws IOException {
        try {
            if (rows > 0) {
                nextRowGroup(); // the rows written so far stay before the appended ones
            }
            source.appendTo(file);
            rowGroups += source.getRowGroups().size();
        } catch (IOException | RuntimeException e) {
            failed = true;
            throw e;
        }
    }

    /** Writes the last row group and the footer. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (failed) {
                file.abort();
                return;
            }
            flushRowGroup();
            file.end(footer);
        } catch (IOException | RuntimeException e) {
            file.abort();
            throw e;
        } finally {
            if (store != null) {
                store.close();
                pages.close();
            }
            file.close();
        }
    }

    /** Marks the file as failed: {@link #close} then leaves it unfinished. */
    void abort() {
        failed = true;
    }

    private void nextRowGroup() throws IOException {
        long written = rows;
        flushRowGroup();
        startRowGroup();
        nextSizeCheck = Math.min(Math.max(properties.getMinRowCountForPageSizeCheck(), written / 2),
                properties.getMaxRowCountForPageSizeCheck());
    }

    private void startRowGroup() {
        pages = ColumnChunkPageWriteStore.builder()
                .withCompressorProvider(column -> compressor)
                .withSchema(schema)
                .withAllocator(properties.getAllocator())
                .withColumnIndexTruncateLength(properties.getColumnIndexTruncateLength())
                .withPageWriteChecksumEnabled(properties.getPageWriteChecksumEnabled())
                .withFileEncryptor(file.getEncryptor())
                .withRowGroupOrdinal(rowGroups)
                .build();
        store = properties.newColumnWriteStore(schema, pages, pages);
        for (int i = 0; i < writers.length; i++) {
            writers[i] = store.getColumnWriter(columns.get(i));
        }
    }

    private void flushRowGroup() throws IOException {
        try {
            if (rows > 0) {
                rowGroups++;
                file.startBlock(rows);
                store.flush();
                pages.flushToFileWriter(file);
                rows = 0;
                file.endBlock();
                nextRowGroupBytes = Math.min(file.getNextRowGroupSize(), rowGroupBytes);
            }
        } finally {
            store.close();
            pages.close();
            store = null;
            pages = null;
        }
    }
}
