package dev.orchard.classify;

import dev.orchard.store.Location;
import dev.orchard.store.ObjectStore;
import dev.orchard.store.parquet.ParquetMetadata;
import dev.orchard.store.parquet.RowWriteSupport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Types;

/**
 * Streams {@code predictions-<classifier>.parquet} ({@code path string, label string (null when unlabelled),
 * predicted string, score double}) to a local file, row by row, and hands it to the store in one step once
 * complete, so a ten-million-image output never sits in memory and no half-written file appears under the name.
 * The footer records which classifier (file and SHA-256) wrote it.
 */
final class AppliedPredictionsWriter implements AutoCloseable {

    static final MessageType SCHEMA = Types.buildMessage()
            .required(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named("path")
            .optional(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named("label")
            .required(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named("predicted")
            .required(PrimitiveTypeName.DOUBLE).named("score")
            .named("orchard_applied_predictions");

    private final Path temp;
    private final ParquetWriter<AppliedPrediction> writer;

    AppliedPredictionsWriter(String classifier, String classifierSha256) throws IOException {
        temp = Files.createTempFile("orchard-predictions-", ".parquet");
        try {
            writer = RowWriteSupport.writer(new LocalOutputFile(temp), new Support(Map.of(
                    ParquetMetadata.ORCHARD_SCHEMA, "path,label,predicted,score",
                    "orchard.classifier", classifier,
                    "orchard.classifier.sha256", classifierSha256))).build();
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
    }

    void write(AppliedPrediction row) throws IOException {
        writer.write(row);
    }

    /**
     * Closes the file and puts it at {@code target}, replacing what is there only when {@code replace}: false, writing
     * nothing, when a file appeared there since it was looked for (another --apply at once).
     */
    boolean publish(ObjectStore store, Location target, boolean replace) throws IOException {
        writer.close();
        if (replace) {
            store.putFile(target, temp);
            return true;
        }
        return store.putFileIfAbsent(target, temp);
    }

    /** Removes the local file (after {@link #publish}, or instead of it on failure). */
    @Override
    public void close() throws IOException {
        try {
            writer.close(); // a no-op after publish
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    private static final class Support extends RowWriteSupport<AppliedPrediction> {

        Support(Map<String, String> metadata) {
            super(SCHEMA, metadata);
        }

        @Override
        public void write(AppliedPrediction row) {
            out().startMessage();
            string(0, "path", row.path());
            if (row.label() != null) {
                string(1, "label", row.label());
            }
            string(2, "predicted", row.predicted());
            number(3, "score", row.score());
            out().endMessage();
        }
    }
}
