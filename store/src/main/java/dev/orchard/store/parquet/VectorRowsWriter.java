package dev.orchard.store.parquet;

import dev.orchard.store.Location;
import dev.orchard.store.ObjectStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.RecordConsumer;
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
    private final ParquetWriter<VectorRow> writer;
    private final boolean predictions;
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
        this.store = store;
        this.target = target;
        this.predictions = predictedBy != null;
        Files.createDirectories(tempDir);
        this.tempFile = Files.createTempFile(tempDir, ".part-", ".parquet");
        MessageType schema = VectorSchema.of(column, predictions);
        Map<String, String> footer = new LinkedHashMap<>();
        footer.put("orchard.schema", "path,label," + column + (predictions ? ",predicted,score" : ""));
        if (predictions) {
            footer.put("orchard.classifier", predictedBy.classifier());
            footer.put("orchard.classifier.sha256", predictedBy.sha256());
        }
        var builder = RowWriteSupport.writer(new LocalOutputFile(tempFile), new VectorWriteSupport(schema, column, footer))
                // Feature floats (and scores) never repeat: a dictionary only costs time before parquet-java gives up
                // on it. Labels and predicted classes repeat: a dictionary (PLAIN_DICTIONARY, which every reader
                // knows) makes them nearly free.
                .withDictionaryEncoding(false)
                .withDictionaryEncoding("label", true);
        if (predictions) {
            builder = builder.withDictionaryEncoding(VectorSchema.PREDICTED, true);
        }
        this.writer = builder
                // Off by default: Spark 3.x's vectorized reader fails on it (see ParquetOptions).
                .withByteStreamSplitEncoding(options.byteStreamSplit())
                .build();
    }

    /** Writes one row; it must carry a prediction exactly when this writer was made with a classifier. */
    public void write(VectorRow row) throws IOException {
        if (row.hasPrediction() != predictions) {
            throw new IllegalArgumentException(predictions
                    ? "row " + row.path() + " has no prediction, but this part carries the classifier's columns"
                    : "row " + row.path() + " has a prediction, but this part has no column for it");
        }
        writer.write(row);
        rows++;
    }

    public long rows() {
        return rows;
    }

    /** Finishes the file and publishes it at the target location; returns its size in bytes. */
    public long commit() throws IOException {
        closed = true;
        try {
            writer.close();
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
                writer.close();
            } finally {
                Files.deleteIfExists(tempFile);
            }
        }
    }

    /** Streams a row's fields straight into Parquet's record consumer: no intermediate objects per float. */
    static final class VectorWriteSupport extends RowWriteSupport<VectorRow> { // tests write other page layouts
        private final String column;

        private final boolean predictions;

        VectorWriteSupport(MessageType schema, String column, Map<String, String> footer) {
            super(schema, footer);
            this.column = column;
            this.predictions = schema.containsField(VectorSchema.PREDICTED);
        }

        @Override
        public void write(VectorRow row) {
            RecordConsumer out = out();
            out.startMessage();
            out.startField("path", 0);
            out.addBinary(Binary.fromString(row.path()));
            out.endField("path", 0);
            if (row.label() != null) {
                out.startField("label", 1);
                out.addBinary(Binary.fromString(row.label()));
                out.endField("label", 1);
            }
            out.startField(column, 2);
            out.startGroup();
            if (row.values().length > 0) {
                out.startField("list", 0);
                for (float v : row.values()) {
                    out.startGroup();
                    out.startField("element", 0);
                    out.addFloat(v);
                    out.endField("element", 0);
                    out.endGroup();
                }
                out.endField("list", 0);
            }
            out.endGroup();
            out.endField(column, 2);
            if (predictions) {
                out.startField(VectorSchema.PREDICTED, 3);
                out.addBinary(Binary.fromString(row.predicted()));
                out.endField(VectorSchema.PREDICTED, 3);
                out.startField(VectorSchema.SCORE, 4);
                out.addDouble(row.score());
                out.endField(VectorSchema.SCORE, 4);
            }
            out.endMessage();
        }
    }
}
