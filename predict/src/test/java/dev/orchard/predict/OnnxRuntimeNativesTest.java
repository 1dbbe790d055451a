package dev.orchard.predict;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OnnxRuntimeNativesTest {
    private static final ClassLoader LOADER = OnnxRuntimeNativesTest.class.getClassLoader();

    @TempDir
    Path cache;

    private static List<Path> files(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }

    @Test
    void theLibrariesAreCopiedOnceAndReusedAfter() throws Exception {
        Path dir = OnnxRuntimeNatives.prepare(cache, LOADER);
        assertThat(dir).isNotNull().startsWith(cache);
        Path library = dir.resolve(System.mapLibraryName("onnxruntime"));
        Path jni = dir.resolve(System.mapLibraryName("onnxruntime4j_jni"));
        assertThat(files(dir)).containsExactly(library, jni).as("no .part file left");
        byte[] expected;
        try (var in = LOADER.getResourceAsStream("ai/onnxruntime/native/" + OnnxRuntimeNatives.platform() + "/"
                + System.mapLibraryName("onnxruntime4j_jni"))) {
            expected = in.readAllBytes();
        }
        assertThat(Files.readAllBytes(jni)).isEqualTo(expected);

        FileTime old = FileTime.fromMillis(1_000_000_000L);
        Files.setLastModifiedTime(library, old);
        assertThat(OnnxRuntimeNatives.prepare(cache, LOADER)).isEqualTo(dir);
        assertThat(Files.getLastModifiedTime(library)).as("a complete copy is not written again").isEqualTo(old);
    }

    @Test
    void aCopyOfTheWrongSizeIsReplaced() throws Exception {
        Path dir = OnnxRuntimeNatives.prepare(cache, LOADER);
        Path library = dir.resolve(System.mapLibraryName("onnxruntime"));
        long size = Files.size(library);
        Files.write(library, new byte[] {1, 2, 3});
        assertThat(OnnxRuntimeNatives.prepare(cache, LOADER)).isEqualTo(dir);
        assertThat(Files.size(library)).isEqualTo(size);
    }

    @Test
    void aLoaderWithoutTheLibrariesLeavesOnnxRuntimeToItself() throws Exception {
        ClassLoader empty = new ClassLoader(null) {
        };
        assertThat(OnnxRuntimeNatives.prepare(cache, empty)).isNull();
        assertThat(files(cache)).isEmpty();
    }
}
