package dev.orchard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A coordinator node refuses the workers' options when it runs no worker: they would be taken and never used. */
class CoordinatorNodeOptionsTest {

    @TempDir
    Path temp;

    @Test
    void aWorkersOptionOnACoordinatorWithoutWorkersIsRefusedBeforeAnythingIsWritten() throws Exception {
        Path out = temp.resolve("out");
        JobRun one = JobRun.of(out, "coordinator", "--input", temp.toString(), "--output", out.toString(),
                "--commit-every", "8", "--bind", "127.0.0.1:1");
        assertThat(one.exitCode()).as(one.messages()).isEqualTo(2);
        assertThat(one.messages()).contains("--commit-every is an option of the workers, and this coordinator runs none")
                .contains("'orchard worker'").contains("--local-workers N");

        JobRun two = JobRun.of(out, "coordinator", "--input", temp.toString(), "--output", out.toString(),
                "--onnx-threads", "1", "--jpeg-decoder=imageio", "--max-pixels=1000", "--bind", "127.0.0.1:1");
        assertThat(two.exitCode()).as(two.messages()).isEqualTo(2);
        // --max-pixels is the job's (every worker decodes by the coordinator's): not named among the workers'.
        assertThat(two.messages()).contains("--onnx-threads, --jpeg-decoder are options of the workers");
        assertThat(Files.exists(out)).isFalse();
    }

    /** Its help says so of each (it listed them with their defaults as the coordinator's own: a user's walk). */
    @Test
    void theHelpMarksTheWorkersOptions() {
        String text = help("coordinator").replaceAll("\\s+", " ");
        assertThat(text).contains("--commit-every=<commitEvery> Accepted units per statistics file").containsPattern(
                "--commit-every=<commitEvery> [^-]*\\(On a coordinator node, for its --local-workers only; give it to each"
                        + " 'orchard worker'\\.\\)");
        assertThat(help("run")).contains("--commit-every").doesNotContain("for its --local-workers only");
    }

    /** A command's help, as picocli prints it on standard output. */
    private static String help(String command) {
        java.io.PrintStream out = System.out;
        java.io.ByteArrayOutputStream printed = new java.io.ByteArrayOutputStream();
        try {
            System.setOut(new java.io.PrintStream(printed, true, java.nio.charset.StandardCharsets.UTF_8));
            assertThat(Orchard.execute(command, "--help")).isZero();
        } finally {
            System.setOut(out);
        }
        return printed.toString(java.nio.charset.StandardCharsets.UTF_8);
    }

    /** A retry after a busy port was told the output "holds an Orchard job": the ports are checked first now. */
    @Test
    void aBusyClusterOrHttpPortIsRefusedBeforeTheOutputIsMarked() throws Exception {
        String kiwi = JobRun.shared().resolve("data/fruits360-sample/Kiwi").toString();
        Path out = temp.resolve("out");
        try (java.net.ServerSocket held = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            String busy = "127.0.0.1:" + held.getLocalPort();
            JobRun cluster = JobRun.of(out, "coordinator", "--input", kiwi, "--output", out.toString(), "--model",
                    JobRun.model(), "--pca-k", "2", "--bind", busy, "--no-http");
            assertThat(cluster.exitCode()).as(cluster.messages()).isEqualTo(2);
            assertThat(cluster.messages()).contains("--bind " + busy + ": cannot listen on " + busy);
            assertThat(Files.exists(out)).as("nothing written").isFalse();

            JobRun http = JobRun.of(out, "coordinator", "--input", kiwi, "--output", out.toString(), "--model",
                    JobRun.model(), "--pca-k", "2", "--bind", "127.0.0.1:" + dev.orchard.store.LoopbackPorts.pick(),
                    "--http", busy);
            assertThat(http.exitCode()).as(http.messages()).isEqualTo(2);
            assertThat(http.messages()).contains("--http " + busy + ": cannot listen there");
            assertThat(Files.exists(out)).as("nothing written").isFalse();
        }
    }

    /** A node behind NAT announces one address (--bind) and listens on another (Artery's bind.*, from --config). */
    @Test
    void thePortCheckedIsWherePekkoBindsWhenAConfigSaysSo() throws Exception {
        int port = dev.orchard.store.LoopbackPorts.pick();
        Path config = Files.writeString(temp.resolve("nat.conf"), "pekko.remote.artery.bind.hostname = \"127.0.0.1\"\n"
                + "pekko.remote.artery.bind.port = " + port + "\n");
        JobRun run = JobRun.of(null, "coordinator", "--input", temp.resolve("missing").toString(), "--output",
                temp.resolve("out").toString(), "--bind", "192.0.2.10:17355", "--config", config.toString());
        assertThat(run.exitCode()).as(run.messages()).isEqualTo(2);
        // Past the port check (192.0.2.10 is no address of this host), the next check is the input's.
        assertThat(run.messages()).doesNotContain("cannot listen").contains("does not exist");
    }

    @Test
    void withLocalWorkersTheyAreTheirs() throws Exception {
        // Past the refusal, the next check is the input's: proof that the workers' options were taken.
        JobRun run = JobRun.of(null, "coordinator", "--input", temp.resolve("missing").toString(), "--output",
                temp.resolve("out").toString(), "--local-workers", "1", "--commit-every", "8", "--bind",
                "127.0.0.1:" + dev.orchard.store.LoopbackPorts.pick());
        assertThat(run.exitCode()).as(run.messages()).isEqualTo(2);
        assertThat(run.messages()).doesNotContain("options of the workers").doesNotContain("an option of the workers")
                .contains("does not exist");
    }
}
