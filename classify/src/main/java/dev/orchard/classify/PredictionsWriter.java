package dev.orchard.classify;

import dev.orchard.store.Location;
import dev.orchard.store.ObjectStore;
import dev.orchard.store.parquet.ParquetMetadata;
import dev.orchard.store.parquet.RowWriteSupport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Types;

/**
 * Writes {@code predictions.parquet}: {@code path, label, split, predicted string, score double}, readable by
 * Spark, pandas/pyarrow and DuckDB. Written locally, then handed to the store in one step (as the job's parts).
 * Uncompressed: a few hundred bytes a row, and the store's ZSTD codec is not shared outside its package.
 */
final class PredictionsWriter {

    static final MessageType SCHEMA = Types.buildMessage()
            .required(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named("path")
            .required(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named("label")
            .required(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named("split")
            .required(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named("predicted")
            .required(PrimitiveTypeName.DOUBLE).named("score")
            .named("orchard_predictions");

    private PredictionsWriter() {
    }

    /**
     * Writes the rows to {@code target}, replacing what is there only when {@code replace}: false, writing nothing,
     * when a file is there.
     */
    static boolean write(ObjectStore store, Location target, List<PredictionRow> rows, boolean replace)
            throws IOException {
        Path temp = Files.createTempFile("orchard-predictions-", ".parquet");
        try {
            try (ParquetWriter<PredictionRow> writer = RowWriteSupport.writer(new LocalOutputFile(temp),
                    new PredictionWriteSupport()).build()) {
                for (PredictionRow row : rows) {
                    writer.write(row);
                }
            }
            if (!replace) {
                return store.putFileIfAbsent(target, temp);
            }
            store.putFile(target, temp);
            return true;
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    private static final class PredictionWriteSupport extends RowWriteSupport<PredictionRow> {

        PredictionWriteSupport() {
            super(SCHEMA, Map.of(ParquetMetadata.ORCHARD_SCHEMA, "path,label,split,predicted,score"));
        }

        @Override
        public void write(PredictionRow row) {
            out().startMessage();
            string(0, "path", row.path());
            string(1, "label", row.label());
            string(2, "split", row.split());
            string(3, "predicted", row.predicted());
            number(4, "score", row.score());
            out().endMessage();
        }
    }
}
