package dev.orchard.store.parquet;

import dev.orchard.store.Location;
import dev.orchard.store.ObjectStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.parquet.column.ColumnWriter;
import org.apache.parquet.column.ParquetProperties;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.MessageType;

/**
 * Writes one Parquet part of {@link VectorRow}s. Rows go to a local temporary file; {@link #commit()} hands the
 * finished file to the store, which makes it visible under its final name in one step. A writer closed without
 * commit leaves nothing behind.
 */
public final class VectorRowsWriter implements AutoCloseable {
    private final ObjectStore store;
    private final Location target;
    private final Path tempFile;
    private final ColumnFileWriter file;
    private final boolean predictions;
    private final MessageType schema;
    private final String column;
    private long rows;
    private boolean closed;

    /** A writer with the default encodings ({@link ParquetOptions#DEFAULT}). */
    public VectorRowsWriter(ObjectStore store, Location target, String column, Path tempDir) throws IOException {
        this(store, target, column, tempDir, ParquetOptions.DEFAULT);
    }

    /**
     * @param column  the vector column's name ({@code features} or {@code pca})
     * @param tempDir a local folder for the file being written
     * @param options how the vector column is encoded
     */
    public VectorRowsWriter(ObjectStore store, Location target, String column, Path tempDir, ParquetOptions options)
            throws IOException {
        this(store, target, column, tempDir, options, null);
    }

    /**
     * A writer whose rows carry a classifier's predictions ({@code predicted}, {@code score} columns, and the
     * classifier named in the footer); every row written must then have one.
     *
     * @param predictedBy the classifier; null for rows without predictions (no such columns)
     */
    public VectorRowsWriter(ObjectStore store, Location target, String column, Path tempDir, ParquetOptions options,
                            PredictedBy predictedBy) throws IOException {
        this(store, target, column, tempDir, options, predictedBy, ParquetWriter.DEFAULT_BLOCK_SIZE);
    }

    /** @param rowGroupBytes the target size of a row group (parquet-java's default: 128 MiB) */
    VectorRowsWriter(ObjectStore store, Location target, String column, Path tempDir, ParquetOptions options,
                     PredictedBy predictedBy, long rowGroupBytes) throws IOException {
        this.store = store;
        this.target = target;
        this.predictions = predictedBy != null;
        Files.createDirectories(tempDir);
        this.tempFile = Files.createTempFile(tempDir, ".part-", ".parquet");
        this.schema = VectorSchema.of(column, predictions);
        this.column = column;
        Map<String, String> footer = new LinkedHashMap<>();
        footer.put(ParquetMetadata.ORCHARD_SCHEMA, "path,label," + column + (predictions ? ",predicted,score" : ""));
        if (predictions) {
            footer.put("orchard.classifier", predictedBy.classifier());
            footer.put("orchard.classifier.sha256", predictedBy.sha256());
        }
        ParquetProperties.Builder properties = ParquetProperties.builder()
                .withWriterVersion(RowWriteSupport.WRITER_VERSION)
                // Feature floats (and scores) never repeat: a dictionary only costs time before parquet-java gives up
                // on it. Labels and predicted classes repeat: a dictionary (PLAIN_DICTIONARY, which every reader
                // knows) makes them nearly free.
                .withDictionaryEncoding(false)
                .withDictionaryEncoding("label", true)
                // Off by default: Spark 3.x's vectorized reader fails on it (see ParquetOptions).
                .withByteStreamSplitEncoding(options.byteStreamSplit());
        if (predictions) {
            properties = properties.withDictionaryEncoding(VectorSchema.PREDICTED, true);
        }
        this.file = new ColumnFileWriter(new LocalOutputFile(tempFile), schema, properties.build(),
                new HadoopFreeCodecs().getCompressor(HadoopFreeCodecs.WRITTEN), footer, rowGroupBytes);
    }

    /** Writes one row; it must carry a prediction exactly when this writer was made with a classifier. */
    public void write(VectorRow row) throws IOException {
        if (row.hasPrediction() != predictions) {
            throw new IllegalArgumentException(predictions
                    ? "row " + row.path() + " has no prediction, but this part carries the classifier's columns"
                    : "row " + row.path() + " has a prediction, but this part has no column for it");
        }
        try {
            writeColumns(row); // a full row group goes to the temporary file
        } catch (IOException e) {
            throw dev.orchard.store.FailureReason.naming(tempFile, e);
        }
        rows++;
    }

    private void writeColumns(VectorRow row) throws IOException {
        // Levels of VectorSchema's columns: path required (0, 0); label optional (defined: 1); the vector a required
        // list of required floats (the first value of a row starts it, repetition 0; the others repeat it, 1; an
        // empty list is a null at definition 0); predicted and score required.
        file.column(0).write(Binary.fromString(row.path()), 0, 0);
        if (row.label() == null) {
            file.column(1).writeNull(0, 0);
        } else {
            file.column(1).write(Binary.fromString(row.label()), 0, 1);
        }
        ColumnWriter vector = file.column(2);
        float[] values = row.values();
        if (values.length == 0) {
            vector.writeNull(0, 0);
        } else {
            vector.write(values[0], 0, 1);
            for (int i = 1; i < values.length; i++) {
                vector.write(values[i], 1, 1);
            }
        }
        if (predictions) {
            file.column(3).write(Binary.fromString(row.predicted()), 0, 0);
            file.column(4).write(row.score(), 0, 0);
        }
        file.endRow();
    }

    /**
     * Appends every row of a rows file (its bytes) with this writer's columns, after the rows written so far: its
     * row groups are copied as they are, without decoding or encoding a value (a part gathers its units' rows files
     * so in a fraction of the time: bench/README.md).
     *
     * @return the rows appended
     * @throws IllegalArgumentException if the file's schema is not this writer's
     */
    public long append(byte[] rowsFile) throws IOException {
        ParquetFileReader opened;
        try {
            opened = ParquetFileReader.open(new InMemoryInputFile(rowsFile), VectorRowsReader.options());
        } catch (IOException | RuntimeException e) {
            throw new UnreadablePartException("a rows file", column, e); // the caller knows which: it names it
        }
        try (ParquetFileReader reader = opened) {
            MessageType fileSchema = reader.getFooter().getFileMetaData().getSchema();
            if (!fileSchema.equals(schema)) {
                throw new IllegalArgumentException("Cannot append rows of schema " + fileSchema + " to a part of " + schema);
            }
            file.append(reader);
            rows += reader.getRecordCount();
            return reader.getRecordCount();
        }
    }

    public long rows() {
        return rows;
    }

    /** Finishes the file and publishes it at the target location; returns its size in bytes. */
    public long commit() throws IOException {
        closed = true;
        try {
            try {
                file.close();
            } catch (IOException e) {
                throw dev.orchard.store.FailureReason.naming(tempFile, e);
            }
            long bytes = Files.size(tempFile);
            store.putFile(target, tempFile);
            return bytes;
        } finally {
            Files.deleteIfExists(tempFile);
        }
    }

    @Override
    public void close() throws IOException {
        if (!closed) {
            closed = true;
            try {
                file.abort(); // nothing to finish: the file is deleted
                file.close();
            } finally {
                Files.deleteIfExists(tempFile);
            }
        }
    }
}
