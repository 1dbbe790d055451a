package dev.orchard.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.orchard.coordinator.JobIdentity;
import dev.orchard.store.LocalObjectStore;
import dev.orchard.store.Location;
import dev.orchard.store.OutputLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code --update} decides from an output's bookkeeping alone, for the states a crash can leave that the
 * end-to-end tests cannot stop at: an update killed between naming its generation ({@code _orchard/CURRENT}) and
 * writing {@code _SUCCESS} is continued, not started again; one whose generation has a record of the command is
 * continued only by that command, even while its dead coordinator's lease is fresh (the coordinator takes it over).
 */
class UpdateCheckTest {

    @TempDir
    Path temp;

    private final LocalObjectStore store = new LocalObjectStore();

    private static JobIdentity identity(String input) {
        return new JobIdentity(input, null, "*.jpg", "parent folder", "abc", "spec", "pca", 0, 0, 8, null);
    }

    private OutputLayout output(int current, boolean success) throws Exception {
        OutputLayout layout = new OutputLayout(Location.local(temp.resolve("out")));
        identity("/in").writeMarker(store, layout, "test");
        if (current > 0) {
            store.put(layout.current(), Integer.toString(current).getBytes(StandardCharsets.UTF_8));
        }
        if (success) {
            store.put(layout.success(), "{}".getBytes(StandardCharsets.UTF_8));
        }
        return layout;
    }

    /** A file given as the output: "not an Orchard output (it has no FILE/_orchard/job.json)" said the walk's. */
    @Test
    void aFileGivenAsTheOutputIsSaidToBeAFile() throws Exception {
        Path file = java.nio.file.Files.writeString(temp.resolve("results.csv"), "a,b");
        assertThatThrownBy(() -> UpdateCheck.check(store, Location.local(file), identity("/in"), null))
                .hasMessage("--output " + file + " is a file, not a folder: give the folder (or prefix) of an earlier"
                        + " orchard run's results");
    }

    @Test
    void anUpdateStoppedBetweenCurrentAndSuccessIsContinued() throws Exception {
        OutputLayout layout = output(1, false);
        identity("/in2").write(store, layout, 1, "test");

        UpdateCheck.Plan plan = UpdateCheck.check(store, layout.root(), identity("/in2"), "a lease 3 s old");
        assertThat(plan.generation()).isEqualTo(1);
        assertThat(plan.continuing()).isTrue();

        assertThatThrownBy(() -> UpdateCheck.check(store, layout.root(), identity("/in3"), null))
                .hasMessageContaining("in progress with other options").hasMessageContaining("input: was /in2, now /in3")
                .message().doesNotContain("give it up"); // its swap ended (CURRENT names it): nothing to give up

        // Another k alone: taken while nobody holds the output, said as "not now" while a coordinator does (it read as
        // another update's options, which no lapse of the lease would change: the diff's review).
        assertThatThrownBy(() -> UpdateCheck.check(store, layout.root(), identity("/in2").withPcaK(3), "a lease 3 s old."))
                .hasMessageStartingWith("--update refused: --pca-k 3 (the job has 8) is not taken now")
                .hasMessageContaining("a lease 3 s old.").message().doesNotContain("other options");
        assertThat(UpdateCheck.check(store, layout.root(), identity("/in2").withPcaK(3), null).continuing()).isTrue();
    }

    /**
     * An update begun by mistake (a mistyped --input that failed at its listing) is refused to the command meant, and
     * the refusal says how to give it up: nothing of it is in view before its swap (a user's walk: only --overwrite,
     * which computes everything again, got out of it).
     */
    @Test
    void anUpdateInProgressWithOtherOptionsSaysHowToGiveItUpBeforeItsSwap() throws Exception {
        OutputLayout layout = output(0, true);
        identity("/typo").write(store, layout, 1, "test");
        assertThatThrownBy(() -> UpdateCheck.check(store, layout.root(), identity("/in"), null))
                .hasMessageContaining("input: was /typo, now /in")
                .hasMessageContaining("give it up").hasMessageContaining("deleting " + layout.generation(1));
        assertThatThrownBy(() -> UpdateCheck.check(store, layout.root(), identity("/in"), "a lease 3 s old"))
                .message().as("while it runs").doesNotContain("give it up");
        store.put(layout.swapMarker(1), new byte[0]);
        assertThatThrownBy(() -> UpdateCheck.check(store, layout.root(), identity("/in"), null))
                .message().as("its swap begun").doesNotContain("give it up");
    }

    /**
     * A second update killed in its swap: _SUCCESS removed (the swap's first step), CURRENT still naming generation 1
     * (its last). It was taken for generation 1 stopped before its _SUCCESS, whose base (generation 0's bookkeeping)
     * the first update's clean-up had removed: "generation 0 ... has no summary", and no command could finish it (an
     * S3 helper, three outputs out of three).
     */
    @Test
    void aSecondUpdateStoppedInItsSwapIsContinuedAsItself() throws Exception {
        OutputLayout layout = output(1, false);
        identity("/in").write(store, layout, 1, "test");
        identity("/in2").write(store, layout, 2, "test");
        store.put(layout.swapMarker(2), new byte[0]);

        UpdateCheck.Plan plan = UpdateCheck.check(store, layout.root(), identity("/in2"), null);
        assertThat(plan.generation()).isEqualTo(2);
        assertThat(plan.continuing()).isTrue();
        assertThat(UpdateCheck.inProgress(store, layout)).isEqualTo(2);
    }

    @Test
    void aGenerationWithoutSuccessOrRecordIsRefused() throws Exception {
        OutputLayout layout = output(1, false);
        assertThatThrownBy(() -> UpdateCheck.check(store, layout.root(), identity("/in"), null))
                .hasMessageContaining("has no record of the update that makes it");
    }

    @Test
    void aNewUpdateNeedsTheOutputToItself() throws Exception {
        OutputLayout layout = output(0, true);
        assertThatThrownBy(() -> UpdateCheck.check(store, layout.root(), identity("/in"), "another coordinator is writing"))
                .hasMessageContaining("--update refused: another coordinator is writing");
    }

    /**
     * A marker an older Orchard wrote has no encoding: it reads as unknown (null), and every other field as written;
     * one written now keeps the encoding.
     */
    @Test
    void aMarkerWithoutTheEncodingReadsAsUnknown() throws Exception {
        OutputLayout layout = new OutputLayout(Location.local(temp.resolve("old")));
        store.put(layout.marker(), ("{\"orchard\": \"0.1.0\", \"generation\": 0, \"identity\": {\"input\": \"/in\","
                + " \"glob\": \"*.jpg\", \"labels\": \"parent folder\", \"modelSha256\": \"abc\", \"modelSpec\": \"spec\","
                + " \"reduce\": \"pca\", \"srpDim\": 0, \"srpSeed\": 0, \"pcaK\": 8}}").getBytes(StandardCharsets.UTF_8));
        JobIdentity old = JobIdentity.readMarker(store, layout);
        assertThat(old.byteStreamSplit()).isNull();
        assertThat(old.differences(identity("/in"))).isEmpty();
        OutputLayout now = new OutputLayout(Location.local(temp.resolve("new")));
        new JobIdentity("/in", null, "*.jpg", "parent folder", "abc", "spec", "pca", 0, 0, 8, null, true, null)
                .writeMarker(store, now, "test");
        assertThat(JobIdentity.readMarker(store, now).byteStreamSplit()).isTrue();
    }
}
