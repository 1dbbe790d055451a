package dev.orchard.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

class FailureReasonTest {

    /** A worker that could not read the model said only its path ("/tmp/bw/model.onnx"): now why, too. */
    @Test
    void aFileSystemFailureSaysWhatWentWrongNotOnlyThePath() {
        assertThat(FailureReason.of(new AccessDeniedException("/tmp/bw/model.onnx")))
                .isEqualTo("/tmp/bw/model.onnx: permission denied");
        assertThat(FailureReason.of(new CompletionException(new NoSuchFileException("/in/a.jpg"))))
                .isEqualTo("/in/a.jpg: no such file");
        assertThat(FailureReason.of(new FileSystemException("/out/x", "/out/y", null)))
                .isEqualTo("/out/x → /out/y: FileSystemException");
    }

    @Test
    void aFailureThatSaysWhyIsKeptAsItIs() {
        assertThat(FailureReason.of(new NoSuchFileException("/m.onnx", null, "this worker has no model file")))
                .isEqualTo("/m.onnx: this worker has no model file");
        assertThat(FailureReason.of(new IOException("Cannot reach the S3 endpoint"))).isEqualTo("Cannot reach the S3 endpoint");
        assertThat(FailureReason.of(new IllegalStateException())).isEqualTo("java.lang.IllegalStateException");
    }

    /** An update's regroup failed on "Cannot reserve … bytes of direct buffer memory" and nothing said what to do. */
    @Test
    void runningOutOfMemorySaysHowToGiveTheJvmMore() {
        assertThat(FailureReason.of(new CompletionException(new OutOfMemoryError(
                "Cannot reserve 45185917 bytes of direct buffer memory (allocated: 109588482, limit: 134217728)"))))
                .startsWith("Cannot reserve 45185917 bytes of direct buffer memory")
                .contains("the JVM ran out of memory: give it more with ORCHARD_JAVA_OPTS=-Xmx");
        assertThat(FailureReason.of(new OutOfMemoryError("Java heap space"))).contains("give it more");
        assertThat(FailureReason.of(new OutOfMemoryError("unable to create native thread: possibly out of memory")))
                .as("more heap does not help").doesNotContain("give it more");
    }

    /** A listing problem names its file already: only what went wrong. */
    @Test
    void withoutTheFileOnlyWhatWentWrong() {
        assertThat(FailureReason.withoutFile(new AccessDeniedException("/in/a", null, "Permission denied")))
                .isEqualTo("permission denied");
        assertThat(FailureReason.withoutFile(new NoSuchFileException("/in/a"))).isEqualTo("no such file");
        assertThat(FailureReason.withoutFile(new FileSystemException("/in/" + "q".repeat(200), null, "File name too long")))
                .as("ENAMETOOLONG, of a path whose own name is short").startsWith("path too long for the file system");
        assertThat(FailureReason.withoutFile(new FileSystemException("/in/a", null, "Too many levels of symbolic links")))
                .isEqualTo("Too many levels of symbolic links");
        assertThat(FailureReason.withoutFile(new IOException("Input/output error"))).isEqualTo("Input/output error");
    }

    /** A write's failure that names no file ("No space left on device") names the file written; one that does is kept. */
    @Test
    void aFailureThatNamesNoFileIsGivenOne() {
        java.nio.file.Path part = java.nio.file.Path.of("/out/features/part-000001.parquet");
        IOException full = new IOException("No space left on device");
        IOException named = FailureReason.naming(part, full);
        assertThat(FailureReason.of(named)).isEqualTo("/out/features/part-000001.parquet: No space left on device");
        assertThat(named.getCause()).isSameAs(full);
        NoSuchFileException own = new NoSuchFileException("/tmp/x");
        assertThat(FailureReason.naming(part, own)).isSameAs(own);
    }

    /** parquet-java's "could not write page" hid what failed beneath it: now both. */
    @Test
    void aParquetPageFailureSaysWhatFailedBeneathIt() {
        var page = new org.apache.parquet.io.ParquetEncodingException("could not write page for [features]",
                new IOException("zstd-jni's native library did not load"));
        assertThat(FailureReason.of(new CompletionException(page)))
                .isEqualTo("could not write page for [features]: zstd-jni's native library did not load");
        assertThat(FailureReason.of(new org.apache.parquet.io.ParquetDecodingException("bad page")))
                .isEqualTo("bad page");
    }
}
