package dev.orchard.interop;

import static org.apache.spark.ml.functions.array_to_vector;
import static org.apache.spark.sql.functions.col;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.feature.PCA;
import org.apache.spark.ml.feature.PCAModel;
import org.apache.spark.ml.linalg.DenseMatrix;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * MLlib's PCA, fitted on the {@code features} column as a user would (array_to_vector), agrees with Orchard's
 * {@code pca-model.json}; and the README's account of how Orchard's {@code pca} column relates to MLlib's
 * {@code PCAModel.transform} holds.
 */
class MllibPcaIT {
    private static final SampleJob job = SampleJob.get();
    private static final SparkSession spark = LocalSpark.session();
    private static JsonNode orchard;
    private static PCAModel mllib;
    private static Dataset<Row> features;

    @BeforeAll
    static void fit() throws IOException {
        orchard = new ObjectMapper().readTree(job.output.resolve("pca-model.json").toFile());
        features = spark.read().parquet(job.output.resolve("features").toString())
                .withColumn("vector", array_to_vector(col("features")));
        long start = System.nanoTime();
        mllib = new PCA().setInputCol("vector").setOutputCol("mllib").setK(SampleJob.PCA_K).fit(features);
        System.out.printf("MLlib PCA fit on %d×1280 features: %.1f s%n", job.images(), (System.nanoTime() - start) / 1e9);
    }

    @Test
    void explainedVarianceRatiosMatchPcaModelJson() {
        assertThat(orchard.get("count").asLong()).isEqualTo(job.images());
        double[] ours = doubles(orchard.get("explainedVarianceRatio"));
        double[] theirs = mllib.explainedVariance().toArray();
        assertThat(ours).hasSize(SampleJob.PCA_K);
        assertThat(theirs).hasSize(SampleJob.PCA_K);
        for (int i = 0; i < ours.length; i++) {
            assertThat(ours[i]).as("explained variance ratio %d", i).isCloseTo(theirs[i], within(1e-6));
        }
        assertThat(ours[0]).as("a ratio that could hide a mismatch in the tolerance").isGreaterThan(1e-2);
    }

    /**
     * Orchard's pca = (x − mean)·component (centred, like sklearn); MLlib's transform = x·component (uncentred):
     * per component they differ by the constant mean·component, up to the component's sign.
     */
    @Test
    void pcaColumnIsMllibsTransformMinusAConstantPerComponent() {
        double[] mean = doubles(orchard.get("mean"));
        DenseMatrix pc = mllib.pc();
        int compared = 3; // the leading components, well separated: both tools find the same direction
        double[] sign = new double[compared];
        double[] offset = new double[compared];
        for (int j = 0; j < compared; j++) {
            double[] component = doubles(orchard.get("components").get(j));
            double dot = 0;
            for (int i = 0; i < component.length; i++) {
                dot += component[i] * pc.apply(i, j);
                offset[j] += mean[i] * pc.apply(i, j);
            }
            assertThat(Math.abs(dot)).as("component %d agrees with MLlib's up to sign", j).isCloseTo(1.0, within(1e-9));
            sign[j] = Math.signum(dot);
            int largest = 0;
            for (int i = 0; i < component.length; i++) {
                largest = Math.abs(component[i]) > Math.abs(component[largest]) ? i : largest;
            }
            assertThat(component[largest]).as("Orchard's sign rule: largest-magnitude coordinate positive").isPositive();
        }
        Map<String, Vector> transformed = new HashMap<>();
        for (Row row : mllib.transform(features).select("path", "mllib").collectAsList()) {
            transformed.put(row.getString(0), (Vector) row.get(1));
        }
        Dataset<Row> pca = spark.read().parquet(job.output.resolve("pca").toString());
        double largestOffset = 0;
        for (Row row : pca.collectAsList()) {
            List<Float> ours = row.getList(2);
            Vector theirs = transformed.get(row.getString(0));
            for (int j = 0; j < compared; j++) {
                double expected = sign[j] * (theirs.apply(j) - offset[j]);
                assertThat((double) ours.get(j)).as("%s pca[%d]", row.getString(0), j)
                        .isCloseTo(expected, within(1e-4 * (1 + Math.abs(expected))));
                largestOffset = Math.max(largestOffset, Math.abs(offset[j]));
            }
        }
        assertThat(largestOffset).as("the constant is not negligible: uncentred values differ").isGreaterThan(1e-2);
    }

    private static double[] doubles(JsonNode array) {
        double[] values = new double[array.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = array.get(i).asDouble();
        }
        return values;
    }
}
