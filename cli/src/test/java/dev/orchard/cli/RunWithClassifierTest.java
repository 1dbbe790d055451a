package dev.orchard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.orchard.predict.ClassifierGraph;
import dev.orchard.predict.FeatureSource;
import dev.orchard.predict.LinearClassifier;
import dev.orchard.predict.Link;
import dev.orchard.predict.VectorKind;
import dev.orchard.predict.VectorProvenance;
import dev.orchard.store.parquet.HadoopFreeCodecs;
import dev.orchard.store.parquet.VectorRow;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.example.data.simple.convert.GroupRecordConverter;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.io.ColumnIOFactory;
import org.apache.parquet.io.LocalInputFile;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code orchard run --classifier}, as the check uses it: a pair classifier is trained ({@code orchard
 * classify}) on one job's output, then a second job over other images of those classes, and of a third class,
 * labels every image as it featurises it. Its {@code predicted} and {@code score} must be those of
 * {@code classify --apply} on the same output, and the classifier must be right on the images it never saw. A
 * classifier that cannot read the job's vectors is refused before any work: nothing is written.
 */
class RunWithClassifierTest {
    private static final String A = "Apple Braeburn";
    private static final String B = "Apple Red 1";
    private static final String OTHER = "Banana";
    private static final int PER_CLASS = 20;

    @TempDir
    static Path temp;
    private static Path trained;
    private static Path pairClassifier;
    private static Path newImages;
    private static JobRun labelled;

    @BeforeAll
    static void trainThenRun() throws Exception {
        Path sample = JobRun.shared().resolve("data/fruits360-sample");
        Path trainImages = temp.resolve("train images");
        newImages = temp.resolve("new images");
        for (String label : List.of(A, B, OTHER)) {
            List<Path> files;
            try (Stream<Path> list = Files.list(sample.resolve(label))) {
                files = list.sorted().toList();
            }
            // Every other image trains; the rest are only ever seen by the labelling run. Interleaved, so both
            // halves hold frames of both of Fruits-360's rotations of the fruit (names without and with "r_"):
            // a classifier trained on one rotation only labels the other worse, down to 48-65% for this very pair
            // (classify/README.md), which would measure the data set, not the run.
            List<Path> even = new java.util.ArrayList<>();
            List<Path> odd = new java.util.ArrayList<>();
            for (int i = 0; i < 2 * PER_CLASS; i++) {
                (i % 2 == 0 ? even : odd).add(files.get(i));
            }
            copy(even, Files.createDirectories(trainImages.resolve(label)));
            copy(odd, Files.createDirectories(newImages.resolve(label)));
        }
        trained = temp.resolve("trained");
        JobRun train = JobRun.of(trained, "run", "--input", trainImages.toString(), "--output", trained.toString(),
                "--model", JobRun.model(), "--pca-k", "5");
        assertThat(train.exitCode()).as(train.messages()).isZero();
        Path pair = temp.resolve("pair");
        JobRun classify = JobRun.of(pair, "classify", "--input", trained.toString(), "--pair", A, B,
                "--train-per-class", "15", "--seed", "7", "--output", pair.toString());
        assertThat(classify.exitCode()).as(classify.messages()).isZero();
        pairClassifier = pair.resolve("classifier.onnx");

        Path out = temp.resolve("labelled");
        labelled = JobRun.of(out, "run", "--input", newImages.toString(), "--output", out.toString(),
                "--model", JobRun.model(), "--pca-k", "5", "--unit-size", "16", "--classifier", pairClassifier.toString());
        assertThat(labelled.exitCode()).as(labelled.messages()).isZero();
    }

    @Test
    void everyImageInFeaturesAndPcaGetsThePredictionsOfClassifyApply() throws Exception {
        List<VectorRow> features = labelled.rows("features");
        List<VectorRow> pca = labelled.rows("pca");
        assertThat(features).hasSize(3 * PER_CLASS).allSatisfy(r -> {
            assertThat(r.predicted()).as(r.path()).isIn(A, B);
            assertThat(r.score()).as(r.path()).isBetween(0.5, 1.0); // the winning class's probability
        });
        Map<String, VectorRow> pcaByPath = pca.stream().collect(Collectors.toMap(VectorRow::path, r -> r));
        assertThat(pcaByPath.keySet()).isEqualTo(features.stream().map(VectorRow::path).collect(Collectors.toSet()));
        for (VectorRow row : features) {
            assertThat(pcaByPath.get(row.path()).predicted()).isEqualTo(row.predicted());
            assertThat(pcaByPath.get(row.path()).score()).isEqualTo(row.score());
        }

        Path applied = temp.resolve("applied.parquet");
        JobRun apply = JobRun.of(labelled.output(), "classify", "--apply", pairClassifier.toString(),
                "--input", labelled.output().toString(), "--output", applied.toString());
        assertThat(apply.exitCode()).as(apply.messages()).isZero();
        Map<String, String[]> byPath = readApplied(applied);
        assertThat(byPath.keySet()).isEqualTo(pcaByPath.keySet());
        double largest = 0;
        for (VectorRow row : features) {
            String[] want = byPath.get(row.path());
            assertThat(row.predicted()).as(row.path()).isEqualTo(want[0]);
            // The same floats through the same graph; ONNX Runtime's vectorised Sigmoid/Softmax may round a row
            // differently in another batch (measured: at most 4.4e-16 between batch sizes 1 and 5,000).
            assertThat(row.score()).as(row.path()).isCloseTo(Double.parseDouble(want[1]), Offset.offset(1e-12));
            largest = Math.max(largest, Math.abs(row.score() - Double.parseDouble(want[1])));
        }
        System.out.printf("run --classifier vs classify --apply: labels equal on %d images, largest score difference %.3g%n",
                features.size(), largest);
    }

    /**
     * The classifier never saw these images: on those of its two classes it must still be right (measured: 40 of 40;
     * every one of the sample's 105 pairs labels all of its unseen images right in this split).
     */
    @Test
    void thePredictedColumnIsRightOnImagesTheClassifierNeverSaw() throws Exception {
        List<VectorRow> ofThePair = labelled.rows("features").stream().filter(r -> Set.of(A, B).contains(r.label())).toList();
        assertThat(ofThePair).hasSize(2 * PER_CLASS);
        long right = ofThePair.stream().filter(r -> r.predicted().equals(r.label())).count();
        System.out.printf("accuracy of predicted on %d unseen images of %s / %s: %.4f%n", ofThePair.size(), A, B,
                (double) right / ofThePair.size());
        assertThat((double) right / ofThePair.size()).isGreaterThanOrEqualTo(0.9);
    }

    @Test
    void successNamesTheClassifier() throws Exception {
        JsonNode classifier = Outputs.success(labelled.output()).path("classifier");
        assertThat(classifier.path("location").asText()).isEqualTo(pairClassifier.toString());
        assertThat(classifier.path("sha256").asText()).isEqualTo(sha256(Files.readAllBytes(pairClassifier)));
        assertThat(classifier.path("input").asText()).isEqualTo("features");
        assertThat(classifier.path("classes").toString()).isEqualTo("[\"" + A + "\",\"" + B + "\"]");
        assertThat(classifier.path("score").asText()).isEqualTo("probability");
    }

    /** A job given a classifier said nothing of it on the console (a user's walk): its first line names it. */
    @Test
    void theFirstLineSaysTheImagesAreLabelled() {
        assertThat(labelled.messages()).contains("; each image labelled by " + pairClassifier + " (2 classes: " + A
                + ", " + B + "; probability scores)");
    }

    /**
     * An output holding another job's files, as many rows in each: a features part of the other job was labelled as
     * this output's images, and another job's pca-model.json passed for this one's (a user's walk: 92 % where the
     * classifier on its own axes scored 100). Refused, naming the file, in training and in --apply.
     */
    @Test
    void anOutputHoldingAnotherJobsFilesIsRefused() throws Exception {
        Path swapped = copyOf(trained, temp.resolve("swapped part"));
        Files.copy(labelled.output().resolve("features/part-000000.parquet"),
                swapped.resolve("features/part-000000.parquet"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        long written = Files.size(trained.resolve("features/part-000000.parquet"));
        long now = Files.size(swapped.resolve("features/part-000000.parquet"));
        assertThat(now).isNotEqualTo(written);
        JobRun apply = JobRun.of(swapped, "classify", "--apply", pairClassifier.toString(), "--input", swapped.toString(),
                "--output", temp.resolve("swapped.parquet").toString());
        assertThat(apply.exitCode()).as(apply.messages()).isEqualTo(2);
        assertThat(apply.messages()).contains(swapped.resolve("features") + " is not as the job wrote it: part-000000.parquet"
                + " has " + now + " bytes, where the job wrote " + written + ". Make the output again");
        assertThat(temp.resolve("swapped.parquet")).doesNotExist();

        Path otherAxes = copyOf(trained, temp.resolve("other axes"));
        Files.copy(labelled.output().resolve("pca-model.json"), otherAxes.resolve("pca-model.json"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        JobRun train = JobRun.of(otherAxes, "classify", "--input", otherAxes.toString(), "--use", "pca", "--pair", A, B,
                "--train-per-class", "15", "--output", temp.resolve("other axes pair").toString());
        assertThat(train.exitCode()).as(train.messages()).isEqualTo(2);
        assertThat(train.messages()).contains(otherAxes.resolve("pca-model.json") + " is not the one the job wrote (its"
                + " SHA-256 is " + sha256(Files.readAllBytes(otherAxes.resolve("pca-model.json"))).substring(0, 12));
        assertThat(temp.resolve("other axes pair")).doesNotExist();

        // So is a pca/ part of another job (no generation recorded their sizes before).
        Path swappedPca = copyOf(trained, temp.resolve("swapped pca part"));
        Files.copy(labelled.output().resolve("pca/part-000000.parquet"), swappedPca.resolve("pca/part-000000.parquet"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        long projected = Files.size(trained.resolve("pca/part-000000.parquet"));
        long other = Files.size(swappedPca.resolve("pca/part-000000.parquet"));
        assertThat(other).isNotEqualTo(projected);
        JobRun fromPca = JobRun.of(swappedPca, "classify", "--input", swappedPca.toString(), "--use", "pca", "--pair", A,
                B, "--train-per-class", "15", "--output", temp.resolve("swapped pca pair").toString());
        assertThat(fromPca.exitCode()).as(fromPca.messages()).isEqualTo(2);
        assertThat(fromPca.messages()).contains(swappedPca.resolve("pca") + " is not as the job wrote it: part-000000.parquet"
                + " has " + other + " bytes, where the job wrote " + projected + ". Make the output again");
        assertThat(temp.resolve("swapped pca pair")).doesNotExist();
    }

    private static Path copyOf(Path output, Path copy) throws Exception {
        try (Stream<Path> files = Files.walk(output)) {
            for (Path f : files.sorted().toList()) {
                Path target = copy.resolve(output.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(f, target);
                }
            }
        }
        return copy;
    }

    @Test
    void aPcaTrainedClassifierIsRefusedBeforeAnyWork() throws Exception {
        Path pcaPair = temp.resolve("pca-pair");
        JobRun classify = JobRun.of(pcaPair, "classify", "--input", trained.toString(), "--use", "pca", "--pair", A, B,
                "--train-per-class", "15", "--output", pcaPair.toString());
        assertThat(classify.exitCode()).as(classify.messages()).isZero();
        assertRefused(pcaPair.resolve("classifier.onnx"), "was trained on PCA coordinates",
                "a PCA-trained classifier can never label a new run", "orchard classify without --use pca");
    }

    @Test
    void aClassifierOfAnotherCnnOrDimensionIsRefusedBeforeAnyWork() throws Exception {
        String tensor = dev.orchard.protocol.ModelSpec.mobileNetV2().featureTensor();
        Path otherCnn = write("other-cnn.onnx", 1280, new FeatureSource("b".repeat(64), tensor, 0, 0));
        assertRefused(otherCnn, "was trained on the features of tensor '464' of the model with SHA-256 " + "b".repeat(64),
                "Run the job with the same --model");
        Path projected = write("projected.onnx", 1280, new FeatureSource(
                Outputs.success(trained).path("model").path("sha256").asText(), tensor, 1280, 42));
        assertRefused(projected, "projected by --reduce srp to 1280 with seed 42");
        Path narrow = write("narrow.onnx", 1000, null);
        assertRefused(narrow, "it reads 1000-d features but is given 1280-d ones");
        // The same CNN and tensor with other preprocessing (a --model-spec's resize, mean, std, BGR): labelled without
        // a word, 81 % where the right spec scored 100 (a user's walk). The real training recorded the default's.
        String sha = Outputs.success(trained).path("model").path("sha256").asText();
        Path otherSpec = write("other-spec.onnx", 1280, new FeatureSource(sha, tensor, 0, 0,
                "224x224, resize-shorter 224, mean [0.5, 0.5, 0.5], std [0.5, 0.5, 0.5], BGR, flattened"));
        assertRefused(otherSpec, "its input preprocessed as 224x224, resize-shorter 224", "--model-spec");
        try (var classifier = dev.orchard.predict.OnnxClassifier.load(Files.readAllBytes(pairClassifier), "pair")) {
            assertThat(classifier.input().features().preprocessing())
                    .isEqualTo(dev.orchard.protocol.ModelSpec.mobileNetV2().preprocessing());
        }
    }

    @Test
    void aFileThatIsNotAClassifierIsRefusedBeforeAnyWork() throws Exception {
        assertRefused(Path.of(JobRun.model()), "is an ONNX model but not one orchard classify wrote");
        assertRefused(temp.resolve("missing.onnx"), "--classifier " + temp.resolve("missing.onnx") + " does not exist");
        // The folder orchard classify wrote, given for the file in it: it said "Is a directory" and exited 1.
        assertRefused(pairClassifier.getParent(), "--classifier " + pairClassifier.getParent() + " is a folder: give the"
                + " classifier file orchard classify wrote (in it, " + pairClassifier.getParent().resolve("classifier.onnx"));
        // A job's output folder holding its training: the file there is named, not <output>/classifier.onnx.
        Path output = temp.resolve("an-output");
        Path inside = Files.createDirectories(output.resolve("classify-pair")).resolve("classifier.onnx");
        Files.copy(pairClassifier, inside);
        assertRefused(output, "--classifier " + output + " is a folder: give the classifier file orchard classify wrote"
                + " (here: " + inside + ")");
    }

    /**
     * The workers read the classifier at the end of the job: one inside the output, which --overwrite clears
     * (classify's folders included), would be gone by then. Refused first, and the old output is left as it was.
     */
    @Test
    void aClassifierInsideTheOutputIsRefused() throws Exception {
        Path copy = temp.resolve("rerun");
        JobRun first = JobRun.of(copy, "run", "--input", newImages.resolve(OTHER).toString(), "--output", copy.toString(),
                "--model", JobRun.model(), "--pca-k", "2");
        assertThat(first.exitCode()).as(first.messages()).isZero();
        Path inside = Files.createDirectories(copy.resolve("classify-pair")).resolve("classifier.onnx");
        Files.copy(pairClassifier, inside);
        JobRun run = JobRun.of(copy, "run", "--input", newImages.toString(), "--output", copy.toString(), "--overwrite",
                "--model", JobRun.model(), "--classifier", inside.toString());
        assertThat(run.exitCode()).as(run.messages()).isEqualTo(2);
        assertThat(run.messages()).contains("--classifier " + inside + " lies inside --output " + copy);
        assertThat(inside).exists();
        assertThat(copy.resolve("_SUCCESS")).exists();
    }

    /**
     * An update of a labelled output with the same classifier, after an image was removed, another changed and one
     * added: the parts that lose rows are regrouped from rows that carry predictions (this failed: "has a
     * prediction, but this part has no column for it", and the output could then only be made again with
     * --overwrite). Every row of the new generation is labelled, as {@code classify --apply} labels it.
     */
    @Test
    void anUpdateWithTheSameClassifierRegroupsLabelledParts() throws Exception {
        Path in = temp.resolve("update images");
        for (String label : List.of(A, B, OTHER)) {
            try (Stream<Path> list = Files.list(newImages.resolve(label))) {
                copy(list.sorted().toList(), Files.createDirectories(in.resolve(label)));
            }
        }
        Path out = temp.resolve("updated");
        String[] job = {"run", "--input", in.toString(), "--output", out.toString(), "--model", JobRun.model(),
                "--pca-k", "5", "--unit-size", "16", "--classifier", pairClassifier.toString()};
        JobRun first = JobRun.of(out, job);
        assertThat(first.exitCode()).as(first.messages()).isZero();
        // classify --apply's file, in the output by default: the update leaves it, and says it is now stale.
        JobRun before = JobRun.of(out, "classify", "--apply", pairClassifier.toString(), "--input", out.toString());
        assertThat(before.exitCode()).as(before.messages()).isZero();
        assertThat(out.resolve("predictions-pair.parquet")).exists();

        List<Path> as;
        try (Stream<Path> list = Files.list(in.resolve(A))) {
            as = list.sorted().toList();
        }
        String[] update = java.util.Arrays.copyOf(job, job.length + 1);
        update[job.length] = "--update";
        // An update that changed no row and no option leaves what classify made from the rows as true as it was.
        JobRun unchanged = JobRun.of(out, update);
        assertThat(unchanged.exitCode()).as(unchanged.messages()).isZero();
        assertThat(unchanged.messages()).doesNotContain("orchard: note:");

        Files.delete(as.get(0)); // removed
        Files.write(as.get(1), Files.readAllBytes(as.get(2))); // changed
        Path added;
        try (Stream<Path> list = Files.list(JobRun.shared().resolve("data/fruits360-sample/Kiwi"))) {
            added = list.sorted().findFirst().orElseThrow(); // a class of its own: labelled all the same
        }
        Files.copy(added, Files.createDirectories(in.resolve("Kiwi")).resolve(added.getFileName()));

        JobRun updated = JobRun.of(out, update);
        assertThat(updated.exitCode()).as(updated.messages()).isZero();
        assertThat(updated.messages()).contains("orchard: note: predictions-pair.parquet in " + out
                + " were made by orchard classify from the output as it was before this update");
        assertThat(out.resolve("predictions-pair.parquet")).exists();
        JsonNode counts = Outputs.success(out).at("/update");
        assertThat(counts.at("/removed").asLong()).isEqualTo(1);
        assertThat(counts.at("/changed").asLong()).isEqualTo(1);
        assertThat(counts.at("/added").asLong()).isEqualTo(1);

        List<VectorRow> features = updated.rows("features");
        Set<String> paths = features.stream().map(VectorRow::path).collect(Collectors.toSet());
        assertThat(features).hasSize(3 * PER_CLASS).allSatisfy(r -> assertThat(r.predicted()).as(r.path()).isIn(A, B));
        assertThat(paths).hasSize(features.size()).noneMatch(path -> path.endsWith(A + "/" + as.get(0).getFileName()));
        assertThat(paths).anyMatch(path -> path.endsWith(A + "/" + as.get(1).getFileName()))
                .anyMatch(path -> path.endsWith("Kiwi/" + added.getFileName()));
        assertThat(updated.rows("pca")).hasSize(features.size()).allSatisfy(r -> assertThat(r.predicted()).isIn(A, B));

        Path applied = temp.resolve("updated-applied.parquet");
        JobRun apply = JobRun.of(out, "classify", "--apply", pairClassifier.toString(), "--input", out.toString(),
                "--output", applied.toString());
        assertThat(apply.exitCode()).as(apply.messages()).isZero();
        Map<String, String[]> byPath = readApplied(applied);
        assertThat(byPath.keySet()).isEqualTo(paths);
        for (VectorRow row : features) {
            assertThat(row.predicted()).as(row.path()).isEqualTo(byPath.get(row.path())[0]);
            assertThat(row.score()).as(row.path()).isCloseTo(Double.parseDouble(byPath.get(row.path())[1]), Offset.offset(1e-12));
        }
    }

    private static void assertRefused(Path classifier, String... message) {
        Path out = temp.resolve("refused-" + classifier.getFileName());
        JobRun run = JobRun.of(out, "run", "--input", newImages.toString(), "--output", out.toString(),
                "--model", JobRun.model(), "--classifier", classifier.toString());
        assertThat(run.exitCode()).as(run.messages()).isEqualTo(2);
        assertThat(run.messages()).contains(message);
        assertThat(out).as("refused before the output is touched").doesNotExist();
    }

    private static Path write(String name, int d, FeatureSource source) throws Exception {
        return writeClassifier(temp.resolve(name), d, source);
    }

    /** A valid classifier.onnx of d-d features (a pair that reads only the first coordinate). */
    static Path writeClassifier(Path file, int d, FeatureSource source) throws Exception {
        double[] inverseStd = new double[d];
        java.util.Arrays.fill(inverseStd, 1);
        double[][] weights = new double[2][d];
        weights[0][0] = 1;
        weights[1][0] = -1;
        byte[] bytes = ClassifierGraph.write(new LinearClassifier(List.of(A, B), new double[d], inverseStd, weights,
                new double[2], Link.SIGMOID, new VectorProvenance(VectorKind.FEATURES, d, source, null), Map.of()));
        return Files.write(file, bytes);
    }

    /** classify --apply's file: path → {predicted, score}. */
    private static Map<String, String[]> readApplied(Path file) throws Exception {
        Map<String, String[]> rows = new HashMap<>();
        ParquetReadOptions options = ParquetReadOptions.builder(new PlainParquetConfiguration())
                .withCodecFactory(new HadoopFreeCodecs()).build();
        try (ParquetFileReader reader = ParquetFileReader.open(new LocalInputFile(file), options)) {
            var schema = reader.getFooter().getFileMetaData().getSchema();
            var io = new ColumnIOFactory().getColumnIO(schema);
            for (var group = reader.readNextRowGroup(); group != null; group = reader.readNextRowGroup()) {
                var records = io.getRecordReader(group, new GroupRecordConverter(schema));
                for (long i = 0; i < group.getRowCount(); i++) {
                    var g = records.read();
                    rows.put(g.getString("path", 0), new String[] {g.getString("predicted", 0),
                            String.valueOf(g.getDouble("score", 0))});
                }
            }
        }
        return rows;
    }

    private static void copy(List<Path> files, Path into) throws Exception {
        for (Path f : files) {
            Files.copy(f, into.resolve(f.getFileName()));
        }
    }

    static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
