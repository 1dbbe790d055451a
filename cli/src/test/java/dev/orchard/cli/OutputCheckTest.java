package dev.orchard.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.orchard.store.LocalObjectStore;
import dev.orchard.store.Location;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --overwrite deletes only what Orchard wrote, from a folder that holds its marker and nothing else. */
class OutputCheckTest {

    @TempDir
    Path temp;

    private final LocalObjectStore store = new LocalObjectStore();

    private Path file(Path root, String relative, String text) throws Exception {
        Path p = root.resolve(relative);
        Files.createDirectories(p.getParent());
        return Files.writeString(p, text);
    }

    /**
     * An earlier job's results: every kind of file Orchard writes (and {@code orchard classify} adds to an output),
     * its marker, and a temporary file a crash left.
     */
    private Path earlierJob() throws Exception {
        Path out = temp.resolve("out");
        OutputCheck.prepare(store, Location.local(out), false, "test");
        for (String f : new String[] {"features/part-000000.parquet", "pca/part-000000.parquet"}) {
            part(out, f);
        }
        for (String f : new String[] {"pca-model.json",
                "pca.csv", "errors.csv", "report.html", "report.json", "_SUCCESS", "_orchard/plan/units-000000.jsonl",
                "_orchard/commits/a.json", "_orchard/partials/a.stats", "_orchard/attempts/units/u000000-1-a1.parquet",
                ".pca.csv.tmp-0f8fad5b-d9cb-469f-a165-70867728950e"}) {
            file(out, f, "old " + f);
        }
        // orchard classify's own files, as it writes them: they are read before --overwrite deletes them
        file(out, "classify-pair/report.html", "<html>old</html>" + dev.orchard.classify.TrainingFolder.REPORT_MARKER);
        RunWithClassifierTest.writeClassifier(out.resolve("classify-pair/classifier.onnx"), 4, null);
        RunWithClassifierTest.writeClassifier(Files.createDirectories(out.resolve("classify-one-vs-all"))
                .resolve("classifier.onnx"), 4, null);
        file(out, "classify-multiclass/classifier.json", "{\"mode\" : \"MULTICLASS\", \"learner\" : \"logistic\"}");
        Files.write(out.resolve("predictions-classifier.parquet"), dev.orchard.store.parquet.ParquetFooterFixture
                .footerOnly(Map.of("orchard.schema", "path,label,predicted,score"), 100));
        return out;
    }

    /** A part as Orchard writes one, as far as --overwrite reads it: Parquet with Orchard's schema in its footer. */
    private static void part(Path out, String relative) throws Exception {
        Files.createDirectories(out.resolve(relative).getParent());
        Files.write(out.resolve(relative), dev.orchard.store.parquet.ParquetFooterFixture
                .footerOnly(Map.of("orchard.schema", "path,label,features"), 100));
    }

    /**
     * A file named as a part is Orchard's only where its footer says so: --overwrite deleted a user's text files called
     * {@code features/part-000001.parquet} and {@code pca/part-000003-g000009.parquet} (a walk).
     */
    @Test
    void filesNamedAsPartsAreReadNotTakenByTheirNames() throws Exception {
        Path out = earlierJob();
        file(out, "features/part-000001.parquet", "mine");
        file(out, "pca/part-000003-g000009.parquet", "mine too");
        Map<String, String> before = Tree.hashes(out);
        assertThatThrownBy(() -> OutputCheck.prepare(store, Location.local(out), true, "test"))
                .hasMessageContaining("holds files Orchard did not write: ")
                .hasMessageContaining("features/part-000001.parquet").hasMessageContaining("pca/part-000003-g000009.parquet")
                .hasMessageNotContaining("part-000000");
        assertThat(Tree.hashes(out)).isEqualTo(before);
    }

    /**
     * A classify-<mode>/ folder is Orchard's only where orchard classify wrote its files: a user's text file called
     * classifier.onnx and their report.html beside it were deleted by --overwrite (a walk), as was a report.html beside
     * no classifier; a predictions-*.parquet at the top is Orchard's by its footer.
     */
    @Test
    void overwriteReadsTheClassifyFoldersItWouldDelete() throws Exception {
        Path out = earlierJob();
        file(out, "classify-pair/classifier.onnx", "my precious notes");
        file(out, "classify-multiclass/report.html", "<html>my report</html>");
        Files.delete(out.resolve("classify-multiclass/classifier.json"));
        file(out, "predictions-2024.parquet", "my own table, named as Orchard names its predictions");
        // Beside a classifier of Orchard's, a report.html is read too (a walk: the user's page was deleted there)
        file(out, "classify-one-vs-all/report.html", "<html>my write-up</html>");
        Map<String, String> before = Tree.hashes(out);
        assertThatThrownBy(() -> OutputCheck.prepare(store, Location.local(out), true, "test"))
                .hasMessageContaining("holds files Orchard did not write: ")
                .hasMessageContaining("predictions-2024.parquet")
                .hasMessageContaining("classify-pair/classifier.onnx")
                .hasMessageNotContaining("classify-pair/report.html") // Orchard's, by its last line
                .hasMessageContaining("classify-multiclass/report.html")
                .hasMessageContaining("classify-one-vs-all/report.html");
        assertThat(Tree.hashes(out)).isEqualTo(before);
    }

    /**
     * An --overwrite stopped half-way (kill -9) left the earlier job's record over a half-deleted journal, and --resume
     * continued that job: _SUCCESS over 96 of 600 images (a user's walk). The record goes first now: the store fails at
     * the clear's first deletion, and the marker already says the output is being cleared, with no job in it; every
     * command but --overwrite refuses it, and says to run --overwrite again.
     */
    @Test
    void anOverwriteStoppedAsItClearsLeavesNoJobToResume() throws Exception {
        Path out = earlierJob();
        dev.orchard.coordinator.JobIdentity identity = new dev.orchard.coordinator.JobIdentity("/in", null, "*.jpg",
                "parent folder", "ab12", "mobilenetv2", "pca", 0, 0, 5, null);
        dev.orchard.store.OutputLayout layout = new dev.orchard.store.OutputLayout(Location.local(out));
        identity.writeMarker(store, layout, "test");
        var stopped = dev.orchard.store.InterceptedStore.around(store, (method, args, call) -> {
            if (method.equals("deleteAll")) {
                throw new java.io.IOException("killed");
            }
            return call.proceed();
        });
        assertThatThrownBy(() -> OutputCheck.prepare(stopped, Location.local(out), true, "test")).hasMessage("killed");
        assertThat(dev.orchard.coordinator.JobIdentity.readMarker(store, layout)).as("the earlier job's record").isNull();
        assertThat(Files.exists(out.resolve("_orchard/plan/units-000000.jsonl"))).isTrue();
        assertThatThrownBy(() -> dev.orchard.store.OutputMarker.requireNotBeingCleared(store, layout))
                .hasMessageContaining("was being cleared by an --overwrite that stopped before it ended")
                .hasMessageContaining("Run the command with --overwrite again");

        OutputCheck.prepare(store, Location.local(out), true, "test"); // run again, it ends
        dev.orchard.store.OutputMarker.requireNotBeingCleared(store, layout);
        assertThat(Files.exists(out.resolve("_orchard/plan"))).isFalse();
    }

    /**
     * The names in a refusal are escaped: a file named with a newline and a terminal's escape sequence printed them as
     * they were (a forged line; in a --log-format json stream one beginning with '{'), a user's walk.
     */
    @Test
    void theNamesARefusalPrintsAreEscaped() throws Exception {
        Path out = earlierJob();
        file(out, "x\n{\"level\":\"ERROR\",\"message\":\"forged\"}\n\u001b[2J\u202e.txt", "mine");
        assertThatThrownBy(() -> OutputCheck.prepare(store, Location.local(out), true, "test"))
                .hasMessageContaining("holds files Orchard did not write: ")
                .hasMessageContaining("x\\n{\"level\":\"ERROR\",\"message\":\"forged\"}\\n\\u001b[2J\\u202e.txt")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n").doesNotContain("\u001b")
                        .doesNotContain("\u202e"));
    }

    /** A file named as one of Orchard's folders is not Orchard's (it was taken for its classify-pair/, the review). */
    @Test
    void aFileNamedAsOrchardsFolderIsNotOrchards() throws Exception {
        Path out = temp.resolve("files named as folders");
        OutputCheck.prepare(store, Location.local(out), false, "test");
        file(out, "classify-pair", "my notes on the pair");
        file(out, "features", "my feature list");
        Map<String, String> before = Tree.hashes(out);
        assertThatThrownBy(() -> OutputCheck.prepare(store, Location.local(out), true, "test"))
                .hasMessageContaining("holds files Orchard did not write: ").hasMessageContaining("classify-pair")
                .hasMessageContaining("features");
        assertThat(Tree.hashes(out)).isEqualTo(before);
    }

    /** After an update, what orchard classify wrote is named, however many of a user's files list before it. */
    @Test
    void classifyOutputsAreFoundBehindManyOfAUsersFiles() throws Exception {
        Path out = earlierJob();
        for (int i = 0; i < 25; i++) {
            file(out, String.format("a-note-%02d.txt", i), "mine");
        }
        assertThat(OutputCheck.classifyOutputs(store, Location.local(out))).containsExactlyInAnyOrder("classify-pair/",
                "classify-one-vs-all/", "classify-multiclass/", "predictions-classifier.parquet");
        // Read, not named: a folder or file of those names that orchard classify did not write is not among them
        file(out, "classify-one-vs-all/classifier.onnx", "my notes");
        file(out, "predictions-2024.parquet", "my own table");
        assertThat(OutputCheck.classifyOutputs(store, Location.local(out))).containsExactlyInAnyOrder("classify-pair/",
                "classify-multiclass/", "predictions-classifier.parquet");
    }

    @Test
    void aNewOutputIsMarkedFirst() throws Exception {
        Path out = temp.resolve("new/out");
        OutputCheck.prepare(store, Location.local(out), false, "1.0");
        try (var files = Files.walk(out)) {
            assertThat(files.filter(Files::isRegularFile).toList()).containsExactly(out.resolve("_orchard/job.json"));
        }
        assertThat(Files.readString(out.resolve("_orchard/job.json"))).contains("\"orchard\" : \"1.0\"");
    }

    /**
     * An unfinished job's output whose lease another coordinator took since this command first looked (the loser of two
     * runs started at once): the lease is what it is told, not "no coordinator holds its lease now" (the diff's review).
     */
    @Test
    void anUnfinishedOutputWhoseLeaseIsHeldSaysWhoHoldsIt() throws Exception {
        Path out = earlierJob();
        Files.delete(out.resolve("_SUCCESS"));
        HeldLease.take(store, Location.local(out), "10.0.0.5:17355");
        assertThatThrownBy(() -> OutputCheck.check(store, Location.local(out), false))
                .hasMessageContaining("Another coordinator (on 10.0.0.5:17355)").hasMessageNotContaining("no coordinator");
    }

    @Test
    void overwriteClearsOnlyOrchardsOutputsAndKeepsTheMarker() throws Exception {
        Path out = earlierJob();
        // An Orchard job's output, finished: the message says what goes on with it.
        assertThatThrownBy(() -> OutputCheck.prepare(store, Location.local(out), false, "test"))
                .hasMessageContaining("holds an Orchard job's results: --update adds new images to them, --overwrite"
                        + " replaces them");
        // Unfinished (a coordinator that failed to start, a job killed): --resume continues it.
        Files.delete(out.resolve("_SUCCESS"));
        assertThatThrownBy(() -> OutputCheck.prepare(store, Location.local(out), false, "test"))
                .hasMessageContaining("has not finished (no _SUCCESS); no coordinator holds its lease now (a job started"
                        + " there a moment ago may not yet): if its job has stopped, the same command with --resume"
                        + " continues it");
        OutputCheck.prepare(store, Location.local(out), true, "test");
        try (var files = Files.walk(out)) {
            assertThat(files.filter(Files::isRegularFile).toList()).containsExactly(out.resolve("_orchard/job.json"));
        }
    }

    @Test
    void aFolderWithOtherFilesIsRefusedWithTheirNamesAndKeptWhole() throws Exception {
        Path out = earlierJob();
        file(out, "notes.txt", "mine");
        file(out, "photos/cat.jpg", "mine too");
        Files.createSymbolicLink(out.resolve("data"), temp);
        Map<String, String> before = Tree.hashes(out);
        assertThatThrownBy(() -> OutputCheck.prepare(store, Location.local(out), true, "test"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--overwrite refused").hasMessageContaining("notes.txt")
                .hasMessageContaining("photos").hasMessageContaining("data");
        assertThat(Tree.hashes(out)).isEqualTo(before);
    }

    /**
     * Inside Orchard's folders only its own files are its: a user's notes in {@code classify-pair/}, a file and a folder
     * of plots in {@code pca/}, a file, a link and an empty folder in {@code features/} made {@code --overwrite}
     * refuse, named by their paths, and nothing is deleted (the overwrite deleted the folders whole, with them: a
     * user's walk, and the empty folder the diff's review). Parts of any generation, and what a crash leaves (a
     * temporary file of a part or of --apply's predictions, a write probe), are Orchard's and cleared.
     */
    @Test
    void aUsersFilesInsideOrchardsFoldersAreRefusedAndKept() throws Exception {
        Path out = earlierJob();
        part(out, "features/part-000001-g000002.parquet"); // an update's
        file(out, "pca/.part-000001.parquet.tmp-0f8fad5b-d9cb-469f-a165-70867728950e", "a crash's leftover");
        Files.write(out.resolve("classify-pair/predictions.parquet"), dev.orchard.store.parquet.ParquetFooterFixture
                .footerOnly(Map.of("orchard.schema", "path,label,split,predicted,score"), 100)); // a training's
        file(out, "classify-pair/report.html", "a training's report" + dev.orchard.classify.TrainingFolder.REPORT_MARKER);
        // What a crash leaves: --apply's predictions file half written (top level), S3's write probe.
        file(out, ".predictions-classifier.parquet.tmp-0f8fad5b-d9cb-469f-a165-70867728950e", "a crash's leftover");
        file(out, ".orchard-write-check-0f8fad5b-d9cb-469f-a165-70867728950e", "a probe's leftover");
        Map<String, String> orchardsOnly = Tree.hashes(out);
        file(out, "classify-pair/notes.txt", "mine");
        file(out, "features/mine.txt", "mine");
        file(out, "pca/my-analysis/plot.csv", "mine");
        Files.createDirectories(out.resolve("features/empty-of-mine")); // listed as no file: it was deleted unnamed
        Files.createSymbolicLink(out.resolve("features/part-000009.parquet"), temp.resolve("elsewhere.parquet"));
        Map<String, String> before = Tree.hashes(out);
        assertThatThrownBy(() -> OutputCheck.prepare(store, Location.local(out), true, "test"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--overwrite refused").hasMessageContaining("classify-pair/notes.txt")
                .hasMessageContaining("features/mine.txt")
                .hasMessageContaining("features/part-000009.parquet").hasMessageContaining("features/empty-of-mine/")
                .hasMessageContaining("pca/my-analysis/").hasMessageNotContaining(".tmp-")
                .hasMessageNotContaining("orchard-write-check");
        assertThat(Tree.hashes(out)).isEqualTo(before);

        for (String mine : List.of("classify-pair/notes.txt", "features/mine.txt", "pca/my-analysis/plot.csv",
                "features/part-000009.parquet", "pca/my-analysis", "features/empty-of-mine")) {
            Files.delete(out.resolve(mine));
        }
        assertThat(Tree.hashes(out)).isEqualTo(orchardsOnly);
        OutputCheck.prepare(store, Location.local(out), true, "test");
        try (var files = Files.walk(out)) {
            assertThat(files.filter(Files::isRegularFile).toList()).containsExactly(out.resolve("_orchard/job.json"));
        }
    }

    /**
     * {@code orchard classify}'s default output folder, for every one of its modes, is Orchard's ({@code --overwrite}
     * refused an output holding {@code classify-one-vs-all/}, the name's hyphens not matched), and a user's look-alike
     * is not.
     */
    @Test
    void everyModesDefaultClassifyFolderIsOrchardsAndALookAlikeIsNot() {
        List<dev.orchard.classify.Mode> modes = List.of(new dev.orchard.classify.Mode.Pair("a", "b"),
                new dev.orchard.classify.Mode.OneVsAll(), new dev.orchard.classify.Mode.Multiclass());
        assertThat(dev.orchard.classify.Mode.class.getPermittedSubclasses()).as("a new mode: list it here")
                .hasSize(modes.size());
        for (dev.orchard.classify.Mode mode : modes) {
            assertThat(dev.orchard.store.OutputLayout.isKnownOutput("classify-" + mode.name())).as(mode.name()).isTrue();
        }
        assertThat(dev.orchard.store.OutputLayout.isKnownOutput("classify-notes")).isFalse();
        assertThat(dev.orchard.store.OutputLayout.isKnownOutput("predictions-pair.parquet")).isTrue();
    }

    @Test
    void orchardsNamesWithoutItsMarkerAreRefused() throws Exception {
        Path out = temp.resolve("look-alike");
        file(out, "features/mine.parquet", "a user's own features");
        file(out, "pca.csv", "a user's own table");
        Map<String, String> before = Tree.hashes(out);
        assertThatThrownBy(() -> OutputCheck.prepare(store, Location.local(out), true, "test"))
                .hasMessageContaining("not Orchard's marker").hasMessageContaining("features");
        assertThat(Tree.hashes(out)).isEqualTo(before);
    }

    @Test
    void manyOtherFilesAreNamedUpToTenAndAFileIsNoOutput() throws Exception {
        Path out = earlierJob();
        for (int i = 0; i < 25; i++) {
            file(out, String.format("img-%02d.jpg", i), "x");
        }
        assertThatThrownBy(() -> OutputCheck.prepare(store, Location.local(out), true, "test"))
                .hasMessageContaining("img-00.jpg").hasMessageContaining("img-09.jpg, …")
                .hasMessageNotContaining("img-10.jpg");

        Path photo = file(temp, "photo.jpg", "a user's photo");
        assertThatThrownBy(() -> OutputCheck.prepare(store, Location.local(photo), true, "test"))
                .hasMessageContaining("is a file");
        assertThat(photo).hasContent("a user's photo");
    }
}
