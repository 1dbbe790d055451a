package dev.orchard.store.s3;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;

/**
 * Uploads a local file as one S3 object in parts. S3 shows the object under its key only when
 * CompleteMultipartUpload succeeds, after every part is up; on any failure the upload is aborted, so neither a
 * partial object nor orphaned parts (which S3 bills for) stay behind.
 *
 * <p>Parts go one after the other, each read into one reused buffer: memory is one part, and each part's request is
 * retried by the client's retry strategy from that buffer.
 */
final class MultipartUpload {

    private final S3Client s3;
    private final long partSize;
    /** CRC32 per part, declared when the upload is created (S3 wants the algorithm known up front); or none. */
    private final ChecksumAlgorithm checksum;

    MultipartUpload(S3Client s3, long partSize, boolean checksums) {
        this.s3 = s3;
        this.partSize = partSize;
        this.checksum = checksums ? ChecksumAlgorithm.CRC32 : null;
    }

    void upload(String bucket, String key, Path file) throws IOException {
        upload(bucket, key, file, false);
    }

    /** As {@link #upload}, completed only where no object is at the key (a 412 then, the upload aborted). */
    void uploadIfAbsent(String bucket, String key, Path file) throws IOException {
        upload(bucket, key, file, true);
    }

    private void upload(String bucket, String key, Path file, boolean ifAbsent) throws IOException {
        String uploadId = s3.createMultipartUpload(b -> b.bucket(bucket).key(key)
                .checksumAlgorithm(checksum)).uploadId();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            byte[] buffer = new byte[(int) Math.min(partSize, Math.max(size, 1))];
            List<CompletedPart> parts = new ArrayList<>();
            int partNumber = 1;
            for (long offset = 0; offset < size; offset += partSize, partNumber++) {
                int length = (int) Math.min(partSize, size - offset);
                readFully(channel, buffer, offset, length, file);
                int number = partNumber;
                UploadPartResponse response = s3.uploadPart(b -> b.bucket(bucket).key(key).uploadId(uploadId)
                                .partNumber(number).contentLength((long) length)
                                .checksumAlgorithm(checksum),
                        RequestBody.fromContentProvider(() -> new ByteArrayInputStream(buffer, 0, length), length,
                                "application/octet-stream"));
                parts.add(CompletedPart.builder().partNumber(number).eTag(response.eTag())
                        .checksumCRC32(response.checksumCRC32()).build());
            }
            s3.completeMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId)
                    .multipartUpload(u -> u.parts(parts)).ifNoneMatch(ifAbsent ? "*" : null));
        } catch (IOException | RuntimeException | Error e) {
            abort(bucket, key, uploadId, e);
            throw e;
        }
    }

    /** Best effort: the failure that got us here is what the caller needs to see; the abort's own is attached. */
    private void abort(String bucket, String key, String uploadId, Throwable cause) {
        try {
            s3.abortMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId));
        } catch (SdkException e) {
            // A bucket lifecycle rule (AbortIncompleteMultipartUpload) is the backstop for uploads left behind.
            cause.addSuppressed(e);
        }
    }

    private static void readFully(FileChannel channel, byte[] buffer, long offset, int length, Path file) throws IOException {
        ByteBuffer target = ByteBuffer.wrap(buffer, 0, length);
        while (target.hasRemaining()) {
            if (channel.read(target, offset + target.position()) < 0) {
                throw new EOFException(file + " became shorter while it was being uploaded");
            }
        }
    }
}
