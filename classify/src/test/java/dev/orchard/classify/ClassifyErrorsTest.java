package dev.orchard.classify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.orchard.store.Location;
import dev.orchard.store.parquet.VectorRow;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each mistake a user can make gets a message that says what is there and what to do. */
class ClassifyErrorsTest {

    @TempDir
    Path dir;

    @Test
    void aPairClassThatDoesNotExistListsTheLabels() throws Exception {
        Location job = job(List.of("Apple Red 1", "Banana", "Kiwi"), 12);
        assertThatThrownBy(() -> Classifier.run(ClassifyOptions.of(job, new SplitRule.PerClass(5),
                new Mode.Pair("Banana", "Apple red 1"))))
                .isInstanceOf(ClassifyException.class)
                .hasMessageContaining("No class 'Apple red 1' (did you mean 'Apple Red 1'? they differ in case)")
                .hasMessageContaining("'Apple Red 1' (12), 'Banana' (12), 'Kiwi' (12)");
        assertThat(Files.exists(job.path().resolve("classify-pair"))).as("nothing written").isFalse();
    }

    @Test
    void fewerImagesThanTrainPerClassSaysHowManyThereAre() throws Exception {
        List<VectorRow> rows = new ArrayList<>(JobOutputFixture.clusters(List.of("big"), 150, 4, 1, 1));
        rows.addAll(JobOutputFixture.clusters(List.of("small"), 80, 4, 1, 2));
        Location job = Location.local(JobOutputFixture.write(dir, "features", rows, 2));

        assertThatThrownBy(() -> Classifier.run(ClassifyOptions.of(job, new SplitRule.PerClass(100),
                new Mode.OneVsAll())))
                .isInstanceOf(ClassifyException.class)
                .hasMessageContaining("'small' has 80 images")
                .hasMessageContaining("--train-per-class 79 or less")
                .hasMessageNotContaining("'big'");
    }

    @Test
    void aClassWithExactlyTrainPerClassImagesLeavesNoneToTest() throws Exception {
        Location job = job(List.of("a", "b"), 10);
        assertThatThrownBy(() -> Classifier.run(ClassifyOptions.of(job, new SplitRule.PerClass(10),
                new Mode.Pair("a", "b"))))
                .hasMessageContaining("'a' has 10 images, 'b' has 10 images")
                .hasMessageContaining("at least one for testing");
    }

    @Test
    void aSingleClassIsRefused() throws Exception {
        Location job = job(List.of("Banana"), 10);
        assertThatThrownBy(() -> Classifier.run(ClassifyOptions.of(job, new SplitRule.Fraction(0.5),
                new Mode.Multiclass())))
                .isInstanceOf(ClassifyException.class)
                .hasMessageContaining("Only one class")
                .hasMessageContaining("'Banana' (10)");
    }

    @Test
    void vectorsOfMixedDimensionsAreRefused() throws Exception {
        JobOutputFixture.write(dir.resolve("a"), "features", JobOutputFixture.clusters(List.of("x", "y"), 5, 8, 1, 1), 1);
        JobOutputFixture.write(dir.resolve("b"), "features", JobOutputFixture.clusters(List.of("x", "y"), 5, 6, 1, 1), 1);
        Path mixed = dir.resolve("mixed/features");
        Files.createDirectories(mixed);
        Files.copy(dir.resolve("a/features/part-00000.parquet"), mixed.resolve("part-00000.parquet"));
        Files.copy(dir.resolve("b/features/part-00000.parquet"), mixed.resolve("part-00001.parquet"));
        Files.copy(dir.resolve("a/_SUCCESS"), dir.resolve("mixed/_SUCCESS"));

        assertThatThrownBy(() -> Classifier.run(ClassifyOptions.of(Location.local(dir.resolve("mixed")),
                new SplitRule.PerClass(2), new Mode.Multiclass())))
                .isInstanceOf(ClassifyException.class)
                .hasMessageContaining("mixed dimensions")
                .hasMessageContaining("8 in part-00000.parquet")
                .hasMessageContaining("6 in part-00001.parquet");
    }

    @Test
    void aFolderWithoutFeaturesSaysWhatItExpects() throws Exception {
        Files.createDirectories(dir.resolve("empty"));
        assertThatThrownBy(() -> Classifier.run(ClassifyOptions.of(Location.local(dir.resolve("empty")),
                new SplitRule.PerClass(2), new Mode.Multiclass())))
                .isInstanceOf(ClassifyException.class)
                .hasMessage("Nothing at " + dir.resolve("empty") + ": give the output folder of an 'orchard run' job"
                        + " (--output of orchard run).");
        assertThat(dir.resolve("empty")).isEmptyDirectory();

        assertThatThrownBy(() -> Classifier.run(ClassifyOptions.of(Location.local(dir.resolve("no-such-folder")),
                new SplitRule.PerClass(2), new Mode.Multiclass())))
                .hasMessageStartingWith("Nothing at " + dir.resolve("no-such-folder"));
        assertThat(dir.resolve("no-such-folder")).doesNotExist();

        // A finished job's output without features/ (a folder of pca/ alone, say).
        Files.createDirectories(dir.resolve("done"));
        Files.writeString(dir.resolve("done/_SUCCESS"), "{}");
        assertThatThrownBy(() -> Classifier.run(ClassifyOptions.of(Location.local(dir.resolve("done")),
                new SplitRule.PerClass(2), new Mode.Multiclass())))
                .hasMessageContaining("No features in")
                .hasMessageContaining("part-*.parquet")
                .hasMessageContaining("output folder of an 'orchard run' job");
    }

    /**
     * An output without _SUCCESS (a job not finished, an update under way, a copy that left it out) was trained on and
     * applied to without a word, checked by its vectors' dimension alone (the classifier helper's walk).
     */
    @Test
    void anOutputWithoutSuccessIsRefused() throws Exception {
        Location job = job(List.of("a", "b"), 10);
        Files.delete(job.path().resolve("_SUCCESS"));
        assertThatThrownBy(() -> Classifier.run(ClassifyOptions.of(job, new SplitRule.PerClass(5), new Mode.Pair("a", "b"))))
                .isInstanceOf(ClassifyException.class)
                .hasMessageStartingWith(job + " has no _SUCCESS: the job that writes it has not finished")
                .hasMessageContaining("a first run: its command with --resume");
        assertThat(job.path().resolve("classify-pair")).doesNotExist();
    }

    /**
     * An --input that is not a job's output folder says so, and where one holds it, names that: a folder of images,
     * the output's features/ and one of its parts said "has no _SUCCESS: the job ... has not finished" (the first two)
     * and ".../_SUCCESS: Not a directory" with exit 1 (the part), a user's walk.
     */
    @Test
    void anInputThatIsNotAJobsOutputSaysWhatToGive() throws Exception {
        Location job = job(List.of("a", "b"), 10);
        Path images = Files.createDirectories(dir.resolve("images/a"));
        Files.write(images.resolve("1.jpg"), new byte[] {1, 2, 3});
        assertThatThrownBy(() -> Classifier.run(ClassifyOptions.of(Location.local(dir.resolve("images")),
                new SplitRule.PerClass(5), new Mode.Pair("a", "b"))))
                .isInstanceOf(ClassifyException.class)
                .hasMessage(dir.resolve("images") + " is not the output of an 'orchard run' job (it has no _orchard/ with"
                        + " the job's marker): give the folder that job wrote, its --output.");
        Location features = Location.local(job.path().resolve("features"));
        assertThatThrownBy(() -> Classifier.run(ClassifyOptions.of(features, new SplitRule.PerClass(5),
                new Mode.Pair("a", "b"))))
                .isInstanceOf(ClassifyException.class)
                .hasMessageStartingWith(features + " is not the output of an 'orchard run' job")
                .hasMessageEndingWith(": " + features + " lies inside the output " + job + ", which is what to give.");
        Location part = Location.local(job.path().resolve("features/part-00000.parquet"));
        assertThatThrownBy(() -> Classifier.run(ClassifyOptions.of(part, new SplitRule.PerClass(5),
                new Mode.Pair("a", "b"))))
                .isInstanceOf(ClassifyException.class)
                .hasMessageStartingWith(part + " is a file: give the output folder of an 'orchard run' job")
                .hasMessageEndingWith(": " + part + " lies inside the output " + job + ", which is what to give.");
        assertThat(job.path().resolve("classify-pair")).doesNotExist();
    }

    @Test
    void askingForPcaWhenTheJobRanNoPcaSuggestsFeatures() throws Exception {
        Location job = job(List.of("a", "b"), 4);
        assertThatThrownBy(() -> Classifier.run(ClassifyOptions.of(job, new SplitRule.PerClass(2),
                new Mode.Pair("a", "b")).withUse(VectorColumn.PCA)))
                .hasMessageContaining("No pca in")
                .hasMessageContaining("--use features");
    }

    @Test
    void unlabelledImagesAreLeftOutAndAllUnlabelledIsRefused() throws Exception {
        List<VectorRow> rows = new ArrayList<>(JobOutputFixture.clusters(List.of("a", "b"), 10, 4, 3, 1));
        rows.add(new VectorRow("/data/unknown.jpg", null, new float[4]));
        ClassifyReport report = Classifier.run(ClassifyOptions.of(
                Location.local(JobOutputFixture.write(dir.resolve("some"), "features", rows, 1)),
                new SplitRule.PerClass(5), new Mode.Pair("a", "b")));
        assertThat(report.unlabelled()).isEqualTo(1);
        assertThat(report.predictions()).hasSize(20);

        List<VectorRow> none = List.of(new VectorRow("/x.jpg", null, new float[4]), new VectorRow("/y.jpg", null, new float[4]));
        Location noLabels = Location.local(JobOutputFixture.write(dir.resolve("none"), "features", none, 1));
        assertThatThrownBy(() -> Classifier.run(ClassifyOptions.of(noLabels, new SplitRule.PerClass(1),
                new Mode.Multiclass())))
                .hasMessageContaining("None of the 2 images")
                .hasMessageContaining("--label-regex");
    }

    @Test
    void badOptionValuesAreRefusedWithTheirValue() {
        assertThatThrownBy(() -> new Mode.Pair("a", "a")).hasMessageContaining("'a' twice");
        assertThatThrownBy(() -> new SplitRule.Fraction(1.0)).hasMessageContaining("--train-fraction").hasMessageContaining("1.0");
        assertThatThrownBy(() -> new SplitRule.PerClass(0)).hasMessageContaining("--train-per-class");
        assertThatThrownBy(() -> VectorColumn.parse("pixels")).hasMessageContaining("features, pca");
    }

    /**
     * A class of one image was told "Use --train-fraction", which refused it as well; a class of two, with --cv 2,
     * "Use fewer folds" (2 is the fewest). The advice is what can work (the classifier helper's walk).
     */
    @Test
    void tinyClassesGetAdviceThatCanWork() throws Exception {
        List<VectorRow> rows = new ArrayList<>(JobOutputFixture.clusters(List.of("a", "b"), 10, 4, 2, 1));
        rows.addAll(JobOutputFixture.clusters(List.of("lone"), 1, 4, 2, 2));
        rows.addAll(JobOutputFixture.clusters(List.of("pair"), 2, 4, 2, 3));
        Location job = Location.local(JobOutputFixture.write(dir.resolve("tiny"), "features", rows, 1));
        assertThatThrownBy(() -> Classifier.run(ClassifyOptions.of(job, new SplitRule.PerClass(1), new Mode.OneVsAll())))
                .hasMessageContaining("'lone' has 1 image")
                .hasMessageContaining("A class of one image cannot be split at all: give it more images, or leave it out")
                .hasMessageNotContaining("Use --train-fraction");
        Location two = Location.local(JobOutputFixture.write(dir.resolve("two"), "features", concat(
                JobOutputFixture.clusters(List.of("a", "b"), 10, 4, 2, 1),
                JobOutputFixture.clusters(List.of("pair"), 2, 4, 2, 3)), 1));
        assertThatThrownBy(() -> Classifier.run(ClassifyOptions.of(two, new SplitRule.PerClass(1), new Mode.OneVsAll())
                .withCrossValidation(CrossValidationPlan.of(2))))
                .hasMessageContaining("--cv 2 needs at least 2 training images of every class")
                .hasMessageContaining("'pair' has 1. Train on more images of it")
                .hasMessageContaining("or choose C yourself (-C) without --cv.")
                .hasMessageNotContaining("fewer folds");
    }

    /** An update's swap between listing the parts and the end of reading them is refused, not read across. */
    @Test
    void anOutputSwappedWhileReadIsRefused() throws Exception {
        Location job = job(List.of("a", "b"), 4);
        var store = new dev.orchard.store.LocalObjectStore();
        byte[] before = Files.readAllBytes(job.path().resolve("_SUCCESS"));
        JobOutputReader.requireUnchanged(store, job, before);
        Files.writeString(job.path().resolve("_SUCCESS"), "{\"generation\": 1}");
        assertThatThrownBy(() -> JobOutputReader.requireUnchanged(store, job, before))
                .hasMessage(job + " changed while it was read (an update swapped its new rows in, or another job"
                        + " replaced it): run orchard classify again.");
        Files.delete(job.path().resolve("_SUCCESS"));
        assertThatThrownBy(() -> JobOutputReader.requireUnchanged(store, job, before)).hasMessageContaining("changed");
    }

    /**
     * An output replaced while a training ran (an --overwrite's job finished there after the rows were read): the
     * training wrote its classifier of the old rows into the new output, without a word (the data-safety walk). It
     * looks at _SUCCESS again before its first write, and writes nothing.
     */
    @Test
    void anOutputReplacedWhileATrainingRanGetsNothingWritten() throws Exception {
        Location job = job(List.of("a", "b"), 4);
        Classifier.OutputCheck replacedMeanwhile = () -> Files.writeString(job.path().resolve("_SUCCESS"),
                "{\"job\": \"another\"}");
        assertThatThrownBy(() -> Classifier.run(ClassifyOptions.of(job, new SplitRule.PerClass(2), new Mode.OneVsAll()),
                dev.orchard.store.s3.S3Settings.defaults(), replacedMeanwhile, false, line -> { }))
                .hasMessageContaining(job + " changed while it was read");
        assertThat(job.path().resolve("classify-one-vs-all")).doesNotExist();
    }

    private static List<VectorRow> concat(List<VectorRow> a, List<VectorRow> b) {
        List<VectorRow> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    /**
     * A part removed from a finished output was read as "no features" (its only part) or not noticed at all (one of
     * several: the rest were trained on); a truncated one failed with Parquet's "footer is too large", naming no file
     * (a user's walk). Refused, naming what is wrong and what to do.
     */
    @Test
    void anOutputWhosePartsChangedSinceTheJobWroteThemIsRefusedNamingThem() throws Exception {
        Location job = job(List.of("a", "b"), 10); // two parts of 10 rows, _SUCCESS counting 20
        Path first = job.path().resolve("features/part-00000.parquet");
        byte[] written = Files.readAllBytes(first);
        Files.write(first, java.util.Arrays.copyOf(written, written.length - 100));
        assertThatThrownBy(() -> Classifier.run(ClassifyOptions.of(job, new SplitRule.PerClass(5), new Mode.Pair("a", "b"))))
                .isInstanceOf(ClassifyException.class) // bad input, exit 2
                .hasMessageStartingWith(Location.local(first) + " is not a readable Orchard 'features' part (")
                .hasMessageEndingWith("damaged or replaced since it was written? Make the output again (the job's"
                        + " command with --overwrite), or restore the file.");

        Files.delete(first);
        assertThatThrownBy(() -> Classifier.run(ClassifyOptions.of(job, new SplitRule.PerClass(5), new Mode.Pair("a", "b"))))
                .isInstanceOf(ClassifyException.class)
                .hasMessage(job.resolve("features") + " holds 10 rows, but the job's _SUCCESS records 20: a part was"
                        + " removed or changed since the job wrote it. Make the output again (the job's command with"
                        + " --overwrite), or restore its files.");
        Files.delete(job.path().resolve("features/part-00001.parquet"));
        assertThatThrownBy(() -> Classifier.run(ClassifyOptions.of(job, new SplitRule.PerClass(5), new Mode.Pair("a", "b"))))
                .hasMessageStartingWith(job.resolve("features") + " holds 0 rows, but the job's _SUCCESS records 20");
    }

    private Location job(List<String> classes, int perClass) throws Exception {
        return Location.local(JobOutputFixture.write(dir.resolve("job"), "features",
                JobOutputFixture.clusters(classes, perClass, 4, 2, 1), 2));
    }
}
