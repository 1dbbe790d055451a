package dev.orchard.coordinator.outputs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orchard.protocol.ImageError;
import dev.orchard.store.LocalObjectStore;
import dev.orchard.store.Location;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpreadsheetCellTest {

    @TempDir
    Path dir;

    @Test
    void formulaStartsAreQuotedAndEverythingElseKept() {
        for (String formula : List.of("=1+2", "+SUM(A1)", "-2+3", "@cmd", "\t=x", "\r=x", "=HYPERLINK(\"http://x\",\"y\")")) {
            assertThat(SpreadsheetCell.of(formula)).isEqualTo("'" + formula);
        }
        // A leading quote is quoted too: stripping one leading quote gives every value back ('=x and =x differ).
        for (String quoted : List.of("'quoted", "'=x", "'80s")) {
            assertThat(SpreadsheetCell.of(quoted)).isEqualTo("'" + quoted);
        }
        assertThat(SpreadsheetCell.of("'=x")).isNotEqualTo(SpreadsheetCell.of("=x"));
        for (String plain : List.of("/data/=a.jpg", "s3://b/-x.jpg", "Apple Red 1", "[1.0, -2.0]", "", " =x", "a'b")) {
            assertThat(SpreadsheetCell.of(plain)).isEqualTo(plain);
        }
        assertThat(SpreadsheetCell.of(null)).isNull();
    }

    @Test
    void errorsCsvIsSafeAndStillParses() throws Exception {
        JobOutputs outputs = new JobOutputs(new LocalObjectStore(), Location.local(dir));
        outputs.writeErrors(List.of(new ImageError("/in/a \"b\", c.jpg", "=cmd|' /C calc'!A0"),
                new ImageError("/in/ü.jpg", "truncated image")));
        try (CSVParser csv = CSVParser.parse(dir.resolve("errors.csv"), StandardCharsets.UTF_8,
                CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).get())) {
            List<CSVRecord> records = csv.getRecords();
            assertThat(records.get(0).get("path")).isEqualTo("/in/a \"b\", c.jpg");
            assertThat(records.get(0).get("reason")).isEqualTo("'=cmd|' /C calc'!A0");
            assertThat(records.get(1).get("reason")).isEqualTo("truncated image");
        }
        assertThat(Files.readString(dir.resolve("errors.csv"))).doesNotContain(",=");
    }
}
