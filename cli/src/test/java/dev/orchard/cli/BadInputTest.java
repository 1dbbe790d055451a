package dev.orchard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each kind of bad input stops the job before work starts, with a message naming the input and the fix. */
class BadInputTest {

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

    private JobRun run(String... args) {
        String[] all = new String[args.length + 1];
        all[0] = "run";
        System.arraycopy(args, 0, all, 1, args.length);
        return JobRun.of(temp.resolve("out"), all);
    }

    @Test
    void missingOrEmptyInput() throws Exception {
        JobRun missing = run("--input", temp.resolve("nope").toString(), "--output", temp.resolve("o1").toString());
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.messages()).contains("does not exist").contains("nope");

        JobRun noManifest = run("--input-manifest", temp.resolve("none.txt").toString(), "--output",
                temp.resolve("o0").toString());
        assertThat(noManifest.exitCode()).as(noManifest.messages()).isEqualTo(2);
        assertThat(noManifest.messages()).contains("--input-manifest " + temp.resolve("none.txt") + " does not exist");
        assertThat(temp.resolve("o0")).doesNotExist();
        JobRun noParquet = run("--input-manifest", temp.resolve("none.parquet").toString(), "--output",
                temp.resolve("o0").toString());
        assertThat(noParquet.exitCode()).as(noParquet.messages()).isEqualTo(2);
        assertThat(noParquet.messages()).contains("--input-manifest " + temp.resolve("none.parquet") + " does not exist");

        Files.createDirectories(temp.resolve("empty"));
        Files.writeString(temp.resolve("empty/readme.txt"), "no images here");
        JobRun empty = run("--input", temp.resolve("empty").toString(), "--output", temp.resolve("o2").toString());
        assertThat(empty.exitCode()).isEqualTo(2);
        assertThat(empty.messages()).contains("holds no images");
    }

    /** Options that made no sense were taken (--srp-eps 2 failed deep in the job; --label-from alone did nothing). */
    @Test
    void optionsOutOfRangeOrWithoutWhatTheyModifyAreRefusedNamed() throws Exception {
        Path in = fruit(1);
        JobRun eps = run("--input", in.toString(), "--output", temp.resolve("o8").toString(), "--reduce", "srp",
                "--srp-eps", "2");
        assertThat(eps.exitCode()).as(eps.messages()).isEqualTo(2);
        assertThat(eps.messages()).contains("--srp-eps must lie strictly between 0 and 1");
        assertThat(temp.resolve("o8")).doesNotExist();
        JobRun from = run("--input", in.toString(), "--output", temp.resolve("o9").toString(), "--label-from", "folder");
        assertThat(from.exitCode()).as(from.messages()).isEqualTo(2);
        assertThat(from.messages()).contains("--label-from folder names what --label-regex reads");
        JobRun noLabels = run("--input", in.toString(), "--output", temp.resolve("o10").toString(), "--no-labels",
                "--label-from", "folder");
        assertThat(noLabels.exitCode()).as(noLabels.messages()).isEqualTo(2);
        assertThat(noLabels.messages()).contains("--no-labels and --label-from contradict each other");
        assertThat(temp.resolve("o10")).doesNotExist();
        assertThat(temp.resolve("o9")).doesNotExist();
        // A projection to more dimensions than the features have, and a PCA size for a job that fits none, were
        // taken (the first with a warning to "use a larger eps" the user had not given).
        JobRun wide = run("--input", in.toString(), "--output", temp.resolve("o10").toString(), "--reduce", "srp",
                "--srp-dim", "4000", "--model", JobRun.model());
        assertThat(wide.exitCode()).as(wide.messages()).isEqualTo(2);
        assertThat(wide.messages()).contains("--srp-dim 4000 is not below the feature dimension 1280");
        assertThat(temp.resolve("o10")).doesNotExist();
        JobRun k = run("--input", in.toString(), "--output", temp.resolve("o11").toString(), "--reduce", "srp",
                "--srp-dim", "8", "--pca-k", "7", "--model", JobRun.model());
        assertThat(k.exitCode()).as(k.messages()).isEqualTo(2);
        assertThat(k.messages()).contains("--pca-k is for --reduce pca or srp+pca");
        assertThat(temp.resolve("o11")).doesNotExist();
    }

    /** The job's first line said "1280-d features" where features/ held the projected ones. */
    @Test
    void theFirstLineSaysWhatTheFeaturesAreProjectedTo() throws Exception {
        JobRun srp = run("--input", fruit(2).toString(), "--output", temp.resolve("srp").toString(), "--reduce", "srp",
                "--srp-dim", "8", "--model", JobRun.model());
        assertThat(srp.exitCode()).as(srp.messages()).isZero();
        assertThat(srp.messages()).contains("projected to 8-d by a sparse random projection (seed 42)");
    }

    /**
     * A manifest given as a pipe ({@code <(…)}) was read twice, the second time empty: "No images found", and a record
     * of an empty manifest in the output (a user's walk). (Arguments that are not UTF-8: LauncherIT.)
     */
    @Test
    void aManifestThatIsAPipeOrAFolderIsRefusedBeforeAnythingIsWritten() throws Exception {
        Path pipe = temp.resolve("list");
        assertThat(new ProcessBuilder("mkfifo", pipe.toString()).inheritIO().start().waitFor()).isZero();
        JobRun piped = run("--input-manifest", pipe.toString(), "--output", temp.resolve("o1").toString());
        assertThat(piped.exitCode()).as(piped.messages()).isEqualTo(2);
        assertThat(piped.messages()).contains("--input-manifest " + pipe + " is not a regular file")
                .contains("write the list to a file");
        assertThat(temp.resolve("o1")).doesNotExist();
        Path lists = Files.createDirectories(temp.resolve("lists"));
        JobRun folder = run("--input-manifest", lists.toString(), "--output", temp.resolve("o1").toString());
        assertThat(folder.exitCode()).as(folder.messages()).isEqualTo(2);
        assertThat(folder.messages()).contains("--input-manifest " + lists + " is a folder: give the file that lists");
    }

    /** S3 took a ".." in a key literally: the job failed with a 400 once its output was written (a user's walk). */
    @Test
    void anS3LocationWithADotSegmentIsRefusedBeforeAnyRequest() throws Exception {
        JobRun out = run("--input", fruit(1).toString(), "--output", "s3://bucket/a/../b");
        assertThat(out.exitCode()).as(out.messages()).isEqualTo(2);
        assertThat(out.messages()).contains("s3://bucket/a/../b has a '..' segment").contains("such as s3://bucket/b");
        JobRun in = run("--input", "s3://bucket/./in/", "--output", temp.resolve("o12").toString());
        assertThat(in.exitCode()).as(in.messages()).isEqualTo(2);
        assertThat(in.messages()).contains("s3://bucket/./in/ has a '.' segment");
        assertThat(temp.resolve("o12")).doesNotExist();
    }

    @Test
    void unknownJpegDecoder() throws Exception {
        JobRun bad = run("--input", fruit(1).toString(), "--output", temp.resolve("o").toString(), "--jpeg-decoder", "libjpeg");
        assertThat(bad.exitCode()).isEqualTo(2);
        assertThat(bad.messages()).contains("--jpeg-decoder libjpeg").contains("auto, turbojpeg or imageio");
        assertThat(temp.resolve("o")).doesNotExist();
    }

    @Test
    void nonEmptyOrUnwritableOutput() throws Exception {
        Path in = fruit(3);
        Path out = temp.resolve("used");
        Files.createDirectories(out);
        Files.writeString(out.resolve("old.txt"), "an earlier job");
        JobRun refused = run("--input", in.toString(), "--output", out.toString(), "--pca-k", "2", "--model", JobRun.model());
        assertThat(refused.exitCode()).isEqualTo(2);
        assertThat(refused.messages()).contains("is not empty").contains("--overwrite");
        assertThat(out.resolve("old.txt")).exists();

        // --overwrite deletes only an earlier job's results, and only once every other check has passed: a typo
        // keeps the old results.
        JobRun notOurs = run("--input", in.toString(), "--output", out.toString(), "--overwrite", "--model", JobRun.model());
        assertThat(notOurs.exitCode()).isEqualTo(2);
        assertThat(notOurs.messages()).contains("--overwrite refused").contains("old.txt");
        assertThat(out.resolve("old.txt")).exists();
        Path earlier = temp.resolve("earlier");
        OutputCheck.prepare(new dev.orchard.store.LocalObjectStore(), dev.orchard.store.Location.local(earlier), false, "test");
        Files.writeString(earlier.resolve("pca.csv"), "an earlier job's results");
        JobRun typo = run("--input", in.toString(), "--output", earlier.toString(), "--overwrite", "--pca-k", "2000",
                "--model", JobRun.model());
        assertThat(typo.exitCode()).isEqualTo(2);
        assertThat(typo.messages()).contains("--pca-k 2000");
        assertThat(earlier.resolve("pca.csv")).hasContent("an earlier job's results");
        JobRun noModel = run("--input", in.toString(), "--output", earlier.toString(), "--overwrite",
                "--model", temp.resolve("missing.onnx").toString());
        assertThat(noModel.exitCode()).isEqualTo(2);
        assertThat(earlier.resolve("pca.csv")).hasContent("an earlier job's results");

        Path file = temp.resolve("a-file");
        Files.writeString(file, "x");
        JobRun unwritable = run("--input", in.toString(), "--output", file.resolve("sub").toString(), "--model", JobRun.model(),
                "--pca-k", "1");
        assertThat(unwritable.exitCode()).isNotZero();
        assertThat(unwritable.messages()).contains("Cannot write to output folder");
    }

    @Test
    void missingModelOrFeatureTensor() throws Exception {
        Path in = fruit(3);
        JobRun missing = run("--input", in.toString(), "--output", temp.resolve("o3").toString(),
                "--model", temp.resolve("missing.onnx").toString());
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.messages()).contains("missing.onnx").contains("mobilenetv2-12.onnx");
        // A folder given for the model: it said "Is a directory" and exited 1 (a user's walk).
        JobRun folder = run("--input", in.toString(), "--output", temp.resolve("o3f").toString(),
                "--model", in.toString());
        assertThat(folder.exitCode()).as(folder.messages()).isEqualTo(2);
        assertThat(folder.messages()).contains("The model " + in + " (--model, or else $ORCHARD_MODEL) is a folder: give"
                + " the ONNX model file");

        JobRun tensor = run("--input", in.toString(), "--output", temp.resolve("o4").toString(),
                "--model", JobRun.model(), "--feature-tensor", "pool9");
        assertThat(tensor.exitCode()).isEqualTo(2);
        assertThat(tensor.messages()).contains("no tensor 'pool9'").contains("627");
    }

    @Test
    void pcaKLargerThanTheDimensionOrTheImageCount() throws Exception {
        Path in = fruit(3);
        // A listing problem after the images (a dangling link) is in errors.csv once. (A resume after the listing-time
        // k check listed it again, twice in errors.csv; that check comes before anything is written now, and the
        // protocol simulator holds the resume: its listings report such problems.)
        Files.createSymbolicLink(in.resolve("Kiwi/zz-dangling.jpg"), temp.resolve("nowhere.jpg"));
        JobRun tooWide = run("--input", in.toString(), "--output", temp.resolve("o5").toString(),
                "--model", JobRun.model(), "--pca-k", "2000");
        assertThat(tooWide.exitCode()).isEqualTo(2);
        assertThat(tooWide.messages()).contains("--pca-k 2000 is larger than the feature dimension 1280");

        // Refused before anything is written: a first run counts k images of its input first.
        JobRun tooFew = run("--input", in.toString(), "--output", temp.resolve("o6").toString(),
                "--model", JobRun.model(), "--pca-k", "5");
        assertThat(tooFew.exitCode()).isEqualTo(2);
        assertThat(tooFew.messages()).contains("--pca-k 5 is larger than the number of images in --input " + in + " (3):"
                + " choose k ≤ 2 (3 images span at most 2 directions; k = 3 also runs, but its last component is then arbitrary).");
        assertThat(temp.resolve("o6")).doesNotExist();
        // What it says works.
        JobRun advised = run("--input", in.toString(), "--output", temp.resolve("o6").toString(),
                "--model", JobRun.model(), "--pca-k", "2");
        assertThat(advised.exitCode()).as(advised.messages()).isZero();
        assertThat(Outputs.success(temp.resolve("o6")).at("/pca/k").asInt()).isEqualTo(2);
        assertThat(Files.readAllLines(temp.resolve("o6/errors.csv"))).hasSize(2)
                .last().asString().startsWith(in.resolve("Kiwi/zz-dangling.jpg") + ",skipped: symbolic link");
        // --overwrite with the default k of 50 deleted this good output, then failed on the image count (the README
        // walk): refused first now, and the output is as it was.
        JobRun overwrite = run("--input", in.toString(), "--output", temp.resolve("o6").toString(),
                "--model", JobRun.model(), "--overwrite");
        assertThat(overwrite.exitCode()).isEqualTo(2);
        assertThat(overwrite.messages()).contains("--pca-k 50 is larger than the number of images in --input " + in
                + " (3): choose k ≤ 2 (3 images span at most 2 directions; k = 3 also runs, but its last component is then arbitrary); 50 is the default. Nothing was deleted.");
        assertThat(Outputs.success(temp.resolve("o6")).at("/pca/k").asInt()).isEqualTo(2);
        // One image, with the k that the advice for it would have been: refused before deleting too (the review).
        Path one = temp.resolve("one/Kiwi");
        Files.createDirectories(one);
        try (Stream<Path> files = Files.list(in.resolve("Kiwi"))) {
            Path image = files.filter(f -> !f.getFileName().toString().startsWith("zz")).findFirst().orElseThrow();
            Files.copy(image, one.resolve(image.getFileName()));
        }
        JobRun single = run("--input", temp.resolve("one").toString(), "--output", temp.resolve("o6").toString(),
                "--model", JobRun.model(), "--pca-k", "1", "--overwrite");
        assertThat(single.exitCode()).isEqualTo(2);
        assertThat(single.messages()).contains("PCA needs at least 2 images; --input " + temp.resolve("one") + " holds 1."
                + " Nothing was deleted.");
        assertThat(Outputs.success(temp.resolve("o6")).at("/pca/k").asInt()).isEqualTo(2);
        // --resume where there is nothing to resume is a first run: counted as one, nothing written.
        JobRun fresh = run("--input", in.toString(), "--output", temp.resolve("o8").toString(), "--model",
                JobRun.model(), "--resume");
        assertThat(fresh.exitCode()).isEqualTo(2);
        assertThat(fresh.messages()).contains("--pca-k 50 is larger than the number of images in --input");
        assertThat(temp.resolve("o8")).doesNotExist();
        // A finished job keeps its k: --resume with another one is refused, as any other difference.
        JobRun finished = run("--input", in.toString(), "--output", temp.resolve("o6").toString(),
                "--model", JobRun.model(), "--pca-k", "1", "--resume");
        assertThat(finished.exitCode()).isEqualTo(2);
        assertThat(finished.messages()).contains("--resume refused", "--pca-k: was 2, now 1");
    }

    /**
     * A --glob that leaves too few images says what it left out and how a pattern is matched, in a first run and in an
     * update alike. An update with a mistyped --glob said only "PCA needs at least 2 images; the input holds 1", and
     * stood recorded: the command meant was refused as "in progress with other options" (a walk). It is refused before
     * it is recorded now.
     */
    @Test
    void aGlobThatLeavesTooFewImagesSaysWhatItLeftOut() throws Exception {
        Path in = fruit(3);
        String leftOut = "left out 3 files below --input (not hidden), e.g. 'Kiwi/";
        String how = "a pattern without '/' is matched against each file's name, one with '/' against its path below"
                + " --input (such as 'Apple*/*.jpg'). Check the pattern, quoted so that the shell passes it as it is.";
        JobRun none = run("--input", in.toString(), "--output", temp.resolve("o14").toString(), "--glob", "*.jpeg");
        assertThat(none.exitCode()).as(none.messages()).isEqualTo(2);
        assertThat(none.messages()).contains("--input " + in + " holds no images matching --glob", "--glob '*.jpeg' "
                + leftOut, how);
        String one = "Kiwi/3_100.jpg";
        JobRun single = run("--input", in.toString(), "--output", temp.resolve("o14").toString(), "--model",
                JobRun.model(), "--glob", one);
        assertThat(single.exitCode()).as(single.messages()).isEqualTo(2);
        assertThat(single.messages()).contains("PCA needs at least 2 images; --input " + in + " holds 1. --glob '" + one
                + "' left out 2 files below --input (not hidden), e.g. 'Kiwi/", how);
        assertThat(temp.resolve("o14")).doesNotExist();

        Path out = temp.resolve("o15");
        assertThat(run("--input", in.toString(), "--output", out.toString(), "--model", JobRun.model(), "--pca-k", "1")
                .exitCode()).isZero();
        Files.copy(JobRun.shared().resolve("data/fruits360-sample/Lemon").resolve("324_100.jpg"),
                in.resolve("Kiwi/new.jpg"));
        JobRun updateOne = run("--input", in.toString(), "--output", out.toString(), "--model", JobRun.model(),
                "--update", "--glob", "new.jpg");
        assertThat(updateOne.exitCode()).as(updateOne.messages()).isEqualTo(2);
        assertThat(updateOne.messages()).contains("PCA needs at least 2 images; --input " + in + " holds 1. An update's"
                + " rows are those of the images its input holds; nothing was recorded. --glob 'new.jpg' " + leftOut, how);
        JobRun updateNone = run("--input", in.toString(), "--output", out.toString(), "--model", JobRun.model(),
                "--update", "--glob", "*.jpeg");
        assertThat(updateNone.exitCode()).as(updateNone.messages()).isEqualTo(2);
        assertThat(updateNone.messages()).contains("--glob '*.jpeg' left out 4 files below --input", how);
        JobRun meant = run("--input", in.toString(), "--output", out.toString(), "--model", JobRun.model(), "--update");
        assertThat(meant.exitCode()).as("the command meant, not refused as another in progress: " + meant.messages())
                .isZero();
        assertThat(Outputs.success(out).at("/counts/rows").asLong()).isEqualTo(4);
    }

    /**
     * An update whose input was down to one image failed at its solve, after its listing was journalled complete: the
     * same command never listed the input again, however many images were added (stuck until --overwrite; the
     * incremental helper's walk). It is refused before it is recorded now, and goes on once the input holds more.
     */
    @Test
    void anUpdateOfOneImageSaysSoAndGoesOnOnceThereAreMore() throws Exception {
        Path in = fruit(3);
        Path out = temp.resolve("o13");
        String[] update = {"--input", in.toString(), "--output", out.toString(), "--model", JobRun.model(), "--pca-k",
                "1", "--update"};
        assertThat(run(java.util.Arrays.copyOf(update, 8)).exitCode()).isZero();
        List<Path> kiwis;
        try (Stream<Path> files = Files.list(in.resolve("Kiwi"))) {
            kiwis = files.sorted().toList();
        }
        Files.delete(kiwis.get(1));
        Files.delete(kiwis.get(2));
        JobRun one = run(update);
        assertThat(one.exitCode()).as(one.messages()).isEqualTo(2);
        assertThat(one.messages()).contains("PCA needs at least 2 images; --input " + in + " holds 1. An update's rows"
                + " are those of the images its input holds; nothing was recorded.");
        Files.copy(JobRun.shared().resolve("data/fruits360-sample/Kiwi").resolve(kiwis.get(1).getFileName()), kiwis.get(1));
        JobRun two = run(update);
        assertThat(two.exitCode()).as(two.messages()).isZero();
        assertThat(Outputs.success(out).at("/counts/rows").asLong()).isEqualTo(2);
        assertThat(Outputs.success(out).at("/generation").asInt()).isEqualTo(1);
    }

    /**
     * An update whose input holds fewer images than its k fails; it goes on with a smaller k (it has not published),
     * or with the same command once there are k images. Both as the message says.
     */
    @Test
    void anUpdateWithFewerImagesThanItsKSaysHowToGoOn() throws Exception {
        Path in = fruit(3);
        Path out = temp.resolve("o10");
        assertThat(run("--input", in.toString(), "--output", out.toString(), "--model", JobRun.model(), "--pca-k", "2")
                .exitCode()).isZero();
        String[] update = {"--input", in.toString(), "--output", out.toString(), "--model", JobRun.model(), "--pca-k",
                "5", "--update"};
        JobRun tooFew = run(update);
        assertThat(tooFew.exitCode()).as(tooFew.messages()).isEqualTo(2);
        assertThat(tooFew.messages()).contains("--pca-k 5 is larger than the number of images (3)")
                .contains("run this update again with it", "once the input holds at least 5 images");
        // Another k goes on: the update has not published its parts.
        String[] smaller = update.clone();
        smaller[7] = "3";
        JobRun withSmallerK = run(smaller);
        assertThat(withSmallerK.exitCode()).as(withSmallerK.messages()).isZero();
        assertThat(Outputs.success(out).at("/pca/k").asInt()).isEqualTo(3);
        assertThat(Outputs.success(out).at("/generation").asInt()).isEqualTo(1);
        Path src = JobRun.shared().resolve("data/fruits360-sample/Lemon");
        try (Stream<Path> files = Files.list(src)) {
            for (Path p : files.sorted().limit(2).toList()) {
                Files.copy(p, in.resolve("Kiwi").resolve("lemon-" + p.getFileName()));
            }
        }
        JobRun goesOn = run(update); // the next update, with k = 5 once there are 5 images
        assertThat(goesOn.exitCode()).as(goesOn.messages()).isZero();
        assertThat(Outputs.success(out).at("/counts/rows").asLong()).isEqualTo(5);
        assertThat(Outputs.success(out).at("/pca/k").asInt()).isEqualTo(5);
    }

    /** A --label-regex that matched no name gave a whole output of unlabelled rows, and nothing said so. */
    @Test
    void rowsALabelRegexLeftUnlabelledAreCountedAndWarnedAbout() throws Exception {
        fruit(4);
        Logged logged = Logged.during(dev.orchard.coordinator.Coordinator.class,
                () -> run("--input", temp.resolve("in").toString(), "--output", temp.resolve("out").toString(), "--model",
                        JobRun.model(), "--pca-k", "2", "--label-regex", "^(zzz)"),
                () -> JobRun.of(null, "run", "--input", temp.resolve("in").toString(), "--output",
                        temp.resolve("out2").toString(), "--model", JobRun.model(), "--pca-k", "2", "--no-labels"));
        JobRun none = logged.runs().get(0);
        JobRun noLabels = logged.runs().get(1);
        assertThat(none.exitCode()).as(none.messages()).isZero();
        assertThat(noLabels.exitCode()).as(noLabels.messages()).isZero();
        assertThat(Outputs.success(temp.resolve("out")).at("/counts/unlabelled").asLong()).isEqualTo(4);
        assertThat(Outputs.success(temp.resolve("out2")).at("/counts/unlabelled").asLong()).isEqualTo(4);
        assertThat(logged.lines()).filteredOn(m -> m.contains("have no label"))
                .singleElement().asString().startsWith("4 rows this run wrote have no label: --label-regex '^(zzz)'"
                        + " over the file names did not match");
    }

    /**
     * Copies of one image gave an all-zero PCA that "explains 0.0% of variance", and nothing said why; a k past what
     * the images span (k = n) gave an arbitrary last component as silently.
     */
    @Test
    void componentsThatExplainNoVarianceAreWarnedAbout() throws Exception {
        Path in = fruit(1);
        Path one;
        try (var files = Files.list(in.resolve("Kiwi"))) {
            one = files.findFirst().orElseThrow();
        }
        Files.copy(one, in.resolve("Kiwi/copy-1.jpg"));
        Files.copy(one, in.resolve("Kiwi/copy-2.jpg"));
        Path other = temp.resolve("in3");
        Files.createDirectories(other.resolve("Kiwi"));
        try (var files = Files.list(JobRun.shared().resolve("data/fruits360-sample/Kiwi"))) {
            for (Path p : files.sorted().limit(3).toList()) {
                Files.copy(p, other.resolve("Kiwi").resolve(p.getFileName()));
            }
        }
        Logged logged = Logged.during(dev.orchard.coordinator.outputs.JobOutputs.class,
                () -> run("--input", in.toString(), "--output", temp.resolve("out").toString(), "--model", JobRun.model(),
                        "--pca-k", "2"),
                () -> JobRun.of(null, "run", "--input", other.toString(), "--output", temp.resolve("out3").toString(),
                        "--model", JobRun.model(), "--pca-k", "3"));
        assertThat(logged.runs()).allSatisfy(r -> assertThat(r.exitCode()).as(r.messages()).isZero());
        assertThat(logged.lines()).filteredOn(m -> m.startsWith("PCA:"))
                .containsExactly("PCA: the features of all 3 readable images are the same, so no component explains any"
                                + " variance and every image's projection is 0 (are the images copies of one image?)",
                        "PCA: only the first 2 of the k = 3 components explain variance: the features of the 3 readable"
                                + " images vary along 2 independent directions (n images span at most n - 1), so"
                                + " component 3 has an arbitrary direction and every image's projection on it is ~0."
                                + " --pca-k 2 keeps only the meaningful ones.");
    }

    /** The failure names the first 10 images it could not use, by path, and says there are more. */
    @Test
    void tooFewReadableImagesNamesTheFirstTenOfMore() throws Exception {
        Path in = fruit(1);
        for (int i = 0; i < 11; i++) {
            Files.writeString(in.resolve("Kiwi").resolve(String.format("bad-%02d.jpg", i)), "not a JPEG");
        }
        JobRun run = run("--input", in.toString(), "--output", temp.resolve("o12").toString(), "--model", JobRun.model(),
                "--pca-k", "1");
        assertThat(run.exitCode()).as(run.messages()).isEqualTo(2);
        assertThat(run.messages()).contains("11 files could not be used, the first 10: " + in.resolve("Kiwi/bad-00.jpg"))
                .contains(in.resolve("Kiwi/bad-09.jpg").toString()).doesNotContain(in.resolve("Kiwi/bad-10.jpg").toString())
                .contains("; …");
    }

    /**
     * A job left with fewer than two readable images fails, and a failed job writes no errors.csv: its message names
     * the images it could not use and why (it said "Check the input and errors.csv", a file that was never written).
     */
    @Test
    void tooFewReadableImagesForAPcaNamesTheImagesRefusedAndWhy() throws Exception {
        Path in = fruit(1);
        Path image;
        try (Stream<Path> files = Files.list(in.resolve("Kiwi"))) {
            image = files.findFirst().orElseThrow();
        }
        Path gone = in.resolve("Kiwi/gone.jpg");
        Path manifest = Files.writeString(temp.resolve("two.txt"), image + "\n" + gone + "\n");
        JobRun run = run("--input-manifest", manifest.toString(), "--output", temp.resolve("o7").toString(),
                "--model", JobRun.model(), "--pca-k", "1");
        assertThat(run.exitCode()).as(run.messages()).isEqualTo(2);
        assertThat(run.messages()).contains("PCA needs at least 2 readable images; this job has 1: run it again on an"
                        + " input with more readable images, or, where a decode limit (--max-pixels, --max-decode-mib,"
                        + " --max-object-bytes) refused those below, with one that admits them (--overwrite replaces this"
                        + " output)."
                        + " 1 file could not be used: " + gone + " (")
                .doesNotContain("errors.csv");
        // What it says works.
        Path other;
        try (Stream<Path> files = Files.list(JobRun.shared().resolve("data/fruits360-sample/Kiwi"))) {
            other = files.sorted().skip(1).findFirst().orElseThrow();
        }
        Path more = Files.writeString(temp.resolve("three.txt"), image + "\n" + gone + "\n" + other + "\n");
        JobRun again = run("--input-manifest", more.toString(), "--output", temp.resolve("o7").toString(),
                "--model", JobRun.model(), "--pca-k", "1", "--overwrite");
        assertThat(again.exitCode()).as(again.messages()).isZero();
    }

    /**
     * The listing checks k against the files it found; when some cannot be read, the solve finds fewer. It said "--pca-k
     * 5 is larger than the number of images 3" and ran the refused images' list into it; its advice counted files, and
     * following it failed a second time (a helper's corpus).
     */
    @Test
    void pcaKLargerThanTheReadableImagesSaysHowManyCouldBeReadAndHowToGoOn() throws Exception {
        Path in = fruit(3);
        Files.write(in.resolve("Kiwi/empty.jpg"), new byte[0]);
        Files.writeString(in.resolve("Kiwi/notes.jpg"), "not a picture");
        Path out = temp.resolve("o11");
        JobRun tooFew = run("--input", in.toString(), "--output", out.toString(), "--model", JobRun.model(),
                "--pca-k", "4");
        assertThat(tooFew.exitCode()).as(tooFew.messages()).isEqualTo(2);
        assertThat(tooFew.messages()).contains("--pca-k 4 is larger than the number of readable images (3): choose k ≤ 2"
                + " (3 images span at most 2 directions; k = 3 also runs, but its last component is then arbitrary) and go on with --resume and the new --pca-k (a job that has not published takes another k). 2 files"
                + " could not be used: " + in.resolve("Kiwi/empty.jpg") + " (");
        Logged logged = Logged.during(dev.orchard.coordinator.Coordinator.class,
                () -> run("--input", in.toString(), "--output", out.toString(), "--model", JobRun.model(),
                        "--pca-k", "2", "--resume"));
        JobRun advised = logged.runs().get(0);
        assertThat(advised.exitCode()).as(advised.messages()).isZero();
        assertThat(Outputs.success(out).at("/pca/k").asInt()).isEqualTo(2);
        // Its listing was complete: it finishes what that found, and says how changes since are taken in.
        assertThat(logged.lines()).contains("The input was listed before this job"
                + " stopped, and it finishes what that listing found: images added, changed or removed since are not in"
                + " it. If the input changed, run the command with --update once this one has finished.");
    }
}
