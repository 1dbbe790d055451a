package dev.orchard.stats;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** When netlib-java is pointed at OpenBLAS instead of the system's liblapack.so.3, on library folders made here. */
class NetlibLibrariesTest {
    @TempDir
    Path root;

    /** A library folder below the test's root holding empty files of these names. */
    private Path folderWith(String folder, String... libraries) throws Exception {
        Path dir = Files.createDirectories(root.resolve(folder));
        for (String library : libraries) {
            Files.writeString(dir.resolve(library), "");
        }
        return dir;
    }

    @Test
    void fedoraLikeOpenBlasAloneIsUsed() throws Exception {
        Path lib64 = folderWith("lib64", NetlibLibraries.OPENBLAS);
        assertThat(NetlibLibraries.openBlasInstead(List.of(root.resolve("usr/java/packages/lib"), lib64))).isTrue();
    }

    @Test
    void openBlasIsPreferredToTheReferenceLapack() throws Exception {
        Path lib64 = folderWith("lib64", NetlibLibraries.OPENBLAS);
        Path reference = Files.writeString(Files.createDirectories(root.resolve("lapack")).resolve("liblapack.so.3.12"), "");
        Files.createSymbolicLink(lib64.resolve(NetlibLibraries.LAPACK), reference);
        assertThat(NetlibLibraries.openBlasInstead(List.of(lib64))).isTrue();
    }

    @Test
    void debiansLapackThatIsOpenBlasIsLeftAsItIs() throws Exception {
        // Debian: /lib/x86_64-linux-gnu/liblapack.so.3 -> /etc/alternatives/... -> .../openblas-pthread/liblapack.so.3
        Path multiarch = folderWith("x86_64-linux-gnu", NetlibLibraries.OPENBLAS);
        Path openblas = Files.writeString(Files.createDirectories(multiarch.resolve("openblas-pthread"))
                .resolve(NetlibLibraries.LAPACK), "");
        Path alternative = Files.createSymbolicLink(Files.createDirectories(root.resolve("alternatives"))
                .resolve("liblapack.so.3-x86_64-linux-gnu"), openblas);
        Files.createSymbolicLink(multiarch.resolve(NetlibLibraries.LAPACK), alternative);
        assertThat(NetlibLibraries.openBlasInstead(List.of(multiarch))).isFalse();
    }

    @Test
    void withoutOpenBlasNothingChanges() throws Exception {
        assertThat(NetlibLibraries.openBlasInstead(List.of(folderWith("lib64", NetlibLibraries.LAPACK)))).isFalse();
        assertThat(NetlibLibraries.openBlasInstead(List.of())).isFalse();
    }
}
