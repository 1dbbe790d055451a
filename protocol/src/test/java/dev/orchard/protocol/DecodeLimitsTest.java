package dev.orchard.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** A job records its decode limits as the options that set them, and a command without them reads them back. */
class DecodeLimitsTest {

    @Test
    void theRecordReadsBackAsTheLimits() {
        for (DecodeLimits limits : new DecodeLimits[] {DecodeLimits.DEFAULT, new DecodeLimits(5000, 64L << 20, false,
                DecodeLimits.DEFAULT_MAX_OBJECT_BYTES), new DecodeLimits(5000, 64L << 20, true, 1000),
                new DecodeLimits(5000, 64L << 20, false, 1000)}) {
            assertThat(DecodeLimits.parse(limits.describe())).isEqualTo(limits);
        }
        // The size bound is always named, so that a record tells the default from a record written before the bound
        // was the job's (each worker read by its own then: not known, not the default).
        assertThat(DecodeLimits.DEFAULT.describe())
                .isEqualTo("--max-pixels 89478485, --max-decode-mib 512, --max-object-bytes 268435456");
        assertThat(DecodeLimits.recordsObjectBound(DecodeLimits.DEFAULT.describe())).isTrue();
        String older = "--max-pixels 89478485, --max-decode-mib 512";
        assertThat(DecodeLimits.recordsObjectBound(older)).isFalse();
        assertThat(DecodeLimits.parse(older).maxObjectBytes()).isEqualTo(DecodeLimits.DEFAULT_MAX_OBJECT_BYTES);
        assertThat(DecodeLimits.withoutObjectBound(DecodeLimits.DEFAULT.describe())).isEqualTo(older);
        assertThat(new DecodeLimits(5000, 64L << 20, false, 1000).describe())
                .isEqualTo("--max-pixels 5000, --max-decode-mib 64, --no-reduced-decode, --max-object-bytes 1000");
        assertThatThrownBy(() -> DecodeLimits.parse("max 5000")).hasMessageContaining("not decode limits");
        assertThatThrownBy(() -> new DecodeLimits(0, 1L << 20, true, 1)).hasMessage("--max-pixels must be at least 1, was 0");
        assertThatThrownBy(() -> new DecodeLimits(1, 1L << 20, true, 0))
                .hasMessageStartingWith("--max-object-bytes must be between 1 and 2147483639");
    }
}
