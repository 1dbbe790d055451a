package dev.orchard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orchard.coordinator.JobIdentity;
import dev.orchard.store.LocalObjectStore;
import dev.orchard.store.Location;
import dev.orchard.store.OutputLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A continued job takes another --pca-k only while nothing it stored depends on k: its journal records no finished
 * publish stage, both commands have a PCA, nothing else differs, and no coordinator holds the output.
 */
class PcaKChangeTest {
    private final LocalObjectStore store = new LocalObjectStore();

    @TempDir
    Path temp;

    @Test
    void anotherKOnlyBeforeThePublishStageEndsAndWithNothingElseChanged() throws Exception {
        Location output = Location.local(temp.resolve("out"));
        JobIdentity recorded = new JobIdentity("/in", null, "*.jpg", "parent folder", "ab12", "mobilenetv2", "pca", 0, 0,
                5, null);
        assertThat(PcaKChange.allowed(recorded, recorded.withPcaK(3), store, output, 0, null)).isTrue();
        assertThat(PcaKChange.change(recorded, recorded.withPcaK(3))).startsWith("--pca-k: was 5, now 3");

        assertThat(PcaKChange.allowed(recorded, recorded, store, output, 0, null)).as("the same k").isFalse();
        assertThat(PcaKChange.allowed(recorded, recorded.withPcaK(0), store, output, 0, null)).as("no PCA now").isFalse();
        assertThat(PcaKChange.allowed(recorded.withPcaK(0), recorded, store, output, 0, null)).as("none before").isFalse();
        assertThat(PcaKChange.allowed(null, recorded, store, output, 0, null)).as("no record").isFalse();
        JobIdentity otherLabels = new JobIdentity("/in", null, "*.jpg", "regex ^(K) over the file name", "ab12",
                "mobilenetv2", "pca", 0, 0, 3, null);
        assertThat(PcaKChange.allowed(recorded, otherLabels, store, output, 0, null)).as("k and labels").isFalse();
        assertThat(PcaKChange.allowed(recorded, recorded.withPcaK(3), store, output, 0, "another coordinator holds it"))
                .as("a coordinator holds the output").isFalse();
        // Said as what it is (a killed coordinator's lease, fresh for up to 30 s), not as "another job" (a cluster walk).
        assertThat(PcaKChange.refusalWhileHeld(recorded, recorded.withPcaK(3), store, output, 0, "Another coordinator (on h/pid:7) is"
                + " writing /out: it renewed its lease 2 s ago. Wait for that job to end, or, if it is dead, retry in 28"
                + " s, when its lease has expired."))
                .startsWith("--pca-k 3 (the job has 5) is not taken now: a job takes another k only while no"
                        + " coordinator holds its output. Another coordinator (on h/pid:7)")
                .contains("retry in 28 s").endsWith("the same command with --pca-k 5.");
        assertThat(PcaKChange.refusalWhileHeld(recorded, recorded.withPcaK(3), store, output, 0, null)).as("nobody holds it").isNull();
        assertThat(PcaKChange.refusalWhileHeld(recorded, otherLabels, store, output, 0, "held")).as("another job anyway").isNull();
        assertThat(PcaKChange.refusalWhileHeld(recorded, recorded, store, output, 0, "held")).as("the same k").isNull();

        // Every part published (its projections made with k = 5): too late for another k. (Term 1 sealed the journal
        // before it wrote: a termed entry under no seal is none of this job's.)
        store.put(new OutputLayout(output).generation(0).resolve("seals/seal-000001.json"),
                "{\"term\":1,\"adopted\":[]}".getBytes(StandardCharsets.UTF_8));
        store.put(new OutputLayout(output).generation(0).resolve("plan/_PUBLISHED-t1"),
                "{\"parts\":1}".getBytes(StandardCharsets.UTF_8));
        assertThat(PcaKChange.allowed(recorded, recorded.withPcaK(3), store, output, 0, null)).isFalse();
        assertThat(PcaKChange.refusalWhileHeld(recorded, recorded.withPcaK(3), store, output, 0, "held"))
                .as("not 'for now': published, no lease's lapse lets k change").isNull();
        // An update's journal is its generation's own.
        assertThat(PcaKChange.allowed(recorded, recorded.withPcaK(3), store, output, 1, null)).isTrue();
    }
}
