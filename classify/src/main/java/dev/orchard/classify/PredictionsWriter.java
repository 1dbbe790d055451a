package dev.orchard.classify;

import dev.orchard.store.Location;
import dev.orchard.store.ObjectStore;
import dev.orchard.store.parquet.HadoopFreeCodecs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.parquet.conf.ParquetConfiguration;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.io.OutputFile;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.RecordConsumer;
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

    static void write(ObjectStore store, Location target, List<PredictionRow> rows) throws IOException {
        Path temp = Files.createTempFile("orchard-predictions-", ".parquet");
        try {
            try (ParquetWriter<PredictionRow> writer = new Builder(new LocalOutputFile(temp))
                    .withConf(new PlainParquetConfiguration())
                    .withWriteMode(ParquetFileWriter.Mode.OVERWRITE)
                    .withCodecFactory(new HadoopFreeCodecs())
                    .withCompressionCodec(HadoopFreeCodecs.WRITTEN)
                    .build()) {
                for (PredictionRow row : rows) {
                    writer.write(row);
                }
            }
            store.putFile(target, temp);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    private static final class Builder extends ParquetWriter.Builder<PredictionRow, Builder> {
        Builder(OutputFile file) {
            super(file);
        }

        @Override
        protected Builder self() {
            return this;
        }

        @Override
        protected WriteSupport<PredictionRow> getWriteSupport(ParquetConfiguration conf) {
            return new RowWriteSupport();
        }

        @Override
        protected WriteSupport<PredictionRow> getWriteSupport(org.apache.hadoop.conf.Configuration conf) {
            return new RowWriteSupport();
        }
    }

    private static final class RowWriteSupport extends WriteSupport<PredictionRow> {
        private RecordConsumer out;

        @Override
        public WriteContext init(ParquetConfiguration conf) {
            return new WriteContext(SCHEMA, Map.of("orchard.schema", "path,label,split,predicted,score"));
        }

        @Override
        public WriteContext init(org.apache.hadoop.conf.Configuration conf) {
            return init((ParquetConfiguration) null);
        }

        @Override
        public void prepareForWrite(RecordConsumer recordConsumer) {
            this.out = recordConsumer;
        }

        @Override
        public void write(PredictionRow row) {
            out.startMessage();
            string(0, "path", row.path());
            string(1, "label", row.label());
            string(2, "split", row.split());
            string(3, "predicted", row.predicted());
            out.startField("score", 4);
            out.addDouble(row.score());
            out.endField("score", 4);
            out.endMessage();
        }

        private void string(int index, String field, String value) {
            out.startField(field, index);
            out.addBinary(Binary.fromString(value));
            out.endField(field, index);
        }
    }
}
