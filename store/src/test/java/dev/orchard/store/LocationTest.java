package dev.orchard.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class LocationTest {

    @Test
    void s3AndLocalPathsAreReadAndOtherSchemesRefused() {
        Location s3 = Location.parse("s3://bucket/images/Apple Braeburn/1.jpg");
        assertThat(s3.isLocal()).isFalse();
        assertThat(s3.bucket()).isEqualTo("bucket");
        assertThat(s3.key()).isEqualTo("images/Apple Braeburn/1.jpg");

        Location local = Location.parse("/data/a b/1.jpg");
        assertThat(local.isLocal()).isTrue();
        assertThat(local.key()).isEqualTo("/data/a b/1.jpg");
        assertThat(Location.parse("file:///data/x.jpg")).isEqualTo(Location.local(Path.of("/data/x.jpg")));
        // "://" inside a local path is not a scheme
        assertThat(Location.parse("/data/odd://name.jpg").isLocal()).isTrue();

        for (String other : new String[] {"gs://bucket/key", "http://host/x.jpg", "hdfs+x.y-z://a/b"}) {
            assertThatThrownBy(() -> Location.parse(other)).as(other).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("Unsupported location '" + other + "'");
        }
    }
}
