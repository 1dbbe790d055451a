package dev.orchard.store.s3;

import java.io.IOException;
import java.util.Base64;
import java.util.List;
import java.util.function.Function;
import software.amazon.awssdk.checksums.DefaultChecksumAlgorithm;
import software.amazon.awssdk.checksums.SdkChecksum;
import software.amazon.awssdk.checksums.spi.ChecksumAlgorithm;

/**
 * Checks a GET's body against the checksum S3 stored with the object, as the SDK does by default since 2.30 on AWS
 * ({@code x-amz-checksum-mode: ENABLED}): the first full-object checksum S3 answers with, in the SDK's order of
 * preference. A composite checksum (multipart uploads, "value-N") covers parts, not the object, and is skipped, as
 * the SDK skips it. An object stored without a checksum is not checked.
 */
final class ResponseChecksum {

    private static final List<ChecksumAlgorithm> ALGORITHMS = List.of(DefaultChecksumAlgorithm.CRC64NVME,
            DefaultChecksumAlgorithm.CRC32C, DefaultChecksumAlgorithm.CRC32, DefaultChecksumAlgorithm.SHA1,
            DefaultChecksumAlgorithm.SHA256);

    private ResponseChecksum() {
    }

    /**
     * @param header the response's header by (case-insensitive) name, or null
     * @throws IOException when the body does not match: a corrupted transfer, which the caller retries
     */
    static void verify(byte[] body, Function<String, String> header) throws IOException {
        for (ChecksumAlgorithm algorithm : ALGORITHMS) {
            String expected = header.apply("x-amz-checksum-" + algorithm.algorithmId().toLowerCase(java.util.Locale.ROOT));
            if (expected == null) {
                continue;
            }
            if (expected.contains("-")) {
                return; // composite: not a checksum of the whole object
            }
            SdkChecksum checksum = SdkChecksum.forAlgorithm(algorithm);
            checksum.update(body);
            String actual = Base64.getEncoder().encodeToString(checksum.getChecksumBytes());
            if (!actual.equals(expected)) {
                throw new IOException("The object's " + algorithm.algorithmId() + " checksum does not match (S3 stored "
                        + expected + ", the bytes received give " + actual + "): the transfer was corrupted");
            }
            return;
        }
    }
}
