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

    @Test
    void fedoraLikeOpenBlasAloneIsUsed() throws Exception {
        Path lib64 = Files.createDirectories(root.resolve("lib64"));
        Files.writeString(lib64.resolve(NetlibLibraries.OPENBLAS), "");
        assertThat(NetlibLibraries.openBlasInstead(List.of(root.resolve("usr/java/packages/lib"), lib64))).isTrue();
    }

    @Test
    void openBlasIsPreferredToTheReferenceLapack() throws Exception {
        Path lib64 = Files.createDirectories(root.resolve("lib64"));
        Files.writeString(lib64.resolve(NetlibLibraries.OPENBLAS), "");
        Path reference = Files.writeString(Files.createDirectories(root.resolve("lapack")).resolve("liblapack.so.3.12"), "");
        Files.createSymbolicLink(lib64.resolve(NetlibLibraries.LAPACK), reference);
        assertThat(NetlibLibraries.openBlasInstead(List.of(lib64))).isTrue();
    }

    @Test
    void debiansLapackThatIsOpenBlasIsLeftAsItIs() throws Exception {
        // Debian: /lib/x86_64-linux-gnu/liblapack.so.3 -> /etc/alternatives/... -> .../openblas-pthread/liblapack.so.3
        Path multiarch = Files.createDirectories(root.resolve("x86_64-linux-gnu"));
        Files.writeString(multiarch.resolve(NetlibLibraries.OPENBLAS), "");
        Path openblas = Files.writeString(Files.createDirectories(multiarch.resolve("openblas-pthread"))
                .resolve(NetlibLibraries.LAPACK), "");
        Path alternative = Files.createSymbolicLink(Files.createDirectories(root.resolve("alternatives"))
                .resolve("liblapack.so.3-x86_64-linux-gnu"), openblas);
        Files.createSymbolicLink(multiarch.resolve(NetlibLibraries.LAPACK), alternative);
        assertThat(NetlibLibraries.openBlasInstead(List.of(multiarch))).isFalse();
    }

    @Test
    void withoutOpenBlasNothingChanges() throws Exception {
        Path lib64 = Files.createDirectories(root.resolve("lib64"));
        Files.writeString(lib64.resolve(NetlibLibraries.LAPACK), "");
        assertThat(NetlibLibraries.openBlasInstead(List.of(lib64))).isFalse();
        assertThat(NetlibLibraries.openBlasInstead(List.of())).isFalse();
    }
}
