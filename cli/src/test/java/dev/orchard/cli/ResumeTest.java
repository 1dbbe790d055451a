package dev.orchard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orchard.coordinator.ClusterMembership;
import dev.orchard.coordinator.OutputLease;
import dev.orchard.store.LocalObjectStore;
import dev.orchard.store.Location;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --resume} continues only the job the output holds, and a job never writes into an output another
 * coordinator holds. (Resuming after a real kill -9 is tested across JVMs in ClusterIT.)
 */
class ResumeTest {

    @TempDir
    Path temp;

    private Path fruit(int n) throws Exception {
        Path in = temp.resolve("in");
        Path src = JobRun.shared().resolve("data/fruits360-sample/Kiwi");
        try (var files = Files.list(src)) {
            for (Path p : files.sorted().limit(n).toList()) {
                Files.createDirectories(in.resolve("Kiwi"));
                Files.copy(p, in.resolve("Kiwi").resolve(p.getFileName()));
            }
        }
        return in;
    }

    private static String[] job(Path in, Path out, String... extra) {
        List<String> args = new java.util.ArrayList<>(List.of("run", "--input", in.toString(), "--output", out.toString(),
                "--model", JobRun.model(), "--pca-k", "2", "--unit-size", "2", "--batch-size", "2"));
        args.addAll(List.of(extra));
        return args.toArray(String[]::new);
    }

    /**
     * An --overwrite stopped as it cleared the output (its marker says so: OutputCheckTest) leaves no job to resume: the
     * --resume the refusals advised continued the earlier job over its half-deleted journal (a walk: 96 of 600 rows).
     * --resume, a plain run and --update are refused with what to do; --overwrite again makes the output.
     */
    @Test
    void anOutputAnOverwriteWasClearingIsRefusedButToOverwrite() throws Exception {
        Path in = fruit(4);
        Path out = temp.resolve("out");
        assertThat(JobRun.of(out, job(in, out)).exitCode()).isZero();
        dev.orchard.store.OutputMarker.clearing("test").write(new dev.orchard.store.LocalObjectStore(),
                new dev.orchard.store.OutputLayout(dev.orchard.store.Location.local(out)));
        for (String[] extra : List.of(new String[] {"--resume"}, new String[0], new String[] {"--update"})) {
            JobRun refused = JobRun.of(out, job(in, out, extra));
            assertThat(refused.exitCode()).as(refused.messages()).isEqualTo(2);
            assertThat(refused.messages()).contains("was being cleared by an --overwrite that stopped before it ended")
                    .contains("Run the command with --overwrite again");
        }
        JobRun again = JobRun.of(out, job(in, out, "--overwrite"));
        assertThat(again.exitCode()).as(again.messages()).isZero();
        assertThat(again.rows("features")).hasSize(4);
    }

    @Test
    void resumeRefusesAnotherJobAndListsEveryDifference() throws Exception {
        Path in = fruit(4);
        Path out = temp.resolve("out");
        JobRun first = JobRun.of(out, job(in, out));
        assertThat(first.exitCode()).as(first.messages()).isZero();

        Path classifier = RunWithClassifierTest.writeClassifier(temp.resolve("c.onnx"), 1280, null);
        JobRun other = JobRun.of(out, job(in, out, "--resume", "--glob", "*.jpg", "--label-regex", "^(K).*",
                "--label-from", "folder", "--classifier", classifier.toString(), "--max-pixels", "5000"));
        assertThat(other.exitCode()).as(other.messages()).isEqualTo(2);
        assertThat(other.messages()).contains("--resume refused").contains("--glob: was *.jpg,*.jpeg,*.png, now *.jpg")
                .contains("labels: was parent folder, now regex ^(K).* over the folder name")
                .contains("--classifier (SHA-256): was none, now " + RunWithClassifierTest.sha256(Files.readAllBytes(classifier)))
                // Which images are readable is the job's: a resumed job with another limit would mix two rules.
                .contains("decode limits (which images are readable): was --max-pixels 89478485, --max-decode-mib 512,"
                        + " --max-object-bytes 268435456, now --max-pixels 5000, --max-decode-mib 512, --max-object-bytes");

        // The same command is accepted; the job has finished, so nothing is left to do and nothing is written.
        long before = Files.getLastModifiedTime(out.resolve("_SUCCESS")).toMillis();
        JobRun same = JobRun.of(out, job(in, out, "--resume"));
        assertThat(same.exitCode()).as(same.messages()).isZero();
        assertThat(same.messages()).contains("has finished already");
        assertThat(Files.getLastModifiedTime(out.resolve("_SUCCESS")).toMillis()).isEqualTo(before);
        assertThat(Outputs.rows(out, "features")).hasSize(4);

        JobRun both = JobRun.of(out, job(in, out, "--resume", "--overwrite")); // it resumed; --overwrite ignored
        assertThat(both.exitCode()).as(both.messages()).isEqualTo(2);
        assertThat(both.messages()).contains("--resume and --overwrite contradict each other");

        // Without --pca-k, the job's own k (2), not the option's default (50), which was refused as another k.
        JobRun withoutK = JobRun.of(out, "run", "--input", in.toString(), "--output", out.toString(), "--model",
                JobRun.model(), "--unit-size", "2", "--batch-size", "2", "--resume");
        assertThat(withoutK.exitCode()).as(withoutK.messages()).isZero();
        assertThat(withoutK.messages()).contains("has finished already").doesNotContain("--pca-k");
    }

    /**
     * The decode limits are the job's: a --resume (or a standby, or an --update) without them keeps the job's, as
     * --pca-k is kept; and an output whose record has none (an Orchard before them wrote it) gets this command's
     * recorded at its first --resume, so that a later command with others is refused (the diff's review).
     */
    @Test
    void resumeKeepsTheJobsDecodeLimitsAndRecordsThemWhereNone() throws Exception {
        Path in = fruit(4);
        Path out = temp.resolve("limits");
        JobRun first = JobRun.of(out, job(in, out, "--max-pixels", "123456789", "--max-object-bytes", "1000000"));
        assertThat(first.exitCode()).as(first.messages()).isZero();
        JobRun without = JobRun.of(out, job(in, out, "--resume"));
        assertThat(without.exitCode()).as(without.messages()).isZero();
        assertThat(without.messages()).contains("has finished already");

        // An earlier Orchard's record, of a job not finished: no limits; the first --resume records its own.
        Path marker = out.resolve("_orchard/job.json");
        String recorded = Files.readString(marker);
        assertThat(recorded).contains("\"decodeLimits\" : \"--max-pixels 123456789, --max-decode-mib 512,"
                + " --max-object-bytes 1000000\"");
        Files.writeString(marker, recorded.replaceAll(",\\s*\"decodeLimits\" : \"[^\"]*\"", ""));
        assertThat(Files.readString(marker)).doesNotContain("decodeLimits");
        Files.delete(out.resolve("_SUCCESS"));
        JobRun resumed = JobRun.of(out, job(in, out, "--resume", "--max-pixels", "123456789", "--max-object-bytes", "1000000"));
        assertThat(resumed.exitCode()).as(resumed.messages()).isZero();
        assertThat(Files.readString(marker)).contains("\"decodeLimits\" : \"--max-pixels 123456789, --max-decode-mib 512,"
                + " --max-object-bytes 1000000\"");
        JobRun other = JobRun.of(out, job(in, out, "--resume", "--max-pixels", "5000"));
        assertThat(other.exitCode()).as(other.messages()).isEqualTo(2);
        assertThat(other.messages()).contains("decode limits (which images are readable): was --max-pixels 123456789");

        // A record of an Orchard before the size bound was the job's has the other limits but not it: its job's
        // bound is not known. A --resume with the job's own bound was refused ("was … 512, now … 512, --max-object-bytes
        // 1000000"), and one without it read by the default with no word (a verifying walk). Compared without the bound,
        // it goes on, and records its own.
        String older = Files.readString(marker).replace(", --max-object-bytes 1000000", "");
        Files.writeString(marker, older);
        Files.delete(out.resolve("_SUCCESS"));
        assertThat(older).contains("\"decodeLimits\" : \"--max-pixels 123456789, --max-decode-mib 512\"");
        Logged said = Logged.during(JobSetup.class, () -> JobRun.of(out, job(in, out, "--resume", "--max-pixels",
                "123456789", "--max-object-bytes", "1000000")));
        JobRun withBound = said.run(0);
        assertThat(withBound.exitCode()).as(withBound.messages()).isZero();
        assertThat(said.lines()).anySatisfy(line -> assertThat(line).contains("does not say which --max-object-bytes its"
                + " job read images by; this command reads by 1000000, and records it"));
        assertThat(Files.readString(marker)).contains("\"decodeLimits\" : \"--max-pixels 123456789, --max-decode-mib 512,"
                + " --max-object-bytes 1000000\"");
    }

    /**
     * A finished job whose _SUCCESS a user removed: --resume, as the refused --update advises, finishes it with the PCA
     * its parts were projected with (it solved again from the units' statistics files, removed once the job had
     * finished, and failed naming one: a user's walk).
     */
    @Test
    void aFinishedJobWhoseSuccessWasRemovedIsFinishedByResumeWithItsModel() throws Exception {
        Path in = fruit(4);
        Path out = temp.resolve("out");
        JobRun first = JobRun.of(out, job(in, out));
        assertThat(first.exitCode()).as(first.messages()).isZero();
        byte[] model = Files.readAllBytes(out.resolve("pca-model.json"));
        List<?> rows = Outputs.rows(out, "pca");
        Files.delete(out.resolve("_SUCCESS"));

        JobRun resumed = JobRun.of(out, job(in, out, "--resume"));
        assertThat(resumed.exitCode()).as(resumed.messages()).isZero();
        assertThat(out.resolve("_SUCCESS")).exists();
        assertThat(out.resolve("pca-model.json")).hasBinaryContent(model);
        assertThat(Outputs.rows(out, "pca")).hasSameSizeAs(rows);
    }

    /**
     * A coordinator that journals no result of its own, as this one of "another build" that only writes the final
     * files again, is not listed, and says nothing of builds (that a resume by another build that makes results warns
     * and lists both is ClusterIT's); results journalled by an Orchard that kept no such record are "unrecorded". The
     * record in the output is what _SUCCESS lists.
     */
    @Test
    void aCoordinatorThatMakesNoResultIsNotListedAndSaysNothingOfBuilds() throws Exception {
        Path in = fruit(4);
        Path out = temp.resolve("builds");
        JobRun first = JobRun.of(out, job(in, out));
        assertThat(first.exitCode()).as(first.messages()).isZero();
        String build = dev.orchard.coordinator.Build.id();
        assertThat(success(out).at("/versions/builds").toString()).isEqualTo("[\"" + build + "\"]");

        Path record = out.resolve("_orchard/builds.json");
        Files.writeString(record, "{\"builds\":[\"0123456789abcdef\"]}"); // as another build would have begun it
        Files.delete(out.resolve("_SUCCESS"));
        Logged resumed = Logged.during(dev.orchard.coordinator.Coordinator.class,
                () -> JobRun.of(out, job(in, out, "--resume")));
        assertThat(resumed.run(0).exitCode()).as(resumed.run(0).messages()).isZero();
        assertThat(String.join("\n", resumed.lines())).doesNotContain("so far were made by");
        assertThat(success(out).at("/versions/builds").toString()).isEqualTo("[\"0123456789abcdef\"]");
        assertThat(success(out).at("/versions/build").asText()).as("the coordinator that finished").isEqualTo(build);
        assertThat(record).hasContent("{\"builds\":[\"0123456789abcdef\"]}");

        Files.delete(record); // an earlier Orchard's job: journalled, no record
        Files.delete(out.resolve("_SUCCESS"));
        Logged older = Logged.during(dev.orchard.coordinator.Coordinator.class,
                () -> JobRun.of(out, job(in, out, "--resume")));
        assertThat(older.run(0).exitCode()).as(older.run(0).messages()).isZero();
        assertThat(String.join("\n", older.lines())).doesNotContain("so far were made by");
        assertThat(success(out).at("/versions/builds").toString()).isEqualTo("[\"unrecorded\"]");
        assertThat(record).as("written again as _SUCCESS lists it").hasContent("{\"builds\":[\"unrecorded\"]}");
    }

    private static com.fasterxml.jackson.databind.JsonNode success(Path out) throws Exception {
        return new com.fasterxml.jackson.databind.ObjectMapper().readTree(out.resolve("_SUCCESS").toFile());
    }

    /**
     * A job that failed at its solve (k above its readable images) goes on with a smaller k, but not while a
     * coordinator holds the output (a killed one's lease stays fresh for up to 30 s): said so, with the lease's advice,
     * not as "another job" (a cluster walk).
     */
    @Test
    void anotherKWhileTheOutputIsHeldIsRefusedForNowAndSaysWhy() throws Exception {
        Path in = fruit(3);
        Files.write(in.resolve("Kiwi").resolve("broken.jpg"), new byte[] {(byte) 0xFF, (byte) 0xD8, 1, 2, 3});
        Path out = temp.resolve("k-held");
        List<String> args = new java.util.ArrayList<>(List.of("run", "--input", in.toString(), "--output",
                out.toString(), "--model", JobRun.model(), "--unit-size", "2", "--batch-size", "2"));
        JobRun failed = JobRun.of(out, concat(args, "--pca-k", "4")); // 4 files, 3 readable
        assertThat(failed.exitCode()).as(failed.messages()).isNotZero();
        assertThat(failed.messages()).contains("larger than the number of readable images");

        // Another coordinator (killed a moment ago, say) holds it: its lease is fresh.
        HeldLease.take(new LocalObjectStore(), Location.local(out), "10.0.0.5:17355");
        JobRun held = JobRun.of(out, concat(args, "--pca-k", "2", "--resume"));
        assertThat(held.exitCode()).as(held.messages()).isEqualTo(2);
        assertThat(held.messages()).contains("--resume refused: --pca-k 2 (the job has 4) is not taken now")
                .contains("Another coordinator (on 10.0.0.5:17355)").doesNotContain("another job than");
    }

    private static String[] concat(List<String> args, String... more) {
        List<String> all = new java.util.ArrayList<>(args);
        all.addAll(List.of(more));
        return all.toArray(String[]::new);
    }

    /**
     * A --resume (or a continued --update) in `orchard run`, while another coordinator holds the output: this JVM is no
     * cluster's node and cannot take the job over. It printed its start line ("continuing the update of …"), then
     * "job failed: Another coordinator …" (a walk); now it is refused before it starts, as a first run is.
     */
    @Test
    void aResumeWhileAnotherCoordinatorHoldsTheOutputIsRefusedBeforeItStarts() throws Exception {
        Path in = fruit(2);
        Path out = temp.resolve("resumed-while-held");
        JobRun first = JobRun.of(out, job(in, out));
        assertThat(first.exitCode()).as(first.messages()).isZero();
        Files.delete(out.resolve("_SUCCESS")); // as a job stopped before it ended
        HeldLease.take(new LocalObjectStore(), Location.local(out), "10.0.0.5:17355"); // over the finished job's released one
        JobRun resumed = JobRun.of(out, job(in, out, "--resume"));
        assertThat(resumed.exitCode()).as(resumed.messages()).isEqualTo(2);
        assertThat(resumed.messages()).contains("--resume refused: Another coordinator (on 10.0.0.5:17355)")
                .doesNotContain(" → ").doesNotContain("job failed");
    }

    @Test
    void anOutputAnotherCoordinatorHoldsIsRefusedEvenWithOverwrite() throws Exception {
        Path in = fruit(2);
        Path out = temp.resolve("held");
        Files.createDirectories(out);
        var store = new LocalObjectStore();
        // What a running job's output looks like: Orchard's marker, written first, and the coordinator's lease.
        dev.orchard.store.OutputMarker.now("test").write(store, new dev.orchard.store.OutputLayout(Location.local(out)));
        Instant taken = Instant.now();
        new OutputLease(store, Location.local(out), "cafe", "10.0.0.5:17355", Duration.ofMinutes(5), Duration.ofSeconds(20))
                .acquire(new OutputLease.Claim.Free(null, 0), taken); // trusted for 10 s after each renewal
        JobRun run = JobRun.of(out, job(in, out, "--overwrite"));
        assertThat(run.exitCode()).as(run.messages()).isEqualTo(2);
        assertThat(run.messages()).contains("Another coordinator (on 10.0.0.5:17355)");
        assertThat(out.resolve("_orchard/lease.json")).exists();
        // Without --overwrite too, the running job is what it is told first: it was told "has not finished: the same
        // command with --resume continues it, --overwrite replaces it", both refused while the job runs (a user's walk).
        JobRun plain = JobRun.of(out, job(in, out));
        assertThat(plain.exitCode()).as(plain.messages()).isEqualTo(2);
        assertThat(plain.messages()).contains("Another coordinator (on 10.0.0.5:17355)")
                .doesNotContain("has not finished").doesNotContain("--overwrite replaces it")
                .contains("If that coordinator was this command's own, killed, the same command with --resume continues"
                        + " the job (on the same address, at once).");
        // What a node stopped meanwhile is told (StopNotice): the holder, unless it is that node itself.
        assertThat(OutputLease.heldByAnother(store, Location.local(out), "10.0.0.9:17355", Instant.now()).node())
                .isEqualTo("10.0.0.5:17355");
        assertThat(OutputLease.heldByAnother(store, Location.local(out), "10.0.0.5:17355", Instant.now())).isNull();
        assertThat(OutputLease.heldByAnother(store, Location.local(out), "10.0.0.9:17355",
                Instant.now().plus(Duration.ofMinutes(6)))).isNull();
        // A stale lease (its holder died long ago) does not stand in the way (the rule's cases: OutputLeaseTest).
        assertThat(OutputLease.refusal(store, Location.local(out), Instant.now().plus(Duration.ofMinutes(6)))).isNull();
        // Nor, for a standby, does one held by a member that left its cluster, once that holder can no longer write
        // without renewing it (renewed twice its trust ago); one held by a member still in it is waited for.
        ClusterMembership left = new ClusterMembership(Set.of(), Set.of("10.0.0.5:17355"));
        assertThat(OutputLease.claim(store, Location.local(out), "10.0.0.9:17355", left, taken.plusSeconds(19)))
                .isEqualTo(new OutputLease.Claim.Leaving("10.0.0.5:17355"));
        assertThat(OutputLease.claim(store, Location.local(out), "10.0.0.9:17355", left, taken.plusSeconds(21)))
                .isInstanceOf(OutputLease.Claim.Free.class);
        assertThat(OutputLease.claim(store, Location.local(out), "10.0.0.9:17355",
                new ClusterMembership(Set.of("10.0.0.9:17355", "10.0.0.5:17355"), Set.of()), Instant.now()))
                .isEqualTo(new OutputLease.Claim.Leaving("10.0.0.5:17355"));
    }

    /**
     * A file Orchard keeps in an output, damaged since it was written, is named with what to do, and the command exits
     * as for bad input (2). Before, Jackson's own words came out alone ("Illegal unquoted character … at [Source:
     * REDACTED …]"), naming no file, with exit 1 (a walk: job.json, lease.json, generation.json, a seal, a commit, a
     * plan file; and "Listing the input failed after 0 images: Not in GZIP format" for the inventory).
     */
    @Test
    void aDamagedFileOfOrchardsIsNamedAndExitsTwo() throws Exception {
        Path in = fruit(4);
        Path made = temp.resolve("made");
        assertThat(JobRun.of(made, job(in, made)).exitCode()).isZero();
        List<String> journal;
        try (var files = Files.walk(made.resolve("_orchard"))) {
            journal = files.filter(Files::isRegularFile).map(f -> made.relativize(f).toString())
                    .filter(f -> f.startsWith("_orchard/commits/") || f.startsWith("_orchard/seals/")
                            || f.startsWith("_orchard/plan/units-"))
                    .sorted().toList();
        }
        assertThat(journal).as("a commit, a seal and a plan file").hasSizeGreaterThanOrEqualTo(3);
        List<String[]> cases = new java.util.ArrayList<>();
        for (String file : journal) {
            cases.add(new String[] {file, "--resume"});
        }
        cases.add(new String[] {"_orchard/job.json", "--resume"});
        cases.add(new String[] {"_orchard/lease.json", "--resume"});
        cases.add(new String[] {"_orchard/generation.json", "--update"});
        cases.add(new String[] {"_orchard/inventory.jsonl.gz", "--update"});
        cases.add(new String[] {"_orchard/parts/part-000000.stats", "--update"}); // was "not an Orchard covariance partial"
        int n = 0;
        for (String[] c : cases) {
            Path out = temp.resolve("damaged-" + n++);
            copyTree(made, out);
            if (c[1].equals("--resume")) {
                Files.delete(out.resolve("_SUCCESS")); // a job to resume
            }
            Files.writeString(out.resolve(c[0]), "{\"job\": \"x\", \"gener\n");
            JobRun run = JobRun.of(out, job(in, out, c[1]));
            assertThat(run.exitCode()).as(c[0] + " " + c[1] + ": " + run.messages()).isEqualTo(2);
            assertThat(run.messages()).as(c[0]).contains(out.resolve(c[0]) + " is damaged (")
                    .doesNotContain("REDACTED").doesNotContain("Listing the input failed")
                    .containsAnyOf("restore it from a copy", "delete it");
        }
    }

    /**
     * A base part's statistics that count another number of rows than its generation records for the part (edited, or
     * another part's) end the update before its solve, exit 2, naming the file, what it counts and what the record
     * says, and what to do. They read as statistics, so the solve merged them, and only the worker that published the
     * part from them found them damaged, after the PCA was solved with them.
     */
    @Test
    void aBasePartsStatisticsThatCountOtherRowsEndTheUpdateBeforeItsSolve() throws Exception {
        Path in = fruit(4);
        Path out = temp.resolve("out");
        assertThat(JobRun.of(out, job(in, out)).exitCode()).isZero();
        Path stats = out.resolve("_orchard/parts/part-000000.stats");
        java.nio.ByteBuffer bytes = java.nio.ByteBuffer.wrap(Files.readAllBytes(stats)).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        assertThat(bytes.getLong(12)).as("the row count, after the magic, version and dimension").isEqualTo(4);
        Files.write(stats, bytes.putLong(12, 5).array());
        Files.copy(JobRun.shared().resolve("data/fruits360-sample/Lemon/324_100.jpg"), in.resolve("Kiwi/new.jpg"));

        JobRun update = JobRun.of(out, job(in, out, "--update"));

        assertThat(update.exitCode()).as(update.messages()).isEqualTo(2);
        assertThat(update.messages()).contains(stats + " is damaged (it counts 5 rows, but "
                + out.resolve("_orchard/generation.json") + " records 4 for base part 0): it is covariance statistics"
                + " Orchard keeps to solve this output's PCA and to update it; restore it from a copy, or make the output"
                + " again from the input with --overwrite")
                .doesNotContain("Part 0 failed", "--resume", "times");
        try (var staged = Files.walk(out.resolve("_orchard"))) {
            assertThat(staged.filter(f -> f.getFileName().toString().equals("pca-model.json")))
                    .as("the PCA is not solved").isEmpty();
        }
    }

    /**
     * A base part's rows damaged at their own size (which the update's start does not see) end the update at its
     * publish stage at once, exit 2, naming the part and what to do: three attempts failed on it, and the job exited 1
     * saying --resume went on.
     */
    @Test
    void aBasePartDamagedAtItsOwnSizeEndsTheUpdateAtOnce() throws Exception {
        Path in = fruit(4);
        Path out = temp.resolve("out");
        Path part = madeWithItsPartDamaged(in, out);
        Files.copy(JobRun.shared().resolve("data/fruits360-sample/Lemon/324_100.jpg"), in.resolve("Kiwi/new.jpg"));

        JobRun update = JobRun.of(out, job(in, out, "--update"));

        assertThat(update.exitCode()).as(update.messages()).isEqualTo(2);
        assertThat(update.messages()).contains("Part 0 failed: " + part + " (base part 0) cannot be read: ",
                        ". It holds rows of the generation this update keeps, damaged since they were written: restore"
                                + " it from a copy, or make the output again from the input with --overwrite")
                .doesNotContain("--resume", "times");
    }

    /**
     * A base part damaged at its own size that an update regroups (an image of it removed) ends the update at its
     * regroup at once, exit 2, naming the part and what to do: three attempts failed on it, and the job exited 1 saying
     * --resume went on, which no resume mends.
     */
    @Test
    void aBasePartDamagedAtItsOwnSizeEndsItsRegroupAtOnce() throws Exception {
        Path in = fruit(4);
        Path out = temp.resolve("out");
        Path part = madeWithItsPartDamaged(in, out);
        try (var images = Files.list(in.resolve("Kiwi"))) {
            Files.delete(images.sorted().findFirst().orElseThrow()); // its row is dropped: the part is regrouped
        }

        JobRun update = JobRun.of(out, job(in, out, "--update"));

        assertThat(update.exitCode()).as(update.messages()).isEqualTo(2);
        assertThat(update.messages()).contains("Regroup of base part 0 failed: " + part + " (base part 0) cannot be"
                        + " read: ", ". It holds rows of the generation this update keeps, damaged since they were"
                        + " written: restore it from a copy, or make the output again from the input with --overwrite")
                .doesNotContain("--resume", "times");
    }

    /** A finished job of {@code in} into {@code out}, its features part then damaged at its own size: the part. */
    private static Path madeWithItsPartDamaged(Path in, Path out) throws Exception {
        assertThat(JobRun.of(out, job(in, out)).exitCode()).isZero();
        Path part;
        try (var parts = Files.list(out.resolve("features"))) {
            part = parts.filter(p -> p.toString().endsWith(".parquet")).findFirst().orElseThrow();
        }
        byte[] bytes = Files.readAllBytes(part);
        java.util.Arrays.fill(bytes, bytes.length - 200, bytes.length - 8, (byte) 0); // its footer, not its size
        Files.write(part, bytes);
        return part;
    }

    private static void copyTree(Path from, Path to) throws Exception {
        try (var files = Files.walk(from)) {
            for (Path f : files.toList()) {
                Path target = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(f, target);
                }
            }
        }
    }
}
