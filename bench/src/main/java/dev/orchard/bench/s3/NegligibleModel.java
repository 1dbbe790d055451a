package dev.orchard.bench.s3;

import static dev.orchard.predict.OnnxGraphParts.node;
import static dev.orchard.predict.OnnxGraphParts.tensor;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import ai.onnx.proto.OnnxMl.Version;
import java.util.List;
import java.util.Map;

/**
 * A feature model whose inference costs next to nothing, for measuring what reading costs a job without the noise of
 * a CNN's CPU time ({@code bench/s3-cpu.sh negligible}): {@code input} float[N, 3, 224, 224] → AveragePool(28×28,
 * stride 28) → Flatten → {@code features} float[N, 192]. ~0.15 M additions per image, against ~300 M multiply-adds
 * for MobileNetV2. A job with it decodes, resizes, writes and folds every image as a real job does; only the CNN is
 * gone.
 */
final class NegligibleModel {
    static final String INPUT = "input";
    static final String FEATURES = "features";

    private NegligibleModel() {
    }

    static ModelProto model() {
        GraphProto.Builder g = GraphProto.newBuilder().setName("negligible");
        g.addInput(tensor(INPUT, DataType.FLOAT, "N", 3, 224, 224));
        g.addNode(node("AveragePool", List.of(INPUT), "pooled",
                Map.of("kernel_shape", List.of(28L, 28L), "strides", List.of(28L, 28L))));
        g.addNode(node("Flatten", List.of("pooled"), FEATURES, Map.of("axis", 1)));
        g.addOutput(tensor(FEATURES, DataType.FLOAT, "N", 192));
        return ModelProto.newBuilder()
                .setIrVersion(Version.IR_VERSION_2021_7_30_VALUE)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(13))
                .setProducerName("orchard bench")
                .setGraph(g)
                .build();
    }
}
