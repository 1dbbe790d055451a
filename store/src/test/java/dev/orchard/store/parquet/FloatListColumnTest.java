package dev.orchard.store.parquet;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.column.ParquetProperties.WriterVersion;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.io.LocalOutputFile;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * The page-by-page vector reader against every layout parquet-java writes: V1 and V2 data pages, small pages (many
 * per chunk, rows of every size), empty vectors and missing labels, with and without the prediction columns, and
 * BYTE_STREAM_SPLIT (read by the column reader instead). Rows are drawn from a printed seed.
 */
class FloatListColumnTest {

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}, page {1} B, byte stream split {2}, predictions {3}")
    @CsvSource({
            "PARQUET_1_0, 1048576, false, false",
            "PARQUET_1_0, 700, false, false",
            "PARQUET_2_0, 700, false, false",
            "PARQUET_2_0, 1048576, false, true",
            "PARQUET_1_0, 700, false, true",
            "PARQUET_1_0, 700, true, false",
    })
    void readsWhatWasWritten(WriterVersion version, int pageSize, boolean byteStreamSplit, boolean predictions)
            throws Exception {
        long seed = 20261130L + pageSize + version.ordinal();
        System.out.println("FloatListColumnTest seed " + seed);
        Random random = new Random(seed);
        List<VectorRow> rows = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            float[] values = new float[random.nextInt(10) == 0 ? 0 : 1 + random.nextInt(300)];
            for (int v = 0; v < values.length; v++) {
                values[v] = (float) random.nextGaussian();
            }
            VectorRow row = new VectorRow("/in/" + i + ".jpg", random.nextInt(5) == 0 ? null : "class " + i % 7, values);
            rows.add(predictions ? row.withPrediction("class " + i % 3, random.nextDouble()) : row);
        }
        Path file = dir.resolve("rows.parquet");
        var support = new RecordConsumerRows(VectorSchema.of("features", predictions), "features",
                Map.of());
        try (ParquetWriter<VectorRow> writer = RowWriteSupport.writer(new LocalOutputFile(file), support)
                .withWriterVersion(version)
                .withPageSize(pageSize)
                .withDictionaryEncoding(false)
                .withByteStreamSplitEncoding(byteStreamSplit)
                .build()) {
            for (VectorRow row : rows) {
                writer.write(row);
            }
        }
        var options = ParquetReadOptions.builder(new PlainParquetConfiguration()).withCodecFactory(new HadoopFreeCodecs()).build();
        try (ParquetFileReader reader = ParquetFileReader.open(new LocalInputFile(file), options)) {
            for (var group : reader.getRowGroups()) {
                assertThat(FloatListColumn.readable(group.getColumns().get(2))).as("read page by page")
                        .isEqualTo(!byteStreamSplit);
            }
        }
        List<VectorRow> read = VectorRowsReader.readAll(new LocalInputFile(file), "features");
        assertThat(read).hasSize(rows.size());
        for (int i = 0; i < rows.size(); i++) {
            VectorRow expected = rows.get(i);
            VectorRow actual = read.get(i);
            assertThat(actual.path()).isEqualTo(expected.path());
            assertThat(actual.label()).isEqualTo(expected.label());
            assertThat(actual.values()).as("row %d", i).containsExactly(expected.values());
            assertThat(actual.predicted()).isEqualTo(expected.predicted());
            if (predictions) {
                assertThat(actual.score()).isEqualTo(expected.score());
            }
        }
    }
}
