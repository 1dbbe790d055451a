package dev.orchard.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Array;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** DuckDB (its JDBC driver: the same engine as the CLI and the Python package) reads the job's files by glob. */
class DuckDbReadsOrchardIT {
    private final SampleJob job = SampleJob.get();
    private Connection duckdb;

    @BeforeEach
    void open() throws SQLException {
        duckdb = DriverManager.getConnection("jdbc:duckdb:");
    }

    @AfterEach
    void close() throws SQLException {
        duckdb.close();
    }

    @Test
    void readsTheSameRowsAndFloatsAsSpark() throws SQLException {
        for (String column : List.of("features", "pca")) {
            Map<String, float[]> rows = vectors(job.output.resolve(column) + "/*.parquet", column);
            assertThat(rows.keySet()).isEqualTo(job.labels.keySet());
            Map<String, List<Float>> spark = new HashMap<>();
            for (Row row : LocalSpark.session().read().parquet(job.output.resolve(column).toString()).collectAsList()) {
                spark.put(row.getString(0), row.getList(2));
            }
            for (Map.Entry<String, float[]> row : rows.entrySet()) {
                List<Float> expected = spark.get(row.getKey());
                assertThat(row.getValue()).as(row.getKey()).hasSize(expected.size());
                for (int i = 0; i < expected.size(); i++) {
                    assertThat(row.getValue()[i]).as("%s %s[%d]", row.getKey(), column, i).isEqualTo(expected.get(i));
                }
            }
        }
        try (Statement s = duckdb.createStatement(); ResultSet r = s.executeQuery("select label, count(*) from '"
                + job.output.resolve("features") + "/*.parquet' group by 1 order by 1")) {
            List<String> counts = new ArrayList<>();
            while (r.next()) {
                counts.add(r.getString(1) + "=" + r.getLong(2));
            }
            assertThat(counts).containsExactly("Apple Braeburn=12", "Apple Red 1=12", "Banana=12", "Kiwi=12", "Lemon=12");
        }
    }

    /** The default encodings as DuckDB sees them, and BYTE_STREAM_SPLIT only where it was asked for. */
    @Test
    void encodingsAreWhatTheReadmeSays() throws SQLException {
        // RLE (and, nominally, BIT_PACKED for levels that are always 0): the levels, as in every Parquet file.
        Set<String> levels = Set.of("RLE", "BIT_PACKED");
        for (String column : List.of("features", "pca")) {
            assertThat(encodings(job.output.resolve(column) + "/*.parquet", "element"))
                    .contains("PLAIN").isSubsetOf(union(levels, "PLAIN"));
            assertThat(encodings(job.output.resolve(column) + "/*.parquet", "label"))
                    .contains("PLAIN_DICTIONARY").isSubsetOf(union(levels, "PLAIN_DICTIONARY", "PLAIN"));
            assertThat(encodings(job.output.resolve(column) + "/*.parquet", "path"))
                    .contains("PLAIN").isSubsetOf(union(levels, "PLAIN"));
        }
        assertThat(encodings(job.byteStreamSplitOutput.resolve("features") + "/*.parquet", "element"))
                .contains("BYTE_STREAM_SPLIT").isSubsetOf(union(levels, "BYTE_STREAM_SPLIT"));
        assertThat(vectors(job.byteStreamSplitOutput.resolve("features") + "/*.parquet", "features"))
                .hasSize(job.images());
    }

    /** A job run with {@code --classifier}: DuckDB reads predicted and score as Spark does, in the default encodings. */
    @Test
    void readsThePredictedAndScoreColumnsAsSparkDoes() throws SQLException {
        for (String column : List.of("features", "pca")) {
            String glob = job.classifiedOutput.resolve(column) + "/*.parquet";
            Map<String, Row> spark = new HashMap<>();
            for (Row row : LocalSpark.session().read().parquet(job.classifiedOutput.resolve(column).toString()).collectAsList()) {
                spark.put(row.getString(0), row);
            }
            int rows = 0;
            try (Statement s = duckdb.createStatement(); ResultSet r = s.executeQuery(
                    "select path, label, predicted, score from read_parquet('" + glob + "')")) {
                while (r.next()) {
                    Row expected = spark.get(r.getString(1));
                    assertThat(r.getString(2)).isEqualTo(job.labels.get(r.getString(1)));
                    assertThat(r.getString(3)).as(r.getString(1)).isEqualTo(expected.getString(3));
                    assertThat(r.getDouble(4)).as(r.getString(1)).isEqualTo(expected.getDouble(4));
                    rows++;
                }
            }
            assertThat(rows).isEqualTo(job.images());
            Set<String> levels = Set.of("RLE", "BIT_PACKED");
            assertThat(encodings(glob, "predicted")).contains("PLAIN_DICTIONARY")
                    .isSubsetOf(union(levels, "PLAIN_DICTIONARY", "PLAIN"));
            assertThat(encodings(glob, "score")).contains("PLAIN").isSubsetOf(union(levels, "PLAIN"));
        }
        try (Statement s = duckdb.createStatement(); ResultSet r = s.executeQuery("select count(*), avg((label = predicted)::int)"
                + " from '" + job.classifiedOutput.resolve("features") + "/*.parquet'")) {
            assertThat(r.next()).isTrue();
            System.out.printf("DuckDB: %d images, predicted = label on %.1f %% (half of them trained the classifier)%n",
                    r.getLong(1), 100 * r.getDouble(2));
        }
    }

    @Test
    void readsPredictionsAndJoinsThemWithFeatures() throws SQLException {
        String sql = "select count(*), count(distinct p.split) from '" + job.predictions + "' p join '"
                + job.output.resolve("features") + "/*.parquet' f using (path) where p.label = f.label";
        try (Statement s = duckdb.createStatement(); ResultSet r = s.executeQuery(sql)) {
            assertThat(r.next()).isTrue();
            assertThat(r.getLong(1)).isEqualTo(job.images());
            assertThat(r.getLong(2)).isEqualTo(2);
        }
    }

    private Map<String, float[]> vectors(String glob, String column) throws SQLException {
        Map<String, float[]> rows = new HashMap<>();
        try (Statement s = duckdb.createStatement();
             ResultSet r = s.executeQuery("select path, label, " + column + " from read_parquet('" + glob + "')")) {
            while (r.next()) {
                assertThat(r.getString(2)).isEqualTo(job.labels.get(r.getString(1)));
                Array array = r.getArray(3);
                Object[] values = (Object[]) array.getArray();
                float[] floats = new float[values.length];
                for (int i = 0; i < values.length; i++) {
                    floats[i] = (Float) values[i];
                }
                assertThat(rows.put(r.getString(1), floats)).as("each path once").isNull();
            }
        }
        return rows;
    }

    private static Set<String> union(Set<String> set, String... more) {
        Set<String> union = new TreeSet<>(set);
        union.addAll(List.of(more));
        return union;
    }

    /** Every encoding DuckDB's parquet_metadata lists for the column's chunks (e.g. "PLAIN, RLE"), one by one. */
    private Set<String> encodings(String glob, String column) throws SQLException {
        Set<String> encodings = new TreeSet<>();
        try (Statement s = duckdb.createStatement(); ResultSet r = s.executeQuery(
                "select distinct encodings from parquet_metadata('" + glob + "') where path_in_schema like '%" + column + "'")) {
            while (r.next()) {
                encodings.addAll(Arrays.asList(r.getString(1).split(",\\s*")));
            }
        }
        assertThat(encodings).as("column %s in %s", column, glob).isNotEmpty();
        return encodings;
    }
}
