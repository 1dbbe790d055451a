package dev.orchard.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.orchard.coordinator.ClusterMembership;
import dev.orchard.coordinator.OutputLease;
import dev.orchard.store.LocalObjectStore;
import dev.orchard.store.Location;
import dev.orchard.store.OutputLayout;
import dev.orchard.store.OutputMarker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reviewer's schedule: job J dies; B starts {@code --overwrite} on its output and finds the lease free; A starts
 * {@code --resume}, takes the lease and commits units; B deletes J's and A's bookkeeping; A fails at publish, and so
 * does every later {@code --resume}. Here the step between B's check and its deletion is the moment A takes the lease.
 */
class SetupLeaseTest {
    @TempDir
    Path temp;

    private final LocalObjectStore store = new LocalObjectStore();

    @Test
    void anOverwriteThatFindsTheOutputTakenMeanwhileDeletesNothing() throws Exception {
        Path out = earlierJob();
        Location output = Location.local(out);
        assertThat(OutputLease.refusal(store, output, Instant.now())).isNull(); // B's check: J's lease is gone
        new OutputLease(store, output, "a", "10.0.0.5:17355", Duration.ofSeconds(30))
                .acquire(new OutputLease.Claim.Free(null, 0), Instant.now()); // A resumes and takes it

        AtomicBoolean cleared = new AtomicBoolean();
        assertThatThrownBy(() -> SetupLease.write(store, output, s -> {
            cleared.set(true);
            OutputCheck.prepare(s, output, true, "test");
        })).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Another coordinator (on 10.0.0.5:17355)")
                .hasMessageContaining("Nothing was changed");
        assertThat(cleared).isFalse();
        assertThat(out.resolve("_orchard/commits/c-000001.json")).exists();
        assertThat(out.resolve("features/part-000000.parquet")).exists();
    }

    @Test
    void whileItsWritesRunNoCoordinatorMayTakeTheOutputAndAfterThemTheNextTermIsFree() throws Exception {
        Path out = earlierJob();
        Location output = Location.local(out);
        SetupLease.write(store, output, s -> {
            assertThat(OutputLease.claim(store, output, "10.0.0.5:17355", ClusterMembership.NONE, Instant.now()))
                    .isInstanceOf(OutputLease.Claim.Refused.class); // A's coordinator is refused while B deletes
            OutputCheck.prepare(s, output, true, "test");
        });
        assertThat(out.resolve("_orchard/commits")).doesNotExist();
        assertThat(out.resolve("features")).doesNotExist();
        assertThat(out.resolve("_orchard/job.json")).exists();
        // Released: the job's own coordinator (or any) takes the output next, one term on.
        OutputLease.Claim next = OutputLease.claim(store, output, "10.0.0.5:17355", ClusterMembership.NONE, Instant.now());
        assertThat(next).isEqualTo(new OutputLease.Claim.Free(((OutputLease.Claim.Free) next).tag(), 1));
    }

    /** An unfinished Orchard job's output, its process gone: marker, a commit, a part. */
    private Path earlierJob() throws Exception {
        Path out = temp.resolve("out");
        OutputMarker.now("test").write(store, new OutputLayout(Location.local(out)));
        Files.createDirectories(out.resolve("_orchard/commits"));
        Files.writeString(out.resolve("_orchard/commits/c-000001.json"), "{}");
        Files.createDirectories(out.resolve("features"));
        Files.write(out.resolve("features/part-000000.parquet"), dev.orchard.store.parquet.ParquetFooterFixture
                .footerOnly(java.util.Map.of("orchard.schema", "path,label,features"), 100));
        return out;
    }
}
