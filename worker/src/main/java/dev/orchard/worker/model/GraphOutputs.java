package dev.orchard.worker.model;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.WireFormat;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * An ONNX model's graph outputs, and the tensors its nodes produce, read on the protobuf wire format in one pass
 * without generated ONNX classes; and the model with a tensor appended to its outputs. ONNX Runtime only returns
 * graph outputs, so to read an intermediate tensor (MobileNetV2's pooled {@code 464}) it is appended to
 * {@code graph.output} in memory; ONNX Runtime infers its type and shape.
 *
 * <p>The weights (the graph's initializers, nearly all of a model's bytes) are skipped, never copied: the model's
 * bytes are scanned once, and the edited model is the original with the output spliced in at the graph's end (one
 * copy). Parsing the model into protobuf's {@code UnknownFieldSet}s instead copied the 14 MB of MobileNetV2 several
 * times and held back a job's start-up by ~0.2 s (bench/RESULTS.md, twelfth session).
 *
 * <p>Field numbers from onnx.proto: ModelProto.graph = 7; GraphProto.node = 1, output = 12; NodeProto.output = 2;
 * ValueInfoProto.name = 1.
 *
 * @param model       the model's bytes
 * @param graphTag    where the graph's field starts (its tag)
 * @param graphStart  where the graph's bytes start; they run to {@code graphEnd}
 * @param outputs     the graph's declared outputs, in order
 * @param nodeOutputs every tensor produced by a node, in graph order: the tensors a spec may name as features
 */
record GraphOutputs(byte[] model, int graphTag, int graphStart, int graphEnd, List<String> outputs,
                    Set<String> nodeOutputs) {
    private static final int MODEL_GRAPH = 7;
    private static final int GRAPH_NODE = 1;
    private static final int GRAPH_OUTPUT = 12;
    private static final int NODE_OUTPUT = 2;
    private static final int VALUE_INFO_NAME = 1;

    /** Reads the model's first graph: its declared outputs and its nodes' outputs. */
    static GraphOutputs read(byte[] model) throws InvalidProtocolBufferException {
        try {
            CodedInputStream in = CodedInputStream.newInstance(model);
            while (true) {
                int tagAt = in.getTotalBytesRead();
                int tag = in.readTag();
                if (tag == 0) {
                    throw new InvalidProtocolBufferException("no graph in the model (is this an ONNX file?)");
                }
                if (tag == lengthDelimited(MODEL_GRAPH)) {
                    int length = in.readRawVarint32();
                    int start = in.getTotalBytesRead();
                    if (length < 0 || length > model.length - start) {
                        throw new InvalidProtocolBufferException("the model's graph runs past the end of the file (is it cut short?)");
                    }
                    List<String> outputs = new ArrayList<>();
                    Set<String> nodeOutputs = new LinkedHashSet<>();
                    readGraph(CodedInputStream.newInstance(model, start, length), outputs, nodeOutputs);
                    return new GraphOutputs(model, tagAt, start, start + length, outputs, nodeOutputs);
                }
                in.skipField(tag);
            }
        } catch (InvalidProtocolBufferException e) {
            throw e;
        } catch (IOException e) { // a CodedInputStream over an array throws no other IOException
            throw new InvalidProtocolBufferException(e);
        }
    }

    /** The model with {@code tensor} appended to its graph's outputs; everything else byte for byte as it was. */
    byte[] withOutput(String tensor) {
        byte[] name = tensor.getBytes(StandardCharsets.UTF_8);
        int valueInfoSize = CodedOutputStream.computeByteArraySize(VALUE_INFO_NAME, name);
        int outputSize = CodedOutputStream.computeTagSize(GRAPH_OUTPUT) + CodedOutputStream.computeUInt32SizeNoTag(valueInfoSize)
                + valueInfoSize;
        int graphLength = graphEnd - graphStart + outputSize;
        int headSize = CodedOutputStream.computeTagSize(MODEL_GRAPH) + CodedOutputStream.computeUInt32SizeNoTag(graphLength);
        byte[] edited = new byte[graphTag + headSize + graphLength + (model.length - graphEnd)];
        System.arraycopy(model, 0, edited, 0, graphTag);
        int at = graphTag;
        try {
            CodedOutputStream head = CodedOutputStream.newInstance(edited, at, headSize);
            head.writeTag(MODEL_GRAPH, WireFormat.WIRETYPE_LENGTH_DELIMITED);
            head.writeUInt32NoTag(graphLength);
            head.checkNoSpaceLeft();
            at += headSize;
            System.arraycopy(model, graphStart, edited, at, graphEnd - graphStart);
            at += graphEnd - graphStart;
            CodedOutputStream output = CodedOutputStream.newInstance(edited, at, outputSize);
            output.writeTag(GRAPH_OUTPUT, WireFormat.WIRETYPE_LENGTH_DELIMITED);
            output.writeUInt32NoTag(valueInfoSize);
            output.writeByteArray(VALUE_INFO_NAME, name);
            output.checkNoSpaceLeft();
            at += outputSize;
        } catch (IOException e) {
            throw new IllegalStateException("miscounted the edited graph's size", e); // sizes are computed above
        }
        System.arraycopy(model, graphEnd, edited, at, model.length - graphEnd);
        return edited;
    }

    private static void readGraph(CodedInputStream graph, List<String> outputs, Set<String> nodeOutputs)
            throws IOException {
        int nodeTag = lengthDelimited(GRAPH_NODE);
        int outputTag = lengthDelimited(GRAPH_OUTPUT);
        for (int tag = graph.readTag(); tag != 0; tag = graph.readTag()) {
            if (tag == nodeTag) {
                int limit = graph.pushLimit(graph.readRawVarint32());
                nodeOutputs.addAll(strings(graph, NODE_OUTPUT));
                graph.popLimit(limit);
            } else if (tag == outputTag) {
                int limit = graph.pushLimit(graph.readRawVarint32());
                List<String> names = strings(graph, VALUE_INFO_NAME);
                graph.popLimit(limit);
                if (names.isEmpty()) {
                    throw new InvalidProtocolBufferException("a graph output without a name");
                }
                outputs.add(names.get(0));
            } else {
                graph.skipField(tag); // initializers and the rest: skipped in place, not copied
            }
        }
    }

    /** The tag of field {@code number} as a length-delimited value (a message, string or bytes). */
    private static int lengthDelimited(int number) {
        return number << 3 | WireFormat.WIRETYPE_LENGTH_DELIMITED;
    }

    /** The string fields numbered {@code field} of the message up to the current limit; the others skipped. */
    private static List<String> strings(CodedInputStream message, int field) throws IOException {
        int wanted = lengthDelimited(field);
        List<String> values = new ArrayList<>(1);
        for (int tag = message.readTag(); tag != 0; tag = message.readTag()) {
            if (tag == wanted) {
                values.add(message.readString());
            } else {
                message.skipField(tag);
            }
        }
        return values;
    }
}
