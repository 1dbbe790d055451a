package dev.orchard.worker.model;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UnknownFieldSet;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads and edits an ONNX model's graph outputs on the protobuf wire format, without generated ONNX classes.
 * ONNX Runtime only returns graph outputs, so to read an intermediate tensor (MobileNetV2's pooled {@code 464})
 * we append it to {@code graph.output} in memory; ONNX Runtime infers its type and shape.
 * <p>Field numbers from onnx.proto: ModelProto.graph = 7; GraphProto.node = 1, output = 12;
 * NodeProto.output = 2; ValueInfoProto.name = 1.
 */
final class GraphOutputs {
    private static final int MODEL_GRAPH = 7;
    private static final int GRAPH_NODE = 1;
    private static final int GRAPH_OUTPUT = 12;
    private static final int NODE_OUTPUT = 2;
    private static final int VALUE_INFO_NAME = 1;

    private GraphOutputs() {
    }

    /** Names of the graph's declared outputs, in order. */
    static List<String> outputs(byte[] model) throws InvalidProtocolBufferException {
        List<String> names = new ArrayList<>();
        for (ByteString info : graph(model).getField(GRAPH_OUTPUT).getLengthDelimitedList()) {
            names.add(UnknownFieldSet.parseFrom(info).getField(VALUE_INFO_NAME).getLengthDelimitedList().get(0).toStringUtf8());
        }
        return names;
    }

    /** Every tensor produced by a node, in graph order: the tensors a spec may name as features. */
    static Set<String> nodeOutputs(byte[] model) throws InvalidProtocolBufferException {
        Set<String> names = new LinkedHashSet<>();
        for (ByteString node : graph(model).getField(GRAPH_NODE).getLengthDelimitedList()) {
            for (ByteString out : UnknownFieldSet.parseFrom(node).getField(NODE_OUTPUT).getLengthDelimitedList()) {
                names.add(out.toStringUtf8());
            }
        }
        return names;
    }

    /** The model with {@code tensor} appended to its graph outputs. */
    static byte[] withOutput(byte[] model, String tensor) throws InvalidProtocolBufferException {
        UnknownFieldSet modelFields = UnknownFieldSet.parseFrom(model);
        UnknownFieldSet graph = UnknownFieldSet.parseFrom(modelFields.getField(MODEL_GRAPH).getLengthDelimitedList().get(0));
        UnknownFieldSet valueInfo = UnknownFieldSet.newBuilder()
                .addField(VALUE_INFO_NAME, UnknownFieldSet.Field.newBuilder()
                        .addLengthDelimited(ByteString.copyFromUtf8(tensor)).build())
                .build();
        UnknownFieldSet newGraph = UnknownFieldSet.newBuilder(graph).mergeField(GRAPH_OUTPUT,
                UnknownFieldSet.Field.newBuilder().addLengthDelimited(valueInfo.toByteString()).build()).build();
        return UnknownFieldSet.newBuilder(modelFields)
                .clearField(MODEL_GRAPH)
                .addField(MODEL_GRAPH, UnknownFieldSet.Field.newBuilder().addLengthDelimited(newGraph.toByteString()).build())
                .build()
                .toByteArray();
    }

    private static UnknownFieldSet graph(byte[] model) throws InvalidProtocolBufferException {
        UnknownFieldSet fields = UnknownFieldSet.parseFrom(model);
        List<ByteString> graphs = fields.getField(MODEL_GRAPH).getLengthDelimitedList();
        if (graphs.isEmpty()) {
            throw new InvalidProtocolBufferException("no graph in the model (is this an ONNX file?)");
        }
        return UnknownFieldSet.parseFrom(graphs.get(0));
    }
}
