package dev.orchard.classify;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orchard.classify.ClassifyReport.ClassCount;
import dev.orchard.classify.Evaluation.ClassMetrics;
import dev.orchard.predict.ClassifierGraph;
import java.util.Locale;
import org.tribuo.Tribuo;

/**
 * {@code classifier.json}: parameters, seed, the cross-validation curve, metrics, what {@code classifier.onnx}
 * expects and how it was checked, and timings. Built field by field rather than by reflection
 * over the report, so the file's layout is a contract that a refactoring cannot change by accident.
 */
final class ClassifierJson {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private ClassifierJson() {
    }

    static byte[] toBytes(ClassifyReport report) {
        try {
            return JSON.writeValueAsBytes(tree(report));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("Cannot write classifier.json", e);
        }
    }

    /** Whether {@code bytes} are a classifier.json as {@link #toBytes} writes it: a JSON object with its mode and learner. */
    static boolean isOrchards(byte[] bytes) {
        try {
            var root = JSON.readTree(bytes);
            return root != null && root.isObject() && root.path("mode").isTextual() && root.path("learner").isTextual();
        } catch (java.io.IOException e) {
            return false;
        }
    }

    static ObjectNode tree(ClassifyReport report) {
        ClassifyOptions o = report.options();
        ObjectNode root = JSON.createObjectNode();
        root.put("mode", o.mode().name());
        if (o.mode() instanceof Mode.Pair pair) {
            root.putArray("pair").add(pair.first()).add(pair.second());
        }
        root.put("learner", o.learner().name().toLowerCase(Locale.ROOT));
        root.put("model", report.model());
        root.put("use", o.use().column());
        root.put("dimension", report.dimension());
        root.put("seed", o.seed());
        ObjectNode split = root.putObject("split");
        if (o.split() instanceof SplitRule.PerClass p) {
            split.put("trainPerClass", p.count());
        } else {
            split.put("trainFraction", ((SplitRule.Fraction) o.split()).fraction());
        }
        if (o.hasCost()) {
            root.put("cost", report.cost());
        } else {
            root.putNull("cost"); // the multinomial logistic model (SGD) has no C
        }
        CrossValidation.Result cv = report.crossValidation();
        if (cv != null) {
            ObjectNode node = root.putObject("crossValidation");
            node.put("folds", cv.plan().folds()).put("seed", o.seed()).put("chosenBy", "highest mean accuracy; ties to the smaller C");
            ArrayNode sizes = node.putArray("foldSizes");
            for (int size : cv.foldSizes()) {
                sizes.add(size);
            }
            ArrayNode curve = node.putArray("curve");
            for (CrossValidation.Point p : cv.curve()) {
                ObjectNode point = curve.addObject().put("cost", p.cost());
                point.putObject("accuracy").put("mean", p.meanAccuracy()).put("sd", p.sdAccuracy())
                        .set("folds", doubles(p.accuracy()));
                point.putObject("balancedAccuracy").put("mean", p.meanBalancedAccuracy()).put("sd", p.sdBalancedAccuracy())
                        .set("folds", doubles(p.balancedAccuracy()));
            }
            node.put("chosen", cv.chosen());
        }
        root.put("standardised", true);
        root.put("input", o.input().toString());
        root.put("output", report.output().toString());

        ObjectNode images = root.putObject("images");
        images.put("train", report.train().total());
        images.put("test", report.test().total());
        images.put("unlabelledSkipped", report.unlabelled());
        ArrayNode classes = root.putArray("classes");
        for (ClassCount c : report.classes()) {
            classes.addObject().put("label", c.label()).put("train", c.train()).put("test", c.test());
        }

        ObjectNode test = evaluation(root.putObject("test"), report.test());
        ArrayNode perClass = test.putArray("perClass");
        for (ClassMetrics m : report.test().perClass()) {
            perClass.addObject().put("label", m.label()).put("support", m.support()).put("predicted", m.predicted())
                    .put("precision", m.precision()).put("recall", m.recall());
        }
        ObjectNode confusion = test.putObject("confusion");
        confusion.put("rows", "true class").put("columns", "predicted class");
        ArrayNode labels = confusion.putArray("labels");
        report.test().classes().forEach(labels::add);
        ArrayNode counts = confusion.putArray("counts");
        for (int[] row : report.test().confusion()) {
            ArrayNode r = counts.addArray();
            for (int v : row) {
                r.add(v);
            }
        }
        evaluation(root.putObject("train"), report.train());

        OnnxExport.Exported onnx = report.onnx();
        ObjectNode file = root.putObject("onnx");
        file.put("file", Classifier.CLASSIFIER_ONNX).put("sha256", onnx.sha256());
        file.put("input", ClassifierGraph.INPUT + ": float[N, " + report.dimension() + "]");
        file.put("outputs", ClassifierGraph.SCORES + ": double[N, " + report.classes().size() + "] (classes in the order of"
                + " 'classes'), " + ClassifierGraph.LABEL + ": string[N], " + ClassifierGraph.SCORE + ": double[N], "
                + ClassifierGraph.LINEAR + ": double[N, " + report.classes().size() + "] (the label is the class of the"
                + " highest)");
        ObjectNode expects = file.putObject("expects");
        onnx.input().toMetadata().forEach(expects::put);
        file.putObject("check").put("rows", onnx.rowsChecked()).put("maxScoreDifference", onnx.maxScoreDifference())
                .put("tolerance", OnnxExport.TOLERANCE);

        ClassifyReport.Timings t = report.timings();
        root.putObject("timingsMillis").put("read", t.readMillis()).put("crossValidation", t.crossValidationMillis())
                .put("train", t.trainMillis()).put("predict", t.predictMillis()).put("export", t.exportMillis())
                .put("write", t.writeMillis()).put("total", t.totalMillis());
        root.putObject("versions").put("tribuo", Tribuo.VERSION);
        return root;
    }

    private static ObjectNode evaluation(ObjectNode node, Evaluation e) {
        return node.put("accuracy", e.accuracy()).put("balancedAccuracy", e.balancedAccuracy())
                .put("correct", e.correct()).put("total", e.total());
    }

    private static ArrayNode doubles(double[] values) {
        ArrayNode a = JSON.createArrayNode();
        for (double v : values) {
            a.add(v);
        }
        return a;
    }
}
