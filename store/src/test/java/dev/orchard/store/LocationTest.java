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

    /**
     * Hadoop's old inline credentials ({@code s3a://KEY:SECRET@bucket/}) are refused before any request, and never
     * printed: the "bucket" went to the server in the request line and came back in the error (a user's walk); a secret
     * may hold '/', '@' and ':', and a location typed after spaces was taken for a local path and printed whole (the
     * diff's review).
     */
    @Test
    void credentialsInALocationAreRefusedAndNeverShown() {
        for (String typed : new String[] {"s3://AKIAWALK:walkSecret0123@inb/c2/", "s3a://AKIAWALK:walkSecret0123@inb",
                "s3n://AKIAWALK:walkSecret0123@inb/c2/", "gs://AKIAWALK:walkSecret0123@b/k",
                "s3a://AKIAWALK:walk/Secret0123@inb/c2/", "s3://AKIAWALK@inb/c2/", "s3a://AKIAWALK:p@ssSecret0123@inb/x",
                "s3a://AKIAWALK:S:E/C@R@ETSecret0123@inb/x", " s3a://AKIAWALK:walkSecret0123@inb/c2/",
                "s3a://AKIAWALK:1234/5678Secret0123@inb/x", "s3://AKIAWALK:walkSecret0123@inb/user@example.com/1.jpg"}) {
            assertThatThrownBy(() -> Location.parse(typed)).as(typed).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageNotContaining("Secret0123").hasMessageNotContaining("AKIAWALK")
                    .hasMessageContaining("…@");
        }
        assertThatThrownBy(() -> Location.parse("s3://AKIAWALK:walkSecret0123@inb/c2/"))
                .hasMessageContaining("must not hold credentials").hasMessageContaining("AWS_SECRET_ACCESS_KEY");
        assertThatThrownBy(() -> Location.parse(" s3a://AKIAWALK:walkSecret0123@inb/c2/"))
                .hasMessageContaining("starts with spaces");
        // A path made of the text shows it masked too (s3a:// became s3a:/).
        assertThat(Location.shown("/home/u/ s3a:/AKIAWALK:walkSecret0123@inb/c2")).isEqualTo("/home/u/ s3a:/…@inb/c2");
        // A server where the bucket goes is named so, the key's '@' notwithstanding.
        for (String server : new String[] {"s3://127.0.0.1:9000/bucket/in", "s3://minio.local:9000/b/user@ex.com/x"}) {
            assertThatThrownBy(() -> Location.parse(server)).as(server)
                    .hasMessageContaining("names a server, not a bucket").hasMessageContaining("--endpoint-url http://HOST:PORT");
        }
        // What is no credential stays a location, and is shown as it is.
        assertThat(Location.shown("/data/a@b/c.jpg")).isEqualTo("/data/a@b/c.jpg");
        assertThat(Location.shown("s3://bucket/a:b@c.jpg")).isEqualTo("s3://bucket/a:b@c.jpg");
        assertThat(Location.parse("s3://bucket/user@example.com/1.jpg").key()).isEqualTo("user@example.com/1.jpg");
        assertThat(Location.parse("s3://bucket/a:b@c.jpg").key()).isEqualTo("a:b@c.jpg");
        assertThat(Location.parse("s3://crawl/http://user@example.com/a.jpg").key()).isEqualTo("http://user@example.com/a.jpg");
        assertThat(Location.parse("/data/a@b/c:d@e.jpg").isLocal()).isTrue();
    }

    /**
     * A typed s3:// location with a "." or ".." key segment is refused, naming the segment and the prefix meant: S3
     * takes it literally (an output below a key named "..", which S3Proxy answered with 400 late in the job: a user's
     * walk). A local path's are the file system's to resolve, and a listed or manifest key is an object's real name.
     */
    @Test
    void dotSegmentsInATypedS3KeyAreRefusedWithThePrefixMeant() {
        assertThatThrownBy(() -> Location.parseGiven("s3://bucket/a/../b")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("s3://bucket/a/../b has a '..' segment").hasMessageContaining("such as s3://bucket/b");
        assertThatThrownBy(() -> Location.parseGiven("s3://bucket/in/./fruit/"))
                .hasMessageContaining("a '.' segment").hasMessageContaining("such as s3://bucket/in/fruit/");
        assertThatThrownBy(() -> Location.parseGiven("s3a://bucket/..")).hasMessageContaining("such as s3://bucket/");
        for (String fine : new String[] {"s3://bucket/a..b/.c/d./", "s3://bucket/v1.2/out", "s3://bucket"}) {
            assertThat(Location.parseGiven(fine)).as(fine).isEqualTo(Location.parse(fine));
        }
        assertThat(Location.parseGiven("/data/in/../out")).isEqualTo(Location.local(Path.of("/data/out")));
        assertThat(Location.parseGiven("./out").isLocal()).isTrue();
        assertThat(Location.parse("s3://bucket/a/../b.jpg").key()).isEqualTo("a/../b.jpg");
    }
}
