package dev.orchard.store.parquet;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.apache.parquet.bytes.BytesInput;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * zstd-jni's native library where it cannot be copied: in a JVM of its own, since a JVM loads it once. Before, the
 * first page failed with the cause and every later one with "Could not initialize class …Zstd".
 */
class ZstdLoadTest {

    @TempDir
    Path temp;

    @Test
    void aLibraryThatCannotBeCopiedIsNamedAtEveryPageAndLoadedOnceItCanBe() throws Exception {
        Path file = Files.writeString(temp.resolve("a-file"), "not a folder");
        Path good = Files.createDirectories(temp.resolve("room"));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "-DZstdTempFolder=" + file.resolve("below"), "-cp",
                System.getProperty("java.class.path"), Pages.class.getName(), good.toString())
                .redirectErrorStream(true).start();
        assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(child.exitValue()).as(out).isZero();
        String refusal = "Cannot compress or read ZSTD Parquet pages: zstd-jni's native library did not load (";
        String advice = "It is copied into " + file.resolve("below")
                + " first: make room there, or give it another folder with ORCHARD_JAVA_OPTS=-DZstdTempFolder=DIR";
        assertThat(out.lines().filter(l -> l.startsWith("page 1: " + refusal) && l.endsWith(advice))).hasSize(1);
        assertThat(out.lines().filter(l -> l.startsWith("page 2: " + refusal) && l.endsWith(advice))).hasSize(1);
        assertThat(out).contains("page 3: 5 bytes back");
    }

    /** Compresses a page twice where the library cannot be copied, then once with a folder that has room. */
    public static final class Pages {
        public static void main(String[] args) throws IOException {
            var codecs = new HadoopFreeCodecs();
            byte[] page = "hello".getBytes(StandardCharsets.UTF_8);
            for (int i = 1; i <= 2; i++) {
                try {
                    codecs.getCompressor(CompressionCodecName.ZSTD).compress(BytesInput.from(page));
                    System.out.println("page " + i + ": compressed");
                } catch (IOException e) {
                    System.out.println("page " + i + ": " + e.getMessage());
                }
            }
            System.setProperty("ZstdTempFolder", args[0]);
            BytesInput compressed = codecs.getCompressor(CompressionCodecName.ZSTD).compress(BytesInput.from(page));
            byte[] back = codecs.getDecompressor(CompressionCodecName.ZSTD).decompress(compressed, page.length).toByteArray();
            System.out.println("page 3: " + back.length + " bytes back");
        }
    }
}
