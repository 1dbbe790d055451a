package dev.orchard.store.parquet;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;

/** Writes small Parquet files shaped like an S3 Inventory report, for manifest tests. */
public final class InventoryFixtures {

    public record Row(String bucket, String key, Long size) {
    }

    private static final MessageType INVENTORY = MessageTypeParser.parseMessageType("""
            message s3_inventory {
              required binary bucket (STRING);
              required binary key (STRING);
              optional int64 size;
              optional binary storage_class (STRING);
            }""");

    private InventoryFixtures() {
    }

    /** Rows in row groups of {@code rowsPerGroup} (small groups exercise the reader's group-by-group streaming). */
    public static void write(Path file, List<Row> rows, int rowsPerGroup) throws IOException {
        SimpleGroupFactory groups = new SimpleGroupFactory(INVENTORY);
        try (ParquetWriter<Group> writer = ExampleParquetWriter.builder(new LocalOutputFile(file))
                .withConf(new PlainParquetConfiguration())
                .withType(INVENTORY)
                .withCodecFactory(new HadoopFreeCodecs())
                .withCompressionCodec(HadoopFreeCodecs.WRITTEN)
                .withWriteMode(ParquetFileWriter.Mode.OVERWRITE)
                .withRowGroupRowCountLimit(rowsPerGroup)
                .build()) {
            for (Row row : rows) {
                Group g = groups.newGroup().append("bucket", row.bucket()).append("key", row.key())
                        .append("storage_class", "STANDARD");
                if (row.size() != null) {
                    g.append("size", row.size());
                }
                writer.write(g);
            }
        }
    }
}
