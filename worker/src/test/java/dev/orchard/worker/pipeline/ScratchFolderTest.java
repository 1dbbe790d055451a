package dev.orchard.worker.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScratchFolderTest {

    @TempDir
    Path root;

    @Test
    void aWorkersFolderIsLockedWhileOpenAndGoneWithItsFilesWhenClosed() throws Exception {
        ScratchFolder scratch = ScratchFolder.open(root);
        Path dir = scratch.dir();
        assertThat(dir.getParent()).isEqualTo(root);
        assertThat(dir.getFileName().toString()).startsWith(ScratchFolder.PREFIX);
        Files.write(dir.resolve(".part-1.parquet"), new byte[100]);

        assertThat(ScratchFolder.clearAbandoned(root)).as("a folder in use in this JVM").isEqualTo(new ScratchFolder.Cleared(0, 0, 0));
        assertThat(dir.resolve(".part-1.parquet")).exists();

        scratch.close();
        assertThat(root).isEmptyDirectory();
    }

    @Test
    void theFilesOfAFolderWhoseLockNobodyHoldsAreDeletedByTheNextWorker() throws Exception {
        Path abandoned = abandonedFolder("orchard-worker-123", 4096);
        ScratchFolder scratch = ScratchFolder.open(root);
        try {
            ScratchFolder.clearAbandonedAndLog(root); // what a worker runs once its first batch is in ONNX Runtime
            assertThat(abandoned).doesNotExist();
            try (var list = Files.list(root)) {
                assertThat(list).containsExactly(scratch.dir());
            }
        } finally {
            scratch.close();
        }
    }

    @Test
    void clearingCountsWhatItDeleted() throws Exception {
        abandonedFolder("orchard-worker-1", 1000, 0);
        abandonedFolder("orchard-worker-2", 0);
        assertThat(ScratchFolder.clearAbandoned(root)).isEqualTo(new ScratchFolder.Cleared(2, 3, 1000));
        assertThat(root).isEmptyDirectory();
    }

    @Test
    void onlyPlainFilesInLockedFoldersOfItsOwnNameAreEverTouched() throws Exception {
        Path withSubfolder = abandonedFolder("orchard-worker-sub", 10);
        Files.createDirectory(withSubfolder.resolve("someone's"));
        Path oldStyle = Files.createDirectory(root.resolve("orchard-worker987")); // no lock: whose it is is unknown
        Files.write(oldStyle.resolve(".part-1.parquet"), new byte[10]);
        Path noLock = Files.createDirectory(root.resolve("orchard-worker-nolock"));
        Files.write(noLock.resolve("data.bin"), new byte[10]);
        Path withLink = abandonedFolder("orchard-worker-link", 10);
        Path target = Files.write(root.resolve("not-orchards.bin"), new byte[10]);
        Files.createSymbolicLink(withLink.resolve("link"), target);
        Path other = Files.createDirectory(root.resolve("other"));
        Files.write(other.resolve(ScratchFolder.LOCK), new byte[0]);

        assertThat(ScratchFolder.clearAbandoned(root)).isEqualTo(new ScratchFolder.Cleared(0, 0, 0));
        assertThat(withSubfolder.resolve(".part-0.parquet")).exists();
        assertThat(oldStyle.resolve(".part-1.parquet")).exists();
        assertThat(noLock.resolve("data.bin")).exists();
        assertThat(withLink.resolve(".part-0.parquet")).exists();
        assertThat(target).exists();
        assertThat(other.resolve(ScratchFolder.LOCK)).exists();
    }

    /**
     * The real case: another worker JVM holds its folder; while it lives its files stay; once it is killed (-9,
     * so it closes nothing) the operating system drops its lock and the next worker clears the folder.
     */
    @Test
    void aFolderOfAnotherLiveProcessIsKeptAndClearedOnceThatProcessIsKilled() throws Exception {
        Process holder = holder(false);
        try {
            Path held = heldFolder(holder);

            assertThat(ScratchFolder.clearAbandoned(root)).as("while it lives").isEqualTo(new ScratchFolder.Cleared(0, 0, 0));
            assertThat(held.resolve(".part-0.parquet")).exists();

            holder.destroyForcibly();
            assertThat(holder.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(ScratchFolder.clearAbandoned(root)).as("once it is killed").isEqualTo(new ScratchFolder.Cleared(1, 1, 77));
            assertThat(held).doesNotExist();
        } finally {
            holder.destroyForcibly();
        }
    }

    /**
     * The schedule two worker JVMs on one host met (ClusterIT's logs, a part deleted under a live worker): a worker
     * clears abandoned folders, its own among those it looks at; a second worker clears next. Closing the channel the
     * first had opened on its own lock file released its lock (POSIX record locks belong to the process and the
     * file, and any close lets them go), so the second took the folder for abandoned and deleted the live part.
     */
    @Test
    void aLiveWorkerThatClearedTheFolderOnceKeepsItsFolderFromTheNextWorker() throws Exception {
        Process holder = holder(true);
        try {
            Path held = heldFolder(holder);
            assertThat(ScratchFolder.clearAbandoned(root)).as("the second worker's clearing").isEqualTo(new ScratchFolder.Cleared(0, 0, 0));
            assertThat(held.resolve(".part-0.parquet")).exists();
        } finally {
            holder.destroyForcibly();
        }
    }

    /** Starts a {@link Holder}: a worker's stand-in in another JVM, which first clears the folder if told to. */
    private Process holder(boolean clears) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), Holder.class.getName(),
                root.toString(), String.valueOf(clears)).redirectErrorStream(true).start();
    }

    /** The folder the holder prints once it holds its lock (and has cleared, if told to). */
    private static Path heldFolder(Process holder) throws Exception {
        BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = out.readLine()) != null) {
            if (line.startsWith("holding ")) {
                Path held = Path.of(line.substring("holding ".length()));
                assertThat(held.resolve(".part-0.parquet")).exists();
                return held;
            }
        }
        throw new AssertionError("the holder process ended before it locked its folder");
    }

    /**
     * A worker's stand-in in another JVM: opens a scratch folder under args[0], writes a part, clears the folder as a
     * worker does after its first batch if args[1] is true, and waits to be killed.
     */
    public static final class Holder {
        public static void main(String[] args) throws Exception {
            ScratchFolder scratch = ScratchFolder.open(Path.of(args[0]));
            Files.write(scratch.dir().resolve(".part-0.parquet"), new byte[77]);
            if (Boolean.parseBoolean(args[1])) {
                ScratchFolder.clearAbandoned(Path.of(args[0]));
            }
            System.out.println("holding " + scratch.dir());
            System.out.flush();
            Thread.sleep(Long.MAX_VALUE);
        }
    }

    /** A scratch folder as a dead worker leaves it: its lock file, unlocked, and parts of the given sizes. */
    private Path abandonedFolder(String name, int... partBytes) throws Exception {
        Path dir = Files.createDirectory(root.resolve(name));
        Files.write(dir.resolve(ScratchFolder.LOCK), new byte[0]);
        for (int i = 0; i < partBytes.length; i++) {
            Files.write(dir.resolve(".part-" + i + ".parquet"), new byte[partBytes[i]]);
        }
        return dir;
    }
}
