package dev.orchard.coordinator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.orchard.coordinator.work.JournalEntry;
import dev.orchard.coordinator.work.JournalEntry.Commit;
import dev.orchard.coordinator.work.JournalEntry.PlanComplete;
import dev.orchard.coordinator.work.JournalEntry.PlanGroup;
import dev.orchard.coordinator.work.JournalEntry.PlannedUnit;
import dev.orchard.coordinator.work.JournalEntry.Split;
import dev.orchard.protocol.ImageRef;
import dev.orchard.store.LocalObjectStore;
import dev.orchard.store.Location;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The journal's seals: what a reader counts, whatever lands late, and journals written before seals. */
class JobJournalTest {
    private final LocalObjectStore store = new LocalObjectStore();

    @Test
    void nothingIsJournalledBeforeTheSeal(@TempDir Path out) {
        JobJournal journal = new JobJournal(store, Location.local(out));
        assertThatThrownBy(() -> journal.write(new PlanComplete(0, 0))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("sealed");
        assertThatThrownBy(() -> journal.seal(0)).isInstanceOf(IllegalArgumentException.class);
    }

    /**
     * Term 1 plans and commits; term 2 reads and seals; then term 1's late entries land (a plan group, a split, a
     * commit, its _COMPLETE): none counts, for term 2 or any later reader, while term 2's own entries all do.
     */
    @Test
    void entriesOfAnEarlierTermLandingAfterTheSealDoNotCount(@TempDir Path out) throws Exception {
        Location output = Location.local(out);
        JobJournal first = new JobJournal(store, output);
        first.seal(1);
        first.write(new PlanGroup(0, List.of(unit(0), unit(1)), List.of()));
        first.write(commit("c0", 0));

        JobJournal second = new JobJournal(store, output);
        assertThat(second.read().commits()).extracting(Commit::statistics).containsExactly("c0");
        assertThat(second.sealedTerm()).isEqualTo(1);
        second.seal(2);
        second.write(commit("c1", 1));

        first.write(new PlanGroup(1, List.of(unit(2)), List.of())); // late, all of them
        first.write(new Split(1, List.of(unit(3))));
        first.write(commit("c1-late", 1));
        first.write(new PlanComplete(3, 3));

        for (JobJournal reader : List.of(second, new JobJournal(store, output))) {
            JournalEntry.State state = reader.read();
            assertThat(state.groups()).extracting(PlanGroup::group).containsExactly(0);
            assertThat(state.splits()).isEmpty();
            assertThat(state.complete()).isNull();
            assertThat(state.commits()).extracting(Commit::statistics).containsExactlyInAnyOrder("c0", "c1");
        }
        JobJournal third = new JobJournal(store, output);
        third.read();
        third.seal(3);
        assertThat(third.read().commits()).as("the third seal names what the second counted")
                .extracting(Commit::statistics).containsExactlyInAnyOrder("c0", "c1");
        assertThat(third.sealedTerm()).isEqualTo(3);
    }

    /**
     * --overwrite cleared the journal (its seals too) while a coordinator of the job before, frozen, had a write in
     * flight: the write lands in the empty journal, termed but under no seal. The next job's coordinator reads the
     * journal whatever its command: that write is not its job's and does not count (a review's schedule).
     */
    @Test
    void entriesOfATermThatLandUnderNoSealDoNotCount(@TempDir Path out) throws Exception {
        Location output = Location.local(out);
        JobJournal earlier = sealedWithACommit(output, 1);
        try (var files = Files.walk(out.resolve("_orchard"))) { // the clear
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
        earlier.write(new PlanGroup(0, List.of(unit(0), unit(1)), List.of())); // late
        earlier.write(new PlanComplete(2, 2));

        JobJournal next = new JobJournal(store, output);
        JournalEntry.State state = next.read();
        assertThat(state.groups()).isEmpty();
        assertThat(state.complete()).isNull();
        next.seal(2);
        assertThat(next.read().groups()).as("nor once the next job sealed it").isEmpty();
    }

    /** A journal sealed at {@code term} holding one commit ("c0", of unit 0). */
    private JobJournal sealedWithACommit(Location output, long term) throws Exception {
        JobJournal journal = new JobJournal(store, output);
        journal.seal(term);
        journal.write(commit("c0", 0));
        return journal;
    }

    /**
     * A journal an Orchard before seals wrote (names without a term) is read whole, and the first seal names it all:
     * an old-style entry landing after that seal does not count.
     */
    @Test
    void aJournalWrittenBeforeSealsIsReadWholeAndSealedAsItWas(@TempDir Path out) throws Exception {
        Path journal = Files.createDirectories(out.resolve("_orchard/plan"));
        Files.writeString(journal.resolve("units-000000.jsonl"),
                "{\"id\":0,\"images\":[{\"path\":\"/in/000.jpg\",\"label\":\"l\"}]}\n", StandardCharsets.UTF_8);
        Files.writeString(journal.resolve("_COMPLETE"), "{\"units\":1,\"images\":1}", StandardCharsets.UTF_8);
        Path commits = Files.createDirectories(out.resolve("_orchard/commits"));
        Files.writeString(commits.resolve("w1-00000000000000ab-00001.json"), "{\"statistics\":"
                + "\"w1-00000000000000ab-00001\",\"units\":[{\"id\":0,\"epoch\":171,\"attempt\":1,\"rows\":1,"
                + "\"rowsBytes\":10,\"bytesRead\":5,\"errors\":[]}]}", StandardCharsets.UTF_8);

        JobJournal resumed = new JobJournal(store, Location.local(out));
        JournalEntry.State state = resumed.read();
        assertThat(state.groups()).hasSize(1);
        assertThat(state.complete()).isEqualTo(new PlanComplete(1, 1));
        assertThat(state.commits()).extracting(Commit::statistics).containsExactly("w1-00000000000000ab-00001");
        resumed.seal(1);
        Files.writeString(commits.resolve("w1-00000000000000ab-00002.json"), "{\"statistics\":"
                + "\"w1-00000000000000ab-00002\",\"units\":[]}", StandardCharsets.UTF_8);
        assertThat(new JobJournal(store, Location.local(out)).read().commits()).extracting(Commit::statistics)
                .containsExactly("w1-00000000000000ab-00001");
    }

    /**
     * A coordinator whose lease file lost count (removed by hand, or written by an older Orchard: it takes the lease at
     * term 1) seals above the seals it finds, read or not, so that what it journals outranks what came before.
     */
    @Test
    void aCoordinatorSealsAboveTheSealsItFindsWhereTheLeaseLostCount(@TempDir Path out) throws Exception {
        Location output = Location.local(out);
        JobJournal earlier = sealedWithACommit(output, 3);
        java.time.Instant now = java.time.Instant.parse("2026-12-05T00:00:00Z");
        for (boolean read : new boolean[] {true, false}) {
            OutputLease lease = new OutputLease(store, output, read ? "a" : "b", "10.0.0.1:1",
                    java.time.Duration.ofSeconds(30));
            lease.acquire((OutputLease.Claim.Free) OutputLease.claim(store, output, "10.0.0.1:1",
                    ClusterMembership.NONE, now), now);
            JobJournal journal = new JobJournal(store, output);
            if (read) {
                journal.read();
            }
            long before = journal.sealedTerm();
            journal.sealUnder(lease);
            assertThat(lease.term()).as("read: %s", read).isEqualTo(before + 1);
            journal.write(commit(read ? "c1" : "c2", read ? 1 : 2));
            assertThat(new JobJournal(store, output).read().commits()).extracting(Commit::statistics)
                    .as("read: %s", read).contains(read ? "c1" : "c2");
            lease.release();
            Files.delete(out.resolve("_orchard/lease.json")); // the count lost again
        }
    }

    private static PlannedUnit unit(int id) {
        return new PlannedUnit(id, List.of(new ImageRef(String.format("/in/%03d.jpg", id), "l")));
    }

    private static Commit commit(String statistics, int unit) {
        return new Commit(statistics, List.of(new JournalEntry.UnitRecord(unit, 1, 1, 1, 100, 10, List.of(),
                dev.orchard.protocol.UnitReport.StageNanos.ZERO)));
    }
}
