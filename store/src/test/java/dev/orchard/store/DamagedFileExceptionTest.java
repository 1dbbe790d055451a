package dev.orchard.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What a damaged file of Orchard's says: the file, where in it, what it is to Orchard, what to do; never Jackson's
 * "[Source: REDACTED …]".
 */
class DamagedFileExceptionTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Location FILE = Location.parse("s3://bucket/out/_orchard/seals/seal-000001.json");

    record Entry(String job, int term) {
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aFileCutShortIsNamedWithWhereAndWhatToDo() {
        assertThatThrownBy(() -> DamagedFileException.readJson(JSON, bytes("{\"job\": \"x\",\n \"te"), FILE, Entry.class,
                DamagedFileException.JOURNAL, DamagedFileException.RESTORE))
                .isInstanceOf(DamagedFileException.class)
                .hasMessageStartingWith(FILE + " is damaged (not the JSON Orchard writes: ")
                .hasMessageContaining("at line 2, column")
                .hasMessageEndingWith("): it is " + DamagedFileException.JOURNAL + "; " + DamagedFileException.RESTORE)
                .message().doesNotContain("REDACTED").doesNotContain("[Source");
    }

    @Test
    void anEmptyFileAndAWrongShapeAreDamageToo() {
        assertThatThrownBy(() -> DamagedFileException.readTree(JSON, new byte[0], FILE, "a record", "restore it"))
                .isInstanceOf(DamagedFileException.class).hasMessage(FILE + " is damaged (it is empty): it is a record;"
                        + " restore it");
        assertThatThrownBy(() -> DamagedFileException.readJson(JSON, bytes("{\"term\": \"seven\"}"), FILE, Entry.class,
                "a record", "restore it"))
                .isInstanceOf(DamagedFileException.class).hasMessageContaining("not the JSON Orchard writes")
                .message().doesNotContain("REDACTED");
    }

    @Test
    void aJsonLinesFileSaysWhichLine() {
        assertThatThrownBy(() -> DamagedFileException.readJsonLine(JSON, "{\"job\": ", FILE, 17, Entry.class, "a plan",
                "restore it"))
                .isInstanceOf(DamagedFileException.class)
                .hasMessageStartingWith(FILE + " is damaged (line 17: not the JSON Orchard writes: ")
                .hasMessageContaining(" at column ").message().doesNotContain("at line");
    }

    @Test
    void aDecoderRefusalIsNamedAndWhatReadsIsReturned() throws IOException {
        assertThatThrownBy(() -> DamagedFileException.decode(new byte[3], FILE, b -> {
            throw new IllegalArgumentException("not an Orchard covariance partial");
        }, DamagedFileException.STATISTICS, DamagedFileException.RESTORE))
                .isInstanceOf(DamagedFileException.class)
                .hasMessageStartingWith(FILE + " is damaged (not an Orchard covariance partial): it is covariance");
        assertThat(DamagedFileException.readJson(JSON, bytes("{\"job\": \"x\", \"term\": 3}"), FILE, Entry.class,
                "a record", "restore it")).isEqualTo(new Entry("x", 3));
        assertThat(DamagedFileException.readTree(JSON, bytes("{\"a\": 1}"), FILE, "a record", "restore it"))
                .isEqualTo(JSON.valueToTree(Map.of("a", 1)));
    }

    @Test
    void isFoundBeneathTheFailuresThatCarryIt() {
        DamagedFileException damaged = new DamagedFileException(FILE, "why", "a record", "restore it", null);
        assertThat(DamagedFileException.in(new java.util.concurrent.CompletionException(new UncheckedIOException(damaged))))
                .isSameAs(damaged);
        assertThat(DamagedFileException.in(new IOException("a timeout"))).isNull();
        assertThat(DamagedFileException.in(null)).isNull();
    }
}
