package dev.orchard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.orchard.classify.AppliedPrediction;
import dev.orchard.classify.ApplyClassifier;
import dev.orchard.classify.ApplyOptions;
import dev.orchard.classify.ApplyReport;
import dev.orchard.classify.ClassifyOptions;
import dev.orchard.classify.CrossValidationPlan;
import dev.orchard.classify.PredictionRow;
import dev.orchard.predict.OnnxClassifier;
import dev.orchard.predict.Predictions;
import dev.orchard.classify.ClassifyReport;
import dev.orchard.classify.Classifier;
import dev.orchard.classify.Mode;
import dev.orchard.classify.SplitRule;
import dev.orchard.classify.VectorColumn;
import dev.orchard.protocol.ModelSpec;
import dev.orchard.store.Location;
import dev.orchard.stats.PcaModel;
import dev.orchard.stats.PcaModelJson;
import dev.orchard.store.parquet.VectorRow;
import dev.orchard.worker.image.ImageDecoder;
import dev.orchard.worker.image.Preprocessor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.EigenDecomposition;
import org.apache.commons.math3.linear.RealMatrix;
import org.apache.commons.math3.linear.RealVector;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The main job on the shared Fruits-360 sample with the shared float32 model, checked against direct computations. */
class EmbeddedJobTest {
    private static final int K = 20;
    private static JobRun run;
    private static List<VectorRow> features;
    private static List<VectorRow> pca;

    @TempDir
    static Path temp;

    /** A scratch folder as a worker killed with -9 leaves it in the temporary folder: its lock file, unlocked. */
    private static Path abandoned;

    @BeforeAll
    static void runJob() throws Exception {
        abandoned = Files.createDirectory(Path.of(System.getProperty("java.io.tmpdir"))
                .resolve("orchard-worker-embeddedjobtest-" + System.nanoTime()));
        Files.write(abandoned.resolve("owner.lock"), new byte[0]);
        Files.write(abandoned.resolve(".part-0.parquet"), new byte[1000]);
        Path out = temp.resolve("fruits out");
        run = JobRun.of(out, "run", "--input", JobRun.shared().resolve("data/fruits360-sample").toString(),
                "--output", out.toString(), "--pca-k", String.valueOf(K), "--model", JobRun.model());
        assertThat(run.exitCode()).as(run.messages()).isZero();
        features = run.rows("features");
        pca = run.rows("pca");
    }

    @Test
    void theJobsWorkerClearedTheScratchFolderADeadWorkerLeft() {
        assertThat(abandoned).doesNotExist();
    }

    @Test
    void writesOneFeatureRowPerImageLabelledByItsFolder() throws Exception {
        assertThat(features).hasSize(600);
        assertThat(features).allSatisfy(r -> assertThat(r.values()).hasSize(1280));
        Set<String> folders;
        try (Stream<Path> dirs = Files.list(JobRun.shared().resolve("data/fruits360-sample"))) {
            folders = dirs.map(p -> p.getFileName().toString()).collect(Collectors.toSet());
        }
        assertThat(features.stream().map(VectorRow::label).collect(Collectors.toSet())).isEqualTo(folders).hasSize(15);
        for (VectorRow row : features) {
            assertThat(Path.of(row.path()).getParent().getFileName().toString()).isEqualTo(row.label());
        }
        assertThat(features.stream().map(VectorRow::path).distinct().count()).isEqualTo(600);
    }

    @Test
    void pcaRowsAreTheFeaturesProjectedOnTheModel() throws Exception {
        PcaModel model = PcaModelJson.read(Files.readAllBytes(run.output().resolve("pca-model.json")));
        assertThat(model.k()).isEqualTo(K);
        assertThat(pca).hasSize(600);
        Map<String, float[]> byPath = features.stream().collect(Collectors.toMap(VectorRow::path, VectorRow::values));
        for (VectorRow row : pca) {
            assertThat(row.values()).hasSize(K);
            float[] expected = model.project(byPath.get(row.path()));
            for (int i = 0; i < K; i++) {
                assertThat(row.values()[i]).isCloseTo(expected[i], org.assertj.core.data.Offset.offset(1e-3f));
            }
        }
        List<String> csv = Files.readAllLines(run.output().resolve("pca.csv"));
        assertThat(csv).hasSize(601);
        assertThat(csv.get(0)).isEqualTo("filename,label,pca");
        assertThat(Files.readAllLines(run.output().resolve("errors.csv"))).containsExactly("path,reason");
        JsonNode success = new ObjectMapper().readTree(run.output().resolve("_SUCCESS").toFile());
        assertThat(success.at("/counts/rows").asLong()).isEqualTo(600);
        assertThat(success.at("/counts/errors").asLong()).isZero();
        assertThat(success.at("/model/sha256").asText()).isEqualTo("1f81561b8dd6efff8ea6e71665c6f19b28901f5fb0ea961064b1c7db3461b278");
        assertThat(success.at("/versions/build").asText()).as("the build that wrote it")
                .isEqualTo(dev.orchard.coordinator.Build.id());
        assertThat(run.messages()).doesNotContain("Exception");
    }

    /**
     * The PCA against Commons Math's eigendecomposition of the centred feature matrix X (n = 600 rows, d = 1280), done
     * on its n × n Gram matrix X Xᵀ / (n − 1): the same non-zero eigenvalues as the covariance Xᵀ X / (n − 1), each
     * axis Xᵀ u / |Xᵀ u|, and a decomposition of 600 rows rather than 1,280 (it took 8 of this class's 10 s).
     */
    @Test
    void pcaEqualsADirectCommonsMathPcaOfTheFeatureMatrix() throws Exception {
        int n = features.size();
        int d = features.get(0).values().length;
        double[] mean = new double[d];
        for (VectorRow row : features) {
            float[] f = row.values();
            for (int i = 0; i < d; i++) {
                mean[i] += f[i] / (double) n;
            }
        }
        double[][] centred = new double[n][d];
        for (int r = 0; r < n; r++) {
            float[] f = features.get(r).values();
            for (int i = 0; i < d; i++) {
                centred[r][i] = f[i] - mean[i];
            }
        }
        RealMatrix x = new Array2DRowRealMatrix(centred, false);
        EigenDecomposition direct = new EigenDecomposition(x.multiply(x.transpose()).scalarMultiply(1.0 / (n - 1)));
        double[] values = direct.getRealEigenvalues();
        Integer[] order = new Integer[values.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(values[b], values[a]));
        PcaModel model = PcaModelJson.read(Files.readAllBytes(run.output().resolve("pca-model.json")));
        for (int c = 0; c < K; c++) {
            double want = values[order[c]];
            assertThat(Math.abs(model.eigenvalues()[c] - want) / want).as("eigenvalue %d", c).isLessThanOrEqualTo(1e-9);
            RealVector axis = x.preMultiply(direct.getEigenvector(order[c])); // Xᵀ u
            axis = axis.mapDivide(axis.getNorm());
            double dot = 0;
            for (int i = 0; i < d; i++) {
                dot += axis.getEntry(i) * model.components()[c][i];
            }
            assertThat(Math.abs(dot)).as("component %d", c).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-6));
        }
    }

    @Test
    void featuresEqualADirectOnnxRuntimeCallOnTheSamePreprocessedTensor() throws Exception {
        ModelSpec spec = ModelSpec.mobileNetV2();
        Preprocessor pre = new Preprocessor(spec);
        ImageDecoder decoder = new ImageDecoder(ImageDecoder.DEFAULT_MAX_PIXELS);
        List<VectorRow> sample = List.of(features.get(0), features.get(299), features.get(599));
        FloatBuffer batch = ByteBuffer.allocateDirect(sample.size() * pre.imageSize() * 4).order(ByteOrder.nativeOrder()).asFloatBuffer();
        for (int i = 0; i < sample.size(); i++) {
            pre.write(decoder.decode(Files.readAllBytes(Path.of(sample.get(i).path()))), batch, i * pre.imageSize());
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session = env.createSession(JobRun.model(), new OrtSession.SessionOptions());
             OnnxTensor input = OnnxTensor.createTensor(env, batch, new long[] {sample.size(), 3, 224, 224});
             OrtSession.Result result = session.run(Map.of("input", input))) {
            float[][] direct = (float[][]) result.get("features").orElseThrow().getValue();
            for (int i = 0; i < sample.size(); i++) {
                float[] ours = sample.get(i).values();
                for (int j = 0; j < 1280; j++) {
                    assertThat((double) Math.abs(direct[i][j] - ours[j])).isLessThanOrEqualTo(1e-4);
                }
            }
        }
    }

    @Test
    void classifiersLearnTheFruitClassesFromTheFeatures() throws Exception {
        Location out = Location.local(run.output());
        ClassifyOptions pair = ClassifyOptions.of(out, new SplitRule.PerClass(10), new Mode.Pair("Banana", "Kiwi"))
                .withOutput(Location.local(temp.resolve("pair")));
        ClassifyReport first = Classifier.run(pair);
        assertThat(first.testAccuracy()).isGreaterThan(0.95);
        ClassifyReport again = Classifier.run(pair.withOutput(Location.local(temp.resolve("pair-again"))));
        assertThat(again.predictions()).isEqualTo(first.predictions());
        ClassifyReport otherSeed = Classifier.run(pair.withSeed(7).withOutput(Location.local(temp.resolve("pair-7"))));
        assertThat(otherSeed.predictions().stream().filter(p -> p.split().equals("train")).map(p -> p.path()).toList())
                .isNotEqualTo(first.predictions().stream().filter(p -> p.split().equals("train")).map(p -> p.path()).toList());

        ClassifyReport multiclass = Classifier.run(ClassifyOptions.of(out, new SplitRule.Fraction(0.5), new Mode.Multiclass())
                .withOutput(Location.local(temp.resolve("multi"))));
        assertThat(multiclass.classes()).hasSize(15);
        assertThat(multiclass.testAccuracy()).isGreaterThan(0.95);
        ClassifyReport oneVsAllPca = Classifier.run(ClassifyOptions.of(out, new SplitRule.Fraction(0.5), new Mode.OneVsAll())
                .withUse(VectorColumn.PCA).withOutput(Location.local(temp.resolve("ova-pca"))));
        assertThat(oneVsAllPca.testAccuracy()).isGreaterThan(0.95);
        assertThat(temp.resolve("multi/predictions.parquet")).exists();
        assertThat(temp.resolve("multi/classifier.json")).exists();
    }

    /**
     * classifier.onnx on the shared sample: ONNX Runtime gives the Java model's label and score on every test image
     * (tolerance 1e-9: the graph computes in double from the same float features, so only summation order
     * differs, ~1e-16), and --apply on the same output labels every image as training did. The worker's
     * {@code run --classifier} uses the same OnnxClassifier on the same float vectors, so it must give these labels too.
     */
    @Test
    void classifierOnnxScoresAsTheJavaModelAndApplyRelabelsTheOutputTheSame() throws Exception {
        Location out = Location.local(run.output());
        Map<String, float[]> byPath = features.stream().collect(Collectors.toMap(VectorRow::path, VectorRow::values));
        Map<String, float[]> pcaByPath = pca.stream().collect(Collectors.toMap(VectorRow::path, VectorRow::values));
        List<ClassifyOptions> trainings = List.of(
                ClassifyOptions.of(out, new SplitRule.PerClass(10), new Mode.Pair("Banana", "Kiwi"))
                        .withCrossValidation(CrossValidationPlan.of(3)).withOutput(Location.local(temp.resolve("onnx-pair"))),
                ClassifyOptions.of(out, new SplitRule.Fraction(0.5), new Mode.OneVsAll()).withUse(VectorColumn.PCA)
                        .withOutput(Location.local(temp.resolve("onnx-ova-pca"))),
                ClassifyOptions.of(out, new SplitRule.Fraction(0.5), new Mode.Multiclass())
                        .withOutput(Location.local(temp.resolve("onnx-multi"))));
        for (ClassifyOptions options : trainings) {
            ClassifyReport report = Classifier.run(options);
            Map<String, float[]> vectors = options.use() == VectorColumn.PCA ? pcaByPath : byPath;
            List<PredictionRow> test = report.predictions().stream().filter(p -> p.split().equals(PredictionRow.TEST)).toList();
            Path file = options.output().path().resolve("classifier.onnx");
            try (OnnxClassifier onnx = OnnxClassifier.load(Files.readAllBytes(file), file.toString())) {
                Predictions predicted = onnx.predict(test.stream().map(p -> vectors.get(p.path())).toArray(float[][]::new));
                for (int i = 0; i < test.size(); i++) {
                    assertThat(predicted.labels()[i]).as(test.get(i).path()).isEqualTo(test.get(i).predicted());
                    assertThat(predicted.scores()[i]).isCloseTo(test.get(i).score(), org.assertj.core.data.Offset.offset(1e-9));
                }
                assertThat(onnx.input().features().modelSha256())
                        .isEqualTo("1f81561b8dd6efff8ea6e71665c6f19b28901f5fb0ea961064b1c7db3461b278");
            }
            Path target = temp.resolve(options.output().path().getFileName() + "-applied.parquet");
            ApplyReport applied = ApplyClassifier.run(ApplyOptions.of(Location.local(file), out).withOutput(Location.local(target)));
            assertThat(applied.images()).isEqualTo(600);
            assertThat(applied.featureSourceChecked()).isTrue();
            assertThat(applied.preprocessingChecked()).as("the job's _SUCCESS and the classifier record it").isTrue();
            Map<String, AppliedPrediction> byImage = new java.util.HashMap<>();
            try (var reader = org.apache.parquet.hadoop.ParquetFileReader.open(new org.apache.parquet.io.LocalInputFile(target),
                    org.apache.parquet.ParquetReadOptions.builder(new org.apache.parquet.conf.PlainParquetConfiguration())
                            .withCodecFactory(new dev.orchard.store.parquet.HadoopFreeCodecs()).build())) {
                var schema = reader.getFooter().getFileMetaData().getSchema();
                var io = new org.apache.parquet.io.ColumnIOFactory().getColumnIO(schema);
                for (var group = reader.readNextRowGroup(); group != null; group = reader.readNextRowGroup()) {
                    var records = io.getRecordReader(group, new org.apache.parquet.example.data.simple.convert.GroupRecordConverter(schema));
                    for (long i = 0; i < group.getRowCount(); i++) {
                        var g = records.read();
                        byImage.put(g.getString("path", 0), new AppliedPrediction(g.getString("path", 0),
                                g.getString("label", 0), g.getString("predicted", 0), g.getDouble("score", 0)));
                    }
                }
            }
            for (PredictionRow p : report.predictions()) {
                assertThat(byImage.get(p.path()).predicted()).as(p.path()).isEqualTo(p.predicted());
                assertThat(byImage.get(p.path()).score()).isCloseTo(p.score(), org.assertj.core.data.Offset.offset(1e-9));
            }
        }
    }
}
