package dev.orchard.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A few trials of the kill -9 soak in CI (longer soaks are reported in bench/RESULTS.md): a coordinator and two
 * worker JVMs over ~1,000-byte paths, a worker killed and replaced, the coordinator killed and the same command run
 * again with {@code --resume}, and the output compared with the input image by image. The moments of the kills come
 * from the seeds; what is asserted holds at any moment: nothing lost, nothing duplicated, every job ends.
 * <p>The plain trial (a worker and the coordinator killed, outputs in a local folder) runs here on S3, with faults
 * ({@link #aClusterOnS3LosesDuplicatesAndHangsNothing}); on a local folder, ClusterIT's resume test kills a worker
 * and the coordinator at set points. A CI trial of it alone took 32 s of the suite's ~15 minutes; the soak
 * ({@code bench/RESULTS.md}) runs it at many seeds.
 */
class SoakIT {
    @TempDir
    Path work;

    /**
     * A trial whose seed stops the first worker with SIGTERM rather than killing it, kills the coordinator, and stops
     * the other worker 0.1 s later, before the cluster can find the coordinator unreachable (the stopping worker waits
     * for the split-brain resolver to down it before leaving); a stop that does not end within a minute is a hang.
     */
    @Test
    void stoppedWorkersLoseDuplicateAndHangNothing() throws Exception {
        Soak.Totals totals = soak().run(1, 43, 4, new Soak.Schedule(true, true, false));
        assertThat(totals.clean()).as("%s (logs under %s)", totals, work).isTrue();
    }

    /**
     * A trial on S3, as a cluster on EC2 runs: the input and the output in buckets of a real S3-compatible server
     * (S3Proxy), which the nodes reach through a proxy that fails 2 % of their requests (throttling, 500s, resets) and
     * cuts the responses to the first five writes, a worker killed after 2 attempts and the coordinator after 4, then
     * resumed. The output is read back from the bucket. No image may end in errors.csv: they are all readable, the
     * faults stay within the client's attempts, and only a unit that lost its worker three times under one coordinator
     * is split and quarantined, where this trial kills one worker.
     */
    @Test
    void aClusterOnS3LosesDuplicatesAndHangsNothing() throws Exception {
        Soak.Totals totals = soak().runOnS3(1, 5016, 4, new Soak.Schedule(true, false, false), 0.02);
        assertThat(totals.clean()).as("%s (logs under %s)", totals, work).isTrue();
        assertThat(totals.errors()).as("images in errors.csv: %s (logs under %s)", totals, work).isZero();
        assertThat(totals.failedOnPurpose()).as("requests failed by the proxy: the nodes went through it").isGreaterThanOrEqualTo(2);
    }

    /**
     * A trial that freezes the first coordinator (SIGSTOP, as a long GC pause or a suspended VM freezes it) until the
     * standby holds its lease, then wakes it: it must end by itself, without writing its lease again or journalling
     * anything after it woke (its writes are fenced by the lease, which it now renews only by compare-and-set), and the
     * standby must finish with every image once. (Whatever the timing: if the first coordinator finishes the job
     * before the standby takes over, the standby finds it finished.)
     */
    @Test
    void aCoordinatorFrozenWhileTheStandbyTookOverWritesNothingWhenItWakes() throws Exception {
        Soak.Totals totals = soak().run(1, 6720, 4, new Soak.Schedule(true, false, true, true));
        assertThat(totals.clean()).as("%s (logs under %s)", totals, work).isTrue();
    }

    private Soak soak() throws Exception {
        return Soak.in(Path.of(System.getProperty("orchard.launcher")), Path.of(System.getProperty("orchard.jar")),
                Path.of(System.getProperty("orchard.shared")), work);
    }
}
