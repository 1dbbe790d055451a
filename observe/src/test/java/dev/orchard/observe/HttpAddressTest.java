package dev.orchard.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** --http HOST:PORT as users write it. */
class HttpAddressTest {

    @Test
    void addressesParseAsHostColonPort() {
        assertThat(HttpAddress.parse("0.0.0.0:8558")).isEqualTo(new HttpAddress("0.0.0.0", 8558));
        assertThat(HttpAddress.parse(":9000")).isEqualTo(HttpAddress.loopback(9000));
        assertThat(HttpAddress.parse("[::1]:8558")).isEqualTo(new HttpAddress("::1", 8558));
        assertThat(HttpAddress.parse("[::1]:8558").toString()).isEqualTo("[::1]:8558");
        assertThat(HttpAddress.loopback(1).isLoopback()).isTrue();
        assertThat(new HttpAddress("0.0.0.0", 1).isLoopback()).isFalse();
        assertThatThrownBy(() -> HttpAddress.parse("8558")).hasMessageContaining("must be HOST:PORT");
        assertThatThrownBy(() -> HttpAddress.parse("h:x")).hasMessageContaining("the port must be a number");
        assertThatThrownBy(() -> HttpAddress.parse("h:70000")).hasMessageContaining("0 (any free one) to 65535");
    }

}
