package dev.orchard.bench.s3;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import ai.onnx.proto.OnnxMl.Version;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes a feature model whose inference costs next to nothing, for measuring what reading costs a job without the
 * noise of a CNN's CPU time: {@code input} float[N, 3, 224, 224] → AveragePool(28×28, stride 28) → Flatten →
 * {@code features} float[N, 192]. ~0.15 M additions per image, against ~300 M multiply-adds for MobileNetV2.
 * A job with it decodes, resizes, writes and folds every image as a real job does; only the CNN is gone.
 *
 * <pre>java -cp bench/target/orchard-bench.jar dev.orchard.bench.s3.NegligibleModel /tmp/negligible.onnx</pre>
 * then {@code bench/s3-cpu.sh /tmp/negligible.onnx 10200 5 --feature-tensor features}.
 */
public final class NegligibleModel {
    static final String INPUT = "input";
    static final String FEATURES = "features";

    private NegligibleModel() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: NegligibleModel OUT.onnx");
            System.exit(2);
        }
        Path out = Path.of(args[0]);
        Files.write(out, model().toByteArray());
        System.out.println("wrote " + out + ": '" + INPUT + "' float[N,3,224,224] -> '" + FEATURES + "' float[N,192]");
    }

    static ModelProto model() {
        GraphProto.Builder g = GraphProto.newBuilder().setName("negligible");
        g.addInput(valueInfo(INPUT, "N", 3, 224, 224));
        g.addNode(NodeProto.newBuilder().setOpType("AveragePool").setName("pool").addInput(INPUT).addOutput("pooled")
                .addAttribute(ints("kernel_shape", 28, 28)).addAttribute(ints("strides", 28, 28)));
        g.addNode(NodeProto.newBuilder().setOpType("Flatten").setName("flatten").addInput("pooled").addOutput(FEATURES)
                .addAttribute(AttributeProto.newBuilder().setName("axis").setType(AttributeProto.AttributeType.INT).setI(1)));
        g.addOutput(valueInfo(FEATURES, "N", 192));
        return ModelProto.newBuilder()
                .setIrVersion(Version.IR_VERSION_2021_7_30_VALUE)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(13))
                .setProducerName("orchard bench")
                .setGraph(g)
                .build();
    }

    private static AttributeProto ints(String name, long... values) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long v : values) {
            a.addInts(v);
        }
        return a.build();
    }

    private static ValueInfoProto valueInfo(String name, Object... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (Object dim : dims) {
            shape.addDim(dim instanceof String s ? TensorShapeProto.Dimension.newBuilder().setDimParam(s)
                    : TensorShapeProto.Dimension.newBuilder().setDimValue((Integer) dim));
        }
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder()
                .setTensorType(TypeProto.Tensor.newBuilder().setElemType(DataType.FLOAT_VALUE).setShape(shape))).build();
    }
}
