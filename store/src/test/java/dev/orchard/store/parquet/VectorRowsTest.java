package dev.orchard.store.parquet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.orchard.store.LocalObjectStore;
import dev.orchard.store.Location;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.column.Encoding;
import org.apache.parquet.column.EncodingStats;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.ColumnChunkMetaData;
import org.apache.parquet.io.LocalInputFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VectorRowsTest {

    @TempDir
    Path dir;

    @Test
    void rowsRoundTripThroughParquet() throws Exception {
        var store = new LocalObjectStore();
        Location target = Location.local(dir.resolve("features/part-00001.parquet"));
        Random random = new Random(7);
        float[] a = new float[1280];
        for (int i = 0; i < a.length; i++) {
            a[i] = random.nextFloat();
        }
        try (var writer = new VectorRowsWriter(store, target, "features", dir.resolve("tmp"))) {
            writer.write(new VectorRow("/data/Apple Red 1/1_100.jpg", "Apple Red 1", a));
            writer.write(new VectorRow("/data/é/ü.jpg", null, new float[] {1f, -2f}));
            writer.write(new VectorRow("/data/empty.jpg", "x", new float[0]));
            assertThat(Files.exists(target.path())).as("invisible before commit").isFalse();
            writer.commit();
        }
        assertThat(Files.list(dir.resolve("tmp"))).isEmpty();

        List<VectorRow> rows = VectorRowsReader.readAll(store, target, "features");
        assertThat(rows).hasSize(3);
        assertThat(rows.get(0).path()).isEqualTo("/data/Apple Red 1/1_100.jpg");
        assertThat(rows.get(0).label()).isEqualTo("Apple Red 1");
        assertThat(rows.get(0).values()).containsExactly(a);
        assertThat(rows.get(1).label()).isNull();
        assertThat(rows.get(1).values()).containsExactly(1f, -2f);
        assertThat(rows.get(2).values()).isEmpty();
    }

    /** A job run with a classifier: two more columns, last, and the classifier named in the footer. */
    @Test
    void predictionsRoundTripInTwoColumnsAfterTheVector() throws Exception {
        Path file = dir.resolve("labelled.parquet");
        try (var writer = new VectorRowsWriter(new LocalObjectStore(), Location.local(file), "features", dir.resolve("t"),
                ParquetOptions.DEFAULT, new PredictedBy("s3://b/classify-pair/classifier.onnx", "c1a55"))) {
            writer.write(new VectorRow("/a/1.jpg", "Apple", new float[] {1.5f, -2.25f, 3e-7f}).withPrediction("Apple", 0.875));
            writer.write(new VectorRow("/a/é 2.jpg", null, new float[] {4f, 5f, 6f}).withPrediction("Pear", -1.0 / 3));
            writer.write(new VectorRow("/a/3.jpg", "Pear", new float[] {7f, 8f, 9f}).withPrediction("Pear", Double.MIN_VALUE));
            writer.commit();
        }
        List<VectorRow> rows = VectorRowsReader.readAll(new LocalObjectStore(), Location.local(file), "features");
        assertThat(rows).extracting(VectorRow::path).containsExactly("/a/1.jpg", "/a/é 2.jpg", "/a/3.jpg");
        assertThat(rows).extracting(VectorRow::label).containsExactly("Apple", null, "Pear");
        assertThat(rows).extracting(VectorRow::predicted).containsExactly("Apple", "Pear", "Pear");
        assertThat(rows).extracting(VectorRow::score).containsExactly(0.875, -1.0 / 3, Double.MIN_VALUE);
        assertThat(rows.get(0).values()).containsExactly(1.5f, -2.25f, 3e-7f);

        ParquetReadOptions options = ParquetReadOptions.builder(new PlainParquetConfiguration())
                .withCodecFactory(new HadoopFreeCodecs()).build();
        try (ParquetFileReader reader = ParquetFileReader.open(new LocalInputFile(file), options)) {
            var meta = reader.getFooter().getFileMetaData();
            assertThat(meta.getSchema().getFields()).extracting(f -> f.getName())
                    .containsExactly("path", "label", "features", "predicted", "score");
            assertThat(meta.getSchema().getType("predicted").isRepetition(
                    org.apache.parquet.schema.Type.Repetition.REQUIRED)).isTrue();
            assertThat(meta.getKeyValueMetaData()).containsEntry("orchard.schema", "path,label,features,predicted,score")
                    .containsEntry("orchard.classifier", "s3://b/classify-pair/classifier.onnx")
                    .containsEntry("orchard.classifier.sha256", "c1a55");
        }
    }

    @Test
    void aPartWithoutPredictionsReadsAsRowsWithoutThem() throws Exception {
        Path file = writeSample(ParquetOptions.DEFAULT, false);
        VectorRow row = VectorRowsReader.readAll(new LocalObjectStore(), Location.local(file), "features").get(0);
        assertThat(row.hasPrediction()).isFalse();
        assertThat(row.predicted()).isNull();
        assertThat(row.score()).isNaN();
    }

    /** Nothing is dropped silently: a prediction needs its column, and a part with the column needs every row's. */
    @Test
    void rowsMustMatchWhetherThePartCarriesPredictions() throws Exception {
        var store = new LocalObjectStore();
        Location target = Location.local(dir.resolve("part.parquet"));
        try (var plain = new VectorRowsWriter(store, target, "features", dir.resolve("t"))) {
            assertThatThrownBy(() -> plain.write(new VectorRow("/a.jpg", "l", new float[] {1f}).withPrediction("x", 1)))
                    .hasMessageContaining("/a.jpg has a prediction, but this part has no column for it");
        }
        try (var labelled = new VectorRowsWriter(store, target, "features", dir.resolve("t"), ParquetOptions.DEFAULT,
                new PredictedBy("c.onnx", "c1a55"))) {
            assertThatThrownBy(() -> labelled.write(new VectorRow("/b.jpg", "l", new float[] {1f})))
                    .hasMessageContaining("/b.jpg has no prediction");
        }
    }

    @Test
    void writerClosedWithoutCommitLeavesNothing() throws Exception {
        var store = new LocalObjectStore();
        Location target = Location.local(dir.resolve("part.parquet"));
        try (var writer = new VectorRowsWriter(store, target, "pca", dir)) {
            writer.write(new VectorRow("p", "l", new float[] {1f}));
        }
        assertThat(Files.list(dir)).isEmpty();
    }

    @Test
    void readingAnotherSchemaSaysWhatItIs() throws Exception {
        var store = new LocalObjectStore();
        Location target = Location.local(dir.resolve("part.parquet"));
        try (var writer = new VectorRowsWriter(store, target, "pca", dir.resolve("t"))) {
            writer.write(new VectorRow("p", "l", new float[] {1f}));
            writer.commit();
        }
        assertThatThrownBy(() -> VectorRowsReader.readAll(store, target, "features"))
                .hasMessageContaining("Not an Orchard 'features' file");
    }

    /**
     * Every reader users run (Spark 3.x's vectorized reader, Hive, Trino/Athena, pyarrow, DuckDB) reads version-1
     * data pages with PLAIN values, PLAIN_DICTIONARY and RLE levels; BYTE_STREAM_SPLIT and the DELTA_* encodings
     * are not read by all of them. The interop module reads the job's real output with Spark and DuckDB.
     */
    @Test
    void defaultEncodingsAreThoseEveryReaderKnows() throws Exception {
        Path file = writeSample(ParquetOptions.DEFAULT);
        Set<Encoding> known = EnumSet.of(Encoding.PLAIN, Encoding.RLE, Encoding.BIT_PACKED, Encoding.PLAIN_DICTIONARY);
        for (ColumnChunkMetaData column : columns(file)) {
            assertThat(column.getEncodings()).as(column.getPath().toDotString()).isSubsetOf(known);
            assertThat(column.getEncodingStats().usesV2Pages()).as(column.getPath().toDotString()).isFalse();
            assertThat(column.getCodec().name()).isEqualTo("ZSTD");
        }
        ColumnChunkMetaData values = columns(file).get(2);
        assertThat(values.getPrimitiveType().getPrimitiveTypeName().name()).isEqualTo("FLOAT");
        assertThat(values.getEncodingStats().getDataEncodings()).containsExactly(Encoding.PLAIN);
        assertThat(columns(file).get(1).getEncodingStats().hasDictionaryPages()).as("label").isTrue();

        List<ColumnChunkMetaData> labelled = columns(writeSample(ParquetOptions.DEFAULT, true));
        for (ColumnChunkMetaData column : labelled) {
            assertThat(column.getEncodings()).as(column.getPath().toDotString()).isSubsetOf(known);
        }
        assertThat(labelled.get(3).getEncodingStats().hasDictionaryPages()).as("predicted").isTrue();
        assertThat(labelled.get(4).getPrimitiveType().getPrimitiveTypeName().name()).isEqualTo("DOUBLE");
        assertThat(labelled.get(4).getEncodingStats().getDataEncodings()).as("score").containsExactly(Encoding.PLAIN);
    }

    @Test
    void byteStreamSplitOnlyWhenAskedForAndOnlyForTheFloats() throws Exception {
        Path file = writeSample(new ParquetOptions(true));
        List<ColumnChunkMetaData> columns = columns(file);
        EncodingStats floats = columns.get(2).getEncodingStats();
        assertThat(floats.getDataEncodings()).containsExactly(Encoding.BYTE_STREAM_SPLIT);
        assertThat(columns.get(0).getEncodings()).doesNotContain(Encoding.BYTE_STREAM_SPLIT);
        assertThat(VectorRowsReader.readAll(new LocalObjectStore(), Location.local(file), "features").get(0).values())
                .containsExactly(1.5f, -2.25f, 3e-7f);

        // parquet-java's switch covers every FLOAT and DOUBLE column: the classifier's score too (README says so).
        List<ColumnChunkMetaData> labelled = columns(writeSample(new ParquetOptions(true), true));
        assertThat(labelled.get(4).getEncodingStats().getDataEncodings()).as("score").containsExactly(Encoding.BYTE_STREAM_SPLIT);
        assertThat(labelled.get(3).getEncodings()).as("predicted").doesNotContain(Encoding.BYTE_STREAM_SPLIT);
    }

    private Path writeSample(ParquetOptions options) throws Exception {
        return writeSample(options, false);
    }

    private Path writeSample(ParquetOptions options, boolean predictions) throws Exception {
        Path file = dir.resolve("sample-" + options.byteStreamSplit() + "-" + predictions + ".parquet");
        try (var writer = new VectorRowsWriter(new LocalObjectStore(), Location.local(file), "features", dir.resolve("t"),
                options, predictions ? new PredictedBy("s3://b/classify-pair/classifier.onnx", "c1a55") : null)) {
            VectorRow a = new VectorRow("/a/1.jpg", "Apple", new float[] {1.5f, -2.25f, 3e-7f});
            VectorRow b = new VectorRow("/a/2.jpg", "Apple", new float[] {4f, 5f, 6f});
            writer.write(predictions ? a.withPrediction("Apple", 0.875) : a);
            writer.write(predictions ? b.withPrediction("Apple", 0.625) : b);
            writer.commit();
        }
        return file;
    }

    private static List<ColumnChunkMetaData> columns(Path file) throws Exception {
        ParquetReadOptions options = ParquetReadOptions.builder(new PlainParquetConfiguration())
                .withCodecFactory(new HadoopFreeCodecs()).build();
        try (ParquetFileReader reader = ParquetFileReader.open(new LocalInputFile(file), options)) {
            assertThat(reader.getFooter().getBlocks()).hasSize(1);
            return reader.getFooter().getBlocks().get(0).getColumns();
        }
    }
}
