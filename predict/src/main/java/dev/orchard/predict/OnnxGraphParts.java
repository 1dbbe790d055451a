package dev.orchard.predict;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The pieces Orchard writes ONNX graphs from, with the ONNX protobuf classes that Tribuo ships. */
public final class OnnxGraphParts {
    private OnnxGraphParts() {
    }

    /** A tensor's name, element type and shape: a String is a symbolic dimension, an Integer a fixed one. */
    public static ValueInfoProto tensor(String name, DataType type, Object... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (Object dim : dims) {
            shape.addDim(dim instanceof String s ? TensorShapeProto.Dimension.newBuilder().setDimParam(s)
                    : TensorShapeProto.Dimension.newBuilder().setDimValue((Integer) dim));
        }
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder()
                .setTensorType(TypeProto.Tensor.newBuilder().setElemType(type.getNumber()).setShape(shape))).build();
    }

    /**
     * One operator, named after its output; an attribute is an Integer (INT) or a List of Longs (INTS), written in
     * the order of their names.
     */
    public static NodeProto node(String op, List<String> inputs, String output, Map<String, Object> attributes) {
        NodeProto.Builder n = NodeProto.newBuilder().setOpType(op).setName(output + "_" + op.toLowerCase(Locale.ROOT))
                .addAllInput(inputs).addOutput(output);
        attributes.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
            AttributeProto.Builder a = AttributeProto.newBuilder().setName(e.getKey());
            if (e.getValue() instanceof Integer i) {
                a.setType(AttributeProto.AttributeType.INT).setI(i);
            } else {
                @SuppressWarnings("unchecked")
                List<Long> ints = (List<Long>) e.getValue();
                a.setType(AttributeProto.AttributeType.INTS).addAllInts(ints);
            }
            n.addAttribute(a);
        });
        return n.build();
    }
}
