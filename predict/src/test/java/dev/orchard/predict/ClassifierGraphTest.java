package dev.orchard.predict;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The graph against the arithmetic it stands for, computed here in plain Java: z = (x − mean)·inverseStd,
 * s = W z + b, then the link. Both sides compute in double from the same float inputs, so they agree to rounding:
 * 1e-12 is far above it (~1e-15 here) and far below any real mistake (a float32 weight would be off by ~1e-7).
 */
class ClassifierGraphTest {
    static final double TOLERANCE = 1e-12;
    static final List<String> CLASSES = List.of("Apple Red 1", "Banana", "Kiwi");
    static final int D = 5;

    @Test
    void eachLinkGivesTheScoresTheLabelAndTheBestScore() throws Exception {
        Random random = new Random(3);
        float[][] rows = new float[40][D];
        for (float[] row : rows) {
            for (int i = 0; i < D; i++) {
                row[i] = (float) (random.nextGaussian() * 3 + i);
            }
        }
        for (Link link : Link.values()) {
            LinearClassifier model = model(link, random);
            try (OnnxClassifier onnx = OnnxClassifier.load(ClassifierGraph.write(model), "test.onnx")) {
                double[][] scores = onnx.classScores(rows);
                Predictions predictions = onnx.predict(rows);
                for (int r = 0; r < rows.length; r++) {
                    double[] want = expected(model, rows[r]);
                    int best = 0;
                    for (int c = 0; c < CLASSES.size(); c++) {
                        assertThat(scores[r][c]).as("%s row %d class %d", link, r, c).isCloseTo(want[c], org.assertj.core.data.Offset.offset(TOLERANCE));
                        best = want[c] > want[best] ? c : best;
                    }
                    assertThat(predictions.labels()[r]).as("%s row %d", link, r).isEqualTo(CLASSES.get(best));
                    assertThat(predictions.scores()[r]).isCloseTo(want[best], org.assertj.core.data.Offset.offset(TOLERANCE));
                }
                assertThat(onnx.scoreMeaning()).isEqualTo(link == Link.MARGIN ? "margin" : "probability");
            }
        }
    }

    @Test
    void aTieGoesToTheFirstClassAndAnEmptyBatchIsEmpty() throws Exception {
        double[][] weights = new double[3][D]; // every score equal: the bias alone decides, and it ties
        LinearClassifier model = new LinearClassifier(CLASSES, new double[D], ones(), weights, new double[] {0, 0, 0},
                Link.MARGIN, new VectorProvenance(VectorKind.FEATURES, D, null, null), Map.of());
        try (OnnxClassifier onnx = OnnxClassifier.load(ClassifierGraph.write(model), "tie.onnx")) {
            assertThat(onnx.predict(new float[][] {new float[D]}).labels()).containsExactly("Apple Red 1");
            Predictions none = onnx.predict(new float[0], 0);
            assertThat(none.size()).isZero();
        }
    }

    @Test
    void aFlatBatchMayBeLongerThanItsRowsAndConcurrentCallsAgree() throws Exception {
        Random random = new Random(5);
        LinearClassifier model = model(Link.SOFTMAX, random);
        float[] flat = new float[10 * D];
        for (int i = 0; i < flat.length; i++) {
            flat[i] = (float) random.nextGaussian();
        }
        try (OnnxClassifier onnx = OnnxClassifier.load(ClassifierGraph.write(model), "flat.onnx")) {
            Predictions all = onnx.predict(flat, 10);
            Predictions first = onnx.predict(flat, 4);
            assertThat(first.labels()).containsExactly(java.util.Arrays.copyOf(all.labels(), 4));
            List<Predictions> parallel = java.util.stream.IntStream.range(0, 8).parallel().mapToObj(i -> {
                try {
                    return onnx.predict(flat, 10);
                } catch (ai.onnxruntime.OrtException e) {
                    throw new IllegalStateException(e);
                }
            }).toList();
            for (Predictions p : parallel) {
                assertThat(p.labels()).containsExactly(all.labels());
                assertThat(p.scores()).containsExactly(all.scores());
            }
        }
    }

    @Test
    void theMetadataSaysWhatTheClassifierReadsAndPredicts() throws Exception {
        FeatureSource source = new FeatureSource("ab12", "464", 0, 0);
        LinearClassifier model = new LinearClassifier(CLASSES, new double[D], ones(), new double[3][D], new double[3],
                Link.SIGMOID, new VectorProvenance(VectorKind.PCA, D, source, "cd34"), Map.of("orchard.mode", "one-vs-all"));
        try (OnnxClassifier onnx = OnnxClassifier.load(ClassifierGraph.write(model), "meta.onnx")) {
            assertThat(onnx.input()).isEqualTo(new VectorProvenance(VectorKind.PCA, D, source, "cd34"));
            assertThat(onnx.classes()).isEqualTo(CLASSES);
            assertThat(onnx.metadata()).containsEntry("orchard.mode", "one-vs-all")
                    .containsEntry("orchard.input", "pca").containsEntry("orchard.dimension", "5")
                    .containsEntry("orchard.pca-model.sha256", "cd34").containsEntry("orchard.feature-model.sha256", "ab12")
                    .containsEntry("orchard.feature-tensor", "464").containsEntry("orchard.srp.dim", "0")
                    .containsEntry("orchard.format", "orchard-classifier/1").containsEntry("orchard.class.1", "Banana");
            assertThat(onnx.sha256()).hasSize(64);
        }
    }

    /**
     * A class named with a character beyond the Basic Multilingual Plane (a folder "Kiwi 🥝"): ONNX Runtime's Java
     * API gives the graph's string outputs and metadata through JNI's modified UTF-8, which made it "Kiwi ð" (a
     * user's walk: orchard classify failed its own export check). Labels, classes and metadata are the file's own.
     */
    @Test
    void classNamesBeyondTheBasicMultilingualPlaneComeBackAsWritten() throws Exception {
        List<String> classes = List.of("Kiwi \uD83E\uDD5D", "Lemon ünï", "\uD835\uDD38 日本");
        double[][] weights = new double[3][D];
        for (int c = 0; c < 3; c++) {
            weights[c][c] = 1; // row c scores class c highest
        }
        LinearClassifier model = new LinearClassifier(classes, new double[D], ones(), weights, new double[3],
                Link.SOFTMAX, new VectorProvenance(VectorKind.FEATURES, D, null, null), Map.of("orchard.note", "\uD83C\uDF4D"));
        float[][] rows = new float[3][D];
        for (int c = 0; c < 3; c++) {
            rows[c][c] = 5;
        }
        try (OnnxClassifier onnx = OnnxClassifier.load(ClassifierGraph.write(model), "emoji.onnx")) {
            assertThat(onnx.classes()).isEqualTo(classes);
            assertThat(onnx.predict(rows).labels()).containsExactly(classes.toArray(String[]::new));
            assertThat(onnx.metadata()).containsEntry("orchard.class.0", classes.get(0))
                    .containsEntry("orchard.note", "\uD83C\uDF4D");
        }
    }

    /** The labels come from the metadata's class names: a file whose graph names other classes was edited. */
    @Test
    void aGraphWhoseClassNamesAreNotItsMetadatasIsRefused() {
        LinearClassifier model = new LinearClassifier(CLASSES, new double[D], ones(), new double[3][D], new double[3],
                Link.MARGIN, new VectorProvenance(VectorKind.FEATURES, D, null, null), Map.of());
        ai.onnx.proto.OnnxMl.ModelProto.Builder edited = ClassifierGraph.proto(model).toBuilder();
        var graph = edited.getGraphBuilder();
        for (int i = 0; i < graph.getInitializerCount(); i++) {
            if (graph.getInitializer(i).getName().equals("classes")) {
                graph.setInitializer(i, graph.getInitializer(i).toBuilder()
                        .setStringData(1, com.google.protobuf.ByteString.copyFromUtf8("Cherry")));
            }
        }
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> OnnxClassifier.load(edited.build().toByteArray(), "edited.onnx"))
                .isInstanceOf(ClassifierException.class).hasMessageContaining("edited.onnx")
                .hasMessageContaining("[Apple Red 1, Cherry, Kiwi]").hasMessageContaining("it was edited");
    }

    static LinearClassifier model(Link link, Random random) {
        double[] mean = new double[D];
        double[] inverseStd = new double[D];
        double[][] weights = new double[CLASSES.size()][D];
        double[] bias = new double[CLASSES.size()];
        for (int i = 0; i < D; i++) {
            mean[i] = i + random.nextGaussian();
            inverseStd[i] = i == 2 ? 0 : 1 / (1 + random.nextDouble() * 3); // coordinate 2 was constant
        }
        for (int c = 0; c < weights.length; c++) {
            bias[c] = random.nextGaussian();
            for (int i = 0; i < D; i++) {
                weights[c][i] = random.nextGaussian();
            }
        }
        return new LinearClassifier(CLASSES, mean, inverseStd, weights, bias, link,
                new VectorProvenance(VectorKind.FEATURES, D, null, null), Map.of());
    }

    static double[] expected(LinearClassifier m, float[] x) {
        int c = m.classes().size();
        double[] s = new double[c];
        for (int k = 0; k < c; k++) {
            s[k] = m.bias()[k];
            for (int i = 0; i < D; i++) {
                s[k] += m.weights()[k][i] * ((x[i] - m.mean()[i]) * m.inverseStd()[i]);
            }
        }
        switch (m.link()) {
            case SIGMOID -> {
                for (int k = 0; k < c; k++) {
                    s[k] = 1 / (1 + Math.exp(-s[k]));
                }
            }
            case SOFTMAX -> {
                double max = Double.NEGATIVE_INFINITY;
                for (double v : s) {
                    max = Math.max(max, v);
                }
                double sum = 0;
                for (int k = 0; k < c; k++) {
                    s[k] = Math.exp(s[k] - max);
                    sum += s[k];
                }
                for (int k = 0; k < c; k++) {
                    s[k] /= sum;
                }
            }
            case MARGIN -> {
            }
        }
        return s;
    }

    private static double[] ones() {
        double[] v = new double[D];
        java.util.Arrays.fill(v, 1);
        return v;
    }
}
