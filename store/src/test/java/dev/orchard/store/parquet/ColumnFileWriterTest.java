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

    /** A part gathered from units' rows files: their row groups copied in order, between rows written directly. */
    @org.junit.jupiter.api.Test
    void appendsWholeRowsFilesInOrder() throws Exception {
        long seed = 20261130L * 37;
        System.out.println("ColumnFileWriterTest.appendsWholeRowsFilesInOrder seed " + seed);
        Random random = new Random(seed);
        var store = new LocalObjectStore();
        List<List<VectorRow>> units = new ArrayList<>();
        List<byte[]> files = new ArrayList<>();
        for (int u = 0; u < 3; u++) {
            List<VectorRow> rows = rows(random, 50 + 100 * u, 1280, "unit" + u);
            Location unitFile = Location.local(dir.resolve("unit-" + u + ".parquet"));
            // the second unit's file is cut into several row groups
            try (var writer = new VectorRowsWriter(store, unitFile, "features", dir.resolve("tmp"), ParquetOptions.DEFAULT,
                    null, u == 1 ? 200_000 : 134_217_728)) {
                for (VectorRow row : rows) {
                    writer.write(row);
                }
                writer.commit();
            }
            units.add(rows);
            files.add(Files.readAllBytes(unitFile.path()));
        }
        List<VectorRow> direct = rows(random, 7, 1280, "direct");
        List<VectorRow> expected = new ArrayList<>();
        Location part = Location.local(dir.resolve("part.parquet"));
        try (var writer = new VectorRowsWriter(store, part, "features", dir.resolve("tmp"))) {
            for (VectorRow row : direct.subList(0, 5)) {
                writer.write(row);
            }
            expected.addAll(direct.subList(0, 5));
            writer.append(files.get(0));
            writer.append(files.get(1));
            expected.addAll(units.get(0));
            expected.addAll(units.get(1));
            for (VectorRow row : direct.subList(5, 7)) {
                writer.write(row);
            }
            expected.addAll(direct.subList(5, 7));
            writer.append(files.get(2));
            expected.addAll(units.get(2));
            assertThat(writer.rows()).isEqualTo(expected.size());
            writer.commit();
        }
        var options = ParquetReadOptions.builder(new PlainParquetConfiguration()).withCodecFactory(new HadoopFreeCodecs()).build();
        try (ParquetFileReader reader = ParquetFileReader.open(new LocalInputFile(part.path()), options)) {
            assertThat(reader.getRecordCount()).isEqualTo(expected.size());
            assertThat(rowGroups(files.get(1))).as("unit 1's file is cut").isGreaterThan(1);
            assertThat(reader.getRowGroups()).as("5 rows, unit 0's groups, unit 1's, 2 rows, unit 2's")
                    .hasSize(1 + rowGroups(files.get(0)) + rowGroups(files.get(1)) + 1 + rowGroups(files.get(2)));
            for (var group : reader.getRowGroups()) {
                assertThat(FloatListColumn.readable(group.getColumns().get(2))).as("read page by page").isTrue();
            }
        }
        List<VectorRow> read = VectorRowsReader.readAll(Files.readAllBytes(part.path()), "features");
        assertThat(read).hasSize(expected.size());
        for (int i = 0; i < expected.size(); i++) {
            assertThat(read.get(i).path()).isEqualTo(expected.get(i).path());
            assertThat(read.get(i).label()).isEqualTo(expected.get(i).label());
            assertThat(read.get(i).values()).as("row %d", i).containsExactly(expected.get(i).values());
        }
    }

    /** A rows file of other columns (a classifier's) cannot be appended: the part would not be one table. */
    @org.junit.jupiter.api.Test
    void refusesToAppendAnotherSchema() throws Exception {
        var store = new LocalObjectStore();
        Location labelled = Location.local(dir.resolve("labelled.parquet"));
        try (var writer = new VectorRowsWriter(store, labelled, "features", dir.resolve("tmp"), ParquetOptions.DEFAULT,
                new PredictedBy("c.json", "00".repeat(32)))) {
            writer.write(new VectorRow("/a.jpg", "a", new float[] {1f}).withPrediction("a", 0.5));
            writer.commit();
        }
        try (var writer = new VectorRowsWriter(store, Location.local(dir.resolve("part.parquet")), "features",
                dir.resolve("tmp"))) {
            byte[] bytes = Files.readAllBytes(labelled.path());
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> writer.append(bytes))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Cannot append rows of schema");
        }
    }

    private static int rowGroups(byte[] file) throws Exception {
        try (ParquetFileReader reader = ParquetFileReader.open(new InMemoryInputFile(file), VectorRowsReader.options())) {
            return reader.getRowGroups().size();
        }
    }

    private static List<VectorRow> rows(Random random, int count, int dim, String prefix) {
        List<VectorRow> rows = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            float[] values = new float[random.nextInt(20) == 0 ? 0 : dim];
            for (int v = 0; v < values.length; v++) {
                values[v] = (float) random.nextGaussian();
            }
            rows.add(new VectorRow("/in/" + prefix + "/" + i + ".jpg", random.nextInt(6) == 0 ? null : "class " + i % 4, values));
        }
        return rows;
    }
}
