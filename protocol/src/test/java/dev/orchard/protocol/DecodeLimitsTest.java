package dev.orchard.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** A job records its decode limits as the options that set them, and a command without them reads them back. */
class DecodeLimitsTest {

    @Test
    void theRecordReadsBackAsTheLimits() {
        for (DecodeLimits limits : new DecodeLimits[] {DecodeLimits.DEFAULT, new DecodeLimits(5000, 64L << 20, false)}) {
            assertThat(DecodeLimits.parse(limits.describe())).isEqualTo(limits);
        }
        assertThat(DecodeLimits.DEFAULT.describe()).isEqualTo("--max-pixels 89478485, --max-decode-mib 512");
        assertThatThrownBy(() -> DecodeLimits.parse("max 5000")).hasMessageContaining("not decode limits");
        assertThatThrownBy(() -> new DecodeLimits(0, 1L << 20, true)).hasMessage("--max-pixels must be at least 1, was 0");
    }
}
