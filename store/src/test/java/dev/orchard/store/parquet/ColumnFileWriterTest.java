package dev.orchard.store.parquet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orchard.store.LocalObjectStore;
import dev.orchard.store.Location;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.io.LocalOutputFile;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link VectorRowsWriter} writes to parquet-java's column writers directly ({@link ColumnFileWriter}); the file
 * must be the one parquet-java's own writer makes from the same rows through its record assembly
 * ({@link RecordConsumerRows}, with the same properties): byte for byte, in one row group and cut into many, with
 * empty vectors, missing labels, predictions and BYTE_STREAM_SPLIT. Rows are drawn from a printed seed.
 */
class ColumnFileWriterTest {

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0} rows of up to {1} floats, row groups of {2} B, predictions {3}, byte stream split {4}")
    @CsvSource({
            "300, 1280, 134217728, false, false",   // a features unit: one row group
            "500, 300, 65536, false, false",        // many row groups
            "500, 300, 40000, true, false",         // many row groups, with the classifier's columns
            "400, 200, 32768, false, true",
            "1, 0, 134217728, true, true",          // one empty vector
    })
    void writesTheFileParquetJavaWrites(int count, int maxDim, long rowGroupBytes, boolean predictions,
                                        boolean byteStreamSplit) throws Exception {
        long seed = 20261130L * 31 + count + maxDim + rowGroupBytes;
        System.out.println("ColumnFileWriterTest seed " + seed);
        Random random = new Random(seed);
        List<VectorRow> rows = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int dim = maxDim == 1280 ? 1280 : random.nextInt(8) == 0 ? 0 : random.nextInt(maxDim + 1);
            float[] values = new float[dim];
            for (int v = 0; v < dim; v++) {
                values[v] = random.nextInt(10) == 0 ? 0f : (float) random.nextGaussian();
            }
            VectorRow row = new VectorRow("/in/class " + i % 5 + "/" + i + ".jpg",
                    random.nextInt(6) == 0 ? null : "class " + i % 5, values);
            rows.add(predictions ? row.withPrediction("class " + random.nextInt(3), random.nextDouble()) : row);
        }
        PredictedBy classifier = predictions ? new PredictedBy("classifier.json", "ab".repeat(32)) : null;

        var store = new LocalObjectStore();
        Location target = Location.local(dir.resolve("direct.parquet"));
        try (var writer = new VectorRowsWriter(store, target, "features", dir.resolve("tmp"),
                new ParquetOptions(byteStreamSplit), classifier, rowGroupBytes)) {
            for (VectorRow row : rows) {
                writer.write(row);
            }
            writer.commit();
        }

        Path reference = dir.resolve("reference.parquet");
        Map<String, String> footer = new LinkedHashMap<>();
        footer.put("orchard.schema", "path,label,features" + (predictions ? ",predicted,score" : ""));
        if (predictions) {
            footer.put("orchard.classifier", classifier.classifier());
            footer.put("orchard.classifier.sha256", classifier.sha256());
        }
        var builder = RowWriteSupport.writer(new LocalOutputFile(reference),
                        new RecordConsumerRows(VectorSchema.of("features", predictions), "features", footer))
                .withDictionaryEncoding(false)
                .withDictionaryEncoding("label", true)
                .withByteStreamSplitEncoding(byteStreamSplit)
                .withRowGroupSize(rowGroupBytes);
        if (predictions) {
            builder = builder.withDictionaryEncoding(VectorSchema.PREDICTED, true);
        }
        try (ParquetWriter<VectorRow> writer = builder.build()) {
            for (VectorRow row : rows) {
                writer.write(row);
            }
        }

        var options = ParquetReadOptions.builder(new PlainParquetConfiguration()).withCodecFactory(new HadoopFreeCodecs()).build();
        try (ParquetFileReader reader = ParquetFileReader.open(new LocalInputFile(target.path()), options)) {
            System.out.println("row groups: " + reader.getRowGroups().size());
            if (rowGroupBytes < 100_000) {
                assertThat(reader.getRowGroups()).as("cut into row groups").hasSizeGreaterThan(2);
            }
        }
        assertThat(Files.readAllBytes(target.path())).as("the same bytes as parquet-java's writer")
                .isEqualTo(Files.readAllBytes(reference));
        List<VectorRow> read = VectorRowsReader.readAll(new LocalInputFile(target.path()), "features");
        assertThat(read).hasSize(rows.size());
        for (int i = 0; i < rows.size(); i++) {
            assertThat(read.get(i).path()).isEqualTo(rows.get(i).path());
            assertThat(read.get(i).label()).isEqualTo(rows.get(i).label());
            assertThat(read.get(i).values()).as("row %d", i).containsExactly(rows.get(i).values());
            assertThat(read.get(i).predicted()).isEqualTo(rows.get(i).predicted());
        }
    }
}
