package dev.orchard.coordinator.outputs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orchard.store.parquet.VectorRow;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PcaCsvTest {

    /** What Commons CSV's printer writes for the same rows: pca.csv's reference. */
    private static String printed(List<VectorRow> rows) throws IOException {
        StringWriter text = new StringWriter();
        try (CSVPrinter csv = new CSVPrinter(text, CSVFormat.RFC4180.builder().setHeader("filename", "label", "pca").get())) {
            for (VectorRow row : rows) {
                StringBuilder vector = new StringBuilder("[");
                float[] v = row.values();
                for (int i = 0; i < v.length; i++) {
                    vector.append(i == 0 ? "" : ", ").append(v[i]);
                }
                csv.printRecord(SpreadsheetCell.of(row.path()), row.label() == null ? "" : SpreadsheetCell.of(row.label()),
                        vector.append(']'));
            }
        }
        return text.toString();
    }

    private static List<VectorRow> rows(int count, int k, long seed) {
        String[] awkward = {"/a/plain.jpg", "/a/with, comma.jpg", "/a/\"quoted\".jpg", "/a/line\nbreak.jpg", "=cmd|x.jpg",
            "-minus.jpg", "#hash.jpg", " leading space.jpg", "trailing space.jpg ", "/日本語/🍎.jpg", "\ttab.jpg", ""};
        String[] labels = {null, "", "Apple Braeburn", "+label", "a,b", "q\"uote", "@at", "line\r\nend"};
        Random random = new Random(seed);
        float[] special = {0f, -0f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.MIN_VALUE,
            Float.MAX_VALUE, 1e-7f, 1.0E10f, -123.456f};
        List<VectorRow> rows = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            float[] v = new float[k];
            for (int j = 0; j < k; j++) {
                v[j] = random.nextInt(20) == 0 ? special[random.nextInt(special.length)]
                        : (float) (random.nextGaussian() * Math.pow(10, random.nextInt(9) - 4));
            }
            String path = awkward[random.nextInt(awkward.length)] + (random.nextBoolean() ? "" : "/" + i);
            rows.add(new VectorRow(path, labels[random.nextInt(labels.length)], v));
        }
        return rows;
    }

    /** Byte for byte what the CSV printer writes, across chunk and window boundaries, for k = 1 (no comma) and up. */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 50})
    void writesWhatTheCsvPrinterWrites(int k) throws IOException {
        long seed = 1800 + k;
        for (int count : new int[] {0, 1, 511, 512, 513, 9_000}) {
            List<VectorRow> rows = rows(count, k, seed);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.write(PcaCsv.HEADER);
            PcaCsv.write(rows, out);
            assertThat(out.toString(StandardCharsets.UTF_8)).as("seed %d, %d rows, k = %d", seed, count, k)
                    .isEqualTo(printed(rows));
        }
    }

    /** And it reads back as the rows it was made of. */
    @ParameterizedTest
    @ValueSource(ints = {1, 5})
    void readsBackAsItsRows(int k) throws IOException {
        List<VectorRow> rows = rows(700, k, 77);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(PcaCsv.HEADER);
        PcaCsv.write(rows, out);
        List<CSVRecord> records = CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).get()
                .parse(new java.io.StringReader(out.toString(StandardCharsets.UTF_8))).getRecords();
        assertThat(records).hasSize(rows.size());
        for (int i = 0; i < rows.size(); i++) {
            assertThat(records.get(i).get("filename")).isEqualTo(SpreadsheetCell.of(rows.get(i).path()));
            String pca = records.get(i).get("pca");
            assertThat(pca).startsWith("[").endsWith("]");
            assertThat(pca.substring(1, pca.length() - 1).split(", ")).hasSize(k);
        }
    }
}
