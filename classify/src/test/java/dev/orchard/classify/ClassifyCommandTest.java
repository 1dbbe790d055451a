package dev.orchard.classify;

import static org.assertj.core.api.Assertions.assertThat;

import dev.orchard.store.DisplayWidth;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ClassifyCommandTest {

    @TempDir
    Path dir;

    @Test
    void runsAPairAndPrintsTheReport() throws Exception {
        Path job = JobOutputFixture.write(dir.resolve("job"), "features",
                JobOutputFixture.clusters(List.of("Apple Red 1", "Banana", "Kiwi"), 20, 8, 5, 5), 2);
        Result r = run("--input", job.toString(), "--train-per-class", "10", "--seed", "42",
                "--pair", "Apple Red 1", "Banana", "--classifier", "svm");

        assertThat(r.code).as(r.err).isZero();
        assertThat(r.out).contains("pair 'Apple Red 1' vs 'Banana' · linear SVM on features (8-d), seed 42",
                "test accuracy", "confusion matrix", "1 Apple Red 1", "2 Banana", "precision  recall");
        assertThat(Files.exists(job.resolve("classify-pair/classifier.json"))).isTrue();
    }

    /** A second pair was taken and ignored; a second training replaced the first one's classifier unasked. */
    @Test
    void oneRunTrainsOnePairAndReplacesAnEarlierClassifierOnlyWhenAsked() throws Exception {
        Path job = JobOutputFixture.write(dir.resolve("job"), "features",
                JobOutputFixture.clusters(List.of("Apple Red 1", "Banana", "Kiwi"), 20, 8, 5, 5), 2);
        Result twoPairs = run("--input", job.toString(), "--train-per-class", "10", "--pair", "Apple Red 1", "Banana",
                "--pair", "Banana", "Kiwi");
        assertThat(twoPairs.code).isEqualTo(2);
        assertThat(twoPairs.err).contains("--pair takes two classes, once", "Apple Red 1, Banana, Banana, Kiwi");
        assertThat(job.resolve("classify-pair")).doesNotExist();

        assertThat(run("--input", job.toString(), "--train-per-class", "10", "--pair", "Apple Red 1", "Banana").code)
                .isZero();
        byte[] first = Files.readAllBytes(job.resolve("classify-pair/classifier.json"));
        Result again = run("--input", job.toString(), "--train-per-class", "10", "--pair", "Banana", "Kiwi");
        assertThat(again.code).isEqualTo(2);
        assertThat(again.err).contains(job.resolve("classify-pair") + " holds a classifier trained earlier",
                "--overwrite", "--output DIR");
        assertThat(Files.readAllBytes(job.resolve("classify-pair/classifier.json"))).isEqualTo(first);
        Result replaced = run("--input", job.toString(), "--train-per-class", "10", "--pair", "Banana", "Kiwi",
                "--overwrite");
        assertThat(replaced.code).as(replaced.err).isZero();
        assertThat(replaced.out).contains("pair 'Banana' vs 'Kiwi'");
    }

    /**
     * A training --output of the job's folder replaced its report.html, one inside features/ left files there that
     * readers took for rows; an --apply --output naming a features part replaced the features (the classifier
     * helper's walk). Each is refused, --overwrite or not, and leaves the job's files as they were.
     */
    @Test
    void classifyNeverWritesOntoOrIntoTheJobsOwnFiles() throws Exception {
        Path job = JobOutputFixture.write(dir.resolve("job"), "features",
                JobOutputFixture.clusters(List.of("Apple Red 1", "Banana", "Kiwi"), 20, 8, 5, 5), 2);
        Files.writeString(job.resolve("report.html"), "the job's report");
        Path part = job.resolve("features/part-00000.parquet");
        byte[] features = Files.readAllBytes(part);
        Result intoJob = run("--input", job.toString(), "--train-per-class", "10", "--pair", "Banana", "Kiwi",
                "--output", job.toString(), "--overwrite");
        assertThat(intoJob.code).isEqualTo(2);
        assertThat(intoJob.err).contains("--output " + job + " is the job's own folder, where the classifier's"
                + " report.html would replace the job's");
        assertThat(job.resolve("report.html")).hasContent("the job's report");
        Result intoFeatures = run("--input", job.toString(), "--train-per-class", "10", "--pair", "Banana", "Kiwi",
                "--output", job.resolve("features").toString());
        assertThat(intoFeatures.code).isEqualTo(2);
        assertThat(intoFeatures.err).contains("--output " + job.resolve("features") + " is the job's own features,"
                + " which orchard classify never writes into");
        try (var files = Files.list(job.resolve("features"))) {
            assertThat(files.map(f -> f.getFileName().toString()).toList()).allMatch(n -> n.startsWith("part-"));
        }

        assertThat(run("--input", job.toString(), "--train-per-class", "10", "--pair", "Banana", "Kiwi").code).isZero();
        Result overPart = run("--input", job.toString(), "--apply", job.resolve("classify-pair/classifier.onnx").toString(),
                "--output", part.toString(), "--overwrite");
        assertThat(overPart.code).isEqualTo(2);
        assertThat(overPart.err).contains("--output " + part + " lies inside the job's own features");
        assertThat(Files.readAllBytes(part)).isEqualTo(features);
        Path model = dir.resolve("m.parquet"); // a predictions file must end in .parquet: a classifier named so
        // would be read, then replaced
        Files.copy(job.resolve("classify-pair/classifier.onnx"), model);
        byte[] modelBytes = Files.readAllBytes(model);
        Result overModel = run("--input", job.toString(), "--apply", model.toString(), "--output", model.toString(),
                "--overwrite");
        assertThat(overModel.code).isEqualTo(2);
        assertThat(overModel.err).contains("--output " + model + " is the classifier being applied");
        assertThat(Files.readAllBytes(model)).isEqualTo(modelBytes);
        byte[] trained = Files.readAllBytes(job.resolve("classify-pair/predictions.parquet"));
        Result overTraining = run("--input", job.toString(), "--apply", model.toString(), "--output",
                job.resolve("classify-pair/predictions.parquet").toString(), "--overwrite");
        assertThat(overTraining.code).isEqualTo(2);
        assertThat(overTraining.err).contains("is a training's own predictions, beside its classifier:");
        assertThat(Files.readAllBytes(job.resolve("classify-pair/predictions.parquet"))).isEqualTo(trained);
        // Deeper in the job's own classify-pair/ only a training's files go: anything else there made the job's
        // output refuse --overwrite as "files Orchard did not write" (the diff's review).
        Result nested = run("--input", job.toString(), "--train-per-class", "10", "--pair", "Banana", "Kiwi",
                "--output", job.resolve("classify-pair/sub").toString());
        assertThat(nested.code).isEqualTo(2);
        assertThat(nested.err).contains("--output " + job.resolve("classify-pair/sub") + " lies inside the job's own"
                + " classify-pair, where only a training's own files go");
        assertThat(job.resolve("classify-pair/sub")).doesNotExist();
        Result beside = run("--input", job.toString(), "--apply", model.toString(), "--output",
                job.resolve("classify-pair/preds-x.parquet").toString());
        assertThat(beside.code).isEqualTo(2);
        assertThat(beside.err).contains("lies inside the job's own classify-pair");
        assertThat(job.resolve("classify-pair/preds-x.parquet")).doesNotExist();
        // A user's own report.html, beside no classifier, is not replaced, --overwrite or not.
        Path reports = Files.createDirectories(dir.resolve("reports"));
        Files.writeString(reports.resolve("report.html"), "mine");
        Result overPage = run("--input", job.toString(), "--train-per-class", "10", "--pair", "Banana", "Kiwi",
                "--output", reports.toString(), "--overwrite");
        assertThat(overPage.code).isEqualTo(2);
        assertThat(overPage.err).contains(reports + " holds a report.html that orchard classify did not write");
        assertThat(reports.resolve("report.html")).hasContent("mine");
        // Nor beside a file named as a classifier that orchard classify did not write (a walk: --overwrite replaced
        // both a text file called classifier.onnx and the user's report.html).
        for (String name : List.of("classifier.onnx", "classifier.json")) {
            Path mine = Files.createDirectories(dir.resolve("mine-" + name));
            Files.writeString(mine.resolve(name), "mine");
            Files.writeString(mine.resolve("report.html"), "MY REPORT");
            Result overMine = trainPairInto(job, mine, true);
            assertThat(overMine.code).isEqualTo(2);
            assertThat(overMine.err).contains(mine + " holds a " + name + " that orchard classify did not write");
            assertThat(mine.resolve(name)).hasContent("mine");
            assertThat(mine.resolve("report.html")).hasContent("MY REPORT");
            // --apply may still write its own file there: nothing of the user's is replaced.
            Result applyThere = run("--input", job.toString(), "--apply", model.toString(), "--output",
                    mine.resolve("predictions.parquet").toString());
            assertThat(applyThere.code).as(applyThere.err).isZero();
        }
        // Orchard's classifier.onnx beside a foreign classifier.json: the message names the foreign one.
        Path mixed = Files.createDirectories(dir.resolve("mixed"));
        Files.copy(job.resolve("classify-pair/classifier.onnx"), mixed.resolve("classifier.onnx"));
        Files.writeString(mixed.resolve("classifier.json"), "mine");
        Result overMixed = trainPairInto(job, mixed, true);
        assertThat(overMixed.code).isEqualTo(2);
        assertThat(overMixed.err).contains(mixed + " holds a classifier.json that orchard classify did not write");
        assertThat(mixed.resolve("classifier.json")).hasContent("mine");
        // Beside a whole classifier of Orchard's, a report.html and a predictions.parquet are read too, not taken by
        // their names (a walk: --overwrite deleted the user's own page and annotated predictions there).
        for (String name : List.of("report.html", "predictions.parquet")) {
            Path annotated = Files.createDirectories(dir.resolve("annotated-" + name));
            for (String file : List.of("classifier.onnx", "classifier.json", "report.html", "predictions.parquet")) {
                Files.copy(job.resolve("classify-pair").resolve(file), annotated.resolve(file));
            }
            Files.writeString(annotated.resolve(name), "mine");
            Result overAnnotated = trainPairInto(job, annotated, true);
            assertThat(overAnnotated.code).isEqualTo(2);
            assertThat(overAnnotated.err).contains(annotated + " holds a " + name + " that orchard classify did not write");
            assertThat(annotated.resolve(name)).hasContent("mine");
        }
        // A training that stopped after its first write (predictions.parquet, the lock between trainings) left only
        // that: Orchard's by its footer, replaced with --overwrite (it was refused as someone else's, the review).
        Path stopped = Files.createDirectories(dir.resolve("stopped"));
        Files.copy(job.resolve("classify-pair/predictions.parquet"), stopped.resolve("predictions.parquet"));
        Result overStopped = trainPairInto(job, stopped, false);
        assertThat(overStopped.code).isEqualTo(2);
        assertThat(overStopped.err).contains(stopped + " holds the predictions of a training that stopped before its"
                + " classifier was written. Pass --overwrite");
        Result replacedStopped = trainPairInto(job, stopped, true);
        assertThat(replacedStopped.code).as(replacedStopped.err).isZero();
        assertThat(stopped.resolve("classifier.onnx")).exists();
        // A user's file of that name, not Parquet of Orchard's, is not replaced.
        Path theirs = Files.createDirectories(dir.resolve("theirs"));
        Files.writeString(theirs.resolve("predictions.parquet"), "mine");
        Result overTheirs = trainPairInto(job, theirs, true);
        assertThat(overTheirs.code).isEqualTo(2);
        assertThat(overTheirs.err).contains(theirs + " holds a predictions.parquet that orchard classify did not write");
        assertThat(theirs.resolve("predictions.parquet")).hasContent("mine");
        // Through a link, and into another Orchard output than the one read (the verifying helper's walk).
        Path link = Files.createSymbolicLink(dir.resolve("lnkF"), job.resolve("features"));
        Result viaLink = run("--input", job.toString(), "--train-per-class", "10", "--pair", "Banana", "Kiwi",
                "--output", link.toString());
        assertThat(viaLink.code).isEqualTo(2);
        assertThat(viaLink.err).contains("--output " + link + " is the job's own features");
        Path other = JobOutputFixture.write(dir.resolve("other"), "features",
                JobOutputFixture.clusters(List.of("Banana", "Kiwi"), 5, 8, 5, 5), 1);
        Files.createDirectories(other.resolve("_orchard"));
        Files.writeString(other.resolve("_orchard/job.json"), "{}");
        Files.writeString(other.resolve("report.html"), "the other job's report");
        Result intoOther = run("--input", job.toString(), "--train-per-class", "10", "--pair", "Banana", "Kiwi",
                "--output", other.resolve("features").toString());
        assertThat(intoOther.code).isEqualTo(2);
        assertThat(intoOther.err).contains("is the Orchard output " + other + "'s own features");
        Result otherRoot = run("--input", job.toString(), "--train-per-class", "10", "--pair", "Banana", "Kiwi",
                "--output", other.toString(), "--overwrite");
        assertThat(otherRoot.code).isEqualTo(2);
        assertThat(otherRoot.err).contains("is the folder of the Orchard output " + other);
        assertThat(other.resolve("report.html")).hasContent("the other job's report");
        Result otherPca = run("--input", job.toString(), "--apply", job.resolve("classify-pair/classifier.onnx").toString(),
                "--output", other.resolve("pca/preds.parquet").toString());
        assertThat(otherPca.code).isEqualTo(2);
        assertThat(otherPca.err).contains("lies inside the Orchard output " + other + "'s own pca");
        // Another output's classify-<mode>/ and predictions file are its own: its --overwrite deletes them (a user's
        // walk trained on one output into another's classify-pair/, then lost the classifier so).
        Result otherClassify = run("--input", job.toString(), "--train-per-class", "10", "--pair", "Banana", "Kiwi",
                "--output", other.resolve("classify-pair").toString());
        assertThat(otherClassify.code).isEqualTo(2);
        assertThat(otherClassify.err).contains("--output " + other.resolve("classify-pair") + " is the Orchard output "
                + other + "'s own classify-pair, which belongs to that output");
        assertThat(other.resolve("classify-pair")).doesNotExist();
        Result otherPredictions = run("--input", job.toString(), "--apply",
                job.resolve("classify-pair/classifier.onnx").toString(), "--output",
                other.resolve("predictions-classifier.parquet").toString());
        assertThat(otherPredictions.code).isEqualTo(2);
        assertThat(otherPredictions.err).contains("is the Orchard output " + other + "'s own predictions-classifier.parquet");
        assertThat(other.resolve("predictions-classifier.parquet")).doesNotExist();
        Result folder = run("--input", job.toString(), "--apply", job.resolve("classify-pair").toString());
        assertThat(folder.code).isEqualTo(2);
        assertThat(folder.err).contains("--apply " + job.resolve("classify-pair") + " is a folder: give the classifier"
                + " file orchard classify wrote (in it, " + job.resolve("classify-pair/classifier.onnx"));
        // The job's own folder: the trainings' files in it are named (one rule with orchard run --classifier).
        Result output = run("--input", job.toString(), "--apply", job.toString());
        assertThat(output.code).isEqualTo(2);
        assertThat(output.err).contains("--apply " + job + " is a folder: give the classifier file orchard classify"
                + " wrote (here: " + job.resolve("classify-pair/classifier.onnx"));
    }

    /**
     * A mistyped class was answered with "holds a classifier trained earlier" while an earlier one was there; a C of
     * 1e300 crashed LIBLINEAR's logistic model (exit 1, a NullPointerException's text).
     */
    @Test
    void theClassesAreCheckedBeforeTheOutputFolderAndAHugeCIsRefused() throws Exception {
        Path job = JobOutputFixture.write(dir.resolve("job"), "features",
                JobOutputFixture.clusters(List.of("Apple Red 1", "Banana", "Kiwi"), 20, 8, 5, 5), 2);
        assertThat(run("--input", job.toString(), "--train-per-class", "10", "--pair", "Banana", "Kiwi").code).isZero();
        Result typo = run("--input", job.toString(), "--train-per-class", "10", "--pair", "kiwi", "Banana");
        assertThat(typo.code).isEqualTo(2);
        assertThat(typo.err).contains("No class 'kiwi'").doesNotContain("trained earlier");
        Result huge = run("--input", job.toString(), "--train-per-class", "10", "--pair", "Banana", "Kiwi", "-C",
                "1e300", "--output", dir.resolve("huge").toString());
        assertThat(huge.code).isEqualTo(2);
        assertThat(huge.err).contains("The cost C must be a positive number up to 1e12");
        Result grid = run("--input", job.toString(), "--train-per-class", "10", "--pair", "Banana", "Kiwi", "--cv",
                "2", "--cv-grid", "1,1e300", "--output", dir.resolve("huge").toString());
        assertThat(grid.code).isEqualTo(2);
        assertThat(grid.err).contains("Each --cv-grid value must be a positive number up to 1e12");
    }

    @Test
    void aMissingClassExitsWith2AndTheMessage() throws Exception {
        Path job = JobOutputFixture.write(dir.resolve("job"), "features",
                JobOutputFixture.clusters(List.of("a", "b"), 5, 4, 1, 5), 1);
        Result r = run("--input", job.toString(), "--train-fraction", "0.5", "--pair", "a", "c");
        assertThat(r.code).isEqualTo(2);
        assertThat(r.err).contains("orchard classify: No class 'c'", "'a' (5), 'b' (5)");
    }

    /**
     * Names that look alike were shown alike: folders "Kiwi " and " Kiwi" were two classes, a macOS folder's NFD
     * "Äpfel" was "No class 'Äpfel'" for an NFC one typed, and a label with a newline broke the tables.
     */
    @Test
    void classNamesAreQuotedEscapedAndALookAlikeIsNamed() throws Exception {
        String nfd = java.text.Normalizer.normalize("Äpfel", java.text.Normalizer.Form.NFD);
        Path job = JobOutputFixture.write(dir.resolve("job"), "features",
                JobOutputFixture.clusters(List.of(nfd, "Kiwi ", "two\nlines"), 20, 8, 5, 5), 2);
        Result r = run("--input", job.toString(), "--train-fraction", "0.5", "--pair", "Äpfel", "kiwi");
        assertThat(r.code).isEqualTo(2);
        assertThat(r.err).contains("No class 'Äpfel' (did you mean '" + nfd + "'? the same letters, composed"
                + " differently (Unicode NFC and NFD)) or 'kiwi' (did you mean 'Kiwi '? they differ in case)",
                "'Kiwi ' (20)", "'two\\nlines' (20)");
        Result all = run("--input", job.toString(), "--train-fraction", "0.5", "--multiclass");
        assertThat(all.code).as(all.err).isZero();
        assertThat(all.err).doesNotContain("look alike"); // Äpfel, 'Kiwi ' and two\nlines look like no other
        Path twins = JobOutputFixture.write(dir.resolve("twins"), "features",
                JobOutputFixture.clusters(List.of(nfd, "Äpfel", "Kiwi"), 20, 8, 5, 5), 2);
        Result alike = run("--input", twins.toString(), "--train-fraction", "0.5", "--multiclass");
        assertThat(alike.code).as(alike.err).isZero();
        assertThat(alike.err).contains("classes '" + nfd + "' and 'Äpfel' are 2 classes that look alike: the same letters,"
                + " composed differently (Unicode NFC and NFD)");
        assertThat(all.out).contains("two\\nlines").doesNotContain("two\nlines");
        // report.html too: a browser collapsed the newline into a space, so the class looked like "two lines".
        String page = Files.readString(job.resolve("classify-multiclass/report.html"));
        assertThat(page).contains("two\\nlines").doesNotContain("two\nlines");
    }

    @Test
    void splitAndModeOptionsAreEachRequiredOnce() {
        Result both = run("--input", "x", "--train-per-class", "3", "--train-fraction", "0.5", "--multiclass");
        assertThat(both.code).isEqualTo(2);
        assertThat(both.err).contains("mutually exclusive");
        Result none = run("--input", "x", "--train-per-class", "3");
        assertThat(none.code).isEqualTo(2);
        assertThat(none.err).contains("--pair", "--one-vs-all", "--multiclass");
    }

    @Test
    void trainsWithCrossValidationThenAppliesTheClassifierToAnotherOutput() throws Exception {
        Path job = JobOutputFixture.write(dir.resolve("job"), "features",
                JobOutputFixture.clusters(List.of("Apple Red 1", "Banana", "Kiwi"), 20, 8, 5, 5), 2);
        Result trained = run("--input", job.toString(), "--train-per-class", "12", "--one-vs-all", "--cv", "3",
                "--cv-grid", "0.01,1");
        assertThat(trained.code).as(trained.err).isZero();
        assertThat(trained.out).contains("cross-validation: 3 stratified folds", "← chosen", "balanced",
                "classifier.onnx reads features (8-d)", "wrote " + job.resolve("classify-one-vs-all"));
        Path classifier = job.resolve("classify-one-vs-all/classifier.onnx");
        assertThat(classifier).exists();

        Path other = JobOutputFixture.write(dir.resolve("other"), "features",
                JobOutputFixture.clusters(List.of("Apple Red 1", "Banana", "Kiwi"), 10, 8, 5, 77), 1);
        Result applied = run("--apply", classifier.toString(), "--input", other.toString());
        assertThat(applied.code).as(applied.err).isZero();
        assertThat(applied.out).contains("labelled 30 images", "against the job's labels: accuracy",
                "dimension only", "wrote " + other.resolve("predictions-classify-one-vs-all.parquet"));
        Result again = run("--apply", classifier.toString(), "--input", other.toString());
        assertThat(again.code).isEqualTo(2);
        assertThat(again.err).contains("already exists", "--overwrite");
        assertThat(run("--apply", classifier.toString(), "--input", other.toString(), "--overwrite").code).isZero();
    }

    @Test
    void optionsThatDoNotGoTogetherAreRefusedWithTheReason() {
        Result applyAndTrain = run("--apply", "c.onnx", "--input", "x", "--pair", "a", "b", "-C", "2");
        assertThat(applyAndTrain.code).isEqualTo(2);
        assertThat(applyAndTrain.err).contains("--pair, --cost do not apply");
        Result cvAndCost = run("--input", "x", "--train-per-class", "3", "--one-vs-all", "--cv", "5", "-C", "2");
        assertThat(cvAndCost.code).isEqualTo(2);
        assertThat(cvAndCost.err).contains("--cv chooses C");
        Result costOfSgd = run("--input", "x", "--train-per-class", "3", "--multiclass", "-C", "10"); // was ignored
        assertThat(costOfSgd.code).isEqualTo(2);
        assertThat(costOfSgd.err).contains("-C is LIBLINEAR's cost, which the multinomial logistic model");
        Result gridAlone = run("--input", "x", "--train-per-class", "3", "--one-vs-all", "--cv-grid", "1,2");
        assertThat(gridAlone.err).contains("add --cv K");
        Result nothing = run("--input", "x");
        assertThat(nothing.code).isEqualTo(2);
        assertThat(nothing.err).contains("a split", "a mode", "--apply classifier.onnx");
    }

    /** S3 takes a ".." in a key literally: a training's or an --apply's s3:// location with one is refused first. */
    @Test
    void anS3LocationWithADotSegmentIsRefusedNamingIt() {
        Result output = run("--input", "x", "--train-per-class", "3", "--one-vs-all", "--output", "s3://b/job/../cls");
        assertThat(output.code).isEqualTo(2);
        assertThat(output.err).contains("s3://b/job/../cls has a '..' segment", "such as s3://b/cls");
        Result input = run("--apply", "c.onnx", "--input", "s3://b/./job");
        assertThat(input.code).isEqualTo(2);
        assertThat(input.err).contains("s3://b/./job has a '.' segment", "such as s3://b/job");
    }

    /**
     * A class named 苹果 or 🍌 took two columns a character and was padded as if it took one: every column after it
     * slid (a user's walk). Each table's rows take one width on a terminal, and its name cells one too.
     */
    @Test
    void tablesStayAlignedWithWideClassNames() throws Exception {
        List<String> classes = List.of("苹果", "🍌 Banana", "Kiwi");
        Path job = JobOutputFixture.write(dir.resolve("job"), "features", JobOutputFixture.clusters(classes, 20, 8, 5, 5), 2);
        Result trained = run("--input", job.toString(), "--train-per-class", "10", "--multiclass");
        assertThat(trained.code).as(trained.err).isZero();
        List<String> lines = trained.out.lines().toList();
        int perClass = lines.indexOf(lines.stream().filter(l -> l.startsWith("  class ")).findFirst().orElseThrow());
        assertAligned(lines.subList(perClass + 1, perClass + 4), classes);
        int matrix = lines.indexOf(lines.stream().filter(l -> l.contains("confusion matrix")).findFirst().orElseThrow());
        assertAligned(lines.subList(matrix + 1, matrix + 5), classes); // its header too

        Result applied = run("--apply", job.resolve("classify-multiclass/classifier.onnx").toString(), "--input",
                job.toString());
        assertThat(applied.code).as(applied.err).isZero();
        List<String> out = applied.out.lines().toList();
        int predicted = out.indexOf(out.stream().filter(l -> l.startsWith("  class ")).findFirst().orElseThrow());
        assertAligned(out.subList(predicted + 1, predicted + 4), classes);
    }

    /** Each row takes as many terminal columns as the others (the cells after the names have fixed widths). */
    private static void assertAligned(List<String> rows, List<String> classes) {
        assertThat(String.join("\n", rows)).contains(classes);
        assertThat(rows).as("columns of %s", rows).extracting(DisplayWidth::of).containsOnly(DisplayWidth.of(rows.get(0)));
    }

    private static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new ClassifyCommand());
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int code = cli.execute(args);
        return new Result(code, out.toString(), err.toString());
    }

    private record Result(int code, String out, String err) {
    }

    /** A pair training on {@code job} into {@code folder}, with or without --overwrite. */
    private Result trainPairInto(Path job, Path folder, boolean overwrite) throws Exception {
        List<String> args = new java.util.ArrayList<>(List.of("--input", job.toString(), "--train-per-class", "10",
                "--pair", "Banana", "Kiwi", "--output", folder.toString()));
        if (overwrite) {
            args.add("--overwrite");
        }
        return run(args.toArray(String[]::new));
    }
}
