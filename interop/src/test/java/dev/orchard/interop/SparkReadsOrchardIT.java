package dev.orchard.interop;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.regexp_replace;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/**
 * Apache Spark 3.5 (EMR 7's line) reads a real job's output through the folder, as {@code spark.read.parquet(out +
 * "/features")}, with its default (vectorized) Parquet reader: every column of every row.
 */
class SparkReadsOrchardIT {
    private final SampleJob job = SampleJob.get();
    private final SparkSession spark = LocalSpark.session();

    @Test
    void readsEveryColumnOfFeaturesAndPcaWithTheVectorizedReader() {
        assertThat(spark.conf().get("spark.sql.parquet.enableVectorizedReader")).isEqualTo("true");
        assertThat(spark.conf().get("spark.sql.parquet.enableNestedColumnVectorizedReader")).isEqualTo("true");
        for (String column : List.of("features", "pca")) {
            Dataset<Row> rows = spark.read().parquet(job.output.resolve(column).toString());
            StructType schema = rows.schema();
            assertThat(schema.fieldNames()).containsExactly("path", "label", column);
            assertThat(schema.apply("path").dataType()).isEqualTo(DataTypes.StringType);
            assertThat(schema.apply("label").dataType()).isEqualTo(DataTypes.StringType);
            assertThat(schema.apply(column).dataType()).isInstanceOf(ArrayType.class);
            assertThat(((ArrayType) schema.apply(column).dataType()).elementType()).isEqualTo(DataTypes.FloatType);

            int dim = column.equals("features") ? 1280 : SampleJob.PCA_K;
            Map<String, String> labels = new HashMap<>();
            for (Row row : rows.collectAsList()) {
                List<Float> values = row.getList(2);
                assertThat(values).as(row.getString(0)).hasSize(dim).allMatch(Float::isFinite);
                assertThat(labels.put(row.getString(0), row.getString(1))).as("each path once").isNull();
            }
            assertThat(labels).as(column).isEqualTo(job.labels);
        }
    }

    /**
     * A job run with {@code --classifier}: the vectorized reader reads the two more columns, a string and a double,
     * after the vector, in features/ and pca/ alike, and every image has them.
     */
    @Test
    void readsThePredictedAndScoreColumnsOfARunWithAClassifier() {
        Map<String, String> predictedByPath = new HashMap<>();
        for (String column : List.of("features", "pca")) {
            Dataset<Row> rows = spark.read().parquet(job.classifiedOutput.resolve(column).toString());
            StructType schema = rows.schema();
            assertThat(schema.fieldNames()).containsExactly("path", "label", column, "predicted", "score");
            assertThat(schema.apply("predicted").dataType()).isEqualTo(DataTypes.StringType);
            assertThat(schema.apply("score").dataType()).isEqualTo(DataTypes.DoubleType);
            int dim = column.equals("features") ? 1280 : SampleJob.PCA_K;
            Map<String, String> labels = new HashMap<>();
            for (Row row : rows.collectAsList()) {
                String path = row.getString(0);
                assertThat(row.<Float>getList(2)).as(path).hasSize(dim);
                assertThat(row.getString(3)).as(path).isIn((Object[]) SampleJob.CLASSES);
                // a multinomial logistic model's probability of its winning class among 5
                assertThat(row.getDouble(4)).as(path).isBetween(0.2, 1.0);
                labels.put(path, row.getString(1));
                String before = predictedByPath.putIfAbsent(path, row.getString(3));
                assertThat(before == null || before.equals(row.getString(3))).as("features and pca agree on " + path).isTrue();
            }
            assertThat(labels).as(column).isEqualTo(job.labels);
            assertThat(rows.groupBy("predicted").count().collectAsList().stream().mapToLong(r -> r.getLong(1)).sum())
                    .isEqualTo(job.images());
        }
    }

    /** The README's join of Orchard's {@code path} with Spark's binaryFile {@code path} ({@code file:/…}). */
    @Test
    void joinsWithSparksBinaryFilePaths() {
        Dataset<Row> binary = spark.read().format("binaryFile").option("recursiveFileLookup", "true")
                .option("pathGlobFilter", "*.{jpg,jpeg,png}").load(job.images.toString());
        List<String> binaryPaths = binary.select("path").as(Encoders.STRING()).collectAsList();
        assertThat(binaryPaths).hasSize(job.images()).allMatch(p -> p.startsWith("file:/"));

        Dataset<Row> features = spark.read().parquet(job.output.resolve("features").toString());
        Dataset<Row> joined = binary.withColumn("path", regexp_replace(col("path"), "^file:", ""))
                .join(features, "path");
        assertThat(joined.count()).isEqualTo(job.images());
        assertThat(joined.select("path", "length", "label", "features").columns()).hasSize(4);
    }

    @Test
    void readsClassifyPredictions() {
        Dataset<Row> predictions = spark.read().parquet(job.predictions.toString());
        assertThat(predictions.schema().fieldNames()).containsExactly("path", "label", "split", "predicted", "score");
        List<Row> rows = predictions.collectAsList();
        assertThat(rows).hasSize(job.images());
        Set<String> classes = Set.of(SampleJob.CLASSES);
        for (Row row : rows) {
            assertThat(job.labels.get(row.getString(0))).isEqualTo(row.getString(1));
            assertThat(row.getString(2)).isIn("train", "test");
            assertThat(classes).contains(row.getString(3));
            assertThat(row.getDouble(4)).isBetween(0.0, 1.0);
        }
        assertThat(rows.stream().map(r -> r.getString(2)).collect(Collectors.toSet())).containsExactlyInAnyOrder("train", "test");
    }

    /**
     * What README says of --parquet-byte-stream-split: Spark 3.5's vectorized reader refuses it (the issue's
     * error), its row-based reader (vectorized reader off) reads it, with the same floats as the default encoding.
     */
    @Test
    void byteStreamSplitNeedsTheRowReaderInSpark35() {
        String folder = job.byteStreamSplitOutput.resolve("features").toString();
        assertThatThrownBy(() -> spark.read().parquet(folder).select("features").collectAsList())
                .as("if Spark's vectorized reader now reads BYTE_STREAM_SPLIT, update README's Outputs section")
                .hasStackTraceContaining("BYTE_STREAM_SPLIT");
        Map<String, List<Float>> split;
        spark.conf().set("spark.sql.parquet.enableVectorizedReader", "false");
        try {
            split = spark.read().parquet(folder).collectAsList().stream()
                    .collect(Collectors.toMap(r -> r.getString(0), r -> r.getList(2)));
        } finally {
            spark.conf().unset("spark.sql.parquet.enableVectorizedReader");
        }
        Map<String, List<Float>> plain = spark.read().parquet(job.output.resolve("features").toString())
                .collectAsList().stream().collect(Collectors.toMap(r -> r.getString(0), r -> r.getList(2)));
        assertThat(split.keySet()).isEqualTo(plain.keySet());
        for (String path : plain.keySet()) {
            // Two runs of the model on the same images: equal up to ONNX Runtime's batch-dependent rounding.
            List<Float> a = plain.get(path);
            List<Float> b = split.get(path);
            assertThat(b).hasSameSizeAs(a);
            for (int i = 0; i < a.size(); i++) {
                assertThat(b.get(i)).as("%s[%d]", path, i).isCloseTo(a.get(i), Offset.offset(1e-4f + 1e-4f * Math.abs(a.get(i))));
            }
        }
    }
}
