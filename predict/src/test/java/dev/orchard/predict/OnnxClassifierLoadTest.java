package dev.orchard.predict;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnx.proto.OnnxMl.ModelProto;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** A file that is not a usable classifier is refused at load, with a message naming it. */
class OnnxClassifierLoadTest {

    @Test
    void bytesThatAreNotOnnxAreRefused() {
        assertThatThrownBy(() -> OnnxClassifier.load("{\"mode\": \"pair\"}".getBytes(StandardCharsets.UTF_8), "classifier.json"))
                .isInstanceOf(ClassifierException.class)
                .hasMessageContaining("Classifier classifier.json is not a readable ONNX model");
    }

    @Test
    void anOnnxModelOrchardDidNotWriteIsRefused() {
        ModelProto proto = ClassifierGraph.proto(ClassifierGraphTest.model(Link.MARGIN, new Random(1)));
        byte[] withoutMetadata = proto.toBuilder().clearMetadataProps().build().toByteArray();
        assertThatThrownBy(() -> OnnxClassifier.load(withoutMetadata, "mobilenetv2-12.onnx"))
                .isInstanceOf(ClassifierException.class)
                .hasMessageContaining("not one orchard classify wrote")
                .hasMessageContaining("orchard.format is missing");
    }

    @Test
    void aGraphWithoutTheExpectedOutputsIsRefused() {
        ModelProto proto = ClassifierGraph.proto(ClassifierGraphTest.model(Link.MARGIN, new Random(1)));
        var graph = proto.getGraph().toBuilder();
        graph.removeOutput(1); // the label
        byte[] noLabel = proto.toBuilder().setGraph(graph).build().toByteArray();
        assertThatThrownBy(() -> OnnxClassifier.load(noLabel, "edited.onnx"))
                .isInstanceOf(ClassifierException.class)
                .hasMessageContaining("does not have the graph orchard classify writes");
    }

    @Test
    void classNamesMustBeInTheMetadata() {
        ModelProto proto = ClassifierGraph.proto(new LinearClassifier(ClassifierGraphTest.CLASSES, new double[5],
                new double[5], new double[3][5], new double[3], Link.MARGIN,
                new VectorProvenance(VectorKind.FEATURES, 5, null, null), Map.of()));
        var edited = proto.toBuilder();
        for (int i = edited.getMetadataPropsCount() - 1; i >= 0; i--) {
            if (edited.getMetadataProps(i).getKey().equals(ClassifierGraph.CLASS_PREFIX + "1")) {
                edited.removeMetadataProps(i);
            }
        }
        assertThatThrownBy(() -> OnnxClassifier.load(edited.build().toByteArray(), "c.onnx"))
                .hasMessageContaining("class names are missing");
    }
}
