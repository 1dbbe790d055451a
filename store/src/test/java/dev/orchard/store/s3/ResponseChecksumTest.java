package dev.orchard.store.s3;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

class ResponseChecksumTest {

    private static final byte[] BODY = "an image's bytes".getBytes(StandardCharsets.UTF_8);

    private static String base64(long checksum) {
        byte[] b = {(byte) (checksum >>> 24), (byte) (checksum >>> 16), (byte) (checksum >>> 8), (byte) checksum};
        return Base64.getEncoder().encodeToString(b);
    }

    @Test
    void acceptsTheStoredCrc32AndCrc32cAndRejectsAnotherBody() {
        CRC32 crc32 = new CRC32();
        crc32.update(BODY);
        CRC32C crc32c = new CRC32C();
        crc32c.update(BODY);
        Map<String, String> headers = Map.of("x-amz-checksum-crc32", base64(crc32.getValue()));
        assertThatCode(() -> ResponseChecksum.verify(BODY, headers::get)).doesNotThrowAnyException();
        Map<String, String> c = Map.of("x-amz-checksum-crc32c", base64(crc32c.getValue()));
        assertThatCode(() -> ResponseChecksum.verify(BODY, c::get)).doesNotThrowAnyException();
        byte[] corrupted = BODY.clone();
        corrupted[3] ^= 1;
        assertThatThrownBy(() -> ResponseChecksum.verify(corrupted, headers::get)).isInstanceOf(IOException.class)
                .hasMessageContaining("CRC32 checksum does not match");
    }

    @Test
    void skipsCompositeChecksumsAndObjectsStoredWithoutOne() {
        assertThatCode(() -> ResponseChecksum.verify(BODY, Map.of("x-amz-checksum-crc32", "AAAAAA==-3")::get))
                .doesNotThrowAnyException();
        assertThatCode(() -> ResponseChecksum.verify(BODY, Map.<String, String>of()::get)).doesNotThrowAnyException();
    }
}
