package dev.orchard.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.orchard.store.s3.S3Settings;
import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The S3 options by their AWS CLI names, the environment variables the AWS SDKs read, and no echoed secrets. */
class StoreOptionsTest {

    private static StoreOptions parse(String... args) {
        return OptionsParsing.parse(new StoreOptions(), args);
    }

    @Test
    void endpointUrlAndItsOldNameAreOneOption() {
        assertThat(parse("--endpoint-url", "http://127.0.0.1:9000").s3(Map.of()).endpoint())
                .isEqualTo(URI.create("http://127.0.0.1:9000"));
        assertThat(parse("--endpoint", "http://127.0.0.1:9001").s3(Map.of()).endpoint())
                .isEqualTo(URI.create("http://127.0.0.1:9001"));
    }

    @Test
    void theEnvironmentGivesTheEndpointWhenTheOptionDoesNotTheS3VariableFirst() {
        Map<String, String> both = Map.of("AWS_ENDPOINT_URL_S3", "http://s3.local:9000", "AWS_ENDPOINT_URL", "http://all.local");
        assertThat(parse().s3(both).endpoint()).isEqualTo(URI.create("http://s3.local:9000"));
        assertThat(parse().s3(Map.of("AWS_ENDPOINT_URL", "http://all.local")).endpoint())
                .isEqualTo(URI.create("http://all.local"));
        assertThat(parse("--endpoint-url", "http://flag:1").s3(both).endpoint()).isEqualTo(URI.create("http://flag:1"));
        assertThat(parse().s3(Map.of()).endpoint()).as("AWS").isNull();
    }

    @Test
    void theProfileReachesTheSettings() {
        assertThat(parse("--profile", "images-ro").s3(Map.of()).profile()).isEqualTo("images-ro");
    }

    @Test
    void credentialsInAnEndpointAreRefusedAndNeverEchoed() {
        assertThatThrownBy(() -> parse("--endpoint-url", "http://AKID:s3cr3tpass@127.0.0.1:9000").s3(Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must not contain credentials")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("s3cr3tpass"));
        assertThatThrownBy(() -> parse().s3(Map.of("AWS_ENDPOINT_URL_S3", "http://u:s3cr3tpass@host:9/a b")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("$AWS_ENDPOINT_URL_S3 is not a valid URL (http://***@host:9/a b)")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("s3cr3tpass"));
    }

    @Test
    void attemptsPerRequestComeFromTheOptionThenTheAwsVariableThenTen() {
        assertThat(parse().s3(Map.of()).maxAttempts()).isEqualTo(10);
        assertThat(parse().s3(Map.of("AWS_MAX_ATTEMPTS", " 4 ")).maxAttempts()).isEqualTo(4);
        assertThat(parse("--s3-max-attempts", "2").s3(Map.of("AWS_MAX_ATTEMPTS", "4")).maxAttempts()).isEqualTo(2);
        assertThatThrownBy(() -> parse().s3(Map.of("AWS_MAX_ATTEMPTS", "many")))
                .hasMessageContaining("$AWS_MAX_ATTEMPTS").hasMessageContaining("many");
        assertThatThrownBy(() -> parse("--s3-max-attempts", "0").s3(Map.of()))
                .hasMessageContaining("--s3-max-attempts").hasMessageContaining("at least 1");
    }
}
