package dev.orchard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.orchard.stats.CovariancePartial;
import dev.orchard.stats.PcaModel;
import dev.orchard.stats.PrincipalComponents;
import dev.orchard.store.OutputLayout;
import dev.orchard.store.parquet.VectorRow;
import dev.orchard.worker.Worker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --update}: a run over A, then an update over A ∪ B − C with some of A rewritten with other pictures, equals
 * a clean run over the final set — same rows and labels, the same features, PCA eigenvalues within 1e-9 — and its
 * errors.csv, pca.csv and _SUCCESS are those of the new generation. (A coordinator killed during an update and
 * resumed is tested across JVMs in UpdateIT; every interleaving of faults in ProtocolSimulationTest.)
 */
class UpdateTest {

    @TempDir
    Path temp;

    private static final List<String> CLASSES = List.of("Kiwi", "Banana", "Lemon");

    /** {@code n} images of each class from the shared sample, starting at {@code from} in name order. */
    private static List<Path> sample(String label, int from, int n) throws Exception {
        try (Stream<Path> files = Files.list(JobRun.shared().resolve("data/fruits360-sample").resolve(label))) {
            return files.sorted().skip(from).limit(n).toList();
        }
    }

    private static Path copy(Path image, Path input, String label) throws Exception {
        Path target = input.resolve(label).resolve(image.getFileName());
        Files.createDirectories(target.getParent());
        return Files.copy(image, target);
    }

    /** The first {@code perClass} images of each of {@link #CLASSES}, copied into a fresh input folder. */
    private Path input(int perClass) throws Exception {
        Path in = temp.resolve("in");
        for (String label : CLASSES) {
            for (Path image : sample(label, 0, perClass)) {
                copy(image, in, label);
            }
        }
        return in;
    }

    private static String[] job(Path in, Path out, String... extra) {
        List<String> args = new ArrayList<>(List.of("run", "--input", in.toString(), "--output", out.toString(),
                "--model", JobRun.model(), "--pca-k", "4", "--unit-size", "5", "--batch-size", "4"));
        args.addAll(List.of(extra));
        return args.toArray(String[]::new);
    }

    /**
     * A first run into {@code out} over {@link #input}(3), then a fourth Kiwi put into its input: the returned
     * {@code --update} command would add it.
     */
    private String[] firstRunWithAnImageToAdd(Path out) throws Exception {
        Path in = input(3);
        assertThat(JobRun.of(out, job(in, out)).exitCode()).isZero();
        copy(sample("Kiwi", 3, 1).get(0), in, "Kiwi");
        return job(in, out, "--update");
    }

    /**
     * An update without --parquet-byte-stream-split over an output written with it copied the base's row groups
     * beside new PLAIN ones: one file of both encodings, which Spark's vectorized reader refuses (the incremental
     * helper's walk). The update writes as the output is written, and says so.
     */
    @Test
    void anUpdateWritesItsVectorsAsTheOutputsAreEncoded() throws Exception {
        Path in = input(3);
        Path out = temp.resolve("out");
        assertThat(JobRun.of(out, job(in, out, "--parquet-byte-stream-split")).exitCode()).isZero();
        for (Path image : sample("Kiwi", 3, 3)) {
            copy(image, in, "Kiwi");
        }
        Logged logged = Logged.during(JobSetup.class, () -> JobRun.of(out, job(in, out, "--update")), () -> {
            for (Path image : sample("Lemon", 3, 3)) {
                copy(image, in, "Lemon");
            }
            // A second update records the output's encoding, not its command's flag (it recorded the flag, and the
            // third mixed encodings in one file).
            return JobRun.of(out, job(in, out, "--update"));
        });
        assertThat(logged.runs()).allSatisfy(r -> assertThat(r.exitCode()).as(r.messages()).isZero());
        assertThat(logged.lines()).filteredOn(m -> m.startsWith("This output's"))
                .hasSize(2).containsOnly("This output's vectors are written with --parquet-byte-stream-split, and this"
                        + " update writes them so too: one output never mixes encodings. To change it, run the job afresh"
                        + " into an empty folder.");
        assertThat(Outputs.success(out).at("/generation").asInt()).isEqualTo(2);
        for (String folder : List.of("features", "pca")) {
            try (Stream<Path> parts = Files.list(out.resolve(folder))) {
                for (Path part : parts.toList()) {
                    var options = org.apache.parquet.ParquetReadOptions.builder(
                            new org.apache.parquet.conf.PlainParquetConfiguration())
                            .withCodecFactory(new dev.orchard.store.parquet.HadoopFreeCodecs()).build();
                    try (var reader = org.apache.parquet.hadoop.ParquetFileReader.open(
                            new org.apache.parquet.io.LocalInputFile(part), options)) {
                        for (var block : reader.getFooter().getBlocks()) {
                            var floats = block.getColumns().get(2).getEncodingStats().getDataEncodings();
                            assertThat(floats).as(part + " row group at " + block.getStartingPos())
                                    .containsExactly(org.apache.parquet.column.Encoding.BYTE_STREAM_SPLIT);
                        }
                    }
                }
            }
        }
    }

    @Test
    void anUpdateEqualsACleanRunOverTheNewInput() throws Exception {
        Path in = input(8);
        byte[] banana = Files.readAllBytes(sample("Banana", 20, 1).get(0));
        Path broken = in.resolve("Kiwi/broken.jpg");
        Files.write(broken, Arrays.copyOf(banana, banana.length / 3)); // an error in generation 0, fixed later
        Path out = temp.resolve("out");
        JobRun first = JobRun.of(out, job(in, out));
        assertThat(first.exitCode()).as(first.messages()).isZero();
        assertThat(Outputs.success(out).at("/generation").asInt()).isZero();
        assertThat(errors(out)).containsOnlyKeys(broken.toString());
        assertThat(out.resolve("_orchard/attempts")).as("removed after _SUCCESS, folder and all").doesNotExist();
        assertThat(out.resolve("_orchard/partials")).as("the units' statistics, once the parts' are stored")
                .doesNotExist();
        assertPartStatisticsAreTheModels(out);

        // B: new images (one of them unreadable); C: removed; some of A rewritten with other pictures.
        List<Path> added = new ArrayList<>();
        for (String label : CLASSES) {
            for (Path image : sample(label, 8, 2)) {
                added.add(copy(image, in, label));
            }
        }
        Path newBroken = in.resolve("Lemon/new-broken.jpg");
        Files.write(newBroken, "not a picture".getBytes());
        List<Path> removed = List.of(in.resolve("Kiwi").resolve(sample("Kiwi", 1, 1).get(0).getFileName()),
                in.resolve("Banana").resolve(sample("Banana", 3, 1).get(0).getFileName()),
                in.resolve("Lemon").resolve(sample("Lemon", 0, 1).get(0).getFileName()));
        for (Path p : removed) {
            Files.delete(p);
        }
        List<Path> changed = List.of(in.resolve("Kiwi").resolve(sample("Kiwi", 5, 1).get(0).getFileName()),
                in.resolve("Banana").resolve(sample("Banana", 6, 1).get(0).getFileName()));
        for (Path p : changed) {
            Files.write(p, Files.readAllBytes(sample("Lemon", 30, 1).get(0))); // another picture, same name
            Files.setLastModifiedTime(p, FileTime.fromMillis(Files.getLastModifiedTime(p).toMillis() + 5_000));
        }
        Files.write(broken, banana); // the broken image is whole now: tried again, it gets its row

        JobRun update = JobRun.of(out, job(in, out, "--update"));
        assertThat(update.exitCode()).as(update.messages()).isZero();

        Path clean = temp.resolve("clean");
        JobRun reference = JobRun.of(clean, job(in, clean));
        assertThat(reference.exitCode()).as(reference.messages()).isZero();

        Set<String> readable = new TreeSet<>(Outputs.images(in));
        readable.remove(newBroken.toString());
        Outputs.assertSameJob(out, clean, readable);
        assertThat(errors(out)).isEqualTo(errors(clean)).containsOnlyKeys(newBroken.toString());
        assertSameProjections(out, clean);
        assertThat(pcaCsvPaths(out)).isEqualTo(readable);

        JsonNode success = Outputs.success(out);
        assertThat(success.at("/generation").asInt()).isEqualTo(1);
        assertThat(success.at("/update/from").asInt()).isZero();
        assertThat(success.at("/update/added").asLong()).isEqualTo(added.size() + 1);
        // The broken image was rewritten whole: another size, so changed (an error with the same content is retried).
        assertThat(success.at("/update/changed").asLong()).isEqualTo(changed.size() + 1);
        assertThat(success.at("/update/removed").asLong()).isEqualTo(removed.size());
        assertThat(success.at("/update/retried").asLong()).isZero();
        assertThat(success.at("/update/unchanged").asLong()).isEqualTo(3 * 8 - removed.size() - changed.size());
        assertThat(success.at("/counts/rows").asLong()).isEqualTo(readable.size());
        // The images this run featurised (its images/s are of these): the new, changed and retried ones.
        long featurised = success.at("/update/added").asLong() + success.at("/update/changed").asLong()
                + success.at("/update/retried").asLong();
        assertThat(success.at("/counts/featurised").asLong()).isEqualTo(featurised).isLessThan(readable.size());
        // Only the new, changed and retried images were read.
        long read = Files.size(newBroken) + Files.size(broken);
        for (Path p : added) {
            read += Files.size(p);
        }
        for (Path p : changed) {
            read += Files.size(p);
        }
        assertThat(success.at("/bytesRead").asLong()).isEqualTo(read);
        // The builds whose rows it holds: the first run's and the update's, one build here (JobBuilds). The record
        // moves with the generation: generation 0's went with its bookkeeping.
        String build = dev.orchard.coordinator.Build.id();
        assertThat(success.at("/versions/builds").toString()).isEqualTo("[\"" + build + "\"]");
        assertThat(out.resolve("_orchard/gen-000001/builds.json")).exists();
        assertThat(out.resolve("_orchard/builds.json")).doesNotExist();

        assertPartStatisticsAreTheModels(out);
        // report.html is the new generation's (staged, then swapped in with it): its rows are _SUCCESS's.
        assertThat(Files.readString(out.resolve("report.html")))
                .contains("id=\"rows\">" + success.at("/counts/rows").asLong() + "<")
                .contains("id=\"featurised\">" + featurised + "<")
                .contains("id=\"update\">added " + success.at("/update/added").asLong() + ", changed ");
        assertThat(out.resolve("report.json")).exists();
        // The old generation's bookkeeping is gone; the new one's is complete.
        assertThat(out.resolve("_orchard/CURRENT")).hasContent("1");
        assertThat(out.resolve("_orchard/gen-000001/inventory.jsonl.gz")).exists();
        assertThat(out.resolve("_orchard/inventory.jsonl.gz")).doesNotExist();
        assertThat(files(out.resolve("_orchard/gen-000001/staging"))).isEmpty();
        assertThat(files(out.resolve("_orchard/gen-000001/replaced"))).isEmpty();
        assertThat(files(out.resolve("_orchard/attempts"))).isEmpty();
        assertThat(files(out.resolve("_orchard/partials"))).isEmpty();

        // A second update with nothing changed keeps everything and computes nothing.
        JobRun again = JobRun.of(out, job(in, out, "--update"));
        assertThat(again.exitCode()).as(again.messages()).isZero();
        assertThat(Outputs.success(out).at("/generation").asInt()).isEqualTo(2);
        assertThat(Outputs.success(out).at("/update/unchanged").asLong()).isEqualTo(readable.size());
        assertThat(Outputs.success(out).at("/update/retried").asLong()).isEqualTo(1); // new-broken, tried again
        Outputs.assertSameJob(out, clean, readable);
    }

    /**
     * A swapped-in generation whose _SUCCESS went after the swap ended (a request of a coordinator frozen in the same
     * swap, landing late: GenerationSwapTest) is finished by the same command: _SUCCESS written again as the swap
     * recorded it, nothing computed. Before, that command continued the generation, and failed for good on its base
     * generation's summary, which the swap's clean-up had removed.
     */
    @Test
    void anUpdateWhoseSuccessWentAfterItsSwapIsFinishedByTheSameCommand() throws Exception {
        Path in = input(3);
        Path out = temp.resolve("out");
        assertThat(JobRun.of(out, job(in, out)).exitCode()).isZero();
        copy(sample("Kiwi", 3, 1).get(0), in, "Kiwi");
        JobRun update = JobRun.of(out, job(in, out, "--update"));
        assertThat(update.exitCode()).as(update.messages()).isZero();
        byte[] success = Files.readAllBytes(out.resolve("_SUCCESS"));
        assertThat(new String(success, java.nio.charset.StandardCharsets.UTF_8)).as("written as a first run's, indented")
                .startsWith("{\n  \"");
        Map<String, String> parts = digests(out.resolve("features"));
        assertThat(out.resolve("_orchard/generation.json")).doesNotExist(); // generation 0's summary: cleaned up

        Files.delete(out.resolve("_SUCCESS"));
        JobRun again = JobRun.of(out, job(in, out, "--update"));
        assertThat(again.exitCode()).as(again.messages()).isZero();
        assertThat(out.resolve("_SUCCESS")).hasBinaryContent(success);
        assertThat(digests(out.resolve("features"))).isEqualTo(parts);
        assertThat(out.resolve("_orchard/CURRENT")).hasContent("1");
    }

    /**
     * A base part truncated (by a copy of the output) or removed failed the update's publish stage three times, after
     * every new image was featurised, and every rerun the same way, with a message that named no file ("footer is too
     * large", or a bare path: a user's walk). Refused as the update starts, naming the part and what to do; with the
     * part restored, the same command goes on.
     */
    @Test
    void anUpdateOverBaseRowsDamagedSinceTheyWereWrittenIsRefusedBeforeItFeaturisesAnything() throws Exception {
        Path out = temp.resolve("out");
        String[] update = firstRunWithAnImageToAdd(out);
        Path part = out.resolve("features/part-000000.parquet");
        byte[] written = Files.readAllBytes(part);
        Path backup = Files.createDirectories(out.resolve("features/backup")).resolve("part-000000.parquet");
        Files.write(backup, java.util.Arrays.copyOf(written, 100)); // the user's, named as a part: neither read nor deleted
        Files.write(part, java.util.Arrays.copyOf(written, written.length / 2));

        JobRun truncated = JobRun.of(out, update);
        assertThat(truncated.exitCode()).as(truncated.messages()).isEqualTo(2);
        assertThat(truncated.messages()).contains("part-000000.parquet has " + written.length / 2
                        + " bytes, where it was written with " + written.length)
                .contains("restore the files and run this command again, or make the output again from the input"
                        + " with --overwrite").contains("This command featurised nothing");
        assertThat(out.resolve("_orchard/attempts")).as("nothing featurised").doesNotExist();
        assertThat(out.resolve("_orchard/gen-000001")).as("nor the update recorded").doesNotExist();

        Files.delete(part);
        assertThat(JobRun.of(out, update).messages()).contains("part-000000.parquet is missing");

        Files.write(part, written);
        JobRun restored = JobRun.of(out, update);
        assertThat(restored.exitCode()).as(restored.messages()).isZero();
        assertThat(Outputs.rows(out, "features")).hasSize(10);
        assertThat(backup).hasSize(100);
    }

    /**
     * A file named as a part that is none of the base's parts (the user's part-000050.parquet beside an output of one
     * part; a part an earlier Orchard left) was deleted by the update's swap without a word (a multi-JVM walk). The
     * update refuses, naming it, before it featurises anything; moved out, the same command goes on and the file is
     * the user's still.
     */
    @Test
    void anUpdateRefusesAFileNamedAsAPartThatIsNoneOfTheBases() throws Exception {
        Path out = temp.resolve("out");
        String[] update = firstRunWithAnImageToAdd(out);
        Path mine = out.resolve("features/part-000050.parquet");
        Files.writeString(mine, "my own notes");
        Path alsoMine = out.resolve("pca/part-000000-g000007.parquet");
        Files.writeString(alsoMine, "mine");

        JobRun refused = JobRun.of(out, update);
        assertThat(refused.exitCode()).as(refused.messages()).isEqualTo(2);
        assertThat(refused.messages())
                .contains("features/part-000050.parquet is named as a part but is none of generation 0's")
                .contains("pca/part-000000-g000007.parquet is named as a part but is none of generation 0's")
                .contains("move your own files out of features/ and pca/")
                .contains("This command featurised nothing");
        assertThat(mine).hasContent("my own notes");
        assertThat(out.resolve("_orchard/gen-000001")).as("the update not recorded").doesNotExist();

        Path kept = Files.move(mine, temp.resolve("part-000050.parquet"));
        Files.delete(alsoMine);
        JobRun moved = JobRun.of(out, update);
        assertThat(moved.exitCode()).as(moved.messages()).isZero();
        assertThat(Outputs.rows(out, "features")).hasSize(10);
        assertThat(kept).hasContent("my own notes");
    }

    /** The README's update (no --pca-k) of a k = 4 output went on with the option's default, 50 components. */
    /**
     * A folder the update cannot list (here a link to a drive not mounted; a folder without permission where not run
     * as root) keeps its rows: an update dropped them as "removed" (a user's walk). The folder is in errors.csv.
     */
    @Test
    void anUpdateKeepsTheRowsBelowAFolderItCannotList() throws Exception {
        Path in = input(2);
        Path drive = Files.createDirectories(temp.resolve("drive"));
        for (Path image : sample("Lemon", 2, 3)) {
            copy(image, drive, "Pears");
        }
        Path link = Files.createSymbolicLink(in.resolve("Pears"), drive.resolve("Pears"));
        Path out = temp.resolve("out");
        assertThat(JobRun.of(out, job(in, out, "--follow-links")).exitCode()).isZero();
        assertThat(Outputs.rows(out, "features")).hasSize(9);

        Files.delete(link);
        Files.createSymbolicLink(link, temp.resolve("not-mounted/Pears"));
        copy(sample("Kiwi", 2, 1).get(0), in, "Kiwi");
        JobRun update = JobRun.of(out, job(in, out, "--follow-links", "--update"));
        assertThat(update.exitCode()).as(update.messages()).isZero();
        assertThat(Outputs.success(out).at("/update/keptUnlisted").asLong()).isEqualTo(3);
        assertThat(Outputs.success(out).at("/update/removed").asLong()).isZero();
        assertThat(Outputs.success(out).at("/update/added").asLong()).isEqualTo(1);
        assertThat(Outputs.rows(out, "features").stream().map(VectorRow::path).filter(p -> p.startsWith(link.toString())))
                .hasSize(3);
        assertThat(Outputs.rows(out, "features")).hasSize(10);
        assertThat(Files.readString(out.resolve("errors.csv"))).contains(link + ",skipped: dangling symbolic link");
    }

    @Test
    void anUpdateWithoutPcaKKeepsTheOutputsK() throws Exception {
        Path in = input(3);
        Path out = temp.resolve("out");
        assertThat(JobRun.of(out, job(in, out)).exitCode()).isZero();
        copy(sample("Kiwi", 3, 1).get(0), in, "Kiwi");
        JobRun update = JobRun.of(out, "run", "--input", in.toString(), "--output", out.toString(), "--model",
                JobRun.model(), "--unit-size", "5", "--batch-size", "4", "--update");
        assertThat(update.exitCode()).as(update.messages()).isZero();
        assertThat(Outputs.success(out).at("/pca/k").asInt()).isEqualTo(4);
        assertThat(Outputs.success(out).at("/generation").asInt()).isEqualTo(1);
        assertThat(update.messages()).doesNotContain("--pca-k");

        // Another --input (a subfolder, as a typo might give) drops the other rows: said at WARN (it was INFO).
        Logged narrowed = Logged.during(UpdateCheck.class, () -> JobRun.of(out, "run", "--input",
                in.resolve("Kiwi").toString(), "--output", out.toString(), "--model", JobRun.model(), "--unit-size",
                "5", "--batch-size", "4", "--update", "--pca-k", "2"));
        JobRun narrower = narrowed.run(0);
        assertThat(narrower.exitCode()).as(narrower.messages()).isZero();
        assertThat(narrowed.events()).anySatisfy(line -> {
            assertThat(line.getLevel()).isEqualTo(ch.qos.logback.classic.Level.WARN);
            assertThat(line.getFormattedMessage()).contains("input: was " + in + ", now " + in.resolve("Kiwi"))
                    .contains("the rows of any images it no longer selects are removed");
        });
        assertThat(Outputs.success(out).at("/update/removed").asLong()).isEqualTo(6);
    }

    @Test
    void anUpdateThatWouldMixMeaningsIsRefusedNamingEveryDifference() throws Exception {
        Path in = temp.resolve("in");
        for (Path image : sample("Kiwi", 0, 5)) {
            copy(image, in, "Kiwi");
        }
        Path empty = temp.resolve("empty");
        JobRun none = JobRun.of(empty, job(in, empty, "--update"));
        assertThat(none.exitCode()).as(none.messages()).isEqualTo(2);
        assertThat(none.messages()).contains("--update needs an output an earlier orchard run wrote, and " + empty
                + " does not exist"); // it said "is empty"
        Files.createDirectories(empty);
        assertThat(JobRun.of(empty, job(in, empty, "--update")).messages()).contains(empty + " is empty");

        Path out = temp.resolve("out");
        assertThat(JobRun.of(out, job(in, out)).exitCode()).isZero();
        JobRun other = JobRun.of(out, job(in, out, "--update", "--label-regex", "^(K).*", "--label-from", "folder",
                "--reduce", "srp+pca", "--srp-dim", "64"));
        assertThat(other.exitCode()).as(other.messages()).isEqualTo(2);
        assertThat(other.messages()).contains("--update refused")
                .contains("labels: was parent folder, now regex ^(K).* over the folder name")
                .contains("--reduce: was pca, now srp+pca").contains("--srp-dim: was 0, now 64")
                .contains("pass the classifier its rows were labelled with"); // never the output's: a user's walk read it as "same"
        String int8 = JobRun.shared().resolve("models/mobilenetv2-12-int8.onnx").toString();
        JobRun otherModel = JobRun.of(out, "run", "--input", in.toString(), "--output", out.toString(), "--model", int8,
                "--feature-tensor", "output", "--pca-k", "4", "--update");
        assertThat(otherModel.exitCode()).as(otherModel.messages()).isEqualTo(2);
        assertThat(otherModel.messages()).contains("--update refused").contains("model (SHA-256): was ")
                .contains("model spec and feature tensor: was ").contains("features 464").contains("features output");
        JobRun both = JobRun.of(out, job(in, out, "--update", "--overwrite"));
        assertThat(both.exitCode()).isEqualTo(2);
        assertThat(both.messages()).contains("contradict");
        assertThat(out.resolve("_orchard/gen-000001")).doesNotExist();
    }

    @Test
    void untouchedPartsKeepTheirFeaturesFilesAndGetNewProjections() throws Exception {
        Path in = temp.resolve("in");
        for (String label : List.of("Kiwi", "Banana")) {
            for (Path image : sample(label, 0, 10)) {
                copy(image, in, label);
            }
        }
        Path out = temp.resolve("out");
        Path clean = temp.resolve("clean");
        // Parts of ~2 units (a row is ~4 KB): generation 0 has several, each a quarter of the target size or more.
        System.setProperty("orchard.coordinator.part-bytes", "24k");
        com.typesafe.config.ConfigFactory.invalidateCaches();
        try {
            JobRun first = JobRun.of(out, job(in, out));
            assertThat(first.exitCode()).as(first.messages()).isZero();
            Map<String, String> before = digests(out.resolve("features"));
            Map<String, String> pcaBefore = digests(out.resolve("pca"));
            assertThat(before).hasSizeGreaterThan(1);

            for (Path image : sample("Lemon", 0, 3)) {
                copy(image, in, "Lemon");
            }
            JobRun update = JobRun.of(out, job(in, out, "--update"));
            assertThat(update.exitCode()).as(update.messages()).isZero();
            JobRun reference = JobRun.of(clean, job(in, clean));
            assertThat(reference.exitCode()).as(reference.messages()).isZero();

            Outputs.assertSameJob(out, clean, Outputs.images(in));
            assertSameProjections(out, clean);
            Map<String, String> after = digests(out.resolve("features"));
            // Every base part is untouched and large enough: its file is the same bytes, under the same part number
            // (its name now names generation 1); the new rows are a part of their own. The projections are all new
            // (the PCA changed).
            assertThat(after.keySet()).allMatch(name -> OutputLayout.isPartOf(name, 1));
            for (var part : before.entrySet()) {
                assertThat(after).containsEntry(generationOne(part.getKey()), part.getValue());
            }
            assertThat(after).hasSize(before.size() + 1);
            Map<String, String> pcaAfter = digests(out.resolve("pca"));
            for (var part : pcaBefore.entrySet()) {
                assertThat(pcaAfter.get(generationOne(part.getKey()))).as(part.getKey()).isNotNull()
                        .isNotEqualTo(part.getValue());
            }
            assertPartStatisticsAreTheModels(out);
        } finally {
            System.clearProperty("orchard.coordinator.part-bytes");
            com.typesafe.config.ConfigFactory.invalidateCaches();
        }
    }

    /** Generation 1's name of a first run's part file. */
    private static String generationOne(String firstRunName) {
        return OutputLayout.partName(1, OutputLayout.partNumber(firstRunName));
    }

    /**
     * An output without a PCA ({@code --reduce srp}) is updated too: a part that loses rows is regrouped, new images
     * are added, and the features equal a clean run's; no statistics are kept anywhere (nothing would read them).
     */
    @Test
    void anOutputWithoutAPcaIsUpdatedLikeACleanRun() throws Exception {
        Path in = temp.resolve("in");
        List<Path> kiwis = new ArrayList<>();
        for (String label : List.of("Kiwi", "Banana")) {
            for (Path image : sample(label, 0, 6)) {
                Path copied = copy(image, in, label);
                if (label.equals("Kiwi")) {
                    kiwis.add(copied);
                }
            }
        }
        Path out = temp.resolve("out");
        Path clean = temp.resolve("clean");
        JobRun first = JobRun.of(out, srpJob(in, out));
        assertThat(first.exitCode()).as(first.messages()).isZero();

        Files.delete(kiwis.get(1));
        Files.delete(kiwis.get(4));
        for (Path image : sample("Lemon", 0, 2)) {
            copy(image, in, "Lemon");
        }
        Logged logged = Logged.during(Worker.class, () -> JobRun.of(out, srpJob(in, out, "--update")));
        JobRun update = logged.run(0);
        assertThat(update.exitCode()).as(update.messages()).isZero();
        assertThat(logged.lines()).as("worker log")
                .anyMatch(line -> line.startsWith("REGROUP unit 0 (attempt id "));
        assertThat(Outputs.success(out).at("/update/removed").asLong()).isEqualTo(2);
        assertThat(Outputs.success(out).at("/update/added").asLong()).isEqualTo(2);
        JobRun reference = JobRun.of(clean, srpJob(in, clean));
        assertThat(reference.exitCode()).as(reference.messages()).isZero();

        Map<String, VectorRow> expected = Outputs.rows(clean, "features").stream()
                .collect(Collectors.toMap(VectorRow::path, r -> r));
        List<VectorRow> rows = Outputs.rows(out, "features");
        assertThat(rows).extracting(VectorRow::path).doesNotHaveDuplicates()
                .containsExactlyInAnyOrderElementsOf(Outputs.images(in));
        for (VectorRow row : rows) {
            VectorRow want = expected.get(row.path());
            assertThat(row.label()).isEqualTo(want.label());
            assertThat(row.values()).hasSize(64);
            for (int i = 0; i < 64; i++) {
                assertThat((double) Math.abs(row.values()[i] - want.values()[i])).isLessThanOrEqualTo(1e-5);
            }
        }
        assertThat(out.resolve("pca")).doesNotExist();
        try (Stream<Path> all = Files.walk(out)) {
            assertThat(all.filter(p -> p.toString().endsWith(".stats")).toList()).as("statistics files").isEmpty();
        }
    }

    private static String[] srpJob(Path in, Path out, String... extra) {
        List<String> args = new ArrayList<>(List.of("run", "--input", in.toString(), "--output", out.toString(),
                "--model", JobRun.model(), "--reduce", "srp", "--srp-dim", "64", "--unit-size", "5", "--batch-size", "4"));
        args.addAll(List.of(extra));
        return args.toArray(String[]::new);
    }

    /** SHA-256 of each file in {@code dir}, by name. */
    private static Map<String, String> digests(Path dir) throws Exception {
        Map<String, String> digests = new java.util.TreeMap<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.getFileName().toString().endsWith(".parquet")).toList()) {
                digests.put(f.getFileName().toString(), java.util.HexFormat.of().formatHex(
                        java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(f))));
            }
        }
        return digests;
    }

    /** pca/ rows: the same paths and, component by component, the same projections (the same PCA, up to rounding). */
    private static void assertSameProjections(Path actual, Path reference) throws Exception {
        Map<String, float[]> expected = Outputs.rows(reference, "pca").stream()
                .collect(Collectors.toMap(VectorRow::path, VectorRow::values));
        List<VectorRow> rows = Outputs.rows(actual, "pca");
        assertThat(rows).hasSize(expected.size());
        for (VectorRow row : rows) {
            float[] want = expected.get(row.path());
            for (int i = 0; i < want.length; i++) {
                assertThat((double) Math.abs(row.values()[i] - want[i])).as("%s component %d", row.path(), i)
                        .isLessThanOrEqualTo(1e-4 * (1 + Math.abs(want[i])));
            }
        }
    }

    /** The merge of the current generation's part statistics gives its PCA model (within 1e-9). */
    private static void assertPartStatisticsAreTheModels(Path out) throws Exception {
        Path current = out.resolve("_orchard/CURRENT"); // absent: generation 0, whose bookkeeping is _orchard/'s own
        int g = Files.exists(current) ? Integer.parseInt(Files.readString(current).trim()) : 0;
        Path parts = out.resolve(g == 0 ? "_orchard/parts" : String.format("_orchard/gen-%06d/parts", g));
        CovariancePartial total = null;
        try (Stream<Path> files = Files.list(parts)) {
            for (Path f : files.sorted().toList()) {
                CovariancePartial p = CovariancePartial.decode(Files.readAllBytes(f));
                if (total == null) {
                    total = p;
                } else {
                    total.merge(p);
                }
            }
        }
        PcaModel model = Outputs.pca(out);
        PcaModel refit = PrincipalComponents.fit(total, model.k());
        assertThat(refit.count()).isEqualTo(model.count());
        for (int c = 0; c < model.k(); c++) {
            assertThat(Math.abs(refit.eigenvalues()[c] - model.eigenvalues()[c]) / model.eigenvalues()[c])
                    .isLessThanOrEqualTo(1e-9);
        }
    }

    /** The files below {@code dir} (none when it does not exist). */
    static List<Path> files(Path dir) throws Exception {
        if (!Files.exists(dir)) {
            return List.of();
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile).toList();
        }
    }

    static Map<String, String> errors(Path out) throws Exception {
        Map<String, String> errors = new HashMap<>();
        try (CSVParser csv = CSVParser.parse(out.resolve("errors.csv"), java.nio.charset.StandardCharsets.UTF_8,
                CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).get())) {
            for (CSVRecord r : csv) {
                errors.put(r.get("path"), r.get("reason"));
            }
        }
        return errors;
    }

    static Set<String> pcaCsvPaths(Path out) throws Exception {
        Set<String> paths = new TreeSet<>();
        try (CSVParser csv = CSVParser.parse(out.resolve("pca.csv"), java.nio.charset.StandardCharsets.UTF_8,
                CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).get())) {
            for (CSVRecord r : csv) {
                paths.add(r.get("filename"));
            }
        }
        return paths;
    }
}
